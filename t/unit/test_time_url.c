#include <string.h>

#include "check_wcs.h"
#include "wcs_time.h"
#include "wcs_url.h"

START_TEST(time_parses_utc)
{
    apr_time_t t;

    ck_assert_int_eq(wcs_time_parse(&t, "2026-11-25T08:30:00Z"), APR_SUCCESS);
    ck_assert_str_eq(wcs_time_format(t, wcs_test_pool), "2026-11-25T08:30:00Z");
}
END_TEST

START_TEST(time_parses_fraction_and_offset)
{
    apr_time_t a, b;

    ck_assert_int_eq(wcs_time_parse(&a, "2026-11-25T08:30:00.123456789Z"),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_time_usec(a), 123456);
    ck_assert_int_eq(wcs_time_parse(&b, "2026-11-25T09:30:00+01:00"),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_time_sec(b), apr_time_sec(a));
}
END_TEST

START_TEST(time_refuses_junk)
{
    static const char *const bad[] = {
        "", "2026-11-25", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-25T24:00:00Z", "2026-11-25T08:30:00ZZ", "2026-11-25 08:30:00Z",
        "2026-11-25T08:30:00.Z", "x026-11-25T08:30:00Z", NULL
    };
    apr_time_t t;
    int i;

    for (i = 0; bad[i]; i++) {
        ck_assert_msg(wcs_time_parse(&t, bad[i]) == APR_EINVAL, "%s", bad[i]);
    }
}
END_TEST

START_TEST(url_equal_normalises)
{
    apr_pool_t *p = wcs_test_pool;

    ck_assert(wcs_url_equal("https://Host.Example/", "https://host.example", p));
    ck_assert(wcs_url_equal("https://host:443/a", "HTTPS://host/a", p));
    ck_assert(wcs_url_equal("http://h/%7euser", "http://h/~user", p));
    ck_assert(!wcs_url_equal("https://h/a", "https://h/b", p));
    ck_assert(!wcs_url_equal("https://h:8443/a", "https://h/a", p));
    ck_assert(!wcs_url_equal("http://h/a", "https://h/a", p));
    ck_assert(!wcs_url_equal("ftp://h/a", "ftp://h/a", p));
    ck_assert(!wcs_url_equal("/saml/acs", "/saml/acs", p));
}
END_TEST

Suite *wcs_suite_time_url(void)
{
    Suite *s = suite_create("time_url");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, time_parses_utc);
    tcase_add_test(tc, time_parses_fraction_and_offset);
    tcase_add_test(tc, time_refuses_junk);
    tcase_add_test(tc, url_equal_normalises);
    suite_add_tcase(s, tc);
    return s;
}
