#include <string.h>

#include "check_wcs.h"
#include "wcs_result.h"

static const struct {
    wcs_code_t code;
    const char *str;
    int http;                    /* 0: any 4xx (not pinned by the header) */
} codes[] = {
    { WCS_CODE_GENERAL, "0a", 400 },
    { WCS_CODE_NO_EVENT, "1a", 400 },
    { WCS_CODE_NO_RESPONSE, "1b", 400 },
    { WCS_CODE_MISCONFIG, "1c", 403 },
    { WCS_CODE_SIGNATURE, "2a", 403 },
    { WCS_CODE_NO_EMAIL, "2b", 403 },
    { WCS_CODE_EVENT_NOT_NUMBER, "3a", 400 },
    { WCS_CODE_EVENT_UNKNOWN, "3b", 0 },
    { WCS_CODE_EVENT_DENIED, "3c", 403 },
    { WCS_CODE_EXPIRED, "4a", 403 },
    { WCS_CODE_NOT_YET_VALID, "4b", 403 },
    { WCS_CODE_AUDIENCE, "4c", 403 },
    { WCS_CODE_DESTINATION, "4d", 403 },
    { WCS_CODE_RECIPIENT, "4e", 403 },
    { WCS_CODE_REPLAY, "4f", 403 },
    { WCS_CODE_ENCRYPTED, "4g", 403 },
    { WCS_CODE_PROFILE, "4h", 403 },
    { WCS_CODE_STORE, "4i", 503 },
    { WCS_CODE_IN_RESPONSE_TO, "4j", 403 },
    { WCS_CODE_EMAIL_DOMAIN, "4k", 403 },
    { WCS_CODE_REPLAY_FULL, "4l", 503 },
};

#define NCODES ((int)(sizeof(codes) / sizeof(codes[0])))

START_TEST(result_code_strings)
{
    int i, j;

    /* 0a-3c never change; 4x are this module's. */
    for (i = 0; i < NCODES; i++) {
        ck_assert_str_eq(wcs_code_str(codes[i].code), codes[i].str);
    }
    /* Every code (also ones added later) has its own string and text. */
    for (i = WCS_CODE_GENERAL; i < WCS_CODE_COUNT; i++) {
        const char *s = wcs_code_str((wcs_code_t)i);

        ck_assert_msg(strlen(s) == 2 && s[0] >= '0' && s[0] <= '9'
                      && s[1] >= 'a' && s[1] <= 'z', "code %d is \"%s\"",
                      i, s);
        ck_assert_msg(strlen(wcs_code_text((wcs_code_t)i)) > 10,
                      "code %s has no text", s);
        for (j = WCS_CODE_GENERAL; j < i; j++) {
            ck_assert_str_ne(s, wcs_code_str((wcs_code_t)j));
            ck_assert_str_ne(wcs_code_text((wcs_code_t)i),
                             wcs_code_text((wcs_code_t)j));
        }
    }
}
END_TEST

START_TEST(result_http_status)
{
    int i, status;

    for (i = 0; i < NCODES; i++) {
        status = wcs_code_http_status(codes[i].code);
        if (codes[i].http) {
            ck_assert_msg(status == codes[i].http, "%s: %d, not %d",
                          codes[i].str, status, codes[i].http);
        }
        /* Only a backend outage or a full replay cache is the server's
         * fault. */
        if (codes[i].code == WCS_CODE_STORE
            || codes[i].code == WCS_CODE_REPLAY_FULL) {
            ck_assert_int_eq(status / 100, 5);
        }
        else {
            ck_assert_msg(status / 100 == 4, "%s: %d", codes[i].str, status);
        }
    }
}
END_TEST

START_TEST(result_unknown_is_general)
{
    ck_assert_str_eq(wcs_code_str(WCS_CODE_COUNT), "0a");
    ck_assert_str_eq(wcs_code_str((wcs_code_t)999), "0a");
    ck_assert_str_eq(wcs_code_str((wcs_code_t)-1), "0a");
    ck_assert_int_eq(wcs_code_http_status((wcs_code_t)999), 400);
    ck_assert_str_eq(wcs_code_text((wcs_code_t)999),
                     wcs_code_text(WCS_CODE_GENERAL));
}
END_TEST

START_TEST(result_refuse_fills_result)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };

    ck_assert_int_eq(wcs_refuse(&res, wcs_test_pool, WCS_CODE_AUDIENCE,
                                "audience %s, %d", "x", 42), WCS_EREFUSED);
    ck_assert_int_eq(res.code, WCS_CODE_AUDIENCE);
    ck_assert_str_eq(res.reason, "audience x, 42");
    ck_assert_int_ne(WCS_EREFUSED, APR_SUCCESS);
    ck_assert_int_ne(WCS_EREFUSED, APR_NOTFOUND);
}
END_TEST

Suite *wcs_suite_result(void)
{
    Suite *s = suite_create("result");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, result_code_strings);
    tcase_add_test(tc, result_http_status);
    tcase_add_test(tc, result_unknown_is_general);
    tcase_add_test(tc, result_refuse_fills_result);
    suite_add_tcase(s, tc);
    return s;
}
