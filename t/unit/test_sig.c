#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>
#include <openssl/err.h>

#include "check_wcs.h"
#include "wcs_sig.h"
#include "wcs_xml.h"

typedef struct {
    xmlDocPtr doc;
    xmlNodePtr response;
    xmlNodePtr assertion;
} parsed_t;

static xmlDocPtr parse_ids(const char *xml, wcs_result_t *res,
                           apr_status_t *rv)
{
    xmlDocPtr doc;

    ck_assert_int_eq(wcs_xml_parse(&doc, res, xml, strlen(xml), 1 << 20,
                                   WCS_XML_MAX_DEPTH_DEFAULT, wcs_test_pool),
                     APR_SUCCESS);
    *rv = wcs_sig_register_ids(res, doc, wcs_test_pool);
    return doc;
}

/* A response from wcs_mkresponse, parsed with its IDs registered. */
static void parse_signed(parsed_t *ps, const char *args)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    const char *xml;
    apr_status_t rv;

    xml = wcs_test_mkresponse(apr_pstrcat(wcs_test_pool, "--xml ", args,
                                          NULL), wcs_test_pool);
    ps->doc = parse_ids(xml, &res, &rv);
    ck_assert_msg(rv == APR_SUCCESS, "%s", res.reason);
    ps->response = xmlDocGetRootElement(ps->doc);
    ps->assertion = wcs_xml_child(ps->response, WCS_NS_SAML, "Assertion",
                                  NULL);
    ck_assert_ptr_nonnull(ps->assertion);
}

static xmlNodePtr sig_of(xmlNodePtr elem)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    xmlNodePtr sig;

    ck_assert_int_eq(wcs_sig_find(&sig, &res, elem, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(sig);
    return sig;
}

static apr_status_t verify(wcs_result_t *res, xmlNodePtr elem,
                           const wcs_idp_t *idp)
{
    const wcs_idp_key_t *used = (const wcs_idp_key_t *)1;
    apr_status_t rv;

    res->code = WCS_CODE_NONE;
    res->reason = NULL;
    rv = wcs_sig_verify(&used, res, elem, sig_of(elem), idp, NULL,
                        wcs_test_pool);
    /* The key that verified is one of the IdP's; none on refusal. */
    if (rv == APR_SUCCESS) {
        ck_assert_ptr_nonnull(used);
        ck_assert_ptr_nonnull(wcs_idp_key_by_der(idp, used->der,
                                                 used->der_len));
    }
    else {
        ck_assert_ptr_null(used);
    }
    return rv;
}

static const wcs_idp_t *idp_named(const char *entity_id)
{
    wcs_sp_t *sp = wcs_test_sp(wcs_test_pool);
    const wcs_idp_t *idp = apr_hash_get(sp->idps, entity_id,
                                        APR_HASH_KEY_STRING);

    ck_assert_ptr_nonnull(idp);
    return idp;
}

START_TEST(sig_register_ids)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    xmlDocPtr doc;
    xmlAttrPtr id;
    apr_status_t rv;

    doc = parse_ids("<r><a ID=\"x\"/><b><c ID=\"x\"/></b></r>", &res, &rv);
    wcs_assert_refused(rv, res, WCS_CODE_SIGNATURE, "more than once");
    doc = parse_ids("<r><a ID=\"\"/></r>", &res, &rv);
    wcs_assert_refused(rv, res, WCS_CODE_SIGNATURE, "empty");
    doc = parse_ids("<r xml:id=\"x\"><a ID=\"x\"/></r>", &res, &rv);
    wcs_assert_refused(rv, res, WCS_CODE_SIGNATURE, "more than once");
    /* A namespaced attribute called ID is not an ID. */
    doc = parse_ids("<r xmlns:o=\"urn:o\"><a ID=\"x\"/><b o:ID=\"x\"/></r>",
                    &res, &rv);
    ck_assert_int_eq(rv, APR_SUCCESS);
    id = xmlGetID(doc, (const xmlChar *)"x");
    ck_assert_ptr_nonnull(id);
    ck_assert_str_eq((const char *)id->parent->name, "a");
    doc = parse_ids("<r ID=\"r1\"><a ID=\"a1\"><b ID=\"b1\"/></a></r>", &res,
                    &rv);
    ck_assert_int_eq(rv, APR_SUCCESS);
    id = xmlGetID(doc, (const xmlChar *)"b1");
    ck_assert_ptr_nonnull(id);
    ck_assert_str_eq((const char *)id->parent->name, "b");
}
END_TEST

START_TEST(sig_find_counts)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    xmlDocPtr doc;
    xmlNodePtr sig, r;
    apr_status_t rv;

    doc = parse_ids("<r xmlns:ds=\"" WCS_NS_DSIG "\"><x/><ds:Signature/>"
                    "</r>", &res, &rv);
    r = xmlDocGetRootElement(doc);
    ck_assert_int_eq(wcs_sig_find(&sig, &res, r, wcs_test_pool), APR_SUCCESS);
    ck_assert_ptr_eq(sig, r->children->next);
    doc = parse_ids("<r xmlns:ds=\"" WCS_NS_DSIG "\"><x><ds:Signature/></x>"
                    "</r>", &res, &rv);
    sig = r;
    ck_assert_int_eq(wcs_sig_find(&sig, &res, xmlDocGetRootElement(doc),
                                  wcs_test_pool), APR_SUCCESS);
    ck_assert_ptr_null(sig);
    doc = parse_ids("<r xmlns:ds=\"" WCS_NS_DSIG "\"><ds:Signature/><x/>"
                    "<ds:Signature/></r>", &res, &rv);
    rv = wcs_sig_find(&sig, &res, xmlDocGetRootElement(doc), wcs_test_pool);
    wcs_assert_refused(rv, res, WCS_CODE_SIGNATURE, "2 Signature");
}
END_TEST

START_TEST(sig_verify_valid)
{
    wcs_result_t res;
    const wcs_idp_t *idp = idp_named(WCS_TEST_IDP);
    parsed_t ps;

    parse_signed(&ps, "");
    ck_assert_msg(verify(&res, ps.assertion, idp) == APR_SUCCESS, "%s",
                  res.reason);
    parse_signed(&ps, "--sign both --alg sha512 --keyinfo keyvalue");
    ck_assert_msg(verify(&res, ps.response, idp) == APR_SUCCESS, "%s",
                  res.reason);
    ck_assert_msg(verify(&res, ps.assertion, idp) == APR_SUCCESS, "%s",
                  res.reason);
    parse_signed(&ps, "--sign response --c14n inclusive --keyinfo none "
                 "--response-sig-after-assertion");
    ck_assert_msg(verify(&res, ps.response, idp) == APR_SUCCESS, "%s",
                  res.reason);
}
END_TEST

START_TEST(sig_verify_wrong_key)
{
    wcs_result_t res;
    const wcs_idp_t *idp = idp_named(WCS_TEST_IDP);
    parsed_t ps;

    /* No KeyInfo: the configured key does not verify. */
    parse_signed(&ps, "--key attacker.key --keyinfo none");
    wcs_assert_refused(verify(&res, ps.assertion, idp), res,
                      WCS_CODE_SIGNATURE, "invalid");
    /* The attacker's own key in KeyValue proves nothing. */
    parse_signed(&ps, "--key attacker.key --keyinfo keyvalue");
    wcs_assert_refused(verify(&res, ps.assertion, idp), res,
                      WCS_CODE_SIGNATURE, "invalid");
    /* KeyInfo names the configured certificate, the key is another. */
    parse_signed(&ps, "--key attacker.key --cert idp.pem");
    wcs_assert_refused(verify(&res, ps.assertion, idp), res,
                      WCS_CODE_SIGNATURE, "invalid");
}
END_TEST

START_TEST(sig_verify_unknown_cert)
{
    wcs_result_t res;
    parsed_t ps;

    /* A certificate the IdP is not configured with (same subject): the
     * IdP has probably rolled its key, a configuration matter. */
    parse_signed(&ps, "--key attacker.key --cert attacker.pem");
    wcs_assert_refused(verify(&res, ps.assertion, idp_named(WCS_TEST_IDP)),
                      res, WCS_CODE_MISCONFIG, WCS_TEST_IDP);
}
END_TEST

START_TEST(sig_verify_sha1)
{
    wcs_result_t res;
    parsed_t ps;

    parse_signed(&ps, "--key sha1.key --cert sha1.pem --alg sha1");
    wcs_assert_refused(verify(&res, ps.assertion, idp_named(WCS_TEST_SHA1)),
                      res, WCS_CODE_SIGNATURE, "SHA-1");
    ck_assert_msg(verify(&res, ps.assertion, idp_named(WCS_TEST_SHA1_OK))
                  == APR_SUCCESS, "%s", res.reason);
    /* Allowing SHA-1 does not stop SHA-256 from working. */
    parse_signed(&ps, "--key sha1.key --cert sha1.pem");
    ck_assert_msg(verify(&res, ps.assertion, idp_named(WCS_TEST_SHA1_OK))
                  == APR_SUCCESS, "%s", res.reason);
}
END_TEST

START_TEST(sig_verify_rollover)
{
    wcs_result_t res;
    const wcs_idp_t *idp = idp_named(WCS_TEST_ROLLOVER);
    wcs_idp_t *old_only;
    const char *err = NULL;
    parsed_t ps;

    parse_signed(&ps, "--key new.key --keyinfo none");
    ck_assert_msg(verify(&res, ps.assertion, idp) == APR_SUCCESS, "%s",
                  res.reason);
    parse_signed(&ps, "--key old.key --cert old.pem");
    ck_assert_msg(verify(&res, ps.assertion, idp) == APR_SUCCESS, "%s",
                  res.reason);
    /* A stale KeyInfo (old certificate, new key) is only a hint. */
    parse_signed(&ps, "--key new.key --cert old.pem");
    ck_assert_msg(verify(&res, ps.assertion, idp) == APR_SUCCESS, "%s",
                  res.reason);
    /* Before the new certificate is configured. */
    old_only = wcs_idp_create(WCS_TEST_ROLLOVER, "test", wcs_test_pool);
    ck_assert_int_eq(wcs_idp_add_cert_file(old_only, &err,
                                           wcs_test_file("old.pem",
                                                         wcs_test_pool),
                                           wcs_test_pool), APR_SUCCESS);
    parse_signed(&ps, "--key new.key --cert new.pem");
    wcs_assert_refused(verify(&res, ps.assertion, old_only), res,
                      WCS_CODE_MISCONFIG, "rolled");
}
END_TEST

START_TEST(sig_verify_what_was_signed)
{
    wcs_result_t res;
    const wcs_idp_t *idp = idp_named(WCS_TEST_IDP);
    const wcs_idp_key_t *used;
    parsed_t ps;
    xmlNodePtr subject, name_id;
    apr_status_t rv;

    /* The Response's signature is not the Assertion's. */
    parse_signed(&ps, "--sign both");
    rv = wcs_sig_verify(&used, &res, ps.assertion, sig_of(ps.response), idp,
                        NULL, wcs_test_pool);
    wcs_assert_refused(rv, res, WCS_CODE_SIGNATURE, "references");
    /* A change after signing. */
    parse_signed(&ps, "");
    subject = wcs_xml_child(ps.assertion, WCS_NS_SAML, "Subject", NULL);
    name_id = wcs_xml_child(subject, WCS_NS_SAML, "NameID", NULL);
    xmlNodeSetContent(name_id, (const xmlChar *)"mallory@evil.test");
    wcs_assert_refused(verify(&res, ps.assertion, idp), res,
                      WCS_CODE_SIGNATURE, "digest");
}
END_TEST

START_TEST(sig_verify_algorithms)
{
    wcs_result_t res;
    const wcs_idp_t *idp = idp_named(WCS_TEST_IDP);
    parsed_t ps;
    xmlNodePtr si, ref, transforms, t;

    parse_signed(&ps, "");
    si = wcs_xml_child(sig_of(ps.assertion), WCS_NS_DSIG, "SignedInfo", NULL);
    xmlSetProp(wcs_xml_child(si, WCS_NS_DSIG, "SignatureMethod", NULL),
               (const xmlChar *)"Algorithm", (const xmlChar *)
               "http://www.w3.org/2000/09/xmldsig#hmac-sha1");
    wcs_assert_refused(verify(&res, ps.assertion, idp), res,
                      WCS_CODE_SIGNATURE, "hmac-sha1");

    parse_signed(&ps, "");
    si = wcs_xml_child(sig_of(ps.assertion), WCS_NS_DSIG, "SignedInfo", NULL);
    ref = wcs_xml_child(si, WCS_NS_DSIG, "Reference", NULL);
    transforms = wcs_xml_child(ref, WCS_NS_DSIG, "Transforms", NULL);
    t = xmlNewChild(transforms, transforms->ns, (const xmlChar *)"Transform",
                    NULL);
    xmlSetProp(t, (const xmlChar *)"Algorithm", (const xmlChar *)
               "http://www.w3.org/TR/1999/REC-xpath-19991116");
    wcs_assert_refused(verify(&res, ps.assertion, idp), res,
                      WCS_CODE_SIGNATURE, "xpath");

    /* A second Reference. */
    parse_signed(&ps, "");
    si = wcs_xml_child(sig_of(ps.assertion), WCS_NS_DSIG, "SignedInfo", NULL);
    ref = wcs_xml_child(si, WCS_NS_DSIG, "Reference", NULL);
    xmlAddNextSibling(ref, xmlCopyNode(ref, 1));
    wcs_assert_refused(verify(&res, ps.assertion, idp), res,
                      WCS_CODE_SIGNATURE, "2 References");
}
END_TEST

/* An IdP in the middle of a key-type rollover: an RSA and an EC key. */
static wcs_idp_t *mixed_idp(const char *first, const char *second)
{
    wcs_idp_t *idp = wcs_idp_create("https://mixed.example.test/", "test",
                                    wcs_test_pool);
    const char *err = NULL;

    ck_assert_msg(wcs_idp_add_cert_file(idp, &err,
                                        wcs_test_file(first, wcs_test_pool),
                                        wcs_test_pool) == APR_SUCCESS,
                  "%s", err);
    ck_assert_msg(wcs_idp_add_cert_file(idp, &err,
                                        wcs_test_file(second, wcs_test_pool),
                                        wcs_test_pool) == APR_SUCCESS,
                  "%s", err);
    return idp;
}

START_TEST(sig_verify_key_types)
{
    wcs_result_t res;
    wcs_idp_t *rsa_ec = mixed_idp("idp.pem", "ec.pem");
    wcs_idp_t *ec_rsa = mixed_idp("ec.pem", "idp.pem");
    parsed_t ps;

    /* No KeyInfo: the RSA key cannot even try an ECDSA signature, which
     * must not stop the EC key from verifying it. */
    parse_signed(&ps, "--issuer https://mixed.example.test/ --key ec.key "
                 "--keyinfo none");
    ck_assert_msg(verify(&res, ps.assertion, rsa_ec) == APR_SUCCESS, "%s",
                  res.reason);
    ck_assert_msg(verify(&res, ps.assertion, ec_rsa) == APR_SUCCESS, "%s",
                  res.reason);
    parse_signed(&ps, "--issuer https://mixed.example.test/ --key idp.key "
                 "--keyinfo none");
    ck_assert_msg(verify(&res, ps.assertion, rsa_ec) == APR_SUCCESS, "%s",
                  res.reason);
    ck_assert_msg(verify(&res, ps.assertion, ec_rsa) == APR_SUCCESS, "%s",
                  res.reason);
    /* Neither key verifies: the reason is the RSA key's failure, not the
     * EC key's unfitness for an RSA signature. */
    parse_signed(&ps, "--issuer https://mixed.example.test/ "
                 "--key attacker.key --keyinfo none");
    wcs_assert_refused(verify(&res, ps.assertion, ec_rsa), res,
                      WCS_CODE_SIGNATURE, "does not verify with the "
                      "configured key");
    wcs_assert_refused(verify(&res, ps.assertion, rsa_ec), res,
                      WCS_CODE_SIGNATURE, "does not verify with the "
                      "configured key");
    /* An IdP with no key of the signature's type says so. */
    parse_signed(&ps, "--key ec.key --keyinfo none");
    wcs_assert_refused(verify(&res, ps.assertion, idp_named(WCS_TEST_IDP)),
                      res, WCS_CODE_SIGNATURE, "needs an EC key");
}
END_TEST

/* A signed assertion (wcs_mkresponse args) whose SignatureValue is then
 * replaced by text that is not base64. */
static void parse_signed_bad_value(parsed_t *ps, const char *args)
{
    xmlNodePtr value;

    parse_signed(ps, args);
    value = wcs_xml_child(sig_of(ps->assertion), WCS_NS_DSIG,
                          "SignatureValue", NULL);
    xmlNodeSetContent(value, (const xmlChar *)"!!not base64!!");
}

/* xmlsec's own reason reaches the refusal, whatever xmlsec-openssl did
 * to the error callback when it started (wcs_xml_init, as in httpd). */
START_TEST(sig_verify_xmlsec_reason)
{
    wcs_result_t res;
    const wcs_idp_t *idp = idp_named(WCS_TEST_IDP);
    wcs_idp_t *rsa_ec = mixed_idp("idp.pem", "ec.pem");
    parsed_t ps;
    const char *err = NULL;

    ck_assert_int_eq(wcs_xml_init(&err), APR_SUCCESS);
    parse_signed_bad_value(&ps, "");
    wcs_assert_refused(verify(&res, ps.assertion, idp), res,
                      WCS_CODE_SIGNATURE, "xmlsec refused the signature");
    ck_assert_msg(!strstr(res.reason, "unknown error"), "%s", res.reason);
    ck_assert_msg(strstr(res.reason, "base64"), "%s", res.reason);
    /* With several keys tried, the reason is still the one xmlsec gave. */
    parse_signed_bad_value(&ps, "--issuer https://mixed.example.test/ "
                 "--key attacker.key --keyinfo none");
    wcs_assert_refused(verify(&res, ps.assertion, rsa_ec), res,
                      WCS_CODE_SIGNATURE, "xmlsec refused the signature");
    ck_assert_msg(!strstr(res.reason, "unknown error"), "%s", res.reason);
}
END_TEST

/* A refused signature leaves nothing in OpenSSL's per-thread error queue:
 * in httpd the next key tried, or another module's next TLS call on the
 * same thread (mod_ssl), would read those errors as its own. */
static void assert_no_openssl_error(const char *what)
{
    unsigned long e = ERR_peek_error();
    char buf[256];

    if (e) {
        ERR_error_string_n(e, buf, sizeof(buf));
    }
    ck_assert_msg(e == 0, "%s left an OpenSSL error queued: %s", what,
                  e ? buf : "");
}

START_TEST(sig_verify_clears_openssl_errors)
{
    wcs_result_t res;
    const wcs_idp_t *idp = idp_named(WCS_TEST_IDP);
    wcs_idp_t *rsa_ec = mixed_idp("idp.pem", "ec.pem");
    parsed_t ps;

    ERR_clear_error();
    /* A signature by another key: OpenSSL's verification fails. */
    parse_signed(&ps, "--key attacker.key --keyinfo none");
    wcs_assert_refused(verify(&res, ps.assertion, idp), res,
                      WCS_CODE_SIGNATURE, "invalid");
    assert_no_openssl_error("a signature by another key");
    /* Two keys tried, neither verifies. */
    parse_signed(&ps, "--issuer https://mixed.example.test/ "
                 "--key attacker.key --keyinfo none");
    wcs_assert_refused(verify(&res, ps.assertion, rsa_ec), res,
                      WCS_CODE_SIGNATURE, "invalid");
    assert_no_openssl_error("two keys, neither verifying");
    /* A SignatureValue that is not base64. */
    parse_signed_bad_value(&ps, "");
    wcs_assert_refused(verify(&res, ps.assertion, idp), res,
                      WCS_CODE_SIGNATURE, "xmlsec refused the signature");
    assert_no_openssl_error("a SignatureValue that is not base64");
    /* And one that verifies. */
    parse_signed(&ps, "");
    ck_assert_msg(verify(&res, ps.assertion, idp) == APR_SUCCESS, "%s",
                  res.reason);
    assert_no_openssl_error("a valid signature");
}
END_TEST

/* Found by fuzz_response: libxml2's C14N reports a relative namespace URI
 * through its generic error handler, which printed to the process's
 * stderr (in httpd, untagged lines in the main error log, several per
 * request); the refusal said "unknown error".  Its errors are captured
 * like xmlsec's instead. */
START_TEST(sig_verify_c14n_error_captured)
{
    wcs_result_t res;
    const wcs_idp_t *idp = idp_named(WCS_TEST_IDP);
    const char *xml;
    char *bad, *at;
    apr_status_t rv;
    xmlDocPtr doc;
    xmlNodePtr assertion;
    FILE *err = tmpfile();
    int saved;
    long written;

    xml = wcs_test_mkresponse("--xml", wcs_test_pool);
    at = strstr(xml, "<saml:Assertion ");
    ck_assert_ptr_nonnull(at);
    bad = apr_pstrcat(wcs_test_pool,
                      apr_pstrndup(wcs_test_pool, xml, (apr_size_t)(at - xml)),
                      "<saml:Assertion xmlns:bad=\"relative\" ",
                      at + strlen("<saml:Assertion "), NULL);
    doc = parse_ids(bad, &res, &rv);
    ck_assert_msg(rv == APR_SUCCESS, "%s", res.reason);
    assertion = wcs_xml_child(xmlDocGetRootElement(doc), WCS_NS_SAML,
                              "Assertion", NULL);

    ck_assert_ptr_nonnull(err);
    fflush(stderr);
    saved = dup(2);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fileno(err), 2), 0);
    rv = verify(&res, assertion, idp);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fseek(err, 0, SEEK_END);
    written = ftell(err);
    fclose(err);

    wcs_assert_refused(rv, res, WCS_CODE_SIGNATURE, "elative namespace");
    ck_assert_msg(written == 0, "%ld bytes written to stderr", written);
}
END_TEST

Suite *wcs_suite_sig(void)
{
    Suite *s = suite_create("sig");
    TCase *tc = tcase_create("core");

    tcase_add_unchecked_fixture(tc, wcs_test_fixtures_setup, NULL);
    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, sig_register_ids);
    tcase_add_test(tc, sig_find_counts);
    tcase_add_test(tc, sig_verify_valid);
    tcase_add_test(tc, sig_verify_wrong_key);
    tcase_add_test(tc, sig_verify_unknown_cert);
    tcase_add_test(tc, sig_verify_sha1);
    tcase_add_test(tc, sig_verify_rollover);
    tcase_add_test(tc, sig_verify_what_was_signed);
    tcase_add_test(tc, sig_verify_algorithms);
    tcase_add_test(tc, sig_verify_key_types);
    tcase_add_test(tc, sig_verify_xmlsec_reason);
    tcase_add_test(tc, sig_verify_clears_openssl_errors);
    tcase_add_test(tc, sig_verify_c14n_error_captured);
    suite_add_tcase(s, tc);
    return s;
}
