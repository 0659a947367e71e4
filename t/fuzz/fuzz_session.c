/*
 * Fuzz target: the session record's MAC check and decoder.  Records come
 * from a store that other servers may share, so they are untrusted input.
 * Beyond "no crash": a record the decoder accepts survives encoding and
 * decoding unchanged, and whatever is sealed with a key verifies with it
 * (and only as the body that was sealed).
 */
#include <string.h>

#include "fuzz.h"
#include "wcs_session.h"

/* A fixed session ID and key: the MAC is checked as it is in a request. */
#define FUZZ_ID "0123456789abcdef0123456789abcdef" \
                "0123456789abcdef0123456789abcdef"
static const char fuzz_secret[] = "fuzz-only session key, 32 bytes or more";
static apr_array_header_t *keys;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    wcs_session_key_t *k;

    wcs_fuzz_init();
    /* The key's HMAC context lives as long as the process, referenced
     * from pool memory that LSan may not see (fuzz.h). */
    wcs_fuzz_lsan_off();
    keys = apr_array_make(wcs_fuzz_global_pool(), 1,
                          sizeof(wcs_session_key_t *));
    WCS_FUZZ_CHECK(wcs_session_key_make(&k, (const unsigned char *)
                                        fuzz_secret, sizeof(fuzz_secret) - 1,
                                        "fuzz", wcs_fuzz_global_pool())
                   == APR_SUCCESS);
    APR_ARRAY_PUSH(keys, wcs_session_key_t *) = k;
    wcs_fuzz_lsan_on();
    return 0;
}

/* The input as a stored record: its MAC line is checked, and never
 * believed (no input carries a MAC under the fuzz key).  Then the input
 * as a body: sealed, it verifies, as exactly that body. */
static void check_mac(const char *data, apr_size_t size, apr_pool_t *p)
{
    const char *why = NULL, *sealed;
    apr_size_t body_len = 0, sealed_len = 0;

    if (wcs_session_mac_verify(&body_len, &why, data, size, FUZZ_ID, keys,
                               p) == APR_SUCCESS) {
        WCS_FUZZ_CHECK(body_len < size);
    }
    else {
        WCS_FUZZ_CHECK(why != NULL);
    }
    sealed = wcs_session_mac_seal(&sealed_len, data, size, FUZZ_ID,
                                  APR_ARRAY_IDX(keys, 0, wcs_session_key_t *),
                                  p);
    if (!sealed || memchr(data, '\0', size)) {
        return;                  /* a NUL ends the sealed copy early */
    }
    WCS_FUZZ_CHECK(wcs_session_mac_verify(&body_len, &why, sealed,
                                          sealed_len, FUZZ_ID, keys, p)
                   == APR_SUCCESS);
    WCS_FUZZ_CHECK(body_len == size);
    /* Under another session's ID the same record is refused. */
    WCS_FUZZ_CHECK(wcs_session_mac_verify(&body_len, &why, sealed,
                                          sealed_len, FUZZ_ID "x", keys, p)
                   != APR_SUCCESS);
}

static int env_same(void *rec, const char *key, const char *value)
{
    const char *other = apr_table_get(rec, key);

    WCS_FUZZ_CHECK(other != NULL && strcmp(other, value) == 0);
    return 1;
}

static void check_round_trip(const wcs_session_t *s, apr_pool_t *p)
{
    wcs_session_t *again = NULL;
    const char *rec;
    apr_size_t len;

    rec = wcs_session_encode(s, &len, p);
    if (!rec) {
        return;                  /* over the record limit: refused early */
    }
    WCS_FUZZ_CHECK(wcs_session_decode(&again, rec, len, p) == APR_SUCCESS);
    WCS_FUZZ_CHECK(strcmp(again->site, s->site) == 0);
    WCS_FUZZ_CHECK(strcmp(again->idp, s->idp) == 0);
    WCS_FUZZ_CHECK(strcmp(again->idp_key, s->idp_key) == 0);
    WCS_FUZZ_CHECK(strcmp(again->user, s->user) == 0);
    WCS_FUZZ_CHECK(again->created == s->created);
    WCS_FUZZ_CHECK(again->expires == s->expires);
    WCS_FUZZ_CHECK(apr_table_elts(again->env)->nelts
                   == apr_table_elts(s->env)->nelts);
    apr_table_do(env_same, again->env, s->env, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    wcs_session_t *s = NULL;

    if (size > WCS_SESSION_RECORD_MAX) {
        return 0;                /* the store never hands back more */
    }
    apr_pool_create(&p, wcs_fuzz_global_pool());
    check_mac((const char *)data, size, p);
    if (wcs_session_decode(&s, (const char *)data, size, p) == APR_SUCCESS) {
        WCS_FUZZ_CHECK(s != NULL && s->site && s->idp && s->idp_key
                       && s->user && s->env);
        check_round_trip(s, p);
    }
    apr_pool_destroy(p);
    return 0;
}
