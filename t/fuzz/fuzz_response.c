/*
 * Fuzz target: the whole response validator, as the ACS calls it.  The
 * input is the Response XML (base64-encoded here, as the POST carries it:
 * mutations of XML reach further than mutations of its base64, which the
 * base64 target covers).  The SP trusts two throwaway IdPs whose keys
 * signed the seed corpus (test-only-keys.h), and the clock is fixed inside
 * the seeds' validity window, so that a mutated but validly signed
 * response gets past the signature to every later check.
 */
#include <string.h>

#include <apr_base64.h>
#include <apr_strings.h>

#include "fuzz.h"
#include "test-only-keys.h"
#include "wcs_response.h"
#include "wcs_sp.h"
#include "wcs_str.h"
#include "wcs_xml.h"

/* The seeds were made with wcs_mkresponse --now 1767225600
 * (2026-01-01T00:00:00Z), valid for five minutes from then. */
#define FUZZ_SEEDS_MADE 1767225600
#define FUZZ_NOW apr_time_from_sec(FUZZ_SEEDS_MADE + 30)
#define FUZZ_SP "https://sp.example.test/"
#define FUZZ_ACS "https://sp.example.test/saml/acs"

static wcs_sp_t *fuzz_sp;

static void add_idp(apr_hash_t *idps, const char *entity_id,
                    const char *cert_b64, apr_pool_t *p)
{
    wcs_idp_t *idp = wcs_idp_create(entity_id, "fuzz test-only key", p);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    char *der;
    apr_size_t len;
    const char *err = NULL;

    if (wcs_str_base64_decode(&der, &len, &res, "the test key", cert_b64,
                              strlen(cert_b64), 64 * 1024, p) != APR_SUCCESS
        || wcs_idp_add_cert_der(idp, &err, (const unsigned char *)der, len,
                                "fuzz test-only key", p) != APR_SUCCESS) {
        fprintf(stderr, "fuzz_response: bad test key for %s: %s\n",
                entity_id, err ? err : res.reason);
        exit(2);
    }
    apr_hash_set(idps, idp->entity_id, APR_HASH_KEY_STRING, idp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    apr_pool_t *p = wcs_fuzz_global_pool();
    wcs_sp_desc_t desc;
    const char *err = NULL;

    wcs_fuzz_lsan_off();
    wcs_sp_desc_init(&desc);
    desc.name = "the fuzz SP";
    desc.entity_id = FUZZ_SP;
    desc.acs_url = FUZZ_ACS;
    desc.idps = apr_hash_make(p);
    add_idp(desc.idps, WCS_FUZZ_IDP, wcs_fuzz_idp_cert, p);
    add_idp(desc.idps, WCS_FUZZ_EC_IDP, wcs_fuzz_ec_cert, p);
    if (wcs_sp_build(&fuzz_sp, &err, &desc, p) != APR_SUCCESS) {
        fprintf(stderr, "fuzz_response: %s\n", err);
        exit(2);
    }
    wcs_fuzz_lsan_on();
    return 0;
}

/* What an accepted assertion promises the ACS. */
static void check_assertion(const wcs_assertion_t *a)
{
    WCS_FUZZ_CHECK(a->idp != NULL);
    WCS_FUZZ_CHECK(a->assertion_id != NULL && a->response_id != NULL);
    WCS_FUZZ_CHECK(a->response_signed || a->assertion_signed);
    WCS_FUZZ_CHECK(a->expires > FUZZ_NOW - WCS_CLOCK_SKEW_DEFAULT);
    WCS_FUZZ_CHECK(a->attrs != NULL);
    wcs_assertion_attr(a, "mail");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_logger_t lg = { NULL, "fuzz" };
    wcs_assertion_t *a = NULL;
    char *b64;
    apr_status_t rv;

    if (size > WCS_RESPONSE_MAX_BYTES_DEFAULT) {
        return 0;
    }
    apr_pool_create(&p, wcs_fuzz_global_pool());
    b64 = apr_palloc(p, apr_base64_encode_len((int)size));
    apr_base64_encode_binary(b64, data, (int)size);
    rv = wcs_response_validate(&a, &res, fuzz_sp, b64, strlen(b64), FUZZ_NOW,
                               &lg, p);
    if (getenv("WCS_FUZZ_VERBOSE")) {
        /* To see what a seed reaches: a valid seed must say "accepted". */
        fprintf(stderr, "%s\n", rv == APR_SUCCESS ? "accepted"
                : apr_pstrcat(p, wcs_code_str(res.code), " ", res.reason,
                              NULL));
    }
    if (rv == APR_SUCCESS) {
        WCS_FUZZ_CHECK(a != NULL && res.code == WCS_CODE_NONE);
        check_assertion(a);
    }
    else {
        WCS_FUZZ_CHECK(rv == WCS_EREFUSED);
        WCS_FUZZ_CHECK(res.code != WCS_CODE_NONE && res.reason != NULL);
    }
    wcs_xml_xmlsec_error_clear();
    apr_pool_destroy(p);
    return 0;
}
