#include <string.h>

#include <apr_strings.h>

#include "check_wcs.h"
#include "wcs_log.h"

/* What the printer below saw; the baton is the level threshold. */
static int printed;
static char last_msg[256];
static wcs_log_level_t last_level;

static void print_cb(void *baton, const char *file, int line,
                     wcs_log_level_t level, const char *msg)
{
    printed++;
    last_level = level;
    apr_cpystrn(last_msg, msg, sizeof(last_msg));
}

static int level_cb(void *baton, wcs_log_level_t level)
{
    return level <= *(wcs_log_level_t *)baton;
}

static void log_teardown(void)
{
    wcs_log_set(NULL, NULL);
    wcs_test_teardown();
}

START_TEST(log_nothing_without_printer)
{
    wcs_log_level_t max = WCS_LOG_TRACE1;
    wcs_logger_t lg = { &max, NULL };

    wcs_log_set(NULL, NULL);
    printed = 0;
    ck_assert(!wcs_log_is_level(&lg, WCS_LOG_ERR));
    wcs_log_printf(&lg, WCS_LOG_MARK, WCS_LOG_ERR, wcs_test_pool, "x");
    ck_assert_int_eq(printed, 0);
    wcs_log_set(print_cb, level_cb);
    ck_assert(!wcs_log_is_level(NULL, WCS_LOG_ERR));
    wcs_log_printf(NULL, WCS_LOG_MARK, WCS_LOG_ERR, wcs_test_pool, "x");
    ck_assert_int_eq(printed, 0);
}
END_TEST

START_TEST(log_level_and_ref)
{
    wcs_log_level_t max = WCS_LOG_NOTICE;
    wcs_logger_t lg = { &max, "R3F" };

    wcs_log_set(print_cb, level_cb);
    printed = 0;
    ck_assert(wcs_log_is_level(&lg, WCS_LOG_WARNING));
    ck_assert(!wcs_log_is_level(&lg, WCS_LOG_DEBUG));
    wcs_log_printf(&lg, WCS_LOG_MARK, WCS_LOG_DEBUG, wcs_test_pool, "quiet");
    ck_assert_int_eq(printed, 0);
    wcs_log_printf(&lg, WCS_LOG_MARK, WCS_LOG_ERR, wcs_test_pool,
                   "issuer %s refused", "x");
    ck_assert_int_eq(printed, 1);
    ck_assert_int_eq(last_level, WCS_LOG_ERR);
    ck_assert_str_eq(last_msg, "[ref R3F] issuer x refused");
    lg.ref = NULL;
    wcs_log_printf(&lg, WCS_LOG_MARK, WCS_LOG_ERR, wcs_test_pool, "plain");
    ck_assert_str_eq(last_msg, "plain");
    /* No level test installed: everything is printed. */
    wcs_log_set(print_cb, NULL);
    ck_assert(wcs_log_is_level(&lg, WCS_LOG_TRACE1));
}
END_TEST

Suite *wcs_suite_log(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, wcs_test_setup, log_teardown);
    tcase_add_test(tc, log_nothing_without_printer);
    tcase_add_test(tc, log_level_and_ref);
    suite_add_tcase(s, tc);
    return s;
}
