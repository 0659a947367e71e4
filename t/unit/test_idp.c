#include <string.h>

#include <apr_base64.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/x509.h>

#include "check_wcs.h"
#include "wcs_idp.h"

#define MD_HEAD \
    "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:" \
    "metadata\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">"
#define MD_TAIL "</md:EntitiesDescriptor>"

static wcs_idp_t *idp_with(const char *file)
{
    wcs_idp_t *idp = wcs_idp_create("https://x.example.test/", "test",
                                    wcs_test_pool);
    const char *err = NULL;

    ck_assert_msg(wcs_idp_add_cert_file(idp, &err,
                                        wcs_test_file(file, wcs_test_pool),
                                        wcs_test_pool) == APR_SUCCESS,
                  "%s: %s", file, err);
    return idp;
}

static const wcs_idp_key_t *key_of(const wcs_idp_t *idp, int i)
{
    return APR_ARRAY_IDX(idp->keys, i, const wcs_idp_key_t *);
}

/* The base64 of a fixture's certificate, without armour or line breaks. */
static const char *cert_b64(const char *file)
{
    const wcs_idp_key_t *k = key_of(idp_with(file), 0);
    char *out = apr_palloc(wcs_test_pool, apr_base64_encode_len(
                                              (int)k->der_len));

    apr_base64_encode_binary(out, k->der, (int)k->der_len);
    return out;
}

START_TEST(idp_cert_pem)
{
    wcs_idp_t *idp = idp_with("idp.pem");
    const wcs_idp_key_t *k;

    ck_assert_int_eq(idp->keys->nelts, 1);
    k = key_of(idp, 0);
    ck_assert_ptr_nonnull(k->key);
    ck_assert_ptr_nonnull(strstr(k->subject, "idp.example.test"));
    /* SHA-256 as 32 colon-separated hex pairs. */
    ck_assert_int_eq(strlen(k->sha256), 32 * 3 - 1);
    ck_assert(k->not_after > apr_time_now());
    ck_assert_ptr_nonnull(strstr(k->source, "idp.pem"));
    ck_assert_ptr_eq(wcs_idp_key_by_der(idp, k->der, k->der_len), k);
}
END_TEST

/* The keys xmlsec verifies with carry their public key value and nothing
 * certificate-shaped: xmlsec copies the key for every signature, and a
 * copy of X.509 data would decode the certificate again each time. */
START_TEST(idp_key_is_bare)
{
    static const char *const files[] = { "idp.pem", "ec.pem", NULL };
    int i;

    for (i = 0; files[i]; i++) {
        const wcs_idp_key_t *k = key_of(idp_with(files[i]), 0);
        xmlSecKeyPtr copy;

        ck_assert_msg(xmlSecKeyGetValue(k->key) != NULL, "%s", files[i]);
        ck_assert_msg(xmlSecKeyGetData(k->key, xmlSecOpenSSLKeyDataX509GetKlass())
                      == NULL, "%s: the key carries X.509 data", files[i]);
        copy = xmlSecKeyDuplicate(k->key);
        ck_assert_ptr_nonnull(copy);
        ck_assert(xmlSecKeyGetValue(copy) != NULL);
        xmlSecKeyDestroy(copy);
    }
}
END_TEST

START_TEST(idp_cert_multi_pem)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_idp_t *one = idp_with("new.pem"), *idp;
    const char *path, *err = NULL;
    char *text = NULL;
    apr_size_t len;
    apr_file_t *f;
    const char *files[] = { "old.pem", "new.pem" };
    int i;

    /* old.pem and new.pem in one file, with text around them. */
    text = apr_pstrdup(p, "# rollover\n");
    for (i = 0; i < 2; i++) {
        char buf[8192];

        ck_assert_int_eq(apr_file_open(&f, wcs_test_file(files[i], p),
                                       APR_FOPEN_READ, 0, p), APR_SUCCESS);
        len = sizeof(buf) - 1;
        apr_file_read(f, buf, &len);
        buf[len] = '\0';
        apr_file_close(f);
        text = apr_pstrcat(p, text, buf, "\n", NULL);
    }
    path = wcs_test_write_file("multi.pem", text, p);
    idp = wcs_idp_create("https://x.example.test/", "test", p);
    ck_assert_int_eq(wcs_idp_add_cert_file(idp, &err, path, p), APR_SUCCESS);
    ck_assert_int_eq(idp->keys->nelts, 2);
    ck_assert_ptr_nonnull(strstr(key_of(idp, 0)->subject, "rollover old"));
    ck_assert_ptr_nonnull(strstr(key_of(idp, 1)->subject, "rollover new"));
    ck_assert_str_ne(key_of(idp, 0)->sha256, key_of(idp, 1)->sha256);
    ck_assert_ptr_eq(wcs_idp_key_by_der(idp, key_of(one, 0)->der,
                                        key_of(one, 0)->der_len),
                     key_of(idp, 1));
}
END_TEST

START_TEST(idp_cert_base64_and_der)
{
    wcs_idp_t *pem, *cer, *der, *okta;
    const wcs_idp_key_t *k;
    const char *crlf, *err = NULL;

    pem = idp_with("entra.pem");
    cer = idp_with("entra.cer");
    ck_assert_int_eq(cer->keys->nelts, 1);
    k = key_of(pem, 0);
    ck_assert_ptr_nonnull(wcs_idp_key_by_der(cer, k->der, k->der_len));
    ck_assert_str_eq(key_of(cer, 0)->sha256, k->sha256);
    /* As saved on Windows: CRLF line ends. */
    crlf = wcs_test_write_file("entra-crlf.pem", apr_pstrcat(wcs_test_pool,
        "-----BEGIN CERTIFICATE-----\r\n", cert_b64("entra.pem"),
        "\r\n-----END CERTIFICATE-----\r\n", NULL), wcs_test_pool);
    ck_assert_int_eq(wcs_idp_add_cert_file(cer, &err, crlf, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_int_eq(cer->keys->nelts, 2);
    ck_assert_str_eq(key_of(cer, 1)->sha256, k->sha256);

    okta = idp_with("okta.pem");
    der = idp_with("okta.der");
    ck_assert_int_eq(der->keys->nelts, 1);
    k = key_of(okta, 0);
    ck_assert_ptr_nonnull(wcs_idp_key_by_der(der, k->der, k->der_len));
    /* A different certificate is not found; neither is a prefix of one. */
    ck_assert_ptr_null(wcs_idp_key_by_der(der, key_of(pem, 0)->der,
                                          key_of(pem, 0)->der_len));
    ck_assert_ptr_null(wcs_idp_key_by_der(der, k->der, k->der_len - 1));
}
END_TEST

START_TEST(idp_cert_garbage)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_idp_t *idp = idp_with("idp.pem");
    const char *err, *path;
    char *text;

    err = NULL;
    path = wcs_test_write_file("garbage.txt", "this is not a certificate\n", p);
    ck_assert_int_ne(wcs_idp_add_cert_file(idp, &err, path, p), APR_SUCCESS);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "garbage.txt"));
    ck_assert_int_eq(idp->keys->nelts, 1);

    err = NULL;
    path = wcs_test_write_file("empty.pem", "", p);
    ck_assert_int_ne(wcs_idp_add_cert_file(idp, &err, path, p), APR_SUCCESS);
    ck_assert_ptr_nonnull(err);

    err = NULL;
    path = wcs_test_write_file("badpem.pem", "-----BEGIN CERTIFICATE-----\n"
                               "not*base64\n-----END CERTIFICATE-----\n", p);
    ck_assert_int_ne(wcs_idp_add_cert_file(idp, &err, path, p), APR_SUCCESS);
    ck_assert_ptr_nonnull(strstr(err, "base64"));

    /* Valid base64 that is no certificate. */
    err = NULL;
    path = wcs_test_write_file("notcert.cer", "aGVsbG8gd29ybGQ=\n", p);
    ck_assert_int_ne(wcs_idp_add_cert_file(idp, &err, path, p), APR_SUCCESS);
    ck_assert_ptr_nonnull(strstr(err, "X.509"));

    err = NULL;
    ck_assert_int_ne(wcs_idp_add_cert_file(idp, &err,
                                           wcs_test_file("absent.pem", p), p),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(strstr(err, "cannot read"));

    /* A good certificate followed by a broken one: nothing is added. */
    err = NULL;
    text = apr_pstrcat(p, "-----BEGIN CERTIFICATE-----\n", cert_b64("new.pem"),
                       "\n-----END CERTIFICATE-----\n"
                       "-----BEGIN CERTIFICATE-----\nAAAA\n", NULL);
    path = wcs_test_write_file("half.pem", text, p);
    ck_assert_int_ne(wcs_idp_add_cert_file(idp, &err, path, p), APR_SUCCESS);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(idp->keys->nelts, 1);
    ck_assert_ptr_nonnull(strstr(key_of(idp, 0)->subject, "idp.example"));
}
END_TEST

START_TEST(idp_metadata_entities)
{
    apr_pool_t *p = wcs_test_pool;
    apr_hash_t *idps = apr_hash_make(p);
    const char *err = NULL;
    int count = -1;
    wcs_idp_t *idp;
    const wcs_idp_key_t *k;

    ck_assert_msg(wcs_idp_load_metadata(idps, &count, &err,
                                        wcs_test_file("idp-metadata.xml", p),
                                        p, p) == APR_SUCCESS, "%s", err);
    ck_assert_int_eq(count, 1);
    ck_assert_int_eq(apr_hash_count(idps), 1);
    ck_assert_ptr_null(apr_hash_get(idps, "https://sp-other.example.test/",
                                    APR_HASH_KEY_STRING));
    idp = apr_hash_get(idps, WCS_TEST_IDP, APR_HASH_KEY_STRING);
    ck_assert_ptr_nonnull(idp);
    ck_assert_str_eq(idp->entity_id, WCS_TEST_IDP);
    /* The encryption key (the attacker's certificate) is not a signing
     * key; the signing certificate, line-wrapped, is. */
    ck_assert_int_eq(idp->keys->nelts, 1);
    k = key_of(idp_with("idp.pem"), 0);
    ck_assert_ptr_nonnull(wcs_idp_key_by_der(idp, k->der, k->der_len));
    k = key_of(idp_with("attacker.pem"), 0);
    ck_assert_ptr_null(wcs_idp_key_by_der(idp, k->der, k->der_len));
    ck_assert_str_eq(idp->sso_redirect, "https://idp.example.test/sso");
    ck_assert_ptr_null(idp->sso_post);
    ck_assert_int_eq(idp->allow_sha1, 0);

    /* Default namespaces and a KeyDescriptor without use. */
    ck_assert_msg(wcs_idp_load_metadata(idps, &count, &err,
                                        wcs_test_file("ec-metadata.xml", p),
                                        p, p) == APR_SUCCESS, "%s", err);
    ck_assert_int_eq(count, 1);
    idp = apr_hash_get(idps, WCS_TEST_EC, APR_HASH_KEY_STRING);
    ck_assert_ptr_nonnull(idp);
    ck_assert_int_eq(idp->keys->nelts, 1);
    ck_assert_int_eq(apr_hash_count(idps), 2);
}
END_TEST

START_TEST(idp_metadata_duplicate)
{
    apr_pool_t *p = wcs_test_pool;
    apr_hash_t *idps = apr_hash_make(p);
    const char *err = NULL, *path = wcs_test_file("idp-metadata.xml", p);
    int count;

    ck_assert_int_eq(wcs_idp_load_metadata(idps, &count, &err, path, p, p),
                     APR_SUCCESS);
    err = NULL;
    ck_assert_int_ne(wcs_idp_load_metadata(idps, &count, &err, path, p, p),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, WCS_TEST_IDP));
    ck_assert_ptr_nonnull(strstr(err, "already"));
}
END_TEST

START_TEST(idp_metadata_refusals)
{
    apr_pool_t *p = wcs_test_pool;
    apr_hash_t *idps = apr_hash_make(p);
    const char *err, *path;
    int count;

    /* Only an SP: no IdP in the file. */
    err = NULL;
    path = wcs_test_write_file("sp-only.xml", MD_HEAD
        "<md:EntityDescriptor entityID=\"https://sp.example.test/\">"
        "<md:SPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:"
        "SAML:2.0:protocol\"/></md:EntityDescriptor>" MD_TAIL, p);
    ck_assert_int_ne(wcs_idp_load_metadata(idps, &count, &err, path, p, p),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(strstr(err, "IDPSSODescriptor"));

    /* An IdP with an encryption key only. */
    err = NULL;
    path = wcs_test_write_file("enc-only.xml", apr_pstrcat(p, MD_HEAD,
        "<md:EntityDescriptor entityID=\"https://enc.example.test/\">"
        "<md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:"
        "SAML:2.0:protocol\"><md:KeyDescriptor use=\"encryption\"><ds:KeyInfo>"
        "<ds:X509Data><ds:X509Certificate>", cert_b64("idp.pem"),
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        "</md:IDPSSODescriptor></md:EntityDescriptor>", MD_TAIL, NULL), p);
    ck_assert_int_ne(wcs_idp_load_metadata(idps, &count, &err, path, p, p),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(strstr(err, "https://enc.example.test/"));
    ck_assert_ptr_nonnull(strstr(err, "signing"));
    ck_assert_ptr_null(apr_hash_get(idps, "https://enc.example.test/",
                                    APR_HASH_KEY_STRING));

    /* Not metadata, and metadata with a DOCTYPE. */
    err = NULL;
    path = wcs_test_write_file("not-md.xml", "<html><body/></html>", p);
    ck_assert_int_ne(wcs_idp_load_metadata(idps, &count, &err, path, p, p),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(strstr(err, "html"));
    err = NULL;
    path = wcs_test_write_file("doctype-md.xml", "<!DOCTYPE md:Entities"
                               "Descriptor [<!ENTITY e \"x\">]>" MD_HEAD
                               MD_TAIL, p);
    ck_assert_int_ne(wcs_idp_load_metadata(idps, &count, &err, path, p, p),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(strstr(err, "DOCTYPE"));
    err = NULL;
    ck_assert_int_ne(wcs_idp_load_metadata(idps, &count, &err,
                                           wcs_test_file("absent.xml", p),
                                           p, p), APR_SUCCESS);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(apr_hash_count(idps), 0);
}
END_TEST

Suite *wcs_suite_idp(void)
{
    Suite *s = suite_create("idp");
    TCase *tc = tcase_create("core");

    tcase_add_unchecked_fixture(tc, wcs_test_fixtures_setup, NULL);
    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, idp_cert_pem);
    tcase_add_test(tc, idp_key_is_bare);
    tcase_add_test(tc, idp_cert_multi_pem);
    tcase_add_test(tc, idp_cert_base64_and_der);
    tcase_add_test(tc, idp_cert_garbage);
    tcase_add_test(tc, idp_metadata_entities);
    tcase_add_test(tc, idp_metadata_duplicate);
    tcase_add_test(tc, idp_metadata_refusals);
    suite_add_tcase(s, tc);
    return s;
}
