#include <string.h>

#include <apr_strings.h>

#include "check_wcs.h"
#include "wcs_acs.h"
#include "wcs_identity.h"

/* Log lines the ACS writes, to prove the ref reaches them. */
static char logged[1024];

static void print_cb(void *baton, const char *file, int line,
                     wcs_log_level_t level, const char *msg)
{
    if (level == WCS_LOG_INFO) {
        apr_cpystrn(logged, msg, sizeof(logged));
    }
}

static void acs_teardown(void)
{
    wcs_log_set(NULL, NULL);
    wcs_test_teardown();
}

/* The ACS's input for b64 posted at now, from the test pool. */
static wcs_acs_input_t *input(const wcs_sp_t *sp,
                                    const wcs_store_t *store,
                                    const wcs_store_t *replay,
                                    const char *b64, apr_time_t now,
                                    const wcs_logger_t *lg)
{
    wcs_acs_input_t *in = apr_pcalloc(wcs_test_pool, sizeof(*in));

    in->sp = sp;
    in->sessions = store;
    in->replay = replay;
    in->saml_response = b64;
    in->len = b64 ? strlen(b64) : 0;
    in->now = now;
    in->lg = lg;
    return in;
}

/* wcs_acs_login, with the session it made in *s. */
static apr_status_t acs_login(wcs_session_t **s, wcs_result_t *res,
                              const wcs_acs_input_t *in, apr_pool_t *p)
{
    wcs_acs_output_t out;
    apr_status_t rv = wcs_acs_login(&out, res, in, p);

    *s = out.session;
    return rv;
}

static apr_status_t login(wcs_session_t **s, wcs_result_t *res,
                          const wcs_sp_t *sp, const wcs_store_t *store,
                          const char *b64)
{
    res->code = WCS_CODE_NONE;
    res->reason = NULL;
    return acs_login(s, res, input(sp, store, store, b64, apr_time_now(),
                                       NULL), wcs_test_pool);
}

START_TEST(acs_login_success)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_result_t res;
    wcs_session_t *s = NULL, *l;
    wcs_logger_t lg = { NULL, "REF42" };
    apr_time_t now = apr_time_now();
    const char *b64;

    b64 = wcs_test_mkresponse("--nameid Alice@Example.TEST --attr "
                              "http://schemas.xmlsoap.org/ws/2005/05/"
                              "identity/claims/givenname=Alice",
                              wcs_test_pool);
    wcs_log_set(print_cb, NULL);
    ck_assert_msg(acs_login(&s, &res, input(sp, store, store, b64, now,
                                                &lg), wcs_test_pool)
                  == APR_SUCCESS,
                  "%s: %s", wcs_code_str(res.code), res.reason);
    ck_assert_ptr_nonnull(s);
    ck_assert(wcs_session_id_valid(s->id));
    ck_assert_str_eq(s->user, "alice@example.test");
    ck_assert_str_eq(s->site, sp->site_id);
    ck_assert_str_eq(s->idp, WCS_TEST_IDP);
    ck_assert_str_eq(s->idp_key, APR_ARRAY_IDX(((const wcs_idp_t *)
        apr_hash_get(sp->idps, WCS_TEST_IDP, APR_HASH_KEY_STRING))->keys, 0,
        const wcs_idp_key_t *)->sha256);
    ck_assert_int_eq(s->created, now);
    ck_assert_int_eq(s->expires, now + sp->session_lifetime);
    ck_assert_str_eq(apr_table_get(s->env, "WEBCAST_EMAIL"),
                     "alice@example.test");
    ck_assert_str_eq(apr_table_get(s->env, "WEBCAST_IDP"), WCS_TEST_IDP);
    ck_assert_str_eq(apr_table_get(s->env, "WEBCAST_NAMEID"),
                     "Alice@Example.TEST");
    ck_assert_str_eq(apr_table_get(s->env, "WEBCAST_FIRST_NAME"), "Alice");
    /* The replay mark and the session. */
    ck_assert_int_eq(wcs_test_store_count(store), 2);
    ck_assert_int_eq(wcs_session_load(&l, &res, store, NULL, s->id, sp, now,
                                      wcs_test_pool), APR_SUCCESS);
    ck_assert_str_eq(l->user, "alice@example.test");
    ck_assert_str_eq(apr_table_get(l->env, "WEBCAST_FIRST_NAME"), "Alice");
    ck_assert_ptr_nonnull(strstr(logged, "[ref REF42]"));
    ck_assert_ptr_nonnull(strstr(logged, "alice@example.test"));
}
END_TEST

START_TEST(acs_login_email_attribute)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_result_t res;
    wcs_session_t *s = NULL;

    sp->email_attr = "email";
    ck_assert_msg(login(&s, &res, sp, store, wcs_test_mkresponse(
                      "--profile okta --issuer " WCS_TEST_OKTA " --key "
                      "okta.key --cert okta.pem --nameid-format "
                      "urn:oasis:names:tc:SAML:2.0:nameid-format:transient "
                      "--nameid 00u1abcd --attr email=Carol@Example.Test",
                      wcs_test_pool)) == APR_SUCCESS, "%s", res.reason);
    ck_assert_str_eq(s->user, "carol@example.test");
    ck_assert_str_eq(apr_table_get(s->env, "WEBCAST_IDP"), WCS_TEST_OKTA);
}
END_TEST

START_TEST(acs_session_capped_by_idp)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_result_t res;
    wcs_session_t *s = NULL;
    apr_time_t now = apr_time_now();

    ck_assert_msg(login(&s, &res, sp, store, wcs_test_mkresponse(
                      "--session-not-on-or-after 600", wcs_test_pool))
                  == APR_SUCCESS, "%s", res.reason);
    ck_assert(s->expires > now + apr_time_from_sec(590));
    ck_assert(s->expires < now + apr_time_from_sec(610));
    /* A short configured lifetime wins over a long IdP session. */
    sp->session_lifetime = apr_time_from_sec(120);
    ck_assert_msg(login(&s, &res, sp, store, wcs_test_mkresponse(
                      "--session-not-on-or-after 3600", wcs_test_pool))
                  == APR_SUCCESS, "%s", res.reason);
    ck_assert(s->expires > now + apr_time_from_sec(110));
    ck_assert(s->expires < now + apr_time_from_sec(130));
}
END_TEST

START_TEST(acs_refusal_stores_nothing)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_result_t res;
    wcs_session_t *s = (wcs_session_t *)1;

    wcs_assert_refused(login(&s, &res, sp, store, wcs_test_mkresponse(
                           "--audience https://other.example.test/",
                           wcs_test_pool)), res, WCS_CODE_AUDIENCE,
                       "audience");
    ck_assert_ptr_null(s);
    /* Valid, but no email: refused before anything is marked. */
    wcs_assert_refused(login(&s, &res, sp, store, wcs_test_mkresponse(
                           "--nameid alice --nameid-format "
                           WCS_NAMEID_UNSPECIFIED, wcs_test_pool)), res,
                       WCS_CODE_NO_EMAIL, "alice");
    sp->email_attr = "mail";
    wcs_assert_refused(login(&s, &res, sp, store, wcs_test_mkresponse(
                           "", wcs_test_pool)), res, WCS_CODE_NO_EMAIL,
                       "mail");
    ck_assert_int_eq(wcs_test_store_count(store), 0);
    ck_assert_int_eq(wcs_test_store_of(store)->puts, 0);
}
END_TEST

START_TEST(acs_replay_refused)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_result_t res;
    wcs_session_t *s = NULL;
    const char *b64 = wcs_test_mkresponse("--sign both", wcs_test_pool);

    ck_assert_msg(login(&s, &res, sp, store, b64) == APR_SUCCESS, "%s",
                  res.reason);
    ck_assert_int_eq(wcs_test_store_count(store), 2);
    wcs_assert_refused(login(&s, &res, sp, store, b64), res, WCS_CODE_REPLAY,
                       "replay");
    ck_assert_ptr_null(s);
    ck_assert_int_eq(wcs_test_store_count(store), 2);
}
END_TEST

START_TEST(acs_missing_response)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_result_t res;
    wcs_session_t *s;

    wcs_assert_refused(login(&s, &res, sp, store, NULL), res,
                       WCS_CODE_NO_RESPONSE, "SAMLResponse");
    wcs_assert_refused(login(&s, &res, sp, store, ""), res,
                       WCS_CODE_NO_RESPONSE, "SAMLResponse");
    ck_assert_int_eq(wcs_test_store_of(store)->gets, 0);
}
END_TEST

START_TEST(acs_idp_session_over)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_result_t res;
    wcs_session_t *s;

    wcs_assert_refused(login(&s, &res, sp, store, wcs_test_mkresponse(
                           "--session-not-on-or-after -120", wcs_test_pool)),
                       res, WCS_CODE_EXPIRED, "SessionNotOnOrAfter");
    ck_assert_int_eq(wcs_test_store_count(store), 0);
}
END_TEST

/* SessionNotOnOrAfter just past, inside the clock skew: the response is
 * valid, but a session that is dead on arrival would loop the person
 * back to the IdP, so the login is refused and nothing is stored. */
START_TEST(acs_idp_session_ended_within_skew)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_result_t res;
    wcs_session_t *s;

    wcs_assert_refused(login(&s, &res, sp, store, wcs_test_mkresponse(
                           "--session-not-on-or-after -30", wcs_test_pool)),
                       res, WCS_CODE_EXPIRED, "before a session could start");
    ck_assert_ptr_null(s);
}
END_TEST

START_TEST(acs_store_down)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_result_t res;
    wcs_session_t *s;
    const char *b64 = wcs_test_mkresponse("", wcs_test_pool);

    st->get_rv = APR_EGENERAL;
    wcs_assert_refused(login(&s, &res, sp, store, b64), res, WCS_CODE_STORE,
                       "replay");
    st->get_rv = APR_SUCCESS;
    st->put_rv = APR_ECONNREFUSED;
    wcs_assert_refused(login(&s, &res, sp, store, b64), res, WCS_CODE_STORE,
                       "replay");
    ck_assert_ptr_null(s);
    ck_assert_int_eq(wcs_test_store_count(store), 0);
    /* Back again: the response was never marked, so it still works. */
    st->put_rv = APR_SUCCESS;
    ck_assert_msg(login(&s, &res, sp, store, b64) == APR_SUCCESS, "%s",
                  res.reason);
}
END_TEST

/* JumpCloud and others write the SAML 1.0 spellings of the email formats. */
START_TEST(acs_saml10_email_formats)
{
    static const char *const formats[] = {
        "urn:oasis:names:tc:SAML:1.0:nameid-format:unspecified",
        "urn:oasis:names:tc:SAML:1.0:nameid-format:emailAddress",
        NULL
    };
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_result_t res;
    wcs_session_t *s = NULL;
    int i;

    for (i = 0; formats[i]; i++) {
        ck_assert_msg(login(&s, &res, sp, store, wcs_test_mkresponse(
                          apr_pstrcat(wcs_test_pool, "--nameid "
                                      "Dora@Example.Test --nameid-format ",
                                      formats[i], NULL), wcs_test_pool))
                      == APR_SUCCESS, "%s: %s", formats[i], res.reason);
        ck_assert_str_eq(s->user, "dora@example.test");
    }
}
END_TEST

/* An IdP allowed some domains: another domain is refused before anything
 * is stored, and the reason names the IdP and the domain. */
START_TEST(acs_email_domain_refused)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_result_t res;
    wcs_session_t *s = NULL;
    wcs_idp_t *idp;

    idp = apr_pmemdup(wcs_test_pool, apr_hash_get(sp->idps, WCS_TEST_IDP,
                                                  APR_HASH_KEY_STRING),
                      sizeof(*idp));
    idp->email_domains = apr_array_make(wcs_test_pool, 1,
                                        sizeof(const char *));
    APR_ARRAY_PUSH(idp->email_domains, const char *) = "tenant-a.example";
    apr_hash_set(sp->idps, WCS_TEST_IDP, APR_HASH_KEY_STRING, idp);

    wcs_assert_refused(login(&s, &res, sp, store, wcs_test_mkresponse(
                           "--nameid alice@Tenant-B.example", wcs_test_pool)),
                       res, WCS_CODE_EMAIL_DOMAIN,
                       "IdP " WCS_TEST_IDP " may not assert email domain "
                       "\"tenant-b.example\"");
    ck_assert_ptr_null(s);
    ck_assert_int_eq(wcs_test_store_count(store), 0);
    ck_assert_msg(login(&s, &res, sp, store, wcs_test_mkresponse(
                      "--nameid Alice@Tenant-A.example", wcs_test_pool))
                  == APR_SUCCESS, "%s", res.reason);
    ck_assert_str_eq(s->user, "alice@tenant-a.example");
}
END_TEST

/* A structured value (an element inside) in an attribute the module
 * reads is refused: reading it as text would be a guess. */
START_TEST(acs_structured_value_read)
{
    static const char *const read[] = {
        "--attr mail=x@example.test --attack structured-attr",
        "--attr groups=staff --attack structured-attr",
        "--attr givenName=Al --attack structured-attr",
        NULL
    };
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    apr_array_header_t *map = apr_array_make(wcs_test_pool, 1,
                                             sizeof(wcs_attr_map_t));
    wcs_attr_map_t *m = apr_array_push(map);
    wcs_result_t res;
    wcs_session_t *s = NULL;
    int i;

    m->saml_name = "groups";
    m->env_name = "WEBCAST_GROUPS";
    sp->attr_map = map;
    for (i = 0; read[i]; i++) {
        sp->email_attr = i == 0 ? "mail" : NULL;
        wcs_assert_refused(login(&s, &res, sp, store, wcs_test_mkresponse(
                               read[i], wcs_test_pool)),
                           res, WCS_CODE_SIGNATURE, "holding an element");
        ck_assert_ptr_null(s);
    }
    /* An attribute nobody reads may be structured. */
    ck_assert_msg(login(&s, &res, sp, store, wcs_test_mkresponse(
                      "--attr groups=staff --attr eptid=x "
                      "--attack structured-attr", wcs_test_pool))
                  == APR_SUCCESS, "%s", res.reason);
    ck_assert_str_eq(apr_table_get(s->env, "WEBCAST_GROUPS"), "staff");
}
END_TEST

/* The replay entry goes to the replay store, not among the sessions, and
 * lives as long as the assertion could be accepted: until the sooner of
 * its expiry and IssueInstant + max age, and the clock skew beyond. */
START_TEST(acs_replay_entry_lifetime)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_store_t *replay = wcs_test_store_make(wcs_test_pool);
    wcs_test_store_t *rst = wcs_test_store_of(replay);
    wcs_result_t res;
    wcs_session_t *s;
    apr_time_t now = apr_time_now();
    apr_hash_index_t *hi;
    wcs_test_entry_t *e;
    const char *b64;

    sp->max_assertion_age = apr_time_from_sec(120);
    b64 = wcs_test_mkresponse("--not-on-or-after 3000", wcs_test_pool);
    ck_assert_msg(acs_login(&s, &res, input(sp, store, replay, b64, now,
                                                NULL), wcs_test_pool)
                  == APR_SUCCESS, "%s", res.reason);
    ck_assert_int_eq(wcs_test_store_count(store), 1);
    ck_assert_int_eq(wcs_test_store_count(replay), 1);
    hi = apr_hash_first(wcs_test_pool, rst->entries);
    e = apr_hash_this_val(hi);
    /* IssueInstant is whole seconds: now, give or take one. */
    ck_assert(e->expiry > now + apr_time_from_sec(120 + 60 - 2));
    ck_assert(e->expiry <= now + apr_time_from_sec(120 + 60));
    /* An assertion that expires sooner is remembered until then. */
    b64 = wcs_test_mkresponse("--not-on-or-after 30", wcs_test_pool);
    ck_assert_msg(acs_login(&s, &res, input(sp, store, replay, b64, now,
                                                NULL), wcs_test_pool)
                  == APR_SUCCESS, "%s", res.reason);
    for (hi = apr_hash_first(wcs_test_pool, rst->entries); hi;
         hi = apr_hash_next(hi)) {
        e = apr_hash_this_val(hi);
        ck_assert(e->expiry <= now + apr_time_from_sec(120 + 60));
    }
    wcs_assert_refused(acs_login(&s, &res, input(sp, store, replay, b64,
                                                     now, NULL),
                                     wcs_test_pool),
                       res, WCS_CODE_REPLAY, "replay");
}
END_TEST

/* An old response is refused whatever its NotOnOrAfter says, so that the
 * replay cache need not remember anything longer than the max age. */
START_TEST(acs_old_response_refused)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_result_t res;
    wcs_session_t *s;

    wcs_assert_refused(login(&s, &res, sp, store, wcs_test_mkresponse(
                           "--issue-instant -400 --not-on-or-after 3000",
                           wcs_test_pool)),
                       res, WCS_CODE_EXPIRED, "WebcastSAMLMaxAssertionAge");
    wcs_assert_refused(login(&s, &res, sp, store, wcs_test_mkresponse(
                           "--issue-instant 120", wcs_test_pool)),
                       res, WCS_CODE_NOT_YET_VALID, "in the future");
    ck_assert_int_eq(wcs_test_store_count(store), 0);
    /* Within the age and the clock skew: accepted. */
    ck_assert_msg(login(&s, &res, sp, store, wcs_test_mkresponse(
                      "--issue-instant -330", wcs_test_pool)) == APR_SUCCESS,
                  "%s", res.reason);
    sp->max_assertion_age = apr_time_from_sec(60);
    wcs_assert_refused(login(&s, &res, sp, store, wcs_test_mkresponse(
                           "--issue-instant -150", wcs_test_pool)),
                       res, WCS_CODE_EXPIRED, "issued at");
}
END_TEST

/* --- SP-initiated: InResponseTo ------------------------------------------ */

#define BROWSER WCS_TEST_BROWSER

/* Remember request id for BROWSER at the test IdP, now. */
static void outstanding(const wcs_store_t *store, const char *id,
                        const char *relay_ref, const char *return_to)
{
    wcs_test_remember_request(store, id, relay_ref, return_to,
                              apr_time_now(),
                              apr_time_now() + apr_time_from_sec(600));
}

START_TEST(acs_in_response_to)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_store_t *replay = wcs_test_store_make(wcs_test_pool);
    wcs_acs_input_t *in;
    wcs_acs_output_t out;
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    const char *b64 = wcs_test_mkresponse("--in-response-to _q1",
                                          wcs_test_pool);
    int before;

    outstanding(store, "_q1", NULL, NULL);
    before = wcs_test_store_count(store);
    /* An SP that starts no sign-in refuses any answer to one. */
    in = input(sp, store, replay, b64, apr_time_now(), NULL);
    wcs_assert_refused(wcs_acs_login(&out, &res, in, wcs_test_pool), res,
                       WCS_CODE_IN_RESPONSE_TO, "starts no sign-in");
    /* Posted without the cookie, from the IdP's site: sent back through
     * the browser, with nothing stored or used up. */
    in->requests = store;
    in->may_resubmit = 1;
    ck_assert_int_eq(wcs_acs_login(&out, &res, in, wcs_test_pool),
                     WCS_ERESUBMIT);
    ck_assert_ptr_null(out.session);
    ck_assert_int_eq(wcs_test_store_count(store), before);
    ck_assert_int_eq(wcs_test_store_count(replay), 0);
    /* Posted back still without it: another browser's (4n). */
    in->may_resubmit = 0;
    wcs_assert_refused(wcs_acs_login(&out, &res, in, wcs_test_pool), res,
                       WCS_CODE_OTHER_BROWSER, "no sign-in cookie");
    /* With the browser's token: a session, once. */
    in->browser = BROWSER;
    ck_assert_msg(wcs_acs_login(&out, &res, in, wcs_test_pool)
                  == APR_SUCCESS, "%s", res.reason);
    ck_assert_ptr_nonnull(out.session);
    ck_assert_str_eq(out.in_response_to, "_q1");
    ck_assert_ptr_null(out.return_to);
    /* A second response to the same request (a new assertion) is
     * refused as answered. */
    in->saml_response = wcs_test_mkresponse("--in-response-to _q1",
                                            wcs_test_pool);
    in->len = strlen(in->saml_response);
    wcs_assert_refused(wcs_acs_login(&out, &res, in, wcs_test_pool), res,
                       WCS_CODE_ANSWERED, "answered already");
    /* A request never sent. */
    in->saml_response = wcs_test_mkresponse("--in-response-to _nope",
                                            wcs_test_pool);
    in->len = strlen(in->saml_response);
    wcs_assert_refused(wcs_acs_login(&out, &res, in, wcs_test_pool), res,
                       WCS_CODE_IN_RESPONSE_TO, "\"_nope\"");
}
END_TEST

START_TEST(acs_unsolicited_and_relay_ref)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_store_t *store = wcs_test_store_make(wcs_test_pool);
    wcs_acs_input_t *in;
    wcs_acs_output_t out;
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_relay_t relay;
    const char *ref = wcs_authnreq_relay_ref(wcs_test_pool);
    const char *other = wcs_authnreq_relay_ref(wcs_test_pool);

    /* Unsolicited, where that is forbidden: 4o. */
    in = input(sp, store, store, wcs_test_mkresponse("", wcs_test_pool),
               apr_time_now(), NULL);
    in->requests = store;
    in->forbid_unsolicited = 1;
    wcs_assert_refused(wcs_acs_login(&out, &res, in, wcs_test_pool), res,
                       WCS_CODE_UNSOLICITED, "WebcastSAMLUnsolicited is off");
    ck_assert_int_eq(wcs_test_store_count(store), 0);
    /* A RelayState reference on an unsolicited response: 4j. */
    in->forbid_unsolicited = 0;
    wcs_relay_parse(&relay, ref, wcs_test_pool);
    in->relay = &relay;
    in->relay_state = ref;
    wcs_assert_refused(wcs_acs_login(&out, &res, in, wcs_test_pool), res,
                       WCS_CODE_IN_RESPONSE_TO, "answers no request");
    /* Another request's reference: 4j. */
    outstanding(store, "_q2", other, "/admin/");
    in->browser = BROWSER;
    in->saml_response = wcs_test_mkresponse("--in-response-to _q2",
                                            wcs_test_pool);
    in->len = strlen(in->saml_response);
    wcs_assert_refused(wcs_acs_login(&out, &res, in, wcs_test_pool), res,
                       WCS_CODE_IN_RESPONSE_TO, "is not the one sent");
    /* Its own: the person returns to the URL remembered. */
    outstanding(store, "_q3", ref, "/admin/reports?y=2");
    in->saml_response = wcs_test_mkresponse("--in-response-to _q3",
                                            wcs_test_pool);
    in->len = strlen(in->saml_response);
    ck_assert_msg(wcs_acs_login(&out, &res, in, wcs_test_pool)
                  == APR_SUCCESS, "%s", res.reason);
    ck_assert_str_eq(out.return_to, "/admin/reports?y=2");
}
END_TEST

Suite *wcs_suite_acs(void)
{
    Suite *s = suite_create("acs");
    TCase *tc = tcase_create("core");

    tcase_add_unchecked_fixture(tc, wcs_test_fixtures_setup, NULL);
    tcase_add_checked_fixture(tc, wcs_test_setup, acs_teardown);
    tcase_add_test(tc, acs_login_success);
    tcase_add_test(tc, acs_login_email_attribute);
    tcase_add_test(tc, acs_session_capped_by_idp);
    tcase_add_test(tc, acs_refusal_stores_nothing);
    tcase_add_test(tc, acs_replay_refused);
    tcase_add_test(tc, acs_missing_response);
    tcase_add_test(tc, acs_idp_session_over);
    tcase_add_test(tc, acs_idp_session_ended_within_skew);
    tcase_add_test(tc, acs_store_down);
    tcase_add_test(tc, acs_saml10_email_formats);
    tcase_add_test(tc, acs_email_domain_refused);
    tcase_add_test(tc, acs_structured_value_read);
    tcase_add_test(tc, acs_replay_entry_lifetime);
    tcase_add_test(tc, acs_old_response_refused);
    tcase_add_test(tc, acs_in_response_to);
    tcase_add_test(tc, acs_unsolicited_and_relay_ref);
    suite_add_tcase(s, tc);
    return s;
}
