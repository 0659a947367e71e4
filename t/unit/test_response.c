#include <string.h>

#include <apr_base64.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "check_wcs.h"
#include "wcs_response.h"
#include "wcs_xml.h"

#define ENTRA "--profile entra --issuer " WCS_TEST_ENTRA \
    " --key entra.key --cert entra.pem "
#define OKTA "--profile okta --issuer " WCS_TEST_OKTA \
    " --key okta.key --cert okta.pem "
#define OTHER_ACS "https://other.example.test/saml/acs"

static apr_status_t validate_b64(wcs_assertion_t **a, wcs_result_t *res,
                                 const wcs_sp_t *sp, const char *b64)
{
    res->code = WCS_CODE_NONE;
    res->reason = NULL;
    return wcs_response_validate(a, res, sp, b64, strlen(b64), apr_time_now(),
                                 NULL, wcs_test_pool);
}

static apr_status_t validate(wcs_assertion_t **a, wcs_result_t *res,
                             const wcs_sp_t *sp, const char *args)
{
    return validate_b64(a, res, sp, wcs_test_mkresponse(args, wcs_test_pool));
}

static const char *b64_of(const char *s)
{
    char *out = apr_palloc(wcs_test_pool,
                           apr_base64_encode_len((int)strlen(s)));

    apr_base64_encode(out, s, (int)strlen(s));
    return out;
}

/* --- what is accepted ---------------------------------------------- */

static const struct {
    const char *args;
    wcs_signed_parts_t parts;
    const char *issuer;
    int response_signed, assertion_signed;
} accepted[] = {
    { "", WCS_SIGNED_EITHER, WCS_TEST_IDP, 0, 1 },
    { "--sign response", WCS_SIGNED_EITHER, WCS_TEST_IDP, 1, 0 },
    { "--sign both", WCS_SIGNED_EITHER, WCS_TEST_IDP, 1, 1 },
    { "--sign assertion", WCS_SIGNED_ASSERTION, WCS_TEST_IDP, 0, 1 },
    { "--sign response", WCS_SIGNED_RESPONSE, WCS_TEST_IDP, 1, 0 },
    { "--sign both", WCS_SIGNED_BOTH, WCS_TEST_IDP, 1, 1 },
    { "--sign both", WCS_SIGNED_ASSERTION, WCS_TEST_IDP, 1, 1 },
    { "--sign both", WCS_SIGNED_RESPONSE, WCS_TEST_IDP, 1, 1 },
    { ENTRA, WCS_SIGNED_EITHER, WCS_TEST_ENTRA, 0, 1 },
    { OKTA, WCS_SIGNED_BOTH, WCS_TEST_OKTA, 1, 1 },
    { "--issuer " WCS_TEST_EC " --key ec.key --cert ec.pem --sign both",
      WCS_SIGNED_EITHER, WCS_TEST_EC, 1, 1 },
    { "--sign both --response-sig-after-assertion", WCS_SIGNED_EITHER,
      WCS_TEST_IDP, 1, 1 },
    { "--sign response --response-sig-after-assertion", WCS_SIGNED_EITHER,
      WCS_TEST_IDP, 1, 0 },
    { "--c14n inclusive", WCS_SIGNED_EITHER, WCS_TEST_IDP, 0, 1 },
    { "--sign both --c14n inclusive", WCS_SIGNED_BOTH, WCS_TEST_IDP, 1, 1 },
    { "--wrap --sign both", WCS_SIGNED_EITHER, WCS_TEST_IDP, 1, 1 },
    { "--keyinfo none", WCS_SIGNED_EITHER, WCS_TEST_IDP, 0, 1 },
    { "--keyinfo keyvalue", WCS_SIGNED_EITHER, WCS_TEST_IDP, 0, 1 },
    { "--alg sha384", WCS_SIGNED_EITHER, WCS_TEST_IDP, 0, 1 },
    { "--alg sha512 --sign both", WCS_SIGNED_EITHER, WCS_TEST_IDP, 1, 1 },
    { "--millis", WCS_SIGNED_EITHER, WCS_TEST_IDP, 0, 1 },
    { "--response-issuer none", WCS_SIGNED_EITHER, WCS_TEST_IDP, 0, 1 },
    /* Only a signed Response must name its Destination. */
    { "--destination none", WCS_SIGNED_EITHER, WCS_TEST_IDP, 0, 1 },
    { "--destination https://SP.Example.Test:443/saml/acs --sign both",
      WCS_SIGNED_EITHER, WCS_TEST_IDP, 1, 1 },
    { "--recipient https://sp.example.test:443/saml/%61cs", WCS_SIGNED_EITHER,
      WCS_TEST_IDP, 0, 1 },
    /* Within the clock skew. */
    { "--not-before 30", WCS_SIGNED_EITHER, WCS_TEST_IDP, 0, 1 },
    { "--not-on-or-after -30", WCS_SIGNED_EITHER, WCS_TEST_IDP, 0, 1 },
    { "--issuer " WCS_TEST_ROLLOVER " --key new.key --keyinfo none",
      WCS_SIGNED_EITHER, WCS_TEST_ROLLOVER, 0, 1 },
    { "--issuer " WCS_TEST_ROLLOVER " --key old.key --cert old.pem "
      "--sign both", WCS_SIGNED_BOTH, WCS_TEST_ROLLOVER, 1, 1 },
    { "--issuer " WCS_TEST_SHA1_OK " --key sha1.key --cert sha1.pem "
      "--alg sha1", WCS_SIGNED_EITHER, WCS_TEST_SHA1_OK, 0, 1 },
    { "--nameid-format none --attr-nameformat basic --attr mail=a@b.test",
      WCS_SIGNED_EITHER, WCS_TEST_IDP, 0, 1 },
};

START_TEST(response_accepts)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_result_t res;
    wcs_assertion_t *a = NULL;
    apr_time_t now = apr_time_now();

    sp->signed_parts = accepted[_i].parts;
    ck_assert_msg(validate(&a, &res, sp, accepted[_i].args) == APR_SUCCESS,
                  "%s: refused %s: %s", accepted[_i].args,
                  wcs_code_str(res.code), res.reason);
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->idp->entity_id, accepted[_i].issuer);
    ck_assert_int_eq(a->response_signed, accepted[_i].response_signed);
    ck_assert_int_eq(a->assertion_signed, accepted[_i].assertion_signed);
    ck_assert_ptr_nonnull(a->response_id);
    ck_assert_ptr_nonnull(a->assertion_id);
    ck_assert_str_ne(a->response_id, a->assertion_id);
    ck_assert_ptr_nonnull(a->name_id);
    ck_assert(a->expires > now - WCS_CLOCK_SKEW_DEFAULT);
}
END_TEST

/* --- what is refused, and with which code -------------------------- */

static const struct {
    const char *args;
    wcs_signed_parts_t parts;
    wcs_code_t code;
    const char *reason;
} refused[] = {
    { "--not-on-or-after -120", WCS_SIGNED_EITHER, WCS_CODE_EXPIRED,
      "expired" },
    { "--scd-not-on-or-after -120", WCS_SIGNED_EITHER, WCS_CODE_EXPIRED,
      "subject confirmation expired" },
    { "--session-not-on-or-after -120", WCS_SIGNED_EITHER, WCS_CODE_EXPIRED,
      "SessionNotOnOrAfter" },
    { "--not-before 300 --not-on-or-after 600", WCS_SIGNED_EITHER,
      WCS_CODE_NOT_YET_VALID, "valid from" },
    { "--audience https://other.example.test/", WCS_SIGNED_EITHER,
      WCS_CODE_AUDIENCE, "https://other.example.test/" },
    { "--audience none", WCS_SIGNED_EITHER, WCS_CODE_AUDIENCE,
      "AudienceRestriction" },
    { "--no-conditions", WCS_SIGNED_EITHER, WCS_CODE_AUDIENCE,
      "AudienceRestriction" },
    { "--destination " OTHER_ACS, WCS_SIGNED_EITHER, WCS_CODE_DESTINATION,
      OTHER_ACS },
    { "--destination none --sign response", WCS_SIGNED_EITHER,
      WCS_CODE_DESTINATION, "no Destination" },
    { "--recipient " OTHER_ACS, WCS_SIGNED_EITHER, WCS_CODE_RECIPIENT,
      OTHER_ACS },
    { "--recipient http://sp.example.test/saml/acs", WCS_SIGNED_EITHER,
      WCS_CODE_RECIPIENT, "Recipient" },
    { "--attack encrypted", WCS_SIGNED_EITHER, WCS_CODE_ENCRYPTED,
      "EncryptedAssertion" },
    { "--no-subject-confirmation", WCS_SIGNED_EITHER, WCS_CODE_PROFILE,
      "bearer" },
    { "--sc-method urn:oasis:names:tc:SAML:2.0:cm:holder-of-key",
      WCS_SIGNED_EITHER, WCS_CODE_PROFILE, "bearer" },
    { "--no-authn-statement", WCS_SIGNED_EITHER, WCS_CODE_PROFILE,
      "AuthnStatement" },
    { "--issuer https://unknown.example.test/", WCS_SIGNED_EITHER,
      WCS_CODE_MISCONFIG, "https://unknown.example.test/" },
    { "--response-issuer " WCS_TEST_EC, WCS_SIGNED_EITHER, WCS_CODE_MISCONFIG,
      "differs" },
    { "--status urn:oasis:names:tc:SAML:2.0:status:Requester",
      WCS_SIGNED_EITHER, WCS_CODE_GENERAL,
      "urn:oasis:names:tc:SAML:2.0:status:Requester" },
    { "--status urn:oasis:names:tc:SAML:2.0:status:Responder --sub-status "
      "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed --status-message "
      "'no such user'", WCS_SIGNED_EITHER, WCS_CODE_GENERAL,
      "AuthnFailed (\"no such user\")" },
    { "--sign response --attack xsw1", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE,
      "wrapping" },
    { "--sign response --attack xsw2", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE,
      "wrapping" },
    { "--sign both --attack xsw1", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE,
      "wrapping" },
    { "--attack xsw3", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE, "wrapping" },
    { "--attack xsw4", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE, "wrapping" },
    { "--attack xsw5", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE, "wrapping" },
    { "--attack xsw6", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE, "wrapping" },
    { "--attack xsw7", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE, "wrapping" },
    { "--attack xsw8", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE, "wrapping" },
    { "--sign both --attack xsw7", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE,
      "wrapping" },
    { "--attack two-assertions", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE,
      "wrapping" },
    { "--attack dup-id", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE,
      "more than once" },
    { "--attack empty-ref", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE,
      "references" },
    { "--attack foreign-ref", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE,
      "references" },
    { "--sign response --attack foreign-ref", WCS_SIGNED_EITHER,
      WCS_CODE_SIGNATURE, "references" },
    { "--attack unsigned-modify", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE,
      "digest" },
    { "--attack strip-signature", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE,
      "not signed" },
    { "--sign both --attack strip-signature", WCS_SIGNED_EITHER,
      WCS_CODE_SIGNATURE, "digest" },
    { "--sign none", WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE, "not signed" },
    { "--sign none", WCS_SIGNED_ASSERTION, WCS_CODE_SIGNATURE, "not signed" },
    { "--sign assertion", WCS_SIGNED_RESPONSE, WCS_CODE_SIGNATURE,
      "the Response is not signed" },
    { "--sign response", WCS_SIGNED_ASSERTION, WCS_CODE_SIGNATURE,
      "the Assertion is not signed" },
    { "--sign assertion", WCS_SIGNED_BOTH, WCS_CODE_SIGNATURE,
      "the Response is not signed" },
    { "--sign response", WCS_SIGNED_BOTH, WCS_CODE_SIGNATURE,
      "the Assertion is not signed" },
    { "--key attacker.key --cert attacker.pem", WCS_SIGNED_EITHER,
      WCS_CODE_MISCONFIG, "rolled" },
    { "--key attacker.key --keyinfo none", WCS_SIGNED_EITHER,
      WCS_CODE_SIGNATURE, "invalid" },
    /* A broken signature counts even when the other one would do. */
    { "--sign both --key attacker.key --keyinfo none", WCS_SIGNED_ASSERTION,
      WCS_CODE_SIGNATURE, "Response signature is invalid" },
    { "--issuer " WCS_TEST_SHA1 " --key sha1.key --cert sha1.pem --alg sha1",
      WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE, "SHA-1" },
    /* Signed by one configured IdP, claiming to be another. */
    { "--issuer " WCS_TEST_ENTRA, WCS_SIGNED_EITHER, WCS_CODE_MISCONFIG,
      WCS_TEST_ENTRA },
    { "--attack doctype", WCS_SIGNED_EITHER, WCS_CODE_GENERAL, "DOCTYPE" },
    { "--attack entity", WCS_SIGNED_EITHER, WCS_CODE_GENERAL, "DOCTYPE" },
    { "--attack deep", WCS_SIGNED_EITHER, WCS_CODE_GENERAL, "deeper" },
    { "--version 1.1", WCS_SIGNED_EITHER, WCS_CODE_GENERAL, "Version" },
    { "--attack comment-nameid", WCS_SIGNED_EITHER, WCS_CODE_NO_EMAIL,
      "comment" },
    /* c14n drops comments: the signature holds, the value must not. */
    { "--attr groups=staff --attr groups=suspended --attack comment-attr",
      WCS_SIGNED_EITHER, WCS_CODE_SIGNATURE,
      "attribute \"groups\" has a value holding a comment" },
    { "--attr groups=suspended --attack cdata-attr", WCS_SIGNED_EITHER,
      WCS_CODE_SIGNATURE, "\"groups\" has a value holding text split by "
      "CDATA" },
    /* The epoch is a time like any other, not "absent". */
    { "--not-on-or-after @0", WCS_SIGNED_EITHER, WCS_CODE_EXPIRED,
      "the assertion expired at 1970-01-01T00:00:00Z" },
    /* Conditions expired at the epoch, the bearer confirmation valid: read
     * as "no NotOnOrAfter", the expired assertion was accepted. */
    { "--not-on-or-after @0 --scd-not-on-or-after 300", WCS_SIGNED_EITHER,
      WCS_CODE_EXPIRED, "the assertion expired at 1970-01-01T00:00:00Z" },
    { "--scd-not-on-or-after @0", WCS_SIGNED_EITHER, WCS_CODE_EXPIRED,
      "subject confirmation expired at 1970-01-01T00:00:00Z" },
    { "--session-not-on-or-after @0", WCS_SIGNED_EITHER, WCS_CODE_EXPIRED,
      "ended at 1970-01-01T00:00:00Z" },
};

START_TEST(response_refuses)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_result_t res;
    wcs_assertion_t *a = (wcs_assertion_t *)1;
    apr_status_t rv;

    sp->signed_parts = refused[_i].parts;
    rv = validate(&a, &res, sp, refused[_i].args);
    ck_assert_msg(rv == WCS_EREFUSED && res.code == refused[_i].code,
                  "%s: got %s (%s), not %s", refused[_i].args,
                  rv == APR_SUCCESS ? "success" : wcs_code_str(res.code),
                  res.reason, wcs_code_str(refused[_i].code));
    ck_assert_msg(res.reason && strstr(res.reason, refused[_i].reason),
                  "%s: reason \"%s\" lacks \"%s\"", refused[_i].args,
                  res.reason, refused[_i].reason);
    ck_assert_ptr_null(a);
}
END_TEST

/* --- inputs that are no response at all ---------------------------- */

START_TEST(response_refuses_junk)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_result_t res;
    wcs_assertion_t *a;

    wcs_assert_refused(validate_b64(&a, &res, sp, "!!!!"), res,
                       WCS_CODE_GENERAL, "base64");
    wcs_assert_refused(validate_b64(&a, &res, sp, "PHNhbWxwOl"), res,
                       WCS_CODE_GENERAL, "base64");
    wcs_assert_refused(validate_b64(&a, &res, sp, ""), res,
                       WCS_CODE_GENERAL, "empty");
    wcs_assert_refused(validate_b64(&a, &res, sp, b64_of("hello world")), res,
                       WCS_CODE_GENERAL, "not well-formed");
    wcs_assert_refused(validate_b64(&a, &res, sp, b64_of("<a/>")), res,
                       WCS_CODE_GENERAL, "samlp:Response");
    wcs_assert_refused(validate_b64(&a, &res, sp, b64_of(
        "<samlp:Response xmlns:samlp=\"" WCS_NS_SAMLP "\" ID=\"_r\" "
        "Version=\"2.0\"><samlp:Status><samlp:StatusCode Value=\""
        WCS_STATUS_SUCCESS "\"/></samlp:Status></samlp:Response>")), res,
        WCS_CODE_GENERAL, "no Assertion");
}
END_TEST

START_TEST(response_limits)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_result_t res;
    wcs_assertion_t *a;
    const char *b64 = wcs_test_mkresponse("", wcs_test_pool);

    ck_assert_int_eq(validate_b64(&a, &res, sp, b64), APR_SUCCESS);
    sp->max_response_bytes = 1000;
    wcs_assert_refused(validate_b64(&a, &res, sp, b64), res,
                       WCS_CODE_GENERAL, "limit");
    sp->max_response_bytes = WCS_RESPONSE_MAX_BYTES_DEFAULT;
    sp->max_depth = 4;
    wcs_assert_refused(validate_b64(&a, &res, sp, b64), res,
                       WCS_CODE_GENERAL, "deeper");
}
END_TEST

START_TEST(response_clock_skew)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_result_t res;
    wcs_assertion_t *a;
    const char *b64 = wcs_test_mkresponse("--not-before 120", wcs_test_pool);

    wcs_assert_refused(validate_b64(&a, &res, sp, b64), res,
                       WCS_CODE_NOT_YET_VALID, "valid from");
    sp->clock_skew = apr_time_from_sec(300);
    ck_assert_msg(validate_b64(&a, &res, sp, b64) == APR_SUCCESS, "%s",
                  res.reason);
    /* The same response, validated later than it lives. */
    ck_assert_int_eq(wcs_response_validate(&a, &res, sp, b64, strlen(b64),
                                           apr_time_now()
                                           + apr_time_from_sec(900), NULL,
                                           wcs_test_pool), WCS_EREFUSED);
    ck_assert_int_eq(res.code, WCS_CODE_EXPIRED);
}
END_TEST

/* --- what a valid response yields ---------------------------------- */

START_TEST(response_reads_values)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_result_t res;
    wcs_assertion_t *a;
    const wcs_attr_t *at;
    apr_time_t now = apr_time_now();

    ck_assert_msg(validate(&a, &res, sp,
        "--nameid ' Alice@Example.TEST ' --assertion-id _a1234 "
        "--response-id _r5678 "
        "--session-not-on-or-after 3600 --not-on-or-after 200 "
        "--scd-not-on-or-after 400 "
        "--attr http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
        "givenname=Alice --attr groups=staff --attr 'groups=a;b' "
        "--attr-friendly groups=memberOf") == APR_SUCCESS, "%s", res.reason);
    ck_assert_str_eq(a->name_id, "Alice@Example.TEST");
    ck_assert_str_eq(a->name_id_format, WCS_NAMEID_EMAIL);
    ck_assert_str_eq(a->assertion_id, "_a1234");
    ck_assert_str_eq(a->response_id, "_r5678");
    ck_assert_ptr_null(a->in_response_to);
    ck_assert_ptr_nonnull(a->session_index);
    ck_assert(strlen(a->session_index) > 2);
    ck_assert_str_eq(a->authn_context, "urn:oasis:names:tc:SAML:2.0:ac:"
                     "classes:PasswordProtectedTransport");
    ck_assert(a->authn_instant > now - apr_time_from_sec(5));
    ck_assert(a->authn_instant < now + apr_time_from_sec(5));
    ck_assert(a->session_not_on_or_after > now + apr_time_from_sec(3590));
    ck_assert(a->session_not_on_or_after < now + apr_time_from_sec(3610));
    /* The assertion lives as long as its longest condition. */
    ck_assert(a->expires > now + apr_time_from_sec(390));
    ck_assert(a->expires < now + apr_time_from_sec(410));
    ck_assert_int_eq(a->attrs->nelts, 2);
    at = wcs_assertion_attr(a, "http://schemas.xmlsoap.org/ws/2005/05/"
                            "identity/claims/GivenName");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(at->values->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(at->values, 0, const char *), "Alice");
    at = wcs_assertion_attr(a, "MEMBEROF");
    ck_assert_ptr_nonnull(at);
    ck_assert_str_eq(at->name, "groups");
    ck_assert_str_eq(at->friendly_name, "memberOf");
    ck_assert_int_eq(at->values->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(at->values, 0, const char *), "staff");
    ck_assert_str_eq(APR_ARRAY_IDX(at->values, 1, const char *), "a;b");
    ck_assert_ptr_null(wcs_assertion_attr(a, "mail"));
}
END_TEST

START_TEST(response_reads_profiles)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_result_t res;
    wcs_assertion_t *a;
    const wcs_attr_t *at;

    ck_assert_msg(validate(&a, &res, sp, ENTRA "--nameid bob@example.test")
                  == APR_SUCCESS, "%s", res.reason);
    ck_assert_str_eq(a->name_id, "bob@example.test");
    ck_assert_ptr_null(a->in_response_to);
    at = wcs_assertion_attr(a, "http://schemas.xmlsoap.org/ws/2005/05/"
                            "identity/claims/emailaddress");
    ck_assert_ptr_nonnull(at);
    ck_assert_str_eq(APR_ARRAY_IDX(at->values, 0, const char *),
                     "bob@example.test");
    ck_assert_ptr_nonnull(wcs_assertion_attr(a, "http://schemas.microsoft."
                                             "com/identity/claims/tenantid"));
    ck_assert_int_eq(a->session_not_on_or_after, 0);

    /* Okta writes xsi:type on every value. */
    ck_assert_msg(validate(&a, &res, sp, OKTA) == APR_SUCCESS, "%s",
                  res.reason);
    at = wcs_assertion_attr(a, "firstName");
    ck_assert_ptr_nonnull(at);
    ck_assert_str_eq(APR_ARRAY_IDX(at->values, 0, const char *), "Alice");
    at = wcs_assertion_attr(a, "email");
    ck_assert_ptr_nonnull(at);
    ck_assert_str_eq(APR_ARRAY_IDX(at->values, 0, const char *),
                     "alice@example.test");
}
END_TEST

/* A value holding an element (eduPersonTargetedID holds a NameID) is not
 * a string: the response passes, the value is never flattened, and the
 * attribute says that a value was left out. */
START_TEST(response_structured_value)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_result_t res;
    wcs_assertion_t *a;
    const wcs_attr_t *at;

    ck_assert_msg(validate(&a, &res, sp, "--attr givenName=Al --attr eptid=x "
                           "--attr eptid=abc --attack structured-attr")
                  == APR_SUCCESS, "%s", res.reason);
    at = wcs_assertion_attr(a, "eptid");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(at->values->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(at->values, 0, const char *), "x");
    ck_assert_int_eq(at->structured, 1);
    at = wcs_assertion_attr(a, "givenName");
    ck_assert_int_eq(at->structured, 0);
    ck_assert_str_eq(APR_ARRAY_IDX(at->values, 0, const char *), "Al");
}
END_TEST

/* What a refusal's reason names survives the validation's sub-pool, and
 * a second validation starts clean. */
START_TEST(response_reason_outlives)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_assertion_t *a;
    const char *b64 = wcs_test_mkresponse("--attack doctype", wcs_test_pool);
    apr_pool_t *scratch;
    char *junk;

    ck_assert_int_eq(wcs_response_validate(&a, &res, sp, b64, strlen(b64),
                                           apr_time_now(), NULL,
                                           wcs_test_pool), WCS_EREFUSED);
    /* Reuse the freed memory, then read the reason. */
    apr_pool_create(&scratch, wcs_test_pool);
    junk = apr_palloc(scratch, 65536);
    memset(junk, 'x', 65536);
    ck_assert_ptr_nonnull(strstr(res.reason, "DOCTYPE"));
}
END_TEST

/* Threads verify with the same configured keys at once, as httpd's
 * workers do: the keys are lent to xmlsec, never copied, and must come
 * back unchanged.  Each thread checks good and forged responses in turn;
 * every verdict must be the one a single thread gets. */
#define SHARED_THREADS 4
#define SHARED_ROUNDS 25

typedef struct {
    const wcs_sp_t *sp;
    const char *good, *forged;
    int wrong;                   /* verdicts that differed */
} shared_key_job_t;

static void *APR_THREAD_FUNC shared_key_worker(apr_thread_t *t, void *data)
{
    shared_key_job_t *job = data;
    apr_pool_t *p;
    int i;

    apr_pool_create(&p, NULL);
    for (i = 0; i < SHARED_ROUNDS; i++) {
        wcs_result_t res = { WCS_CODE_NONE, NULL };
        wcs_assertion_t *a;

        if (wcs_response_validate(&a, &res, job->sp, job->good,
                                  strlen(job->good), apr_time_now(), NULL,
                                  p) != APR_SUCCESS) {
            job->wrong++;
        }
        if (wcs_response_validate(&a, &res, job->sp, job->forged,
                                  strlen(job->forged), apr_time_now(), NULL,
                                  p) != WCS_EREFUSED
            || res.code != WCS_CODE_SIGNATURE) {
            job->wrong++;
        }
        apr_pool_clear(p);
    }
    apr_pool_destroy(p);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

START_TEST(response_keys_shared_by_threads)
{
    const wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    shared_key_job_t job[SHARED_THREADS];
    apr_thread_t *thread[SHARED_THREADS];
    apr_status_t rv;
    int i;

    for (i = 0; i < SHARED_THREADS; i++) {
        job[i].sp = sp;
        job[i].good = wcs_test_mkresponse("--sign both", wcs_test_pool);
        job[i].forged = wcs_test_mkresponse(
            "--sign both --key attacker.key --keyinfo none", wcs_test_pool);
        job[i].wrong = 0;
        ck_assert_int_eq(apr_thread_create(&thread[i], NULL,
                                           shared_key_worker, &job[i],
                                           wcs_test_pool), APR_SUCCESS);
    }
    for (i = 0; i < SHARED_THREADS; i++) {
        ck_assert_int_eq(apr_thread_join(&rv, thread[i]), APR_SUCCESS);
        ck_assert_int_eq(job[i].wrong, 0);
    }
    /* And the keys still verify afterwards. */
    {
        wcs_result_t res = { WCS_CODE_NONE, NULL };
        wcs_assertion_t *a;

        ck_assert_int_eq(validate(&a, &res, sp, "--sign both"), APR_SUCCESS);
    }
}
END_TEST

Suite *wcs_suite_response(void)
{
    Suite *s = suite_create("response");
    TCase *tc = tcase_create("core");
    int n_acc = (int)(sizeof(accepted) / sizeof(accepted[0]));
    int n_ref = (int)(sizeof(refused) / sizeof(refused[0]));

    tcase_add_unchecked_fixture(tc, wcs_test_fixtures_setup, NULL);
    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_loop_test(tc, response_accepts, 0, n_acc);
    tcase_add_loop_test(tc, response_refuses, 0, n_ref);
    tcase_add_test(tc, response_refuses_junk);
    tcase_add_test(tc, response_limits);
    tcase_add_test(tc, response_clock_skew);
    tcase_add_test(tc, response_reads_values);
    tcase_add_test(tc, response_reads_profiles);
    tcase_add_test(tc, response_structured_value);
    tcase_add_test(tc, response_reason_outlives);
    tcase_add_test(tc, response_keys_shared_by_threads);
    suite_add_tcase(s, tc);
    return s;
}
