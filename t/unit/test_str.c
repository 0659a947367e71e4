/* wcs_str: strict base64, trimming, hex and case helpers. */
#include <string.h>

#include "check_wcs.h"
#include "wcs_str.h"

static apr_status_t b64(const char *in, char **out, wcs_result_t *res)
{
    apr_size_t len;

    return wcs_str_base64_decode(out, &len, res, "SAMLResponse", in,
                                 strlen(in), 1024, wcs_test_pool);
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

START_TEST(base64_edges)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    char *out;
    apr_size_t len;
    /* "The quick brown fox jumps over the lazy dog" wrapped with CRLF. */
    static const char wrapped[] =
        "VGhlIHF1aWNrIGJyb3du\r\nIGZveCBqdW1wcyBvdmVy\r\n"
        "IHRoZSBsYXp5IGRvZw==\r\n";

    ck_assert_int_eq(b64(wrapped, &out, &res), APR_SUCCESS);
    ck_assert_str_eq(out, "The quick brown fox jumps over the lazy dog");
    ck_assert_int_eq(b64(" aGVs\tbG8= \n", &out, &res), APR_SUCCESS);
    ck_assert_str_eq(out, "hello");
    /* Binary output keeps its length, NUL bytes included. */
    ck_assert_int_eq(wcs_str_base64_decode(&out, &len, &res, "bytes", "AAEC",
                                           4, 16, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_int_eq(len, 3);
    ck_assert(out[0] == 0 && out[1] == 1 && out[2] == 2 && out[3] == 0);

    res.reason = NULL;
    ck_assert_int_eq(b64("aGVsbG8=\x80", &out, &res), WCS_EREFUSED);
    ck_assert_int_eq(res.code, WCS_CODE_GENERAL);
    ck_assert_ptr_nonnull(strstr(res.reason, "0x80"));
    ck_assert_int_eq(b64("aGVs-bG8=", &out, &res), WCS_EREFUSED);  /* url */
    ck_assert_int_eq(b64("aGVs_bG8=", &out, &res), WCS_EREFUSED);
    ck_assert_int_eq(b64("aGVsbG8=aGVs", &out, &res), WCS_EREFUSED);
    ck_assert_int_eq(b64("aGVsbA===", &out, &res), WCS_EREFUSED);
    ck_assert_int_eq(b64("aGVsbA", &out, &res), WCS_EREFUSED);
    ck_assert_int_eq(b64("aGVsbB==", &out, &res), WCS_EREFUSED); /* bits */
    ck_assert_ptr_nonnull(strstr(res.reason, "canonical"));
    ck_assert_int_eq(b64("aGVsbA==", &out, &res), APR_SUCCESS);
    ck_assert_str_eq(out, "hell");
    ck_assert_int_eq(b64(" \r\n\t", &out, &res), WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "empty"));
}
END_TEST

START_TEST(base64_max)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    char *out;
    apr_size_t len;
    char *big;
    apr_size_t i;

    /* "hello world" is 11 bytes. */
    ck_assert_int_eq(wcs_str_base64_decode(&out, &len, &res, "SAMLResponse",
                                           "aGVsbG8gd29ybGQ=", 16, 11,
                                           wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(len, 11);
    ck_assert_int_eq(wcs_str_base64_decode(&out, &len, &res, "SAMLResponse",
                                           "aGVsbG8gd29ybGQ=", 16, 10,
                                           wcs_test_pool), WCS_EREFUSED);
    ck_assert_int_eq(res.code, WCS_CODE_GENERAL);
    ck_assert_ptr_nonnull(strstr(res.reason, "limit"));
    /* Far over the limit: refused before anything is copied. */
    big = apr_palloc(wcs_test_pool, 40001);
    for (i = 0; i < 40000; i++) {
        big[i] = 'A';
    }
    big[40000] = '\0';
    res.reason = NULL;
    ck_assert_int_eq(wcs_str_base64_decode(&out, &len, &res, "SAMLResponse",
                                           big, 40000, 1000, wcs_test_pool),
                     WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "limit"));
}
END_TEST

START_TEST(str_trim)
{
    char a[] = "  \t alice@example.test \r\n", b[] = "", c[] = " \n ";
    char d[] = "x";

    ck_assert_str_eq(wcs_str_trim(a), "alice@example.test");
    ck_assert_str_eq(wcs_str_trim(b), "");
    ck_assert_str_eq(wcs_str_trim(c), "");
    ck_assert_str_eq(wcs_str_trim(d), "x");
}
END_TEST

/* The label names the input in every reason, so that a certificate's
 * bad base64 is not reported as the SAMLResponse's. */
START_TEST(base64_names_what)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    char *out;
    apr_size_t len;

    ck_assert_int_eq(wcs_str_base64_decode(&out, &len, &res, "the thing",
                                           "aGVs*bG8=", 9, 16, wcs_test_pool),
                     WCS_EREFUSED);
    ck_assert_str_eq(res.reason,
                     "the thing is not valid base64 (byte 0x2a at offset 4)");
    ck_assert_int_eq(wcs_str_base64_decode(&out, &len, &res, "SAMLResponse",
                                           "aGVsbG8", 7, 16, wcs_test_pool),
                     WCS_EREFUSED);
    ck_assert_str_eq(res.reason, "SAMLResponse is not valid base64 (length 7"
                     " is not padded to 4)");
}
END_TEST

START_TEST(hexval_and_case)
{
    ck_assert_int_eq(wcs_str_hexval('0'), 0);
    ck_assert_int_eq(wcs_str_hexval('9'), 9);
    ck_assert_int_eq(wcs_str_hexval('a'), 10);
    ck_assert_int_eq(wcs_str_hexval('F'), 15);
    ck_assert_int_eq(wcs_str_hexval('g'), -1);
    ck_assert_int_eq(wcs_str_hexval('G'), -1);
    ck_assert_int_eq(wcs_str_hexval('/'), -1);
    ck_assert_int_eq(wcs_str_hexval(':'), -1);
    ck_assert_int_eq(wcs_str_hexval('\0'), -1);
    ck_assert_int_eq(wcs_str_hexval((char)0xe0), -1);
    ck_assert_str_eq(wcs_str_lower("Alice@Example.TEST", wcs_test_pool),
                     "alice@example.test");
    ck_assert_str_eq(wcs_str_upper("ab:0f:Cd", wcs_test_pool), "AB:0F:CD");
    ck_assert_str_eq(wcs_str_lower("", wcs_test_pool), "");
}
END_TEST

Suite *wcs_suite_str(void)
{
    Suite *s = suite_create("str");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, base64_strict);
    tcase_add_test(tc, base64_edges);
    tcase_add_test(tc, base64_max);
    tcase_add_test(tc, base64_names_what);
    tcase_add_test(tc, str_trim);
    tcase_add_test(tc, hexval_and_case);
    suite_add_tcase(s, tc);
    return s;
}
