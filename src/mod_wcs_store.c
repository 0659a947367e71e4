/*
 * mod_wcs_store: the core's wcs_store_t over httpd's socache, the way
 * mod_ssl uses it: "provider:args" parsed when the directive is read (a
 * typo lists the providers that are loaded), instance initialised in
 * post_config, a global mutex only for providers that are not safe across
 * processes, and every status but APR_NOTFOUND treated as a failure.
 */
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <util_mutex.h>

#include "mod_wcs.h"

APLOG_USE_MODULE(webcast_saml);

/* shmcb's own default (512 kB) holds a few hundred logins; a webcast
 * start brings thousands within minutes, and an evicted replay entry is
 * a replay let through.  Shared memory is touched only as it fills. */
#define DEFAULT_CACHE "shmcb:webcast_saml_cache(33554432)"

/* One cache for the process, valid for the current config generation:
 * set in post_config, read by requests. */
static wcs_cache_t *cache;
/* What the directive configured, kept until post_config of this round. */
static wcs_cache_t *configured;

static const char *known_providers(apr_pool_t *p)
{
    apr_array_header_t *names = ap_list_provider_names(
        p, AP_SOCACHE_PROVIDER_GROUP, AP_SOCACHE_PROVIDER_VERSION);
    apr_array_header_t *list = apr_array_make(p, names->nelts,
                                              sizeof(const char *));
    int i;

    for (i = 0; i < names->nelts; i++) {
        ap_list_provider_names_t *n = &APR_ARRAY_IDX(
            names, i, ap_list_provider_names_t);

        APR_ARRAY_PUSH(list, const char *) = n->provider_name;
    }
    return list->nelts ? apr_array_pstrcat(p, list, ',') : "(none loaded)";
}

static const char *create_cache(wcs_cache_t **out, const char *spec,
                                apr_pool_t *ptemp, apr_pool_t *pconf)
{
    wcs_cache_t *c = apr_pcalloc(pconf, sizeof(*c));
    const char *colon = ap_strchr_c(spec, ':'), *args = NULL, *err;
    char *name = apr_pstrdup(ptemp, spec);

    if (colon) {
        name[colon - spec] = '\0';
        args = colon + 1;
    }
    c->spec = apr_pstrdup(pconf, spec);
    c->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name,
                                     AP_SOCACHE_PROVIDER_VERSION);
    if (!c->provider) {
        return apr_psprintf(pconf, "unknown socache provider \"%s\" (loaded: "
                            "%s; load mod_socache_%s)", name,
                            known_providers(ptemp), name);
    }
    err = c->provider->create(&c->instance, args, ptemp, pconf);
    if (err) {
        return apr_psprintf(pconf, "socache %s: %s", name, err);
    }
    *out = c;
    return NULL;
}

const char *wcs_set_session_cache(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    if (err) {
        return err;
    }
    err = create_cache(&configured, arg, cmd->temp_pool, cmd->pool);
    return err ? apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err) : NULL;
}

static apr_status_t cache_cleanup(void *data)
{
    wcs_cache_t *c = data;

    c->provider->destroy(c->instance, NULL);
    if (cache == c) {
        cache = NULL;
    }
    return APR_SUCCESS;
}

static apr_status_t forget_configured(void *data)
{
    configured = NULL;
    cache = NULL;
    return APR_SUCCESS;
}

static int any_sp(server_rec *s)
{
    for (; s; s = s->next) {
        wcs_srv_conf_t *sc = ap_get_module_config(s->module_config,
                                                  &webcast_saml_module);
        if (sc->sp) {
            return 1;
        }
    }
    return 0;
}

int wcs_store_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp, server_rec *s)
{
    static struct ap_socache_hints hints = {
        WCS_STORE_KEY_LEN, 1024, apr_time_from_sec(60)
    };
    wcs_cache_t *c = configured;
    const char *err;
    apr_status_t rv;

    apr_pool_cleanup_register(pconf, NULL, forget_configured,
                              apr_pool_cleanup_null);
    if (!any_sp(s)) {
        return OK;
    }
    if (!c) {
        err = create_cache(&c, DEFAULT_CACHE, ptemp, pconf);
        if (err) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, WCS_LOG_TAG "03001: "
                         "no %s given and the default failed: %s",
                         WCS_CMD_SESSION_CACHE, err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    if (c->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) {
        rv = ap_global_mutex_create(&c->mutex, NULL, WCS_CACHE_MUTEX_TYPE,
                                    NULL, s, pconf, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, WCS_LOG_TAG "03002: "
                         "cannot create the session cache mutex");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    rv = c->provider->init(c->instance, "webcast-saml", &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, WCS_LOG_TAG "03003: "
                     "cannot initialise the session cache %s", c->spec);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, c, cache_cleanup, apr_pool_cleanup_null);
    cache = c;
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, WCS_LOG_TAG "03004: session "
                 "cache %s", c->spec);
    return OK;
}

void wcs_store_child_init(apr_pool_t *p, server_rec *s)
{
    apr_status_t rv;

    if (!cache || !cache->mutex) {
        return;
    }
    rv = apr_global_mutex_child_init(&cache->mutex,
                                     apr_global_mutex_lockfile(cache->mutex),
                                     p);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, WCS_LOG_TAG "03005: "
                     "cannot reopen the session cache mutex in a child");
    }
}

/* --- the wcs_store_t callbacks ------------------------------------------ */

typedef struct {
    wcs_cache_t *cache;
    server_rec *s;
} store_baton_t;

static apr_status_t lock(wcs_cache_t *c)
{
    return c->mutex ? apr_global_mutex_lock(c->mutex) : APR_SUCCESS;
}

static void unlock(wcs_cache_t *c)
{
    if (c->mutex) {
        apr_global_mutex_unlock(c->mutex);
    }
}

static apr_status_t store_get(void *baton, const wcs_store_key_t *key,
                              unsigned char *buf, apr_size_t *len,
                              apr_pool_t *p)
{
    store_baton_t *b = baton;
    unsigned int n = (unsigned int)*len;
    apr_status_t rv = lock(b->cache);

    if (rv == APR_SUCCESS) {
        rv = b->cache->provider->retrieve(b->cache->instance, b->s,
                                          key->id, WCS_STORE_KEY_LEN,
                                          buf, &n, p);
        unlock(b->cache);
    }
    *len = n;
    return rv;
}

static apr_status_t store_put(void *baton, const wcs_store_key_t *key,
                              apr_time_t expiry, const unsigned char *value,
                              apr_size_t len, apr_pool_t *p)
{
    store_baton_t *b = baton;
    apr_status_t rv = lock(b->cache);

    if (rv == APR_SUCCESS) {
        rv = b->cache->provider->store(b->cache->instance, b->s,
                                       key->id, WCS_STORE_KEY_LEN, expiry,
                                       (unsigned char *)value,
                                       (unsigned int)len, p);
        unlock(b->cache);
    }
    return rv;
}

static apr_status_t store_remove(void *baton, const wcs_store_key_t *key,
                                 apr_pool_t *p)
{
    store_baton_t *b = baton;
    apr_status_t rv = lock(b->cache);

    if (rv == APR_SUCCESS) {
        rv = b->cache->provider->remove(b->cache->instance, b->s,
                                        key->id, WCS_STORE_KEY_LEN, p);
        unlock(b->cache);
    }
    return rv;
}

wcs_store_t *wcs_store_for(request_rec *r)
{
    wcs_store_t *st;
    store_baton_t *b;

    if (!cache) {
        return NULL;
    }
    st = apr_pcalloc(r->pool, sizeof(*st));
    b = apr_pcalloc(r->pool, sizeof(*b));
    b->cache = cache;
    b->s = r->server;
    st->baton = b;
    st->get = store_get;
    st->put = store_put;
    st->remove = store_remove;
    return st;
}
