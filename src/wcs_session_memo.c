/*
 * wcs_session_memo: a process's short memory of the sessions it has
 * loaded from the store and verified (MAC, record, expiry), so that the
 * requests that follow one another within a few seconds (a player's
 * segments, a page's assets) skip the store round trip, the MAC and the
 * parse.  Slots are chosen by the session ID (random, so spread evenly);
 * a slot keeps one session, the newest wins.  Each entry is one malloc'd
 * block of offsets and strings, copied whole into the request's pool on a
 * hit: nothing of it is shared with a request once the lock is let go.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <openssl/crypto.h>

#include "wcs_session.h"

typedef struct {
    apr_uint32_t name, value;
} env_off_t;

/* The head of an entry's block; the strings follow the env offsets. */
typedef struct {
    apr_time_t created, expires;
    apr_uint32_t site, idp, idp_key, user;
    apr_uint32_t events;         /* "" for none */
    apr_uint32_t n_env;
    env_off_t env[1];            /* n_env of them (at least room for one) */
} entry_t;

typedef struct {
    char id[WCS_SESSION_ID_LEN];             /* not NUL-terminated */
    char key_id[WCS_SESSION_KEY_ID_LEN];     /* the key that verified it */
    apr_time_t until;            /* 0: free */
    entry_t *entry;
    apr_size_t len;
} slot_t;

struct wcs_session_memo_t {
#if APR_HAS_THREADS
    apr_thread_mutex_t *mutex;
#endif
    apr_interval_time_t lifetime;
    apr_size_t n_slots;
    slot_t *slots;
};

static apr_status_t memo_free(void *data)
{
    wcs_session_memo_t *m = data;
    apr_size_t i;

    for (i = 0; i < m->n_slots; i++) {
        free(m->slots[i].entry);
    }
    free(m->slots);
    m->slots = NULL;
    m->n_slots = 0;
    return APR_SUCCESS;
}

apr_status_t wcs_session_memo_create(wcs_session_memo_t **pm,
                                     apr_size_t slots,
                                     apr_interval_time_t lifetime,
                                     apr_pool_t *p)
{
    wcs_session_memo_t *m = apr_pcalloc(p, sizeof(*m));
    apr_status_t rv;

    *pm = NULL;
    if (!slots || lifetime <= 0) {
        return APR_EINVAL;
    }
#if APR_HAS_THREADS
    rv = apr_thread_mutex_create(&m->mutex, APR_THREAD_MUTEX_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
#endif
    m->slots = calloc(slots, sizeof(*m->slots));
    if (!m->slots) {
        return APR_ENOMEM;
    }
    m->n_slots = slots;
    m->lifetime = lifetime;
    apr_pool_cleanup_register(p, m, memo_free, apr_pool_cleanup_null);
    *pm = m;
    (void)rv;
    return APR_SUCCESS;
}

static void lock(wcs_session_memo_t *m)
{
#if APR_HAS_THREADS
    apr_thread_mutex_lock(m->mutex);
#endif
}

static void unlock(wcs_session_memo_t *m)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(m->mutex);
#endif
}

/* The slot of id: its first 8 hex digits (wcs_session_id_valid has
 * checked that they are hex). */
static slot_t *slot_of(wcs_session_memo_t *m, const char *id)
{
    apr_uint32_t h = 0;
    int i;

    for (i = 0; i < 8; i++) {
        char c = id[i];

        h = (h << 4) | (apr_uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a'
                                                          + 10);
    }
    return &m->slots[h % m->n_slots];
}

static int key_configured(const apr_array_header_t *keys, const char *kid)
{
    int i;

    for (i = 0; keys && i < keys->nelts; i++) {
        if (!memcmp(APR_ARRAY_IDX(keys, i, const wcs_session_key_t *)->id,
                    kid, WCS_SESSION_KEY_ID_LEN)) {
            return 1;
        }
    }
    return 0;
}

wcs_session_t *wcs_session_memo_get(wcs_session_memo_t *m, const char *id,
                                    const apr_array_header_t *keys,
                                    apr_time_t now, apr_pool_t *p)
{
    slot_t *slot;
    entry_t *e = NULL;
    wcs_session_t *s;
    const char *base;
    apr_uint32_t i;

    if (!m || !wcs_session_id_valid(id)) {
        return NULL;
    }
    slot = slot_of(m, id);
    lock(m);
    /* The ID is the credential: compared in constant time. */
    if (slot->until > now && slot->entry->expires > now
        && !CRYPTO_memcmp(slot->id, id, WCS_SESSION_ID_LEN)
        && key_configured(keys, slot->key_id)) {
        e = apr_pmemdup(p, slot->entry, slot->len);
    }
    unlock(m);
    if (!e) {
        return NULL;
    }
    base = (const char *)e;
    s = apr_pcalloc(p, sizeof(*s));
    s->id = apr_pstrmemdup(p, id, WCS_SESSION_ID_LEN);
    s->site = base + e->site;
    s->idp = base + e->idp;
    s->idp_key = base + e->idp_key;
    s->user = base + e->user;
    s->events = base[e->events] ? base + e->events : NULL;
    s->created = e->created;
    s->expires = e->expires;
    s->env = apr_table_make(p, (int)e->n_env);
    for (i = 0; i < e->n_env; i++) {
        apr_table_addn(s->env, base + e->env[i].name, base + e->env[i].value);
    }
    return s;
}

/* Lay a string at *off in block (or only count it when block is NULL). */
static apr_uint32_t lay(char *block, apr_size_t *off, const char *str)
{
    apr_size_t n = strlen(str) + 1, at = *off;

    if (block) {
        memcpy(block + at, str, n);
    }
    *off += n;
    return (apr_uint32_t)at;
}

static apr_size_t lay_out(entry_t *e, const wcs_session_t *s,
                          const apr_array_header_t *env)
{
    const apr_table_entry_t *t = (const apr_table_entry_t *)env->elts;
    apr_size_t n = env->nelts ? (apr_size_t)env->nelts : 1;
    apr_size_t off = offsetof(entry_t, env) + n * sizeof(env_off_t);
    char *block = (char *)e;
    int i;

    if (e) {
        e->created = s->created;
        e->expires = s->expires;
        e->n_env = (apr_uint32_t)env->nelts;
    }
    /* Each assignment only when e: lay() returns the offset either way. */
#define LAY(field, str) do { apr_uint32_t o_ = lay(block, &off, (str)); \
                             if (e) { field = o_; } } while (0)
    LAY(e->site, s->site);
    LAY(e->idp, s->idp);
    LAY(e->idp_key, s->idp_key);
    LAY(e->user, s->user);
    LAY(e->events, s->events ? s->events : "");
    for (i = 0; i < env->nelts; i++) {
        LAY(e->env[i].name, t[i].key);
        LAY(e->env[i].value, t[i].val ? t[i].val : "");
    }
#undef LAY
    return off;
}

void wcs_session_memo_put(wcs_session_memo_t *m, const wcs_session_t *s,
                          const char *key_id, apr_time_t now)
{
    const apr_array_header_t *env;
    apr_size_t len;
    entry_t *e, *old;
    slot_t *slot;

    if (!m || !wcs_session_id_valid(s->id)) {
        return;
    }
    env = apr_table_elts(s->env);
    len = lay_out(NULL, s, env);
    e = malloc(len);
    if (!e) {
        return;                  /* only a memory: the store still has it */
    }
    lay_out(e, s, env);
    slot = slot_of(m, s->id);
    lock(m);
    old = slot->entry;
    memcpy(slot->id, s->id, WCS_SESSION_ID_LEN);
    memcpy(slot->key_id, key_id, WCS_SESSION_KEY_ID_LEN);
    slot->entry = e;
    slot->len = len;
    slot->until = now + m->lifetime;
    unlock(m);
    free(old);
}

void wcs_session_memo_forget(wcs_session_memo_t *m, const char *id)
{
    slot_t *slot;
    entry_t *old = NULL;

    if (!m || !wcs_session_id_valid(id)) {
        return;
    }
    slot = slot_of(m, id);
    lock(m);
    if (!memcmp(slot->id, id, WCS_SESSION_ID_LEN)) {
        old = slot->entry;
        slot->entry = NULL;
        slot->until = 0;
        memset(slot->id, 0, sizeof(slot->id));
    }
    unlock(m);
    free(old);
}
