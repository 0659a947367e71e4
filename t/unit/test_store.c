#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "check_wcs.h"
#include "wcs_store.h"

static int key_eq(const wcs_store_key_t *a, const wcs_store_key_t *b)
{
    return !memcmp(a->id, b->id, WCS_STORE_KEY_LEN);
}

START_TEST(store_key_format)
{
    apr_pool_t *p = wcs_test_pool;
    /* SHA-256 of "wcs-replay\0abc": the kind with its NUL, then part1. */
    static const unsigned char want[WCS_STORE_KEY_LEN] = {
        0xcb, 0x4d, 0x74, 0x14, 0xf0, 0x75, 0x9b, 0x59, 0xb5, 0x97, 0xa8,
        0xb0, 0xd7, 0x9c, 0xd6, 0x16, 0x12, 0x42, 0x2a, 0xe3, 0x22, 0x65,
        0xc9, 0x6a, 0x34, 0xd8, 0x44, 0x5c, 0x59, 0x0d, 0x0e, 0x61
    };
    const wcs_store_key_t *k = wcs_test_key("wcs-replay", "abc", NULL, p);

    ck_assert_mem_eq(k->id, want, WCS_STORE_KEY_LEN);
    /* Stable, and different for every part and kind. */
    ck_assert(key_eq(k, wcs_test_key("wcs-replay", "abc", NULL, p)));
    ck_assert(!key_eq(wcs_test_key("k", "a", "b", p),
                      wcs_test_key("k", "a", "c", p)));
    ck_assert(!key_eq(wcs_test_key("k", "a", "b", p),
                      wcs_test_key("k", "x", "b", p)));
    ck_assert(!key_eq(wcs_test_key("k", "a", "b", p),
                      wcs_test_key("j", "a", "b", p)));
    ck_assert(!key_eq(wcs_test_key("k", "ab", NULL, p),
                      wcs_test_key("k", "a", "b", p)));
    ck_assert(!key_eq(wcs_test_key("k", "a", NULL, p),
                      wcs_test_key("k", "a", "", p)));
    ck_assert(!key_eq(wcs_test_key("ka", "b", NULL, p),
                      wcs_test_key("k", "ab", NULL, p)));
}
END_TEST

/* shmcb chooses its subcache by the first byte of the id: keys of one
 * kind must spread over that byte, or every entry lands in one subcache
 * that wraps after a few dozen and drops replay entries early. */
START_TEST(store_key_first_byte_spreads)
{
    apr_pool_t *p = wcs_test_pool;
    int seen[256] = { 0 }, distinct = 0, i;

    for (i = 0; i < 1024; i++) {
        const wcs_store_key_t *k = wcs_test_key(
            "wcs-replay", WCS_TEST_IDP, apr_psprintf(p, "_a%d", i), p);

        if (!seen[k->id[0]]++) {
            distinct++;
        }
    }
    ck_assert_int_ge(distinct, 200);
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
    e = apr_hash_get(st->entries, wcs_test_key("wcs-replay", WCS_TEST_IDP,
                                               "_a1", p)->id,
                     WCS_STORE_KEY_LEN);
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
    e = apr_hash_get(st->entries, wcs_test_key("wcs-replay", WCS_TEST_IDP,
                                               "_a2", p)->id,
                     WCS_STORE_KEY_LEN);
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
    tcase_add_test(tc, store_key_first_byte_spreads);
    tcase_add_test(tc, replay_marks_and_refuses);
    tcase_add_test(tc, replay_minimum_lifetime);
    tcase_add_test(tc, replay_fails_closed);
    suite_add_tcase(s, tc);
    return s;
}
