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
    /* RFC 3986 5.2.4 dot segments */
    ck_assert(wcs_url_equal("https://h/saml/../saml/acs", "https://h/saml/acs",
                            p));
    ck_assert(wcs_url_equal("https://h/a/./b", "https://h/a/b", p));
    ck_assert(wcs_url_equal("https://h/..", "https://h/", p));
    ck_assert(!wcs_url_equal("https://h/a/../b", "https://h/a/b", p));
    ck_assert(!wcs_url_equal("https://h/a", "https://h/b", p));
    ck_assert(!wcs_url_equal("https://h:8443/a", "https://h/a", p));
    ck_assert(!wcs_url_equal("http://h/a", "https://h/a", p));
    ck_assert(!wcs_url_equal("ftp://h/a", "ftp://h/a", p));
    ck_assert(!wcs_url_equal("/saml/acs", "/saml/acs", p));
    /* Found by fuzz_url: a stray '%' is not a URL, and "%4%41" must not
     * turn into an escape ("%4A") that a second pass reads as "J". */
    {
        const char *norm;

        ck_assert_int_eq(wcs_url_normalise(&norm, "https://h/x%4%41", p),
                         APR_EINVAL);
        ck_assert_int_eq(wcs_url_normalise(&norm, "https://h/100%", p),
                         APR_EINVAL);
        ck_assert_int_eq(wcs_url_normalise(&norm, "https://h/?q=%zz", p),
                         APR_EINVAL);
        ck_assert_int_eq(wcs_url_normalise(&norm, "https://h/#%", p),
                         APR_EINVAL);
        ck_assert(!wcs_url_equal("https://h/J", "https://h/%4%41", p));
        /* Found by fuzz_url: a host that is neither a name nor an IPv6
         * literal, written back, no longer parsed. */
        ck_assert_int_eq(wcs_url_normalise(&norm, "https://[[[x]/a", p),
                         APR_EINVAL);
        ck_assert_int_eq(wcs_url_normalise(&norm, "https://h%41/a", p),
                         APR_EINVAL);
        ck_assert_int_eq(wcs_url_normalise(&norm, "https://a b/", p),
                         APR_EINVAL);
        ck_assert_int_eq(wcs_url_normalise(&norm, "https://[::1]/a", p),
                         APR_SUCCESS);
        ck_assert_str_eq(norm, "https://[::1]/a");
        ck_assert_int_eq(wcs_url_normalise(&norm, "https://xn--bcher-kva.ch"
                                           "/a", p), APR_SUCCESS);
        ck_assert(wcs_url_equal("https://h/%4a", "https://h/J", p));
    }
}
END_TEST

START_TEST(time_leap_days_and_offsets)
{
    apr_time_t a, b;
    apr_pool_t *p = wcs_test_pool;

    ck_assert_int_eq(wcs_time_parse(&a, "2028-02-29T12:00:00Z"), APR_SUCCESS);
    ck_assert_str_eq(wcs_time_format(a, p), "2028-02-29T12:00:00Z");
    ck_assert_int_eq(wcs_time_parse(&a, "2000-02-29T00:00:00Z"), APR_SUCCESS);
    ck_assert_int_eq(wcs_time_parse(&a, "2027-02-29T00:00:00Z"), APR_EINVAL);
    ck_assert_int_eq(wcs_time_parse(&a, "2100-02-29T00:00:00Z"), APR_EINVAL);
    /* Negative offsets are behind UTC: 03:30-05:00 is 08:30Z. */
    ck_assert_int_eq(wcs_time_parse(&a, "2026-11-25T03:30:00-05:00"),
                     APR_SUCCESS);
    ck_assert_str_eq(wcs_time_format(a, p), "2026-11-25T08:30:00Z");
    ck_assert_int_eq(wcs_time_parse(&b, "2026-11-25T08:00:00-00:30"),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_time_sec(b), apr_time_sec(a));
    /* Across midnight and the year. */
    ck_assert_int_eq(wcs_time_parse(&a, "2026-12-31T23:30:00-01:00"),
                     APR_SUCCESS);
    ck_assert_str_eq(wcs_time_format(a, p), "2027-01-01T00:30:00Z");
    /* No zone is UTC, as SAML writes it. */
    ck_assert_int_eq(wcs_time_parse(&b, "2027-01-01T00:30:00"), APR_SUCCESS);
    ck_assert_int_eq(b, a);
    ck_assert_int_eq(wcs_time_parse(&a, "2026-11-25T08:30:00+15:00"),
                     APR_EINVAL);
    ck_assert_int_eq(wcs_time_parse(&a, "2026-11-25T08:30:00+0100"),
                     APR_EINVAL);
    ck_assert_int_eq(wcs_time_parse(&a, NULL), APR_EINVAL);
}
END_TEST

START_TEST(url_ports_ipv6_query)
{
    apr_pool_t *p = wcs_test_pool;
    const char *n;

    ck_assert(wcs_url_equal("http://h:80/acs", "http://h/acs", p));
    ck_assert(wcs_url_equal("https://h:443", "https://h/", p));
    ck_assert(!wcs_url_equal("http://h:443/", "http://h/", p));
    ck_assert(!wcs_url_equal("https://h:80/", "https://h/", p));
    ck_assert(wcs_url_equal("https://[::1]:443/acs", "https://[::1]/acs", p));
    ck_assert(wcs_url_equal("http://[2001:DB8::1]", "http://[2001:db8::1]/",
                            p));
    ck_assert(!wcs_url_equal("https://[::1]/acs", "https://[::2]/acs", p));
    ck_assert(wcs_url_equal("https://h/a?x=%7e1", "https://h/a?x=~1", p));
    ck_assert(!wcs_url_equal("https://h/a?x=1", "https://h/a?x=2", p));
    ck_assert(!wcs_url_equal("https://h/a?x=1", "https://h/a", p));
    ck_assert(!wcs_url_equal("https://h/a%2fb", "https://h/a/b", p));

    ck_assert_int_eq(wcs_url_normalise(&n, "HTTPS://SP.Example.Test:443", p),
                     APR_SUCCESS);
    ck_assert_str_eq(n, "https://sp.example.test/");
    ck_assert_int_eq(wcs_url_normalise(&n, "https://[::1]:8443/a?b=%2f", p),
                     APR_SUCCESS);
    ck_assert_str_eq(n, "https://[::1]:8443/a?b=%2F");
    ck_assert_int_eq(wcs_url_normalise(&n, "https:///acs", p), APR_EINVAL);
    ck_assert_int_eq(wcs_url_normalise(&n, "mailto:a@b.test", p), APR_EINVAL);
    ck_assert_int_eq(wcs_url_normalise(&n, NULL, p), APR_EINVAL);
}
END_TEST

/* Each comparison at its boundary: equal, and one microsecond either
 * side, with a skew and without. */
START_TEST(time_not_yet_boundaries)
{
    apr_time_t now = apr_time_from_sec(1800000000);
    apr_interval_time_t skew = apr_time_from_sec(60);

    ck_assert(!wcs_time_not_yet(now, now + skew, skew));
    ck_assert(wcs_time_not_yet(now, now + skew + 1, skew));
    ck_assert(!wcs_time_not_yet(now, now + skew - 1, skew));
    ck_assert(!wcs_time_not_yet(now, now, 0));
    ck_assert(wcs_time_not_yet(now, now + 1, 0));
    ck_assert(!wcs_time_not_yet(now, 0, skew));
}
END_TEST

START_TEST(time_expired_boundaries)
{
    apr_time_t now = apr_time_from_sec(1800000000);
    apr_interval_time_t skew = apr_time_from_sec(60);

    ck_assert(wcs_time_expired(now, now - skew, skew));
    ck_assert(wcs_time_expired(now, now - skew - 1, skew));
    ck_assert(!wcs_time_expired(now, now - skew + 1, skew));
    ck_assert(wcs_time_expired(now, now, 0));
    ck_assert(!wcs_time_expired(now, now + 1, 0));
    ck_assert(wcs_time_expired(now, 0, skew));
}
END_TEST

START_TEST(time_too_old_boundaries)
{
    apr_time_t now = apr_time_from_sec(1800000000);
    apr_interval_time_t skew = apr_time_from_sec(60);
    apr_interval_time_t age = apr_time_from_sec(300);

    ck_assert(!wcs_time_too_old(now, now - age - skew, age, skew));
    ck_assert(wcs_time_too_old(now, now - age - skew - 1, age, skew));
    ck_assert(!wcs_time_too_old(now, now - age - skew + 1, age, skew));
    ck_assert(!wcs_time_too_old(now, now - age, age, 0));
    ck_assert(wcs_time_too_old(now, now - age - 1, age, 0));
    /* Young or from the future is not "too old" (not_yet says that). */
    ck_assert(!wcs_time_too_old(now, now + apr_time_from_sec(3600), age,
                                skew));
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
    tcase_add_test(tc, time_leap_days_and_offsets);
    tcase_add_test(tc, url_ports_ipv6_query);
    tcase_add_test(tc, time_not_yet_boundaries);
    tcase_add_test(tc, time_expired_boundaries);
    tcase_add_test(tc, time_too_old_boundaries);
    suite_add_tcase(s, tc);
    return s;
}
