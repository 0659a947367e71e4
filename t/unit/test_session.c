#include <string.h>

#include <apr_strings.h>

#include "check_wcs.h"
#include "wcs_session.h"
#include "test_session.h"

apr_table_t *ts_sample_env(void)
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

void ts_assert_env_equal(const apr_table_t *want, const apr_table_t *got)
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
    s.site = "https://sp.example.test/x%y\nz @ host:443";
    s.idp = "https://idp.example.test/";
    s.idp_key = "00ff";
    s.user = "alice@example.test";
    s.created = T0;
    s.expires = T0 + HOUR;
    s.env = ts_sample_env();
    rec = wcs_session_encode(&s, &len, wcs_test_pool);
    ck_assert_ptr_nonnull(rec);
    ck_assert_int_eq(strlen(rec), len);
    /* One field a line: no raw newline or tab from a value. */
    ck_assert_ptr_null(strstr(rec, "one\ntwo"));
    ck_assert_ptr_null(strchr(rec, '\t'));
    ck_assert_int_eq(wcs_session_decode(&d, rec, len, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_str_eq(d->site, s.site);
    ck_assert_str_eq(d->idp, s.idp);
    ck_assert_str_eq(d->idp_key, s.idp_key);
    ck_assert_str_eq(d->user, s.user);
    ck_assert_int_eq(d->created, s.created);
    ck_assert_int_eq(d->expires, s.expires);
    ts_assert_env_equal(s.env, d->env);
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
        /* Version 1 records (no site, IdP or key) are not read. */
        "wcs-session-1\nsp=s\nuser=u\ncreated=1\nexpires=2\n",
        "site=s\nidp=i\nidp_key=k\nuser=u\ncreated=1\nexpires=2\n",
        "wcs-session-2\nidp=i\nidp_key=k\nuser=u\ncreated=1\nexpires=2\n",
        "wcs-session-2\nsite=s\nidp_key=k\nuser=u\ncreated=1\nexpires=2\n",
        "wcs-session-2\nsite=s\nidp=i\nuser=u\ncreated=1\nexpires=2\n",
        "wcs-session-2\nsite=s\nidp=i\nidp_key=k\ncreated=1\nexpires=2\n",
        "wcs-session-2\nsite=s\nidp=i\nidp_key=k\nuser=u\ncreated=1\n",
        "wcs-session-2\nsite=s\nidp=i\nidp_key=k\nuser=u\nexpires=\n",
        "wcs-session-2\nsite=s\nidp=i\nidp_key=k\nuser=u\nexpires=12x\n",
        "wcs-session-2\nsite=s\nidp=i\nidp_key=k\nuser=u\nexpires=-5\n",
        "wcs-session-2\nsite=s\nidp=i\nidp_key=k\nuser=u\ncreated=x\n"
        "expires=5\n",
        "wcs-session-2\nsite=s\nidp=i\nidp_key=k\nuser=u\nexpires=5\n"
        "junk line\n",
        /* Found by fuzz_session: no created= (encode always writes it). */
        "wcs-session-2\nsite=s\nidp=i\nidp_key=k\nuser=u\nexpires=5\n",
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
    ck_assert_int_eq(wcs_session_decode(&d, "wcs-session-2\nsite=s\nidp=i\n"
                                        "idp_key=k\nuser=u\ncreated=4\n"
                                        "expires=5\nfuture=1\nXX", 73,
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

/* Replace the stored record of session id by rec. */
static void overwrite(wcs_store_t *store, const char *id, const char *rec)
{
    ck_assert_int_eq(store->put(store->baton,
                                wcs_test_key("wcs-session", id, NULL,
                                             wcs_test_pool),
                                T0 + HOUR, (const unsigned char *)rec,
                                strlen(rec), wcs_test_pool), APR_SUCCESS);
}

/* The stored record of session id. */
static const char *stored(wcs_store_t *store, const char *id)
{
    unsigned char buf[WCS_SESSION_RECORD_MAX];
    apr_size_t len = sizeof(buf);

    ck_assert_int_eq(store->get(store->baton,
                                wcs_test_key("wcs-session", id, NULL,
                                             wcs_test_pool),
                                buf, &len, wcs_test_pool), APR_SUCCESS);
    return apr_pstrmemdup(wcs_test_pool, (const char *)buf, len);
}

/* The fields of a session of alice made on the test SP through the test
 * IdP with its first key. */
wcs_session_t ts_fields_of(const wcs_sp_t *sp, const char *user,
                               apr_table_t *env)
{
    const wcs_idp_t *idp = apr_hash_get(sp->idps, WCS_TEST_IDP,
                                        APR_HASH_KEY_STRING);
    wcs_session_t f;

    memset(&f, 0, sizeof(f));
    f.site = sp->site_id;
    f.idp = WCS_TEST_IDP;
    f.idp_key = APR_ARRAY_IDX(idp->keys, 0, const wcs_idp_key_t *)->sha256;
    f.user = user;
    f.created = T0;
    f.expires = T0 + HOUR;
    f.env = env;
    return f;
}

apr_status_t ts_create(wcs_session_t **s, wcs_result_t *res,
                           const wcs_store_t *store, const wcs_sp_t *sp,
                           const char *user, apr_table_t *env)
{
    wcs_session_t f = ts_fields_of(sp, user, env);

    return wcs_session_create(s, res, store, sp->session_keys, &f,
                              wcs_test_pool);
}

static apr_status_t load(wcs_session_t **l, wcs_result_t *res,
                         const wcs_store_t *store, const char *id,
                         const wcs_sp_t *sp, apr_time_t now)
{
    res->code = WCS_CODE_NONE;
    res->reason = NULL;
    return wcs_session_load(l, res, store, NULL, id, sp, now, wcs_test_pool);
}

apr_array_header_t *ts_keys_of(const char *a, const char *b)
{
    apr_array_header_t *keys = apr_array_make(wcs_test_pool, 2,
                                              sizeof(wcs_session_key_t *));
    const char *secrets[2] = { a, b };
    wcs_session_key_t *k;
    int i;

    for (i = 0; i < 2 && secrets[i]; i++) {
        ck_assert_int_eq(wcs_session_key_make(&k, (const unsigned char *)
                                              secrets[i], strlen(secrets[i]),
                                              "test", wcs_test_pool),
                         APR_SUCCESS);
        APR_ARRAY_PUSH(keys, wcs_session_key_t *) = k;
    }
    return keys;
}


START_TEST(session_create_and_load)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_sp_t *sp = wcs_test_sp(p);
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *s, *s2, *l;
    apr_hash_index_t *hi;

    st->now = T0;
    ck_assert_int_eq(ts_create(&s, &res, store, sp, "alice@example.test",
                            ts_sample_env()), APR_SUCCESS);
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
    /* The record ends with its MAC, under the first key. */
    ck_assert_ptr_nonnull(strstr(stored(store, s->id), "\nmac="));

    ck_assert_int_eq(load(&l, &res, store, s->id, sp, T0 + 1), APR_SUCCESS);
    ck_assert_str_eq(l->id, s->id);
    ck_assert_str_eq(l->user, "alice@example.test");
    ck_assert_str_eq(l->site, sp->site_id);
    ck_assert_str_eq(l->idp, WCS_TEST_IDP);
    ck_assert_int_eq(l->created, T0);
    ck_assert_int_eq(l->expires, T0 + HOUR);
    ts_assert_env_equal(ts_sample_env(), l->env);

    /* Another login, another ID. */
    ck_assert_int_eq(ts_create(&s2, &res, store, sp, "bob@example.test", NULL),
                     APR_SUCCESS);
    ck_assert_str_ne(s->id, s2->id);
    ck_assert_int_eq(wcs_test_store_count(store), 2);
}
END_TEST

START_TEST(session_load_not_found)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_sp_t *sp = wcs_test_sp(p);
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *s, *l = (wcs_session_t *)1;
    int gets;

    st->now = T0;
    ck_assert_int_eq(ts_create(&s, &res, store, sp, "alice@example.test", NULL),
                     APR_SUCCESS);
    /* Expired by the session's own clock, even if the store still has it. */
    ck_assert_int_eq(load(&l, &res, store, s->id, sp, T0 + HOUR),
                     APR_NOTFOUND);
    ck_assert_ptr_null(l);
    ck_assert_int_eq(load(&l, &res, store, ID_A, sp, T0 + 1), APR_NOTFOUND);
    /* Junk never reaches the store. */
    gets = st->gets;
    ck_assert_int_eq(load(&l, &res, store, "../../etc", sp, T0 + 1),
                     APR_NOTFOUND);
    ck_assert_int_eq(st->gets, gets);
}
END_TEST

START_TEST(session_store_errors)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_sp_t *sp = wcs_test_sp(p);
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_test_store_t *st = wcs_test_store_of(store);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *s = NULL, *l;

    st->now = T0;
    ck_assert_int_eq(ts_create(&s, &res, store, sp, "alice@example.test", NULL),
                     APR_SUCCESS);
    /* A failing backend is not "no session": the caller fails closed. */
    st->get_rv = APR_EGENERAL;
    ck_assert_int_eq(load(&l, &res, store, s->id, sp, T0 + 1), APR_EGENERAL);
    st->get_rv = APR_TIMEUP;
    ck_assert_int_eq(load(&l, &res, store, s->id, sp, T0 + 1), APR_TIMEUP);
    st->get_rv = APR_SUCCESS;
    st->put_rv = APR_EGENERAL;
    s = NULL;
    wcs_assert_refused(ts_create(&s, &res, store, sp, "bob@example.test", NULL),
                       res, WCS_CODE_STORE, "store");
    ck_assert_int_eq(wcs_test_store_count(store), 1);
    /* No key, no session. */
    st->put_rv = APR_SUCCESS;
    sp->session_keys = NULL;
    wcs_assert_refused(ts_create(&s, &res, store, sp, "bob@example.test", NULL),
                       res, WCS_CODE_STORE, "no key");
    ck_assert_int_eq(wcs_test_store_count(store), 1);
}
END_TEST

START_TEST(session_record_too_large)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_sp_t *sp = wcs_test_sp(p);
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    apr_table_t *env = apr_table_make(p, 2);
    wcs_session_t *s = NULL, big;
    char *v = apr_palloc(p, WCS_SESSION_RECORD_MAX + 1);
    apr_size_t len;

    memset(v, 'x', WCS_SESSION_RECORD_MAX);
    v[WCS_SESSION_RECORD_MAX] = '\0';
    apr_table_setn(env, "WEBCAST_BIG", v);
    wcs_assert_refused(ts_create(&s, &res, store, sp, "alice@example.test", env),
                       res, WCS_CODE_GENERAL, "alice@example.test");
    ck_assert_int_eq(wcs_test_store_count(store), 0);
    ck_assert_int_eq(wcs_test_store_of(store)->puts, 0);
    big = ts_fields_of(sp, "u", env);
    ck_assert_ptr_null(wcs_session_encode(&big, &len, p));
}
END_TEST

START_TEST(session_remove)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_sp_t *sp = wcs_test_sp(p);
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *s, *l;

    wcs_test_store_of(store)->now = T0;
    ck_assert_int_eq(ts_create(&s, &res, store, sp, "alice@example.test", NULL),
                     APR_SUCCESS);
    ck_assert_int_eq(wcs_session_remove(store, NULL, s->id, p), APR_SUCCESS);
    ck_assert_int_eq(wcs_test_store_count(store), 0);
    ck_assert_int_eq(load(&l, &res, store, s->id, sp, T0 + 1), APR_NOTFOUND);
    ck_assert_int_eq(wcs_session_remove(store, NULL, "not-an-id", p),
                     APR_NOTFOUND);
}
END_TEST

/* Found by fuzz_session: only whole records (ending in a newline, no
 * NUL) are sealed, so that what is sealed always verifies. */
START_TEST(session_seal_whole_records)
{
    apr_pool_t *p = wcs_test_pool;
    const apr_array_header_t *keys = wcs_test_sp(p)->session_keys;
    const wcs_session_key_t *k = APR_ARRAY_IDX(keys, 0,
                                               const wcs_session_key_t *);
    const char *sealed, *why;
    apr_size_t len, body;

    ck_assert_ptr_null(wcs_session_mac_seal(&len, "=cs-session-3\nsited", 19,
                                            ID_A, k, p));
    ck_assert_ptr_null(wcs_session_mac_seal(&len, "a\0b\n", 4, ID_A, k, p));
    sealed = wcs_session_mac_seal(&len, "a=b\n", 4, ID_A, k, p);
    ck_assert_ptr_nonnull(sealed);
    ck_assert_int_eq(wcs_session_mac_verify(&body, &why, sealed, len, ID_A,
                                            keys, p), APR_SUCCESS);
    ck_assert_int_eq(body, 4);
    sealed = wcs_session_mac_seal(&len, "", 0, ID_A, k, p);
    ck_assert_int_eq(wcs_session_mac_verify(&body, &why, sealed, len, ID_A,
                                            keys, p), APR_SUCCESS);
    ck_assert_int_eq(body, 0);
}
END_TEST

START_TEST(session_key_make)
{
    wcs_session_key_t *k, *k2;
    const char *id;

    ck_assert_int_eq(wcs_session_key_make(&k, (const unsigned char *)"short",
                                          5, "t", wcs_test_pool), APR_EINVAL);
    ck_assert_ptr_null(k);
    ck_assert_int_eq(wcs_session_key_make(&k, (const unsigned char *)SECRET_A,
                                          strlen(SECRET_A), "t",
                                          wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(strlen(k->id), WCS_SESSION_KEY_ID_LEN);
    for (id = k->id; *id; id++) {
        ck_assert(strchr("0123456789abcdef", *id));
    }
    /* The id is the key's, never a part of the secret. */
    ck_assert_ptr_null(strstr(SECRET_A, k->id));
    ck_assert_int_eq(wcs_session_key_make(&k2, (const unsigned char *)SECRET_B,
                                          strlen(SECRET_B), "t",
                                          wcs_test_pool), APR_SUCCESS);
    ck_assert_str_ne(k->id, k2->id);
}
END_TEST

/* The keyed context made once seals exactly as the one-shot HMAC() does,
 * so records sealed either way verify alike. */
START_TEST(session_mac_template_matches_hmac)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_session_key_t *k, plain;
    const char *a, *b;
    apr_size_t alen, blen;
    static const char rec[] = "wcs-session-2\nuser=alice@example.test\n";

    ck_assert_int_eq(wcs_session_key_make(&k, (const unsigned char *)SECRET_A,
                                          strlen(SECRET_A), "t", p),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(k->mac_template);
    plain = *k;
    plain.mac_template = NULL;
    a = wcs_session_mac_seal(&alen, rec, strlen(rec), ID_A, k, p);
    b = wcs_session_mac_seal(&blen, rec, strlen(rec), ID_A, &plain, p);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(alen, blen);
    ck_assert_mem_eq(a, b, alen);
    /* Used again (each use copies the template, never changes it). */
    b = wcs_session_mac_seal(&blen, rec, strlen(rec), ID_A, k, p);
    ck_assert_mem_eq(a, b, alen);
    b = wcs_session_mac_seal(&blen, rec, strlen(rec),
                             "f123456789abcdef0123456789abcdef"
                             "0123456789abcdef0123456789abcdef", k, p);
    ck_assert(memcmp(a, b, alen) != 0);
}
END_TEST

/* Whoever can write to a shared cache cannot mint or alter a session. */
START_TEST(session_mac_refuses)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_sp_t *sp = wcs_test_sp(p);
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *s, *s2, *l;
    wcs_session_t forged;
    const char *rec, *body;
    char *altered;
    apr_size_t len;

    wcs_test_store_of(store)->now = T0;
    ck_assert_int_eq(ts_create(&s, &res, store, sp, "alice@example.test", NULL),
                     APR_SUCCESS);
    ck_assert_int_eq(ts_create(&s2, &res, store, sp, "bob@example.test", NULL),
                     APR_SUCCESS);
    rec = stored(store, s->id);

    /* One byte of the body changed: alice becomes blice. */
    altered = apr_pstrdup(p, rec);
    strstr(altered, "user=alice")[5] = 'b';
    overwrite(store, s->id, altered);
    wcs_assert_refused(load(&l, &res, store, s->id, sp, T0 + 1), res,
                       WCS_CODE_MISCONFIG, "does not verify");
    /* A record made by someone without the key: well-formed, no MAC. */
    forged = ts_fields_of(sp, "mallory@example.test", NULL);
    body = wcs_session_encode(&forged, &len, p);
    overwrite(store, s->id, body);
    wcs_assert_refused(load(&l, &res, store, s->id, sp, T0 + 1), res,
                       WCS_CODE_MISCONFIG, "no MAC");
    /* ... or with a MAC under a key of its own. */
    overwrite(store, s->id,
              wcs_session_mac_seal(&len, body, strlen(body), s->id,
                                   APR_ARRAY_IDX(ts_keys_of(SECRET_B, NULL), 0,
                                                 wcs_session_key_t *), p));
    wcs_assert_refused(load(&l, &res, store, s->id, sp, T0 + 1), res,
                       WCS_CODE_MISCONFIG, "not configured");
    /* bob's genuine record copied under alice's ID. */
    overwrite(store, s->id, stored(store, s2->id));
    wcs_assert_refused(load(&l, &res, store, s->id, sp, T0 + 1), res,
                       WCS_CODE_MISCONFIG, "does not verify");
    /* A truncated MAC line, and garbage. */
    overwrite(store, s->id, apr_pstrndup(p, rec, strlen(rec) - 2));
    wcs_assert_refused(load(&l, &res, store, s->id, sp, T0 + 1), res,
                       WCS_CODE_MISCONFIG, "no MAC");
    overwrite(store, s->id, "garbage");
    wcs_assert_refused(load(&l, &res, store, s->id, sp, T0 + 1), res,
                       WCS_CODE_MISCONFIG, "no MAC");
    /* The genuine record back: it loads. */
    overwrite(store, s->id, rec);
    ck_assert_int_eq(load(&l, &res, store, s->id, sp, T0 + 1), APR_SUCCESS);
}
END_TEST

/* Keys roll: a second key listed still verifies what the first sealed. */
START_TEST(session_key_rotation)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_sp_t *sp = wcs_test_sp(p);
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *old, *new, *l;

    wcs_test_store_of(store)->now = T0;
    sp->session_keys = ts_keys_of(SECRET_A, NULL);
    ck_assert_int_eq(ts_create(&old, &res, store, sp, "alice@example.test",
                            NULL), APR_SUCCESS);
    /* New key first, old one second: old sessions still load, new ones
     * are sealed with the new key. */
    sp->session_keys = ts_keys_of(SECRET_B, SECRET_A);
    ck_assert_int_eq(load(&l, &res, store, old->id, sp, T0 + 1),
                     APR_SUCCESS);
    ck_assert_int_eq(ts_create(&new, &res, store, sp, "bob@example.test", NULL),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(strstr(stored(store, new->id),
                                 APR_ARRAY_IDX(sp->session_keys, 0,
                                               wcs_session_key_t *)->id));
    /* The old key retired: its sessions end, the new ones live on. */
    sp->session_keys = ts_keys_of(SECRET_B, NULL);
    wcs_assert_refused(load(&l, &res, store, old->id, sp, T0 + 1), res,
                       WCS_CODE_MISCONFIG, "not configured");
    ck_assert_int_eq(load(&l, &res, store, new->id, sp, T0 + 1),
                     APR_SUCCESS);
}
END_TEST

/* A session is valid only on the site that made it, and only while that
 * site trusts its IdP and the key that signed the sign-in in. */
START_TEST(session_bound_to_site_idp_key)
{
    apr_pool_t *p = wcs_test_pool;
    wcs_sp_t *sp = wcs_test_sp(p), *other = wcs_test_sp(p), *fewer, *rolled;
    wcs_store_t *store = wcs_test_store_make(p);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *s, *l;
    wcs_idp_t *idp;

    wcs_test_store_of(store)->now = T0;
    ck_assert_int_eq(ts_create(&s, &res, store, sp, "alice@example.test", NULL),
                     APR_SUCCESS);
    /* Same entity ID, same keys, another vhost. */
    other->site_id = WCS_TEST_SP " @ other.example.test:443";
    wcs_assert_refused(load(&l, &res, store, s->id, other, T0 + 1), res,
                       WCS_CODE_MISCONFIG, "made on site");
    ck_assert_ptr_nonnull(strstr(res.reason, "alice@example.test"));
    /* The IdP removed from the site (a graceful restart later). */
    fewer = wcs_test_sp(p);
    apr_hash_set(fewer->idps, WCS_TEST_IDP, APR_HASH_KEY_STRING, NULL);
    wcs_assert_refused(load(&l, &res, store, s->id, fewer, T0 + 1), res,
                       WCS_CODE_MISCONFIG, "no longer trusts");
    ck_assert_ptr_nonnull(strstr(res.reason, WCS_TEST_IDP));
    /* The IdP kept, the key that verified the sign-in removed. */
    rolled = wcs_test_sp(p);
    idp = apr_pmemdup(p, apr_hash_get(rolled->idps, WCS_TEST_IDP,
                                      APR_HASH_KEY_STRING), sizeof(*idp));
    idp->keys = apr_array_make(p, 1, sizeof(const wcs_idp_key_t *));
    apr_hash_set(rolled->idps, WCS_TEST_IDP, APR_HASH_KEY_STRING, idp);
    wcs_assert_refused(load(&l, &res, store, s->id, rolled, T0 + 1), res,
                       WCS_CODE_MISCONFIG, "no longer configured");
    /* And where it was made, it still works. */
    ck_assert_int_eq(load(&l, &res, store, s->id, sp, T0 + 1), APR_SUCCESS);
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
    tcase_add_test(tc, session_key_make);
    tcase_add_test(tc, session_mac_template_matches_hmac);
    tcase_add_test(tc, session_seal_whole_records);
    tcase_add_test(tc, session_mac_refuses);
    tcase_add_test(tc, session_key_rotation);
    tcase_add_test(tc, session_bound_to_site_idp_key);
    suite_add_tcase(s, tc);
    return s;
}
