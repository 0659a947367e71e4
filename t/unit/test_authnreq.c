#include <string.h>

#include <apr_base64.h>
#include <apr_strings.h>
#include <openssl/evp.h>

#include "check_wcs.h"
#include "wcs_authnreq.h"
#include "wcs_event.h"
#include "wcs_str.h"

#define T0 apr_time_from_sec(1800000000)
#define SSO "https://idp.example.test/sso"
#define ACS "https://sp.example.test/saml/acs"

/* The value of parameter name in the query of url, URL-decoded. */
static char *param(const char *url, const char *name)
{
    const char *q = strchr(url, '?');
    char *copy, *pair, *last;
    apr_size_t n = strlen(name);

    ck_assert_ptr_nonnull(q);
    copy = apr_pstrdup(wcs_test_pool, q + 1);
    for (pair = apr_strtok(copy, "&", &last); pair;
         pair = apr_strtok(NULL, "&", &last)) {
        if (!strncmp(pair, name, n) && pair[n] == '=') {
            char *v = pair + n + 1, *r = v, *w = v;

            while (*r) {
                if (*r == '%' && r[1] && r[2]) {
                    *w++ = (char)(wcs_str_hexval(r[1]) * 16
                                  + wcs_str_hexval(r[2]));
                    r += 3;
                }
                else {
                    *w++ = *r == '+' ? ' ' : *r;
                    r++;
                }
            }
            *w = '\0';
            return v;
        }
    }
    return NULL;
}

START_TEST(authnreq_redirect)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_authnreq_t *r, *r2;
    const char *err = NULL, *xml;

    sp->entity_id = "https://sp.example.test/?a=1&b=\"2\"";
    ck_assert_int_eq(wcs_authnreq_make(&r, &err, sp, ACS, SSO,
                                       "1234567-ab177c1f4e", T0,
                                       wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(strlen(r->id), 33);
    ck_assert_int_eq(r->id[0], '_');
    ck_assert_int_eq(strncmp(r->url, SSO "?SAMLRequest=",
                             strlen(SSO "?SAMLRequest=")), 0);
    ck_assert_str_eq(param(r->url, "RelayState"), "1234567-ab177c1f4e");
    /* The binding's encoding undone gives the very request. */
    xml = wcs_authnreq_inflate(param(r->url, "SAMLRequest"), 65536,
                               wcs_test_pool);
    ck_assert_ptr_nonnull(xml);
    ck_assert_str_eq(xml, r->xml);
    ck_assert_ptr_nonnull(strstr(xml, apr_psprintf(wcs_test_pool,
                                                   "ID=\"%s\"", r->id)));
    ck_assert_ptr_nonnull(strstr(xml, "IssueInstant=\"2027-01-15T08:00:00Z\""));
    ck_assert_ptr_nonnull(strstr(xml, "Destination=\"" SSO "\""));
    ck_assert_ptr_nonnull(strstr(xml, "AssertionConsumerServiceURL=\""
                                 ACS "\""));
    ck_assert_ptr_nonnull(strstr(xml, "ProtocolBinding=\"urn:oasis:names:tc:"
                                 "SAML:2.0:bindings:HTTP-POST\""));
    ck_assert_ptr_nonnull(strstr(xml, "<saml:Issuer>https://sp.example.test/"
                                 "?a=1&amp;b=&quot;2&quot;</saml:Issuer>"));
    ck_assert_ptr_nonnull(strstr(xml, "nameid-format:emailAddress"));
    /* Every request its own ID. */
    ck_assert_int_eq(wcs_authnreq_make(&r2, &err, sp, ACS, SSO, NULL, T0,
                                       wcs_test_pool), APR_SUCCESS);
    ck_assert_str_ne(r->id, r2->id);
    ck_assert_ptr_null(param(r2->url, "RelayState"));
    /* An SSO URL with a query keeps it. */
    ck_assert_int_eq(wcs_authnreq_make(&r2, &err, sp, ACS,
                                       SSO "?tenant=x", "a b&c", T0,
                                       wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(strncmp(r2->url, SSO "?tenant=x&SAMLRequest=",
                             strlen(SSO "?tenant=x&SAMLRequest=")), 0);
    ck_assert_str_eq(param(r2->url, "RelayState"), "a b&c");
    /* Refused: a RelayState an IdP may refuse, an SSO URL that is none. */
    ck_assert_int_eq(wcs_authnreq_make(&r2, &err, sp, ACS, SSO,
                                       apr_psprintf(wcs_test_pool, "%081d",
                                                    1), T0, wcs_test_pool),
                     APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "81 bytes, over the 80"));
    ck_assert_int_eq(wcs_authnreq_make(&r2, &err, sp, ACS, "idp.example.test",
                                       NULL, T0, wcs_test_pool), APR_EINVAL);
    ck_assert_int_eq(wcs_authnreq_make(&r2, &err, sp, ACS,
                                       SSO "#frag", NULL, T0, wcs_test_pool),
                     APR_EINVAL);
    /* What is not the binding's encoding is refused. */
    ck_assert_ptr_null(wcs_authnreq_inflate("bm90IGRlZmxhdGU=", 1024,
                                            wcs_test_pool));
    ck_assert_ptr_null(wcs_authnreq_inflate(param(r->url, "SAMLRequest"), 16,
                                            wcs_test_pool));
}
END_TEST

/* --- the outstanding request --------------------------------------------- */

#define BROWSER WCS_TEST_BROWSER
#define OTHER   "fedcba9876543210fedcba9876543210"

static void remember(const wcs_store_t *store, const char *id,
                     const char *relay_ref, const char *return_to)
{
    wcs_test_remember_request(store, id, relay_ref, return_to, T0,
                              T0 + apr_time_from_sec(900));
}

START_TEST(authnreq_tokens)
{
    const char *a = wcs_authnreq_browser_token(wcs_test_pool);
    const char *b = wcs_authnreq_browser_token(wcs_test_pool);
    const char *ref = wcs_authnreq_relay_ref(wcs_test_pool);
    wcs_relay_t relay;

    ck_assert(wcs_authnreq_browser_valid(a));
    ck_assert_str_ne(a, b);
    ck_assert(!wcs_authnreq_browser_valid(NULL));
    ck_assert(!wcs_authnreq_browser_valid("0123"));
    ck_assert(!wcs_authnreq_browser_valid(BROWSER "0"));
    ck_assert(!wcs_authnreq_browser_valid("0123456789ABCDEF0123456789abcdef"));
    /* The RelayState reference reads as one, never as an event. */
    ck_assert_int_eq(strlen(ref), strlen(WCS_RELAY_REF_PREFIX)
                                  + WCS_RELAY_REF_HEX);
    wcs_relay_parse(&relay, ref, wcs_test_pool);
    ck_assert_int_eq(relay.kind, WCS_RELAY_REF);
    wcs_relay_parse(&relay, "sp-0123", wcs_test_pool);
    ck_assert_int_eq(relay.kind, WCS_RELAY_NOT_NUMBER);
    wcs_relay_parse(&relay, "sp-0123456789ABCDEF0123456789abcdef",
                    wcs_test_pool);
    ck_assert_int_eq(relay.kind, WCS_RELAY_NOT_NUMBER);
}
END_TEST

START_TEST(authnreq_answer)
{
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_store_t *replay = wcs_test_store_make(wcs_test_pool);
    wcs_authnreq_state_t *st;
    wcs_result_t res;
    const char *ref = wcs_authnreq_relay_ref(wcs_test_pool);
    wcs_test_store_t *ts;
    apr_hash_index_t *hi;

    remember(store, "_r1", ref, "/admin/?x=1");
    /* Nothing of the browser's token is kept in clear. */
    ts = wcs_test_store_of(store);
    for (hi = apr_hash_first(wcs_test_pool, ts->entries); hi;
         hi = apr_hash_next(hi)) {
        wcs_test_entry_t *e = apr_hash_this_val(hi);

        ck_assert_ptr_null(strstr(apr_pstrmemdup(wcs_test_pool,
                                                 (char *)e->value, e->len),
                                  BROWSER));
    }
    /* Unknown, another IdP, no cookie, another browser. */
    wcs_assert_refused(wcs_authnreq_answer(&st, &res, store, replay, "_r2",
                                           WCS_TEST_IDP, BROWSER, T0,
                                           wcs_test_pool),
                       res, WCS_CODE_IN_RESPONSE_TO, "has not outstanding");
    wcs_assert_refused(wcs_authnreq_answer(&st, &res, store, replay, "_r1",
                                           WCS_TEST_OKTA, BROWSER, T0,
                                           wcs_test_pool),
                       res, WCS_CODE_IN_RESPONSE_TO, "which was sent to "
                       WCS_TEST_IDP);
    wcs_assert_refused(wcs_authnreq_answer(&st, &res, store, replay, "_r1",
                                           WCS_TEST_IDP, NULL, T0,
                                           wcs_test_pool),
                       res, WCS_CODE_OTHER_BROWSER, "no sign-in cookie");
    wcs_assert_refused(wcs_authnreq_answer(&st, &res, store, replay, "_r1",
                                           WCS_TEST_IDP, OTHER, T0,
                                           wcs_test_pool),
                       res, WCS_CODE_OTHER_BROWSER, "another browser");
    wcs_assert_refused(wcs_authnreq_answer(&st, &res, store, replay, "_r1",
                                           WCS_TEST_IDP, "not-a-token", T0,
                                           wcs_test_pool),
                       res, WCS_CODE_OTHER_BROWSER, "another browser");
    /* Expired: past its lifetime, even where the store still has it. */
    wcs_assert_refused(wcs_authnreq_answer(&st, &res, store, replay, "_r1",
                                           WCS_TEST_IDP, BROWSER,
                                           T0 + apr_time_from_sec(901),
                                           wcs_test_pool),
                       res, WCS_CODE_IN_RESPONSE_TO, "expired 1 s ago");
    /* None of the refusals used it up: the right browser's answer
     * passes, once. */
    ck_assert_int_eq(wcs_authnreq_answer(&st, &res, store, replay, "_r1",
                                         WCS_TEST_IDP, BROWSER, T0,
                                         wcs_test_pool), APR_SUCCESS);
    ck_assert_str_eq(st->idp, WCS_TEST_IDP);
    ck_assert_str_eq(st->relay_ref, ref);
    ck_assert_str_eq(st->return_to, "/admin/?x=1");
    wcs_assert_refused(wcs_authnreq_answer(&st, &res, store, replay, "_r1",
                                           WCS_TEST_IDP, BROWSER, T0,
                                           wcs_test_pool),
                       res, WCS_CODE_ANSWERED, "answered already");
    /* Stores that fail, fail closed. */
    remember(store, "_r3", NULL, NULL);
    wcs_test_store_of(replay)->add_rv = APR_ENOSPC;
    wcs_assert_refused(wcs_authnreq_answer(&st, &res, store, replay, "_r3",
                                           WCS_TEST_IDP, BROWSER, T0,
                                           wcs_test_pool),
                       res, WCS_CODE_REPLAY_FULL, "cannot mark request");
    wcs_test_store_of(replay)->add_rv = APR_EGENERAL;
    wcs_assert_refused(wcs_authnreq_answer(&st, &res, store, replay, "_r3",
                                           WCS_TEST_IDP, BROWSER, T0,
                                           wcs_test_pool),
                       res, WCS_CODE_STORE, "replay cache store failed");
    wcs_test_store_of(store)->get_rv = APR_EGENERAL;
    wcs_assert_refused(wcs_authnreq_answer(&st, &res, store, replay, "_r3",
                                           WCS_TEST_IDP, BROWSER, T0,
                                           wcs_test_pool),
                       res, WCS_CODE_STORE, "request store failed");
}
END_TEST

START_TEST(authnreq_remember_refuses)
{
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_authnreq_state_t st;

    memset(&st, 0, sizeof(st));
    st.idp = WCS_TEST_IDP;
    st.browser = BROWSER;
    st.expires = T0 + apr_time_from_sec(60);
    /* Only local paths are ever remembered as a place to return to. */
    st.return_to = "//evil.example/";
    ck_assert_int_eq(wcs_authnreq_remember(store, "_a", &st, T0,
                                           wcs_test_pool), APR_EINVAL);
    st.return_to = "https://evil.example/";
    ck_assert_int_eq(wcs_authnreq_remember(store, "_a", &st, T0,
                                           wcs_test_pool), APR_EINVAL);
    st.return_to = "/a\nb";
    ck_assert_int_eq(wcs_authnreq_remember(store, "_a", &st, T0,
                                           wcs_test_pool), APR_EINVAL);
    st.return_to = NULL;
    st.browser = "short";
    ck_assert_int_eq(wcs_authnreq_remember(store, "_a", &st, T0,
                                           wcs_test_pool), APR_EINVAL);
    st.browser = BROWSER;
    st.idp = "a\nb";
    ck_assert_int_eq(wcs_authnreq_remember(store, "_a", &st, T0,
                                           wcs_test_pool), APR_EINVAL);
    ck_assert_int_eq(wcs_test_store_count(store), 0);
    /* A store that fails says so. */
    st.idp = WCS_TEST_IDP;
    wcs_test_store_of(store)->put_rv = APR_EGENERAL;
    ck_assert_int_eq(wcs_authnreq_remember(store, "_a", &st, T0,
                                           wcs_test_pool), APR_EGENERAL);
}
END_TEST

/* --- signed requests ------------------------------------------------------ */

START_TEST(authnreq_signed)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_sp_key_t *k = NULL;
    wcs_authnreq_t *r;
    const char *err = NULL, *q, *sigparam;
    char *signed_part, *sig;
    apr_size_t siglen;
    EVP_MD_CTX *ctx;
    int ok;

    ck_assert_msg(wcs_sp_key_load(&k, &err, wcs_test_file("new.key",
                                                          wcs_test_pool),
                                  wcs_test_file("new.pem", wcs_test_pool),
                                  wcs_test_pool) == APR_SUCCESS, "%s", err);
    ck_assert_ptr_nonnull(k->cert_b64);
    sp->sign_key = k;
    ck_assert_int_eq(wcs_authnreq_make(&r, &err, sp, ACS, SSO "?tenant=x",
                                       "1234567-ab177c1f4e", T0,
                                       wcs_test_pool), APR_SUCCESS);
    ck_assert_str_eq(param(r->url, "SigAlg"), WCS_SIGALG_RSA_SHA256);
    /* What is signed: the query as sent, from SAMLRequest to SigAlg (the
     * SSO URL's own parameters are not the binding's). */
    q = strstr(r->url, "SAMLRequest=");
    sigparam = strstr(r->url, "&Signature=");
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_nonnull(sigparam);
    signed_part = apr_pstrmemdup(wcs_test_pool, q, (apr_size_t)(sigparam - q));
    ck_assert_ptr_nonnull(strstr(signed_part, "&RelayState=1234567-ab177c1f4e&SigAlg="));
    sig = apr_palloc(wcs_test_pool, 1024);
    siglen = (apr_size_t)apr_base64_decode(sig, param(r->url, "Signature"));
    ctx = EVP_MD_CTX_new();
    ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
                                          k->pkey), 1);
    ok = EVP_DigestVerify(ctx, (unsigned char *)sig, siglen,
                          (unsigned char *)signed_part, strlen(signed_part));
    EVP_MD_CTX_free(ctx);
    ck_assert_int_eq(ok, 1);
    /* The same signature over other octets does not verify. */
    signed_part[strlen(signed_part) - 1] ^= 1;
    ctx = EVP_MD_CTX_new();
    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k->pkey);
    ok = EVP_DigestVerify(ctx, (unsigned char *)sig, siglen,
                          (unsigned char *)signed_part, strlen(signed_part));
    EVP_MD_CTX_free(ctx);
    ck_assert_int_ne(ok, 1);
}
END_TEST

START_TEST(authnreq_key_refused)
{
    wcs_sp_key_t *k = NULL;
    const char *err = NULL;

#define LOAD(key, cert) wcs_sp_key_load(&k, &err, \
        wcs_test_file(key, wcs_test_pool), wcs_test_file(cert, wcs_test_pool), \
        wcs_test_pool)
    ck_assert_int_eq(LOAD("ec.key", "ec.pem"), APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "is not an RSA key of at least 2048"));
    ck_assert_int_eq(LOAD("new.key", "idp.pem"), APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "is not of the key"));
    ck_assert_int_eq(LOAD("new.pem", "new.pem"), APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "holds no private key"));
    ck_assert_int_eq(LOAD("new.key", "new.key"), APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "holds no X.509 certificate"));
    ck_assert_int_eq(LOAD("no-such.key", "new.pem"), APR_EINVAL);
    ck_assert_ptr_null(k);
#undef LOAD
}
END_TEST

Suite *wcs_suite_authnreq(void)
{
    Suite *s = suite_create("authnreq");
    TCase *tc = tcase_create("core");

    tcase_add_unchecked_fixture(tc, wcs_test_fixtures_setup, NULL);
    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, authnreq_redirect);
    tcase_add_test(tc, authnreq_tokens);
    tcase_add_test(tc, authnreq_answer);
    tcase_add_test(tc, authnreq_remember_refuses);
    tcase_add_test(tc, authnreq_signed);
    tcase_add_test(tc, authnreq_key_refused);
    suite_add_tcase(s, tc);
    return s;
}
