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

/* The cache lives in the process pool, not in pconf: a graceful restart
 * (what an admin runs after every configuration change) keeps the
 * sessions of people watching a webcast and the replay cache.  It is
 * rebuilt only when WebcastSAMLSessionCache itself changes.  Its mutex
 * lives as long, so that old and new children lock the same one. */
#define KEPT_KEY "webcast-saml-cache"

/* The cache requests use: set in post_config from the kept one. */
static wcs_cache_t *cache;
/* What the directive says this generation; NULL: the default. */
static const char *configured_spec;

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

/* Look up the provider "name" of spec "name[:args]"; *args may be NULL. */
static const char *lookup_provider(const ap_socache_provider_t **provider,
                                   const char **args, const char *spec,
                                   apr_pool_t *p)
{
    const char *colon = ap_strchr_c(spec, ':');
    const char *name = colon ? apr_pstrmemdup(p, spec, colon - spec) : spec;

    *args = colon ? colon + 1 : NULL;
    *provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name,
                                   AP_SOCACHE_PROVIDER_VERSION);
    if (!*provider) {
        return apr_psprintf(p, "unknown socache provider \"%s\" (loaded: "
                            "%s; load mod_socache_%s)", name,
                            known_providers(p), name);
    }
    return NULL;
}

/* Create (not initialise) an instance of spec from pool p. */
static const char *create_instance(ap_socache_instance_t **instance,
                                   const ap_socache_provider_t **provider,
                                   const char *spec, apr_pool_t *ptemp,
                                   apr_pool_t *p)
{
    const char *args, *err = lookup_provider(provider, &args, spec, ptemp);

    if (!err) {
        err = (*provider)->create(instance, args, ptemp, p);
    }
    return err;
}

static apr_status_t forget_configured(void *data)
{
    configured_spec = NULL;
    cache = NULL;
    return APR_SUCCESS;
}

const char *wcs_set_session_cache(cmd_parms *cmd, void *dc, const char *arg)
{
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *scratch;
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    if (err) {
        return err;
    }
    /* A scratch instance only proves the arguments now, for configtest;
     * the real one is made (or kept) in post_config. */
    err = create_instance(&scratch, &provider, arg, cmd->temp_pool,
                          cmd->temp_pool);
    if (err) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
    }
    configured_spec = apr_pstrdup(cmd->pool, arg);
    apr_pool_cleanup_register(cmd->pool, NULL, forget_configured,
                              apr_pool_cleanup_null);
    return NULL;
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

/* Make and initialise the cache for spec in the process pool. */
static int make_kept(wcs_cache_t **out, const char *spec, server_rec *s,
                     apr_pool_t *ptemp)
{
    static struct ap_socache_hints hints = {
        WCS_STORE_KEY_LEN, 1024, apr_time_from_sec(60)
    };
    apr_pool_t *pproc = s->process->pool;
    wcs_cache_t *c = apr_pcalloc(pproc, sizeof(*c));
    const char *err;
    apr_status_t rv;

    c->spec = apr_pstrdup(pproc, spec);
    err = create_instance(&c->instance, &c->provider, spec, ptemp, pproc);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, WCS_LOG_TAG "03001: "
                     "session cache %s: %s", spec, err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (c->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) {
        rv = ap_global_mutex_create(&c->mutex, NULL, WCS_CACHE_MUTEX_TYPE,
                                    NULL, s, pproc, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, WCS_LOG_TAG "03002: "
                         "cannot create the session cache mutex");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    rv = c->provider->init(c->instance, "webcast-saml", &hints, s, pproc);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, WCS_LOG_TAG "03003: "
                     "cannot initialise the session cache %s", spec);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_userdata_set(c, KEPT_KEY, apr_pool_cleanup_null, pproc);
    *out = c;
    return OK;
}

/* The configuration changed the cache: the old one goes. */
static void drop_kept(wcs_cache_t *c, server_rec *s, apr_pool_t *ptemp)
{
    const char *args;

    /* The provider's module may have been reloaded: look it up again. */
    if (!lookup_provider(&c->provider, &args, c->spec, ptemp)) {
        c->provider->destroy(c->instance, s);
    }
    if (c->mutex) {
        apr_global_mutex_destroy(c->mutex);
    }
    apr_pool_userdata_set(NULL, KEPT_KEY, apr_pool_cleanup_null,
                          s->process->pool);
    ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, WCS_LOG_TAG "03006: "
                 "session cache %s replaced: sessions made before this "
                 "restart are gone", c->spec);
}

int wcs_store_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp, server_rec *s)
{
    const char *spec = configured_spec ? configured_spec : DEFAULT_CACHE;
    const char *args, *err;
    wcs_cache_t *kept = NULL;
    int rc;

    /* Also when no directive was read this round (default cache). */
    apr_pool_cleanup_register(pconf, NULL, forget_configured,
                              apr_pool_cleanup_null);
    if (!any_sp(s)) {
        return OK;
    }
    apr_pool_userdata_get((void **)&kept, KEPT_KEY, s->process->pool);
    if (kept && strcmp(kept->spec, spec)) {
        drop_kept(kept, s, ptemp);
        kept = NULL;
    }
    if (!kept) {
        rc = make_kept(&kept, spec, s, ptemp);
        if (rc != OK) {
            return rc;
        }
    }
    else {
        /* Same cache, new generation: the provider's module was reloaded
         * with the configuration, so its entry points are looked up anew;
         * the instance and the shared memory are the old ones. */
        err = lookup_provider(&kept->provider, &args, spec, ptemp);
        if (err) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, WCS_LOG_TAG "03001: "
                         "session cache %s: %s", spec, err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    cache = kept;
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, WCS_LOG_TAG "03004: session "
                 "cache %s", kept->spec);
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
