#include <string.h>

#include <apr_strings.h>

#include "check_wcs.h"
#include "wcs_authnreq.h"
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

Suite *wcs_suite_authnreq(void)
{
    Suite *s = suite_create("authnreq");
    TCase *tc = tcase_create("core");

    tcase_add_unchecked_fixture(tc, wcs_test_fixtures_setup, NULL);
    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, authnreq_redirect);
    suite_add_tcase(s, tc);
    return s;
}
