#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "check_wcs.h"
#include "wcs_store.h"

/* Is key prefix ":" and 64 lower-case hex digits? */
static int key_shaped(const char *key, const char *prefix)
{
    apr_size_t n = strlen(prefix);
    int i;

    if (strncmp(key, prefix, n) || key[n] != ':' || strlen(key) != n + 65) {
        return 0;
    }
    for (i = 0; i < 64; i++) {
        char c = key[n + 1 + i];

        if (!apr_isxdigit(c) || apr_isupper(c)) {
            return 0;
        }
    }
    return 1;
}

START_TEST(store_key_format)
{
    apr_pool_t *p = wcs_test_pool;
    const char *k, *id;
    char *long_part;

    k = wcs_store_key("wcs-replay", "abc", NULL, p);
    ck_assert_str_eq(k, "wcs-replay:ba7816bf8f01cfea414140de5dae2223b0036"
                     "1a396177a9cb410ff61f20015ad");
    ck_assert_str_eq(wcs_store_key("k", "ab", "c", p),
                     "k:0acdf9a2665198da784232d827b01ae3d24af5db060d723950"
                     "cfcd47cd82ac07");
    ck_assert(key_shaped(wcs_store_key("wcs-session", "x", NULL, p),
                         "wcs-session"));
    /* Stable, and different for every part. */
    ck_assert_str_eq(wcs_store_key("k", "a", "b", p),
                     wcs_store_key("k", "a", "b", p));
    ck_assert_str_ne(wcs_store_key("k", "a", "b", p),
                     wcs_store_key("k", "a", "c", p));
    ck_assert_str_ne(wcs_store_key("k", "a", "b", p),
                     wcs_store_key("k", "x", "b", p));
    ck_assert_str_ne(wcs_store_key("k", "a", "b", p),
                     wcs_store_key("j", "a", "b", p));
    ck_assert_str_ne(wcs_store_key("k", "ab", NULL, p),
                     wcs_store_key("k", "a", "b", p));
    ck_assert_str_ne(wcs_store_key("k", "a", NULL, p),
                     wcs_store_key("k", "a", "", p));
    /* Whatever the parts, the key fits every provider and hides them. */
    long_part = apr_palloc(p, 4097);
    memset(long_part, 'z', 4096);
    long_part[4096] = '\0';
    id = "_assertion-id-0123456789";
    k = wcs_store_key("wcs-replay", long_part, id, p);
    ck_assert(key_shaped(k, "wcs-replay"));
    ck_assert_int_le(strlen(k), WCS_STORE_KEY_MAX);
    ck_assert_ptr_null(strstr(k, id));
}
END_TEST

START_TEST(replay_marks_and_refuses)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    apr_time_t now = apr_time_from_sec(1800000000);
    apr_time_t exp = now + apr_time_from_sec(300);
    wcs_test_entry_t *e;

    st->now = now;
    ck_assert_int_eq(wcs_replay_check_and_mark(&res, store, WCS_TEST_IDP,
                                               "_a1", exp, now, p),
                     APR_SUCCESS);
    ck_assert_int_eq(wcs_test_store_count(store), 1);
    e = apr_hash_get(st->entries, wcs_store_key("wcs-replay", WCS_TEST_IDP,
                                                "_a1", p),
                     APR_HASH_KEY_STRING);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->expiry, exp);

    wcs_assert_refused(wcs_replay_check_and_mark(&res, store, WCS_TEST_IDP,
                                                 "_a1", exp, now, p),
                       res, WCS_CODE_REPLAY, "_a1");
    ck_assert_int_eq(wcs_test_store_count(store), 1);
    /* The same ID from another IdP is another assertion. */
    ck_assert_int_eq(wcs_replay_check_and_mark(&res, store, WCS_TEST_EC,
                                               "_a1", exp, now, p),
                     APR_SUCCESS);
    ck_assert_int_eq(wcs_test_store_count(store), 2);
    /* Once the assertion is dead it may be forgotten. */
    st->now = exp;
    ck_assert_int_eq(wcs_test_store_count(store), 0);
}
END_TEST

START_TEST(replay_minimum_lifetime)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    apr_time_t now = apr_time_from_sec(1800000000);
    wcs_test_entry_t *e;

    /* An assertion that expires now is still remembered a little while
     * (the store asserts that nothing already dead is stored). */
    st->now = now;
    ck_assert_int_eq(wcs_replay_check_and_mark(&res, store, WCS_TEST_IDP,
                                               "_a2", now - 10, now, p),
                     APR_SUCCESS);
    e = apr_hash_get(st->entries, wcs_store_key("wcs-replay", WCS_TEST_IDP,
                                                "_a2", p),
                     APR_HASH_KEY_STRING);
    ck_assert_ptr_nonnull(e);
    ck_assert(e->expiry >= now + apr_time_from_sec(1));
    wcs_assert_refused(wcs_replay_check_and_mark(&res, store, WCS_TEST_IDP,
                                                 "_a2", now - 10, now, p),
                       res, WCS_CODE_REPLAY, "replay");
}
END_TEST

START_TEST(replay_fails_closed)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    apr_time_t now = apr_time_now();

    st->get_rv = APR_EGENERAL;
    wcs_assert_refused(wcs_replay_check_and_mark(&res, store, WCS_TEST_IDP,
                                                 "_a3", now + 1000000, now,
                                                 p),
                       res, WCS_CODE_STORE, "lookup");
    ck_assert_int_eq(st->puts, 0);
    st->get_rv = APR_SUCCESS;
    st->put_rv = APR_EGENERAL;
    wcs_assert_refused(wcs_replay_check_and_mark(&res, store, WCS_TEST_IDP,
                                                 "_a3", now + 1000000, now,
                                                 p),
                       res, WCS_CODE_STORE, "store");
    ck_assert_int_eq(wcs_test_store_count(store), 0);
    /* The backend is back: so is service. */
    st->put_rv = APR_SUCCESS;
    ck_assert_int_eq(wcs_replay_check_and_mark(&res, store, WCS_TEST_IDP,
                                               "_a3", now + 1000000, now, p),
                     APR_SUCCESS);
}
END_TEST

Suite *wcs_suite_store(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, store_key_format);
    tcase_add_test(tc, replay_marks_and_refuses);
    tcase_add_test(tc, replay_minimum_lifetime);
    tcase_add_test(tc, replay_fails_closed);
    suite_add_tcase(s, tc);
    return s;
}
