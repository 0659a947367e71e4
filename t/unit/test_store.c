#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

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
                       res, WCS_CODE_STORE, "replay cache store failed");
    ck_assert_int_eq(st->puts, 0);
    st->get_rv = APR_SUCCESS;
    st->put_rv = APR_EGENERAL;
    wcs_assert_refused(wcs_replay_check_and_mark(&res, store, WCS_TEST_IDP,
                                                 "_a3", now + 1000000, now,
                                                 p),
                       res, WCS_CODE_STORE, "replay cache store failed");
    ck_assert_int_eq(wcs_test_store_count(store), 0);
    /* The backend is back: so is service. */
    st->put_rv = APR_SUCCESS;
    ck_assert_int_eq(wcs_replay_check_and_mark(&res, store, WCS_TEST_IDP,
                                               "_a3", now + 1000000, now, p),
                     APR_SUCCESS);
}
END_TEST

/* --- two processes, one response ------------------------------------- */

/* A store whose get holds every caller until two have reached it: the
 * window between a lookup and a store, held open.  Its add is one
 * operation under its own mutex, as the glue's is under the global one. */
typedef struct {
    apr_thread_mutex_t *mu;
    apr_thread_cond_t *cv;
    int in_get;
    int marked;
} race_store_t;

static apr_status_t race_get(void *baton, const wcs_store_key_t *key,
                             unsigned char *buf, apr_size_t *len,
                             apr_pool_t *p)
{
    race_store_t *rs = baton;
    int marked;

    /* The lookup is made on arrival; the answer is held back until the
     * other caller has made its own. */
    apr_thread_mutex_lock(rs->mu);
    marked = rs->marked;
    rs->in_get++;
    apr_thread_cond_broadcast(rs->cv);
    while (rs->in_get < 2) {
        apr_thread_cond_wait(rs->cv, rs->mu);
    }
    apr_thread_mutex_unlock(rs->mu);
    if (!marked) {
        return APR_NOTFOUND;
    }
    *len = 1;
    buf[0] = '1';
    return APR_SUCCESS;
}

static apr_status_t race_put(void *baton, const wcs_store_key_t *key,
                             apr_time_t expiry, const unsigned char *value,
                             apr_size_t len, apr_pool_t *p)
{
    race_store_t *rs = baton;

    apr_thread_mutex_lock(rs->mu);
    rs->marked = 1;
    apr_thread_mutex_unlock(rs->mu);
    return APR_SUCCESS;
}

static apr_status_t race_add(void *baton, const wcs_store_key_t *key,
                             apr_time_t expiry, const unsigned char *value,
                             apr_size_t len, apr_pool_t *p)
{
    race_store_t *rs = baton;
    apr_status_t rv = APR_SUCCESS;

    apr_thread_mutex_lock(rs->mu);
    if (rs->marked) {
        rv = APR_EEXIST;
    }
    rs->marked = 1;
    apr_thread_mutex_unlock(rs->mu);
    return rv;
}

typedef struct {
    wcs_store_t *store;
    apr_pool_t *pool;
    wcs_result_t res;
    apr_status_t rv;
} racer_t;

static void *APR_THREAD_FUNC racer(apr_thread_t *t, void *data)
{
    racer_t *r = data;
    apr_time_t now = apr_time_now();

    r->rv = wcs_replay_check_and_mark(&r->res, r->store, WCS_TEST_IDP,
                                      "_race", now + apr_time_from_sec(300),
                                      now, r->pool);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

START_TEST(replay_race_one_wins)
{
    apr_pool_t *p = wcs_test_pool;
    race_store_t rs = { NULL, NULL, 0, 0 };
    wcs_store_t store = { &rs, race_get, race_put, NULL, race_add };
    racer_t r[2];
    apr_thread_t *t[2];
    apr_status_t trv;
    int i, logins = 0;

    ck_assert_int_eq(apr_thread_mutex_create(&rs.mu, 0, p), APR_SUCCESS);
    ck_assert_int_eq(apr_thread_cond_create(&rs.cv, p), APR_SUCCESS);
    for (i = 0; i < 2; i++) {
        memset(&r[i], 0, sizeof(r[i]));
        r[i].store = &store;
        apr_pool_create(&r[i].pool, p);
    }
    for (i = 0; i < 2; i++) {
        ck_assert_int_eq(apr_thread_create(&t[i], NULL, racer, &r[i], p),
                         APR_SUCCESS);
    }
    for (i = 0; i < 2; i++) {
        apr_thread_join(&trv, t[i]);
        if (r[i].rv == APR_SUCCESS) {
            logins++;
        }
        else {
            wcs_assert_refused(r[i].rv, r[i].res, WCS_CODE_REPLAY, "replay");
        }
    }
    ck_assert_int_eq(logins, 1);
}
END_TEST

START_TEST(replay_full_refused)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    apr_time_t now = apr_time_now();

    st->add_rv = APR_ENOSPC;
    wcs_assert_refused(wcs_replay_check_and_mark(&res, store, WCS_TEST_IDP,
                                                 "_a4", now + 1000000, now,
                                                 p),
                       res, WCS_CODE_REPLAY_FULL, "replay cache is full");
    ck_assert_int_eq(wcs_test_store_count(store), 0);
}
END_TEST

/* --- lifetimes ------------------------------------------------------- */

START_TEST(store_expiry_capped)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    apr_time_t now = apr_time_from_sec(1800000000);
    apr_time_t day = apr_time_from_sec(24 * 3600);
    wcs_test_entry_t *e;

    /* memcached takes a TTL over 30 days for an absolute time. */
    ck_assert(WCS_STORE_TTL_MAX < 30 * day);
    ck_assert(WCS_STORE_TTL_MAX >= 28 * day);
    ck_assert_int_eq(wcs_store_expiry(now + 400 * day, now),
                     now + WCS_STORE_TTL_MAX);
    ck_assert_int_eq(wcs_store_expiry(now + 30 * day, now),
                     now + WCS_STORE_TTL_MAX);
    ck_assert_int_eq(wcs_store_expiry(now + day, now), now + day);
    ck_assert_int_eq(wcs_store_expiry(now, now), now + WCS_STORE_TTL_MIN);
    ck_assert_int_eq(wcs_store_expiry(0, now), now + WCS_STORE_TTL_MIN);
    /* And a replay entry for an assertion valid for a year. */
    st->now = now;
    ck_assert_int_eq(wcs_replay_check_and_mark(&res, store, WCS_TEST_IDP,
                                               "_a5", now + 365 * day, now,
                                               p),
                     APR_SUCCESS);
    e = apr_hash_get(st->entries, wcs_test_key("wcs-replay", WCS_TEST_IDP,
                                               "_a5", p)->id,
                     WCS_STORE_KEY_LEN);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->expiry, now + WCS_STORE_TTL_MAX);
}
END_TEST

/* --- the ledger ------------------------------------------------------- */

#define SEC(n) apr_time_from_sec(n)

START_TEST(ledger_counts_to_capacity)
{
    wcs_replay_ledger_t *l = apr_pcalloc(wcs_test_pool, sizeof(*l));
    apr_time_t now = SEC(1800000000);
    int i;

    for (i = 0; i < 5; i++) {
        ck_assert_int_eq(wcs_replay_ledger_admit(l, 5, now + SEC(300),
                                                 now + SEC(i)),
                         APR_SUCCESS);
    }
    ck_assert_int_eq(wcs_replay_ledger_used(l, now + SEC(5)), 5);
    ck_assert_int_eq(wcs_replay_ledger_admit(l, 5, now + SEC(300),
                                             now + SEC(5)), APR_ENOSPC);
    /* A refusal counts nothing. */
    ck_assert_int_eq(wcs_replay_ledger_used(l, now + SEC(5)), 5);
    /* Once they are all dead there is room again. */
    ck_assert_int_eq(wcs_replay_ledger_used(l, now + SEC(300)), 0);
    ck_assert_int_eq(wcs_replay_ledger_admit(l, 5, now + SEC(600),
                                             now + SEC(300)), APR_SUCCESS);
    ck_assert_int_eq(wcs_replay_ledger_used(l, now + SEC(300)), 1);
}
END_TEST

/* shmcb frees room only from the oldest end: entries that died after an
 * older one that lives still take room, and are still counted. */
START_TEST(ledger_counts_dead_behind_live)
{
    wcs_replay_ledger_t *l = apr_pcalloc(wcs_test_pool, sizeof(*l));
    apr_time_t now = SEC(1800000000);
    int i;

    ck_assert_int_eq(wcs_replay_ledger_admit(l, 100, now + SEC(3000), now),
                     APR_SUCCESS);
    for (i = 1; i <= 10; i++) {
        ck_assert_int_eq(wcs_replay_ledger_admit(l, 100, now + SEC(100 + i),
                                                 now + SEC(20 * i)),
                         APR_SUCCESS);
    }
    /* At +1000 s only the first lives, but all eleven take room. */
    ck_assert_int_eq(wcs_replay_ledger_used(l, now + SEC(1000)), 11);
    ck_assert_int_eq(wcs_replay_ledger_used(l, now + SEC(3000)), 0);
}
END_TEST

START_TEST(ledger_bounds_lifetime)
{
    wcs_replay_ledger_t *l = apr_pcalloc(wcs_test_pool, sizeof(*l));
    apr_time_t now = SEC(1800000000);

    /* The ring forgets a slot only when all it counted is dead. */
    ck_assert_int_eq(wcs_replay_ledger_admit(l, 100,
                                             now + WCS_REPLAY_LIFETIME_MAX
                                             + SEC(1), now), APR_ENOSPC);
    ck_assert_int_eq(wcs_replay_ledger_admit(l, 100,
                                             now + WCS_REPLAY_LIFETIME_MAX,
                                             now), APR_SUCCESS);
    ck_assert_int_eq(wcs_replay_ledger_used(l, now + WCS_REPLAY_LIFETIME_MAX
                                            - SEC(1)), 1);
    /* The same ring position, a whole ring later: reused. */
    ck_assert_int_eq(wcs_replay_ledger_admit(l, 1, now + SEC(
        WCS_REPLAY_SLOTS * WCS_REPLAY_SLOT_SEC + 60), now + SEC(
        WCS_REPLAY_SLOTS * WCS_REPLAY_SLOT_SEC)), APR_SUCCESS);
    ck_assert_int_eq(wcs_replay_ledger_used(l, now + SEC(
        WCS_REPLAY_SLOTS * WCS_REPLAY_SLOT_SEC)), 1);
}
END_TEST

START_TEST(ledger_clock_stepped_back)
{
    wcs_replay_ledger_t *l = apr_pcalloc(wcs_test_pool, sizeof(*l));
    apr_time_t now = SEC(1800000000);

    ck_assert_int_eq(wcs_replay_ledger_admit(l, 2, now + SEC(300), now),
                     APR_SUCCESS);
    /* The clock goes back a minute: the entry is not forgotten. */
    ck_assert_int_eq(wcs_replay_ledger_used(l, now - SEC(60)), 1);
    ck_assert_int_eq(wcs_replay_ledger_admit(l, 2, now + SEC(200),
                                             now - SEC(60)), APR_SUCCESS);
    ck_assert_int_eq(wcs_replay_ledger_admit(l, 2, now + SEC(200),
                                             now - SEC(60)), APR_ENOSPC);
}
END_TEST

START_TEST(shmcb_capacity)
{
    apr_uint64_t tiny = wcs_replay_capacity_shmcb(8192);
    apr_uint64_t big = wcs_replay_capacity_shmcb(8 * 1024 * 1024);
    /* An entry takes 33 bytes of data and a 24-byte index record. */
    apr_uint64_t raw = 8 * 1024 * 1024 / 57;

    ck_assert_int_eq(wcs_replay_capacity_shmcb(64), 0);
    ck_assert_uint_gt(tiny, 0);
    ck_assert_uint_lt(tiny, 8192 / 57);
    ck_assert_uint_lt(big, raw);
    /* The margin for uneven subcaches costs under half at this size. */
    ck_assert_uint_gt(big, raw / 2);
    ck_assert_uint_ge(wcs_replay_capacity_shmcb(16 * 1024 * 1024), big);
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
    tcase_add_test(tc, replay_race_one_wins);
    tcase_add_test(tc, replay_full_refused);
    tcase_add_test(tc, store_expiry_capped);
    tcase_add_test(tc, ledger_counts_to_capacity);
    tcase_add_test(tc, ledger_counts_dead_behind_live);
    tcase_add_test(tc, ledger_bounds_lifetime);
    tcase_add_test(tc, ledger_clock_stepped_back);
    tcase_add_test(tc, shmcb_capacity);
    suite_add_tcase(s, tc);
    return s;
}
