#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "wcs_store_mem.h"

typedef struct {
    apr_pool_t *pool;
    apr_hash_t *entries;         /* key id -> wcs_store_mem_entry_t * */
    const apr_time_t *now;
} mem_store_t;

static apr_time_t mem_now(const mem_store_t *st)
{
    return st->now && *st->now ? *st->now : apr_time_now();
}

static apr_status_t mem_get(void *baton, const wcs_store_key_t *key,
                            unsigned char *buf, apr_size_t *len,
                            apr_pool_t *p)
{
    mem_store_t *st = baton;
    wcs_store_mem_entry_t *e = apr_hash_get(st->entries, key->id, WCS_STORE_KEY_LEN);

    if (!e || e->expiry <= mem_now(st)) {
        return APR_NOTFOUND;
    }
    if (e->len > *len) {
        return APR_ENOSPC;
    }
    memcpy(buf, e->value, e->len);
    *len = e->len;
    return APR_SUCCESS;
}

static apr_status_t mem_put(void *baton, const wcs_store_key_t *key,
                            apr_time_t expiry, const unsigned char *value,
                            apr_size_t len, apr_pool_t *p)
{
    mem_store_t *st = baton;
    wcs_store_mem_entry_t *e = apr_palloc(st->pool, sizeof(*e));

    e->expiry = expiry;
    e->value = apr_pmemdup(st->pool, value, len);
    e->len = len;
    apr_hash_set(st->entries, apr_pmemdup(st->pool, key->id,
                                          WCS_STORE_KEY_LEN),
                 WCS_STORE_KEY_LEN, e);
    return APR_SUCCESS;
}

static apr_status_t mem_remove(void *baton, const wcs_store_key_t *key,
                               apr_pool_t *p)
{
    mem_store_t *st = baton;

    if (!apr_hash_get(st->entries, key->id, WCS_STORE_KEY_LEN)) {
        return APR_NOTFOUND;
    }
    apr_hash_set(st->entries, key->id, WCS_STORE_KEY_LEN, NULL);
    return APR_SUCCESS;
}

static apr_status_t mem_add(void *baton, const wcs_store_key_t *key,
                            apr_time_t expiry, const unsigned char *value,
                            apr_size_t len, apr_pool_t *p)
{
    mem_store_t *st = baton;
    wcs_store_mem_entry_t *e = apr_hash_get(st->entries, key->id, WCS_STORE_KEY_LEN);

    if (e && e->expiry > mem_now(st)) {
        return APR_EEXIST;
    }
    return mem_put(baton, key, expiry, value, len, p);
}

wcs_store_t *wcs_store_mem_make(const apr_time_t *now, apr_pool_t *p)
{
    wcs_store_t *store = apr_pcalloc(p, sizeof(*store));
    mem_store_t *st = apr_pcalloc(p, sizeof(*st));

    st->pool = p;
    st->entries = apr_hash_make(p);
    st->now = now;
    store->baton = st;
    store->get = mem_get;
    store->put = mem_put;
    store->remove = mem_remove;
    store->add = mem_add;
    return store;
}

unsigned int wcs_store_mem_count(const wcs_store_t *store)
{
    const mem_store_t *st = store->baton;
    apr_hash_index_t *hi;
    unsigned int n = 0;

    for (hi = apr_hash_first(NULL, st->entries); hi; hi = apr_hash_next(hi)) {
        const wcs_store_mem_entry_t *e = apr_hash_this_val(hi);

        if (e->expiry > mem_now(st)) {
            n++;
        }
    }
    return n;
}

apr_hash_t *wcs_store_mem_entries(const wcs_store_t *store)
{
    return ((const mem_store_t *)store->baton)->entries;
}
