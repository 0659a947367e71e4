/* wcs_str: strict base64, trimming, hex and case helpers, and the
 * bounded token parsers. */
#include <string.h>

#include <apr_base64.h>

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

/* Every length and every byte value, encoded by APR and wrapped as IdPs
 * wrap it (CRLF every 76 characters, or not at all), decodes to what was
 * encoded, length and all. */
START_TEST(base64_round_trip)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    unsigned char bin[300];
    char enc[420], wrapped[440], *out;
    apr_size_t len, i, j, k;
    int enc_len, wrap;

    for (i = 0; i < sizeof(bin); i++) {
        bin[i] = (unsigned char)(i * 97 + 13);
    }
    for (len = 1; len <= sizeof(bin); len++) {
        enc_len = apr_base64_encode_binary(enc, bin, (int)len) - 1;
        for (wrap = 0; wrap < 2; wrap++) {
            for (j = 0, k = 0; j < (apr_size_t)enc_len; j++) {
                if (wrap && j && j % 76 == 0) {
                    wrapped[k++] = '\r';
                    wrapped[k++] = '\n';
                }
                wrapped[k++] = enc[j];
            }
            ck_assert_int_eq(wcs_str_base64_decode(&out, &k, &res, "bytes",
                                                   wrapped, k, sizeof(bin),
                                                   wcs_test_pool),
                             APR_SUCCESS);
            ck_assert_uint_eq(k, len);
            ck_assert(memcmp(out, bin, len) == 0);
            ck_assert_int_eq(out[len], '\0');
        }
    }
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

/* Parse s with wcs_str_number; *rest is where the cursor was left. */
static apr_status_t number(const char *s, apr_uint64_t *n, apr_uint64_t max,
                           const char **rest)
{
    *rest = s;
    return wcs_str_number(rest, n, max);
}

START_TEST(number_reads_digits)
{
    apr_uint64_t n = 4711;
    const char *rest;

    ck_assert_int_eq(number("1234567", &n, 9999999, &rest), APR_SUCCESS);
    ck_assert(n == 1234567);
    ck_assert_str_eq(rest, "");
    ck_assert_int_eq(number("0", &n, 10, &rest), APR_SUCCESS);
    ck_assert(n == 0);
    ck_assert_int_eq(number("007-x", &n, 10, &rest), APR_SUCCESS);
    ck_assert(n == 7);
    ck_assert_str_eq(rest, "-x");
    /* At max exactly, and one over. */
    ck_assert_int_eq(number("100", &n, 100, &rest), APR_SUCCESS);
    ck_assert(n == 100);
    n = 4711;
    ck_assert_int_eq(number("101", &n, 100, &rest), APR_EINVAL);
    ck_assert(n == 4711);
    ck_assert_int_eq(number("5", &n, 4, &rest), APR_EINVAL);
    ck_assert_int_eq(number("0", &n, 0, &rest), APR_SUCCESS);
    ck_assert_int_eq(number("1", &n, 0, &rest), APR_EINVAL);
}
END_TEST

START_TEST(number_refuses)
{
    apr_uint64_t n = 4711;
    const char *rest, *s;

    /* Empty, a sign, white space, a non-digit: nothing is read. */
    ck_assert_int_eq(number("", &n, 100, &rest), APR_EINVAL);
    ck_assert_int_eq(number("-1", &n, 100, &rest), APR_EINVAL);
    ck_assert_int_eq(number("+1", &n, 100, &rest), APR_EINVAL);
    ck_assert_int_eq(number(" 1", &n, 100, &rest), APR_EINVAL);
    ck_assert_int_eq(number("x1", &n, 100, &rest), APR_EINVAL);
    s = "abc";
    rest = s;
    ck_assert_int_eq(wcs_str_number(&rest, &n, 100), APR_EINVAL);
    ck_assert_ptr_eq(rest, s);
    ck_assert(n == 4711);
    /* The largest 64-bit value, and one past it: refused, never wrapped. */
    ck_assert_int_eq(number("18446744073709551615", &n, APR_UINT64_MAX,
                            &rest), APR_SUCCESS);
    ck_assert(n == APR_UINT64_MAX);
    n = 4711;
    ck_assert_int_eq(number("18446744073709551616", &n, APR_UINT64_MAX,
                            &rest), APR_EINVAL);
    ck_assert_int_eq(number("99999999999999999999999", &n, APR_UINT64_MAX,
                            &rest), APR_EINVAL);
    ck_assert(n == 4711);
}
END_TEST

START_TEST(hex_reads_a_run)
{
    const char *s, *rest, *out = NULL;

    s = "ab177c1f4e";
    rest = s;
    ck_assert_int_eq(wcs_str_hex(&rest, &out, 1, 10, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_str_eq(out, "ab177c1f4e");
    ck_assert_ptr_eq(rest, s + 10);
    /* The run ends at the first non-hex byte; case is kept. */
    s = "DEADbeefg";
    rest = s;
    ck_assert_int_eq(wcs_str_hex(&rest, &out, 1, 64, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_str_eq(out, "DEADbeef");
    ck_assert_str_eq(rest, "g");
    /* min 0 still wants one digit. */
    s = "f";
    rest = s;
    ck_assert_int_eq(wcs_str_hex(&rest, &out, 0, 1, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_str_eq(out, "f");
}
END_TEST

START_TEST(hex_refuses)
{
    const char *s, *rest, *out = "untouched";

    /* Empty, a non-hex byte first, too short, one over max (refused, not
     * cut): the cursor and *out stay as they were. */
    s = "";
    rest = s;
    ck_assert_int_eq(wcs_str_hex(&rest, &out, 1, 8, wcs_test_pool),
                     APR_EINVAL);
    s = "xab";
    rest = s;
    ck_assert_int_eq(wcs_str_hex(&rest, &out, 1, 8, wcs_test_pool),
                     APR_EINVAL);
    ck_assert_ptr_eq(rest, s);
    s = "abc";
    rest = s;
    ck_assert_int_eq(wcs_str_hex(&rest, &out, 4, 8, wcs_test_pool),
                     APR_EINVAL);
    ck_assert_ptr_eq(rest, s);
    s = "0123456789";
    rest = s;
    ck_assert_int_eq(wcs_str_hex(&rest, &out, 1, 9, wcs_test_pool),
                     APR_EINVAL);
    ck_assert_ptr_eq(rest, s);
    ck_assert_str_eq(out, "untouched");
    ck_assert_int_eq(wcs_str_hex(&rest, &out, 1, 10, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_str_eq(out, "0123456789");
}
END_TEST

START_TEST(single_and_end)
{
    const char *s = "-x", *rest = s;

    ck_assert_int_eq(wcs_str_single(&rest, 'x'), APR_EINVAL);
    ck_assert_ptr_eq(rest, s);
    ck_assert_int_eq(wcs_str_end(&rest), APR_EINVAL);
    ck_assert_int_eq(wcs_str_single(&rest, '-'), APR_SUCCESS);
    ck_assert_ptr_eq(rest, s + 1);
    ck_assert_int_eq(wcs_str_single(&rest, 'x'), APR_SUCCESS);
    ck_assert_int_eq(wcs_str_end(&rest), APR_SUCCESS);
    ck_assert_ptr_eq(rest, s + 2);
    /* The terminating NUL is not a byte to step over. */
    ck_assert_int_eq(wcs_str_single(&rest, '\0'), APR_EINVAL);
    ck_assert_ptr_eq(rest, s + 2);
}
END_TEST

/* The shape RelayState will take: a number, then '-' and a hex key, or
 * nothing; a chain stops at the first step that fails. */
static apr_status_t id_key(const char *s, apr_uint64_t *id, const char **key)
{
    *key = NULL;
    if (wcs_str_number(&s, id, 9999999)) {
        return APR_EINVAL;
    }
    if (wcs_str_end(&s) == APR_SUCCESS) {
        return APR_SUCCESS;
    }
    if (wcs_str_single(&s, '-') || wcs_str_hex(&s, key, 1, 16, wcs_test_pool)
        || wcs_str_end(&s)) {
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}

START_TEST(parsers_chain)
{
    apr_uint64_t id = 0;
    const char *key;

    ck_assert_int_eq(id_key("1234567-ab177c1f4e", &id, &key), APR_SUCCESS);
    ck_assert(id == 1234567);
    ck_assert_str_eq(key, "ab177c1f4e");
    ck_assert_int_eq(id_key("1234567", &id, &key), APR_SUCCESS);
    ck_assert_ptr_null(key);
    ck_assert_int_eq(id_key("1234567-", &id, &key), APR_EINVAL);
    ck_assert_int_eq(id_key("1234567-ab177c1f4ez", &id, &key), APR_EINVAL);
    ck_assert_int_eq(id_key("1234567-ab1 ", &id, &key), APR_EINVAL);
    ck_assert_int_eq(id_key("1234567--ab", &id, &key), APR_EINVAL);
    ck_assert_int_eq(id_key("1234567_ab", &id, &key), APR_EINVAL);
    ck_assert_int_eq(id_key("12345678-ab", &id, &key), APR_EINVAL);
    ck_assert_int_eq(id_key("-ab", &id, &key), APR_EINVAL);
    ck_assert_int_eq(id_key("", &id, &key), APR_EINVAL);
    ck_assert_int_eq(id_key("1-0123456789abcdef0", &id, &key), APR_EINVAL);
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
    tcase_add_test(tc, base64_round_trip);
    tcase_add_test(tc, str_trim);
    tcase_add_test(tc, hexval_and_case);
    tcase_add_test(tc, number_reads_digits);
    tcase_add_test(tc, number_refuses);
    tcase_add_test(tc, hex_reads_a_run);
    tcase_add_test(tc, hex_refuses);
    tcase_add_test(tc, single_and_end);
    tcase_add_test(tc, parsers_chain);
    suite_add_tcase(s, tc);
    return s;
}
