#include <string.h>

#include "check_wcs.h"
#include "wcs_xml.h"

static apr_status_t b64(const char *in, char **out, wcs_result_t *res)
{
    apr_size_t len;

    return wcs_base64_decode(out, &len, res, in, strlen(in), 1024,
                             wcs_test_pool);
}

START_TEST(base64_strict)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    char *out;

    ck_assert_int_eq(b64("aGVs\r\nbG8=", &out, &res), APR_SUCCESS);
    ck_assert_str_eq(out, "hello");
    ck_assert_int_eq(b64("aGVsbG8", &out, &res), WCS_EREFUSED);
    ck_assert_int_eq(res.code, WCS_CODE_GENERAL);
    ck_assert_int_eq(b64("aGVs*bG8=", &out, &res), WCS_EREFUSED);
    ck_assert_int_eq(b64("aGVsbG9=", &out, &res), WCS_EREFUSED); /* bits */
    ck_assert_int_eq(b64("aG=sbG8=", &out, &res), WCS_EREFUSED);
    ck_assert_int_eq(b64("", &out, &res), WCS_EREFUSED);
}
END_TEST

static apr_status_t parse(const char *xml, wcs_result_t *res)
{
    xmlDocPtr doc;

    return wcs_xml_parse(&doc, res, xml, strlen(xml), 4096, 8, wcs_test_pool);
}

START_TEST(parse_refuses_doctype_and_depth)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };

    ck_assert_int_eq(parse("<a><b/></a>", &res), APR_SUCCESS);
    ck_assert_int_eq(parse("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", &res),
                     WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "DOCTYPE"));
    ck_assert_int_eq(parse("<!DOCTYPE a SYSTEM \"http://127.0.0.1/x\"><a/>",
                           &res), WCS_EREFUSED);
    ck_assert_int_eq(parse("<a><a><a><a><a><a><a><a><a/></a></a></a></a></a>"
                           "</a></a></a>", &res), WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "deeper"));
    ck_assert_int_eq(parse("<a>", &res), WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "not well-formed"));
}
END_TEST

Suite *wcs_suite_xml(void)
{
    Suite *s = suite_create("xml");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, base64_strict);
    tcase_add_test(tc, parse_refuses_doctype_and_depth);
    suite_add_tcase(s, tc);
    return s;
}
