#include <string.h>

#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "test_session.h"

/* The process's memory of verified sessions (wcs_session_memo.c). */

#define MEMO_LIFE apr_time_from_sec(10)

static apr_status_t load_memo(wcs_session_t **l, wcs_result_t *res,
                              const wcs_store_t *store,
                              wcs_session_memo_t *memo, const char *id,
                              const wcs_sp_t *sp, apr_time_t now)
{
    res->code = WCS_CODE_NONE;
    res->reason = NULL;
    return wcs_session_load(l, res, store, memo, id, sp, now, wcs_test_pool);
}

static wcs_session_memo_t *memo_make(apr_size_t slots,
                                     apr_interval_time_t life)
{
    wcs_session_memo_t *m;

    ck_assert_int_eq(wcs_session_memo_create(&m, slots, life,
                                             wcs_test_pool), APR_SUCCESS);
    return m;
}

/* Loaded and verified once, the session is read from the memory, whole,
 * until its lifetime ends: then from the store again. */
START_TEST(session_memo_skips_store)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_sp_t *sp = wcs_test_sp(p);
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_session_memo_t *memo = memo_make(64, MEMO_LIFE), *none;
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *s, *l;
    int gets;

    ck_assert_int_eq(wcs_session_memo_create(&none, 0, MEMO_LIFE, p),
                     APR_EINVAL);
    ck_assert_int_eq(wcs_session_memo_create(&none, 8, 0, p), APR_EINVAL);
    st->now = T0;
    ck_assert_int_eq(ts_create(&s, &res, store, sp, "alice@example.test",
                            ts_sample_env()), APR_SUCCESS);
    gets = st->gets;
    ck_assert_int_eq(load_memo(&l, &res, store, memo, s->id, sp, T0 + 1),
                     APR_SUCCESS);
    ck_assert_int_eq(st->gets, gets + 1);
    ck_assert_int_eq(load_memo(&l, &res, store, memo, s->id, sp, T0 + 2),
                     APR_SUCCESS);
    ck_assert_int_eq(st->gets, gets + 1);
    ck_assert_str_eq(l->id, s->id);
    ck_assert_str_eq(l->user, "alice@example.test");
    ck_assert_str_eq(l->site, sp->site_id);
    ck_assert_str_eq(l->idp, WCS_TEST_IDP);
    ck_assert_str_eq(l->idp_key, s->idp_key);
    ck_assert_int_eq(l->created, T0);
    ck_assert_int_eq(l->expires, T0 + HOUR);
    ts_assert_env_equal(ts_sample_env(), l->env);
    /* Gone from the store (another server's logout): remembered for the
     * rest of the lifetime only. */
    ck_assert_int_eq(wcs_session_remove(store, NULL, s->id, p), APR_SUCCESS);
    ck_assert_int_eq(load_memo(&l, &res, store, memo, s->id, sp,
                               T0 + 1 + MEMO_LIFE - 1), APR_SUCCESS);
    ck_assert_int_eq(load_memo(&l, &res, store, memo, s->id, sp,
                               T0 + 1 + MEMO_LIFE), APR_NOTFOUND);
    ck_assert_int_eq(st->gets, gets + 2);
    /* An unknown ID, or junk, is never a hit. */
    ck_assert_ptr_null(wcs_session_memo_get(memo, ID_A, sp->session_keys,
                                            T0 + 2, p));
    ck_assert_ptr_null(wcs_session_memo_get(memo, "zz", sp->session_keys,
                                            T0 + 2, p));
    ck_assert_ptr_null(wcs_session_memo_get(NULL, s->id, sp->session_keys,
                                            T0 + 2, p));
}
END_TEST

/* A hit is checked as a record from the store is: the session's expiry,
 * its site and IdP, and the key that verified its record must still be
 * configured where it is used. */
START_TEST(session_memo_checks_like_the_store)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_sp_t *sp = wcs_test_sp(p), *other = wcs_test_sp(p);
    wcs_sp_t *fewer = wcs_test_sp(p), *rekeyed = wcs_test_sp(p);
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_session_memo_t *memo = memo_make(64, apr_time_from_sec(300));
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *s, *l;

    wcs_test_store_of(store)->now = T0;
    ck_assert_int_eq(ts_create(&s, &res, store, sp, "alice@example.test", NULL),
                     APR_SUCCESS);
    ck_assert_int_eq(load_memo(&l, &res, store, memo, s->id, sp,
                               T0 + HOUR - 2), APR_SUCCESS);
    other->site_id = WCS_TEST_SP " @ other.example.test:443";
    wcs_assert_refused(load_memo(&l, &res, store, memo, s->id, other,
                                 T0 + HOUR - 1), res, WCS_CODE_MISCONFIG,
                       "made on site");
    apr_hash_set(fewer->idps, WCS_TEST_IDP, APR_HASH_KEY_STRING, NULL);
    wcs_assert_refused(load_memo(&l, &res, store, memo, s->id, fewer,
                                 T0 + HOUR - 1), res, WCS_CODE_MISCONFIG,
                       "no longer trusts");
    /* Another vhost with other session keys reads the store, whose MAC
     * it cannot verify. */
    rekeyed->session_keys = ts_keys_of(SECRET_B, NULL);
    ck_assert_ptr_null(wcs_session_memo_get(memo, s->id,
                                            rekeyed->session_keys,
                                            T0 + HOUR - 1, p));
    wcs_assert_refused(load_memo(&l, &res, store, memo, s->id, rekeyed,
                                 T0 + HOUR - 1), res, WCS_CODE_MISCONFIG,
                       "not configured");
    ck_assert_int_eq(load_memo(&l, &res, store, memo, s->id, sp,
                               T0 + HOUR - 1), APR_SUCCESS);
    /* Expired by its own clock though the memory's lifetime runs on. */
    ck_assert_int_eq(load_memo(&l, &res, store, memo, s->id, sp, T0 + HOUR),
                     APR_NOTFOUND);
}
END_TEST

/* Logout forgets; sessions sharing a slot never give each other's
 * identity. */
START_TEST(session_memo_forget_and_slots)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_sp_t *sp = wcs_test_sp(p);
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_session_memo_t *memo = memo_make(1, MEMO_LIFE);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *a, *b, *l;
    int i;

    wcs_test_store_of(store)->now = T0;
    ck_assert_int_eq(ts_create(&a, &res, store, sp, "alice@example.test", NULL),
                     APR_SUCCESS);
    ck_assert_int_eq(ts_create(&b, &res, store, sp, "bob@example.test", NULL),
                     APR_SUCCESS);
    for (i = 0; i < 4; i++) {
        ck_assert_int_eq(load_memo(&l, &res, store, memo, a->id, sp,
                                   T0 + 1), APR_SUCCESS);
        ck_assert_str_eq(l->user, "alice@example.test");
        ck_assert_int_eq(load_memo(&l, &res, store, memo, b->id, sp,
                                   T0 + 1), APR_SUCCESS);
        ck_assert_str_eq(l->user, "bob@example.test");
    }
    ck_assert_ptr_null(wcs_session_memo_get(memo, a->id, sp->session_keys,
                                            T0 + 1, p));
    /* Forgetting another ID leaves the slot's session alone. */
    wcs_session_memo_forget(memo, a->id);
    ck_assert_ptr_nonnull(wcs_session_memo_get(memo, b->id, sp->session_keys,
                                               T0 + 1, p));
    ck_assert_int_eq(wcs_session_remove(store, memo, b->id, p), APR_SUCCESS);
    ck_assert_ptr_null(wcs_session_memo_get(memo, b->id, sp->session_keys,
                                            T0 + 1, p));
    ck_assert_int_eq(load_memo(&l, &res, store, memo, b->id, sp, T0 + 1),
                     APR_NOTFOUND);
}
END_TEST

#define MEMO_THREADS 4
#define MEMO_ROUNDS 3000

typedef struct {
    wcs_session_memo_t *memo;
    const apr_array_header_t *keys;
    wcs_session_t **sessions;    /* MEMO_THREADS of them */
    int self, wrong, hits;
} memo_job_t;

/* Puts and gets of four sessions over three slots from four threads: a
 * hit is always the session asked for, whole. */
static void *APR_THREAD_FUNC memo_worker(apr_thread_t *t, void *data)
{
    memo_job_t *job = data;
    apr_pool_t *p;
    int i;

    apr_pool_create(&p, NULL);
    for (i = 0; i < MEMO_ROUNDS; i++) {
        const wcs_session_t *want = job->sessions[(job->self + i)
                                                  % MEMO_THREADS];
        wcs_session_t *got;

        wcs_session_memo_put(job->memo, want, "0123456789abcdef", T0);
        got = wcs_session_memo_get(job->memo, want->id, job->keys, T0 + 1,
                                   p);
        if (got) {
            job->hits++;
            if (strcmp(got->user, want->user) || strcmp(got->id, want->id)
                || strcmp(apr_table_get(got->env, "WEBCAST_EMAIL"),
                          want->user)) {
                job->wrong++;
            }
        }
        apr_pool_clear(p);
    }
    apr_pool_destroy(p);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

START_TEST(session_memo_threads)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_sp_t *sp = wcs_test_sp(p);
    wcs_session_memo_t *memo = memo_make(3, MEMO_LIFE);
    wcs_session_t *sessions[MEMO_THREADS];
    memo_job_t job[MEMO_THREADS];
    apr_thread_t *thread[MEMO_THREADS];
    wcs_session_key_t *key;
    apr_array_header_t *keys = apr_array_make(p, 1, sizeof(key));
    apr_status_t rv;
    int i, hits = 0;

    /* A key whose id is the one the workers remember under. */
    key = apr_pcalloc(p, sizeof(*key));
    memcpy(key->id, "0123456789abcdef", WCS_SESSION_KEY_ID_LEN);
    APR_ARRAY_PUSH(keys, wcs_session_key_t *) = key;
    for (i = 0; i < MEMO_THREADS; i++) {
        wcs_session_t f = ts_fields_of(sp, apr_psprintf(p, "user%d@example.test",
                                                     i), NULL);

        f.env = apr_table_make(p, 1);
        apr_table_set(f.env, "WEBCAST_EMAIL", f.user);
        f.id = apr_psprintf(p, "%08x%s", (unsigned)i, ID_A + 8);
        sessions[i] = apr_pmemdup(p, &f, sizeof(f));
    }
    for (i = 0; i < MEMO_THREADS; i++) {
        job[i].memo = memo;
        job[i].keys = keys;
        job[i].sessions = sessions;
        job[i].self = i;
        job[i].wrong = job[i].hits = 0;
        ck_assert_int_eq(apr_thread_create(&thread[i], NULL, memo_worker,
                                           &job[i], p), APR_SUCCESS);
    }
    for (i = 0; i < MEMO_THREADS; i++) {
        ck_assert_int_eq(apr_thread_join(&rv, thread[i]), APR_SUCCESS);
        ck_assert_int_eq(job[i].wrong, 0);
        hits += job[i].hits;
    }
    ck_assert_int_gt(hits, 0);
}
END_TEST

Suite *wcs_suite_session_memo(void)
{
    Suite *s = suite_create("session_memo");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, session_memo_skips_store);
    tcase_add_test(tc, session_memo_checks_like_the_store);
    tcase_add_test(tc, session_memo_forget_and_slots);
    tcase_add_test(tc, session_memo_threads);
    suite_add_tcase(s, tc);
    return s;
}
