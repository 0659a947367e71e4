#include <string.h>

#include <apr_strings.h>

#include "check_wcs.h"
#include "wcs_session.h"

#define ID_A "0123456789abcdef0123456789abcdef" \
             "0123456789abcdef0123456789abcdef"
#define T0 apr_time_from_sec(1800000000)
#define HOUR apr_time_from_sec(3600)

static apr_table_t *sample_env(void)
{
    apr_table_t *env = apr_table_make(wcs_test_pool, 4);

    apr_table_set(env, "WEBCAST_EMAIL", "alice@example.test");
    apr_table_set(env, "WEBCAST_PCT", "100% %41 %zz %");
    apr_table_set(env, "WEBCAST_LINES", "one\ntwo\r\nthree\tfour");
    apr_table_set(env, "WEBCAST_NAME", "J\xc3\xbcrgen M\xc3\xbcller");
    apr_table_set(env, "WEBCAST_EQ", "a=b;c\\d");
    apr_table_set(env, "WEBCAST_EMPTY", "");
    return env;
}

static void assert_env_equal(const apr_table_t *want, const apr_table_t *got)
{
    const apr_array_header_t *arr = apr_table_elts(want);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int i;

    ck_assert_int_eq(apr_table_elts(got)->nelts, arr->nelts);
    for (i = 0; i < arr->nelts; i++) {
        const char *v = apr_table_get(got, e[i].key);

        ck_assert_msg(v != NULL, "%s lost", e[i].key);
        ck_assert_str_eq(v, e[i].val);
    }
}

START_TEST(session_encode_round_trip)
{
    wcs_session_t s, *d;
    const char *rec;
    apr_size_t len;

    memset(&s, 0, sizeof(s));
    s.sp_entity_id = "https://sp.example.test/x%y\nz";
    s.user = "alice@example.test";
    s.created = T0;
    s.expires = T0 + HOUR;
    s.env = sample_env();
    rec = wcs_session_encode(&s, &len, wcs_test_pool);
    ck_assert_ptr_nonnull(rec);
    ck_assert_int_eq(strlen(rec), len);
    /* One field a line: no raw newline or tab from a value. */
    ck_assert_ptr_null(strstr(rec, "one\ntwo"));
    ck_assert_ptr_null(strchr(rec, '\t'));
    ck_assert_int_eq(wcs_session_decode(&d, rec, len, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_str_eq(d->sp_entity_id, s.sp_entity_id);
    ck_assert_str_eq(d->user, s.user);
    ck_assert_int_eq(d->created, s.created);
    ck_assert_int_eq(d->expires, s.expires);
    assert_env_equal(s.env, d->env);
    /* No env at all. */
    s.env = NULL;
    rec = wcs_session_encode(&s, &len, wcs_test_pool);
    ck_assert_int_eq(wcs_session_decode(&d, rec, len, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_table_elts(d->env)->nelts, 0);
}
END_TEST

START_TEST(session_decode_refuses)
{
    static const char *const bad[] = {
        "",
        "\n",
        "wcs-session-2\nsp=s\nuser=u\ncreated=1\nexpires=2\n",
        "sp=s\nuser=u\ncreated=1\nexpires=2\n",
        "wcs-session-1\nuser=u\ncreated=1\nexpires=2\n",
        "wcs-session-1\nsp=s\ncreated=1\nexpires=2\n",
        "wcs-session-1\nsp=s\nuser=u\ncreated=1\n",
        "wcs-session-1\nsp=s\nuser=u\ncreated=1\nexpires=\n",
        "wcs-session-1\nsp=s\nuser=u\ncreated=1\nexpires=12x\n",
        "wcs-session-1\nsp=s\nuser=u\ncreated=1\nexpires=-5\n",
        "wcs-session-1\nsp=s\nuser=u\ncreated=x\nexpires=5\n",
        "wcs-session-1\nsp=s\nuser=u\nexpires=5\njunk line\n",
        NULL
    };
    wcs_session_t *d;
    int i;

    for (i = 0; bad[i]; i++) {
        ck_assert_msg(wcs_session_decode(&d, bad[i], strlen(bad[i]),
                                         wcs_test_pool) == APR_EINVAL,
                      "accepted record %d", i);
    }
    /* Unknown fields are a newer module's, not an error; a record is
     * read only as far as its length. */
    ck_assert_int_eq(wcs_session_decode(&d, "wcs-session-1\nsp=s\nuser=u\n"
                                        "expires=5\nfuture=1\nXX", 45,
                                        wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(d->expires, 5);
}
END_TEST

START_TEST(session_id_validity)
{
    char id[WCS_SESSION_ID_LEN + 2];

    ck_assert(wcs_session_id_valid(ID_A));
    ck_assert(!wcs_session_id_valid(NULL));
    ck_assert(!wcs_session_id_valid(""));
    strcpy(id, ID_A);
    id[WCS_SESSION_ID_LEN - 1] = '\0';
    ck_assert(!wcs_session_id_valid(id));
    strcpy(id, ID_A "0");
    ck_assert(!wcs_session_id_valid(id));
    strcpy(id, ID_A);
    id[10] = 'A';
    ck_assert(!wcs_session_id_valid(id));
    id[10] = 'g';
    ck_assert(!wcs_session_id_valid(id));
    id[10] = '/';
    ck_assert(!wcs_session_id_valid(id));
}
END_TEST

START_TEST(session_create_and_load)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *s, *s2, *l;
    apr_hash_index_t *hi;

    st->now = T0;
    ck_assert_int_eq(wcs_session_create(&s, &res, store, WCS_TEST_SP,
                                        "alice@example.test", sample_env(),
                                        T0, T0 + HOUR, p), APR_SUCCESS);
    ck_assert(wcs_session_id_valid(s->id));
    ck_assert_str_eq(s->user, "alice@example.test");
    ck_assert_int_eq(s->expires, T0 + HOUR);
    ck_assert_int_eq(wcs_test_store_count(store), 1);
    /* The store holds no cookie value, and keeps it as long as it lives. */
    for (hi = apr_hash_first(p, st->entries); hi; hi = apr_hash_next(hi)) {
        const char *key = apr_hash_this_key(hi);
        wcs_test_entry_t *e = apr_hash_this_val(hi);

        ck_assert_ptr_null(strstr(key, s->id));
        ck_assert_int_eq(e->expiry, T0 + HOUR);
    }

    ck_assert_int_eq(wcs_session_load(&l, store, s->id, WCS_TEST_SP,
                                      T0 + 1, p), APR_SUCCESS);
    ck_assert_str_eq(l->id, s->id);
    ck_assert_str_eq(l->user, "alice@example.test");
    ck_assert_str_eq(l->sp_entity_id, WCS_TEST_SP);
    ck_assert_int_eq(l->created, T0);
    ck_assert_int_eq(l->expires, T0 + HOUR);
    assert_env_equal(sample_env(), l->env);

    /* Another login, another ID. */
    ck_assert_int_eq(wcs_session_create(&s2, &res, store, WCS_TEST_SP,
                                        "bob@example.test", NULL, T0,
                                        T0 + HOUR, p), APR_SUCCESS);
    ck_assert_str_ne(s->id, s2->id);
    ck_assert_int_eq(wcs_test_store_count(store), 2);
}
END_TEST

START_TEST(session_load_not_found)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *s, *l = (wcs_session_t *)1;
    int gets;

    st->now = T0;
    ck_assert_int_eq(wcs_session_create(&s, &res, store, WCS_TEST_SP,
                                        "alice@example.test", NULL, T0,
                                        T0 + HOUR, p), APR_SUCCESS);
    /* Expired by the session's own clock, even if the store still has it. */
    ck_assert_int_eq(wcs_session_load(&l, store, s->id, WCS_TEST_SP,
                                      T0 + HOUR, p), APR_NOTFOUND);
    ck_assert_ptr_null(l);
    /* Another SP's session. */
    ck_assert_int_eq(wcs_session_load(&l, store, s->id,
                                      "https://other.example.test/", T0 + 1,
                                      p), APR_NOTFOUND);
    ck_assert_int_eq(wcs_session_load(&l, store, ID_A, WCS_TEST_SP, T0 + 1,
                                      p), APR_NOTFOUND);
    /* Junk never reaches the store. */
    gets = st->gets;
    ck_assert_int_eq(wcs_session_load(&l, store, "../../etc", WCS_TEST_SP,
                                      T0 + 1, p), APR_NOTFOUND);
    ck_assert_int_eq(st->gets, gets);
    /* A record that is not one. */
    ck_assert_int_eq(store->put(st, wcs_test_key("wcs-session", ID_A, NULL,
                                                 p), T0 + HOUR,
                                (const unsigned char *)"garbage", 7, p),
                     APR_SUCCESS);
    ck_assert_int_eq(wcs_session_load(&l, store, ID_A, WCS_TEST_SP, T0 + 1,
                                      p), APR_NOTFOUND);
}
END_TEST

START_TEST(session_store_errors)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *s = NULL, *l;

    st->now = T0;
    ck_assert_int_eq(wcs_session_create(&s, &res, store, WCS_TEST_SP,
                                        "alice@example.test", NULL, T0,
                                        T0 + HOUR, p), APR_SUCCESS);
    /* A failing backend is not "no session": the caller fails closed. */
    st->get_rv = APR_EGENERAL;
    ck_assert_int_eq(wcs_session_load(&l, store, s->id, WCS_TEST_SP, T0 + 1,
                                      p), APR_EGENERAL);
    st->get_rv = APR_TIMEUP;
    ck_assert_int_eq(wcs_session_load(&l, store, s->id, WCS_TEST_SP, T0 + 1,
                                      p), APR_TIMEUP);
    st->get_rv = APR_SUCCESS;
    st->put_rv = APR_EGENERAL;
    s = NULL;
    wcs_assert_refused(wcs_session_create(&s, &res, store, WCS_TEST_SP,
                                          "bob@example.test", NULL, T0,
                                          T0 + HOUR, p),
                       res, WCS_CODE_STORE, "store");
    ck_assert_int_eq(wcs_test_store_count(store), 1);
}
END_TEST

START_TEST(session_record_too_large)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    apr_table_t *env = apr_table_make(p, 2);
    wcs_session_t *s = NULL, big;
    char *v = apr_palloc(p, WCS_SESSION_RECORD_MAX + 1);
    apr_size_t len;

    memset(v, 'x', WCS_SESSION_RECORD_MAX);
    v[WCS_SESSION_RECORD_MAX] = '\0';
    apr_table_setn(env, "WEBCAST_BIG", v);
    wcs_assert_refused(wcs_session_create(&s, &res, store, WCS_TEST_SP,
                                          "alice@example.test", env, T0,
                                          T0 + HOUR, p),
                       res, WCS_CODE_GENERAL, "alice@example.test");
    ck_assert_int_eq(wcs_test_store_count(store), 0);
    ck_assert_int_eq(wcs_test_store_of(store)->puts, 0);
    memset(&big, 0, sizeof(big));
    big.sp_entity_id = WCS_TEST_SP;
    big.user = "u";
    big.expires = T0;
    big.env = env;
    ck_assert_ptr_null(wcs_session_encode(&big, &len, p));
}
END_TEST

START_TEST(session_remove)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *s, *l;

    wcs_test_store_of(store)->now = T0;
    ck_assert_int_eq(wcs_session_create(&s, &res, store, WCS_TEST_SP,
                                        "alice@example.test", NULL, T0,
                                        T0 + HOUR, p), APR_SUCCESS);
    ck_assert_int_eq(wcs_session_remove(store, s->id, p), APR_SUCCESS);
    ck_assert_int_eq(wcs_test_store_count(store), 0);
    ck_assert_int_eq(wcs_session_load(&l, store, s->id, WCS_TEST_SP, T0 + 1,
                                      p), APR_NOTFOUND);
    ck_assert_int_eq(wcs_session_remove(store, "not-an-id", p), APR_NOTFOUND);
}
END_TEST

Suite *wcs_suite_session(void)
{
    Suite *s = suite_create("session");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, session_encode_round_trip);
    tcase_add_test(tc, session_decode_refuses);
    tcase_add_test(tc, session_id_validity);
    tcase_add_test(tc, session_create_and_load);
    tcase_add_test(tc, session_load_not_found);
    tcase_add_test(tc, session_store_errors);
    tcase_add_test(tc, session_record_too_large);
    tcase_add_test(tc, session_remove);
    suite_add_tcase(s, tc);
    return s;
}
