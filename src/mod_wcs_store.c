/*
 * mod_wcs_store: the core's wcs_store_t over httpd's socache, the way
 * mod_ssl uses it: "provider:args" parsed when the directive is read (a
 * typo lists the providers that are loaded), instance initialised in
 * post_config, and every status but APR_NOTFOUND treated as a failure.
 *
 * Two caches: sessions, and the replay cache.  They are apart so that no
 * flood of sessions can push a replay entry out of a cache that drops its
 * oldest entries when full (shmcb).  The session cache locks a global
 * mutex only for providers that are not safe across processes; the replay
 * cache always does, because its add (look up, then store) must be one
 * operation across all of this server's processes.
 */
#include <errno.h>

#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <util_mutex.h>
#include <apr_global_mutex.h>
#include <apr_shm.h>

#include "mod_wcs.h"
#include "mod_wcs_config.h"
#include "mod_wcs_log.h"
#include "mod_wcs_store.h"
#include "wcs_session.h"

APLOG_USE_MODULE(webcast_saml);

#define WCS_CACHE_MUTEX_TYPE "webcast-saml-cache"
#define WCS_REPLAY_MUTEX_TYPE "webcast-saml-replay"
#define WCS_LOGIN_MUTEX_TYPE "webcast-saml-logins"

/* A store over socache, global to the process (server config only):
 * the session cache, and the replay cache. */
typedef struct wcs_cache_t {
    const char *spec;            /* as configured, for log lines */
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *instance;
    /* Sessions: only for providers not MP-safe.  Replay: always, held
     * across the lookup and the store of an add (and the ledger). */
    apr_global_mutex_t *mutex;
    /* Replay cache of an evicting provider: how many entries it keeps
     * (0: not counted) and the ledger in shared memory. */
    apr_uint64_t capacity;
    apr_shm_t *ledger_shm;
    wcs_replay_ledger_t *ledger;
} wcs_cache_t;


/* One of the two caches: what tells them apart, and what the directive
 * says this generation. */
typedef struct cache_kind_t {
    const char *what;            /* for log lines */
    const char *directive;
    /* The cache lives in the process pool, not in pconf: a graceful
     * restart (what an admin runs after every configuration change) keeps
     * the sessions of people watching a webcast and the replay cache.  It
     * is rebuilt only when its directive changes.  Its mutex and ledger
     * live as long, so that old and new children share them. */
    const char *kept_key;
    const char *namespace;       /* socache init namespace */
    const char *default_spec;
    const char *mutex_type;
    int always_lock;             /* adds must be atomic */
    int counted;                 /* keep a ledger when it evicts */
    struct ap_socache_hints hints;
    const char *configured_spec;     /* NULL: the default */
    apr_uint64_t configured_capacity;    /* 0: derived */
    wcs_cache_t *cache;          /* the one requests use */
} cache_kind_t;

/* shmcb's own default (512 kB) holds a few hundred logins; a webcast
 * start brings thousands within minutes.  Shared memory is touched only
 * as it fills. */
static cache_kind_t sessions = {
    "session cache", WCS_CMD_SESSION_CACHE, "webcast-saml-cache",
    "webcast-saml", "shmcb:webcast_saml_cache(33554432)",
    WCS_CACHE_MUTEX_TYPE, 0, 0,
    { WCS_STORE_KEY_LEN, 1024, 60 * APR_USEC_PER_SEC },
    NULL, 0, NULL
};

/* 8 MiB of shmcb keep about 95,000 replay entries: with the default
 * WebcastSAMLMaxAssertionAge (300 s) that is over 250 logins a second
 * for as long as it lasts (see README, "Replay cache sizing"). */
static cache_kind_t replays = {
    "replay cache", WCS_CMD_REPLAY_CACHE, "webcast-saml-replay",
    "webcast-saml-replay", "shmcb:webcast_saml_replay(8388608)",
    WCS_REPLAY_MUTEX_TYPE, 1, 1,
    { WCS_STORE_KEY_LEN, WCS_REPLAY_HINT_OBJ_SIZE, 60 * APR_USEC_PER_SEC },
    NULL, 0, NULL
};

/* The sign-ins in progress (outstanding AuthnRequests), apart from the
 * sessions: anyone can start sign-ins, as fast as they like, and in a
 * cache of their own they only push out each other, never a session.  An
 * entry takes about 300 bytes: 4 MiB keep over 10,000 sign-ins in
 * progress.  Where the session cache is shared by several servers and
 * this one is not configured, it is the same provider (see setup_kind). */
static cache_kind_t logins = {
    "sign-in cache", WCS_CMD_LOGIN_CACHE, "webcast-saml-logins",
    "webcast-saml-logins", "shmcb:webcast_saml_logins(4194304)",
    WCS_LOGIN_MUTEX_TYPE, 0, 0,
    { WCS_STORE_KEY_LEN, 300, 60 * APR_USEC_PER_SEC },
    NULL, 0, NULL
};

static cache_kind_t *const kinds[] = { &sessions, &replays, &logins, NULL };

/* WebcastSAMLSessionProcessCache: each process's memory of the sessions
 * it verified, so that a person's next requests within seconds cost no
 * store round trip, MAC or parse.  A session removed from the cache
 * (logout elsewhere) keeps opening pages on a process that remembers it
 * for at most its lifetime. */
#define PROCESS_CACHE_LIFETIME_DEFAULT apr_time_from_sec(10)
#define PROCESS_CACHE_LIFETIME_MAX apr_time_from_sec(300)
#define PROCESS_CACHE_ENTRIES_DEFAULT 4096
#define PROCESS_CACHE_ENTRIES_MAX (1024 * 1024)

static struct {
    apr_interval_time_t lifetime;    /* 0: off */
    apr_size_t entries;
    int set;
} process_cache;

static wcs_session_memo_t *session_memo;     /* this process's */

/* shmcb's size when its arguments name none. */
#define SHMCB_DEFAULT_SIZE (512 * 1024)

int wcs_store_pre_config(apr_pool_t *pconf)
{
    cache_kind_t *const *k;

    for (k = kinds; *k; k++) {
        if (ap_mutex_register(pconf, (*k)->mutex_type, NULL,
                              APR_LOCK_DEFAULT, 0) != APR_SUCCESS) {
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}

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

/* How many replay entries the cache of spec keeps without dropping a live
 * one: derived from the size of a shmcb cache ("shmcb:path(bytes)", as
 * shmcb reads it); 0 for a provider that does not drop live entries of
 * its own accord (or whose room this server cannot know: see README). */
static apr_uint64_t derived_capacity(const char *spec)
{
    const char *open, *args = ap_strchr_c(spec, ':');
    apr_size_t bytes = SHMCB_DEFAULT_SIZE;
    apr_size_t namelen = args ? (apr_size_t)(args - spec) : strlen(spec);

    if (namelen != 5 || strncmp(spec, "shmcb", 5)) {
        return 0;
    }
    open = args ? strrchr(args, '(') : NULL;
    if (open) {
        bytes = (apr_size_t)apr_atoi64(open + 1);
    }
    return wcs_replay_capacity_shmcb(bytes);
}

static apr_status_t forget_configured(void *data)
{
    cache_kind_t *const *k;

    for (k = kinds; *k; k++) {
        (*k)->configured_spec = NULL;
        (*k)->configured_capacity = 0;
        (*k)->cache = NULL;
    }
    process_cache.set = 0;
    return APR_SUCCESS;
}

static const char *set_cache(cache_kind_t *kind, cmd_parms *cmd,
                             const char *arg)
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
    kind->configured_spec = apr_pstrdup(cmd->pool, arg);
    apr_pool_cleanup_register(cmd->pool, NULL, forget_configured,
                              apr_pool_cleanup_null);
    return NULL;
}

const char *wcs_set_session_cache(cmd_parms *cmd, void *dc, const char *arg)
{
    return set_cache(&sessions, cmd, arg);
}

int wcs_store_sessions_shared(void)
{
    const char *spec = sessions.configured_spec ? sessions.configured_spec
                                                : sessions.default_spec;

    /* shmcb and dbm live on this machine; every other provider is a
     * network cache that other servers may share. */
    return strncmp(spec, "shmcb", 5) && strncmp(spec, "dbm", 3)
           && strncmp(spec, "shm:", 4);
}

const char *wcs_set_replay_cache(cmd_parms *cmd, void *dc, const char *spec,
                                 const char *capacity)
{
    const char *err = set_cache(&replays, cmd, spec);
    char *end;
    apr_int64_t n;

    if (err || !capacity) {
        return err;
    }
    errno = 0;
    if (strncmp(capacity, "capacity=", 9)
        || apr_strtoi64(capacity + 9, &end, 10) <= 0 || *end || errno) {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not capacity=N (a "
                            "number of entries, at least 1)",
                            cmd->cmd->name, capacity);
    }
    n = apr_atoi64(capacity + 9);
    replays.configured_capacity = (apr_uint64_t)n;
    return NULL;
}

const char *wcs_set_session_process_cache(cmd_parms *cmd, void *dc,
                                          const char *lifetime,
                                          const char *entries)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    apr_int64_t n = 0;
    char *end;

    if (err) {
        return err;
    }
    process_cache.set = 1;
    process_cache.entries = PROCESS_CACHE_ENTRIES_DEFAULT;
    if (!strcasecmp(lifetime, "off")) {
        process_cache.lifetime = 0;
        return entries ? apr_psprintf(cmd->pool, "%s off takes no entries=",
                                      cmd->cmd->name)
                       : NULL;
    }
    errno = 0;
    n = apr_strtoi64(lifetime, &end, 10);
    if (errno || *end || end == lifetime || n < 1
        || n > apr_time_sec(PROCESS_CACHE_LIFETIME_MAX)) {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is neither off nor a "
                            "number of seconds from 1 to %" APR_TIME_T_FMT,
                            cmd->cmd->name, lifetime,
                            apr_time_sec(PROCESS_CACHE_LIFETIME_MAX));
    }
    process_cache.lifetime = apr_time_from_sec(n);
    if (entries) {
        errno = 0;
        if (strncmp(entries, "entries=", 8)
            || (n = apr_strtoi64(entries + 8, &end, 10)) < 1 || *end
            || end == entries + 8 || errno || n > PROCESS_CACHE_ENTRIES_MAX) {
            return apr_psprintf(cmd->pool, "%s: \"%s\" is not entries=N (a "
                                "number from 1 to %d)", cmd->cmd->name,
                                entries, PROCESS_CACHE_ENTRIES_MAX);
        }
        process_cache.entries = (apr_size_t)n;
    }
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

/* The ledger of an evicting replay cache, in shared memory of its own:
 * rewritten at every login, it would churn the very subcache it lived in
 * if it were an entry of the cache, and push replay entries out. */
static apr_status_t make_ledger(wcs_cache_t *c, apr_pool_t *pproc)
{
    const char *file;
    apr_status_t rv;

    rv = apr_shm_create(&c->ledger_shm, sizeof(wcs_replay_ledger_t), NULL,
                        pproc);
    if (APR_STATUS_IS_ENOTIMPL(rv)) {
        file = ap_runtime_dir_relative(pproc, "webcast_saml_replay.ledger");
        apr_shm_remove(file, pproc);
        rv = apr_shm_create(&c->ledger_shm, sizeof(wcs_replay_ledger_t),
                            file, pproc);
    }
    if (rv == APR_SUCCESS) {
        c->ledger = apr_shm_baseaddr_get(c->ledger_shm);
        memset(c->ledger, 0, sizeof(*c->ledger));
    }
    return rv;
}

/* Make and initialise the cache of kind for spec in the process pool. */
static int make_kept(wcs_cache_t **out, cache_kind_t *kind, const char *spec,
                     apr_uint64_t capacity, server_rec *s, apr_pool_t *ptemp)
{
    apr_pool_t *pproc = s->process->pool;
    wcs_cache_t *c = apr_pcalloc(pproc, sizeof(*c));
    const char *err;
    apr_status_t rv;

    c->spec = apr_pstrdup(pproc, spec);
    c->capacity = capacity;
    err = create_instance(&c->instance, &c->provider, spec, ptemp, pproc);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, WCS_LOG_TAG "03001: "
                     "%s %s: %s", kind->what, spec, err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (kind->always_lock
        || (c->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE)) {
        rv = ap_global_mutex_create(&c->mutex, NULL, kind->mutex_type, NULL,
                                    s, pproc, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, WCS_LOG_TAG "03002: "
                         "cannot create the %s mutex", kind->what);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    if (capacity) {
        rv = make_ledger(c, pproc);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, WCS_LOG_TAG "03007: "
                         "cannot make the %s ledger", kind->what);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    rv = c->provider->init(c->instance, kind->namespace, &kind->hints, s,
                           pproc);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, WCS_LOG_TAG "03003: "
                     "cannot initialise the %s %s", kind->what, spec);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_userdata_set(c, kind->kept_key, apr_pool_cleanup_null, pproc);
    *out = c;
    return OK;
}

/* The configuration changed the cache: the old one goes. */
static void drop_kept(wcs_cache_t *c, cache_kind_t *kind, server_rec *s,
                      apr_pool_t *ptemp)
{
    const char *args;

    /* The provider's module may have been reloaded: look it up again. */
    if (!lookup_provider(&c->provider, &args, c->spec, ptemp)) {
        c->provider->destroy(c->instance, s);
    }
    if (c->mutex) {
        apr_global_mutex_destroy(c->mutex);
    }
    if (c->ledger_shm) {
        apr_shm_destroy(c->ledger_shm);
    }
    apr_pool_userdata_set(NULL, kind->kept_key, apr_pool_cleanup_null,
                          s->process->pool);
    ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, WCS_LOG_TAG "03006: "
                 "%s %s replaced: what it held before this restart is gone",
                 kind->what, c->spec);
}

static int setup_kind(cache_kind_t *kind, server_rec *s, apr_pool_t *ptemp)
{
    const char *spec = kind->configured_spec ? kind->configured_spec
                       : kind == &logins && wcs_store_sessions_shared()
                       ? sessions.configured_spec
                       : kind->default_spec;
    apr_uint64_t capacity = 0;
    const char *args, *err;
    wcs_cache_t *kept = NULL;
    int rc;

    if (kind->counted) {
        capacity = kind->configured_capacity ? kind->configured_capacity
                                             : derived_capacity(spec);
    }
    apr_pool_userdata_get((void **)&kept, kind->kept_key, s->process->pool);
    if (kept && (strcmp(kept->spec, spec) || kept->capacity != capacity)) {
        drop_kept(kept, kind, s, ptemp);
        kept = NULL;
    }
    if (!kept) {
        rc = make_kept(&kept, kind, spec, capacity, s, ptemp);
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
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, WCS_LOG_TAG "03010: "
                         "%s %s: %s", kind->what, spec, err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    kind->cache = kept;
    /* One call site per log tag (t/check_consistency.sh). */
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, WCS_LOG_TAG "03004: %s %s%s",
                 kind->what, kept->spec,
                 kind->counted && kept->capacity
                 ? apr_psprintf(ptemp, ", capacity %" APR_UINT64_T_FMT
                                " entries", kept->capacity) : "");
    return OK;
}

int wcs_store_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp, server_rec *s)
{
    cache_kind_t *const *k;
    int rc;

    /* Also when no directive was read this round (default caches). */
    apr_pool_cleanup_register(pconf, NULL, forget_configured,
                              apr_pool_cleanup_null);
    if (!any_sp(s)) {
        return OK;
    }
    if (replays.counted && replays.configured_spec
        && !replays.configured_capacity
        && !derived_capacity(replays.configured_spec)
        && !strncmp(replays.configured_spec, "shmcb", 5)) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, WCS_LOG_TAG "03008: "
                     "%s %s is too small to keep any replay entry",
                     WCS_CMD_REPLAY_CACHE, replays.configured_spec);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    for (k = kinds; *k; k++) {
        rc = setup_kind(*k, s, ptemp);
        if (rc != OK) {
            return rc;
        }
    }
    return OK;
}

void wcs_store_child_init(apr_pool_t *p, server_rec *s)
{
    cache_kind_t *const *k;
    wcs_cache_t *c;
    apr_status_t rv;

    session_memo = NULL;
    if (!process_cache.set) {
        process_cache.lifetime = PROCESS_CACHE_LIFETIME_DEFAULT;
        process_cache.entries = PROCESS_CACHE_ENTRIES_DEFAULT;
    }
    if (process_cache.lifetime && sessions.cache) {
        rv = wcs_session_memo_create(&session_memo, process_cache.entries,
                                     process_cache.lifetime, p);
        if (rv != APR_SUCCESS) {
            /* Only slower: every request goes to the session cache. */
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, WCS_LOG_TAG "03011: "
                         "cannot make this process's session memory ("
                         WCS_CMD_SESSION_PROCESS_CACHE "); sessions are "
                         "read from the session cache on every request");
        }
    }

    for (k = kinds; *k; k++) {
        c = (*k)->cache;
        if (!c || !c->mutex) {
            continue;
        }
        rv = apr_global_mutex_child_init(&c->mutex,
                                         apr_global_mutex_lockfile(c->mutex),
                                         p);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, WCS_LOG_TAG "03005: "
                         "cannot reopen the %s mutex in a child", (*k)->what);
        }
    }
}

/* --- the wcs_store_t callbacks ------------------------------------------ */

typedef struct {
    wcs_cache_t *cache;
    server_rec *s;
    request_rec *r;              /* whose lines carry its ref */
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

static apr_status_t retrieve(store_baton_t *b, const wcs_store_key_t *key,
                             unsigned char *buf, apr_size_t *len,
                             apr_pool_t *p)
{
    unsigned int n = (unsigned int)*len;
    apr_status_t rv;

    rv = b->cache->provider->retrieve(b->cache->instance, b->s, key->id,
                                      WCS_STORE_KEY_LEN, buf, &n, p);
    *len = n;
    return rv;
}

/* Every lifetime goes through wcs_store_expiry: the one place where it is
 * capped for memcached and kept above a second. */
static apr_status_t store(store_baton_t *b, const wcs_store_key_t *key,
                          apr_time_t expiry, const unsigned char *value,
                          apr_size_t len, apr_pool_t *p)
{
    return b->cache->provider->store(b->cache->instance, b->s, key->id,
                                     WCS_STORE_KEY_LEN,
                                     wcs_store_expiry(expiry, apr_time_now()),
                                     (unsigned char *)value,
                                     (unsigned int)len, p);
}

static apr_status_t store_get(void *baton, const wcs_store_key_t *key,
                              unsigned char *buf, apr_size_t *len,
                              apr_pool_t *p)
{
    store_baton_t *b = baton;
    apr_status_t rv = lock(b->cache);

    if (rv == APR_SUCCESS) {
        rv = retrieve(b, key, buf, len, p);
        unlock(b->cache);
    }
    return rv;
}

static apr_status_t store_put(void *baton, const wcs_store_key_t *key,
                              apr_time_t expiry, const unsigned char *value,
                              apr_size_t len, apr_pool_t *p)
{
    store_baton_t *b = baton;
    apr_status_t rv = lock(b->cache);

    if (rv == APR_SUCCESS) {
        rv = store(b, key, expiry, value, len, p);
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

/* The lookup, the ledger and the store under one hold of the global
 * mutex: among this server's processes and threads, of two adds of one
 * key exactly one stores it.  socache has no add-if-absent, so for a
 * cache shared by several servers (memcache, redis) two servers can still
 * both find a key absent in the instant between lookup and store (README,
 * "Replay cache"). */
static apr_status_t store_add(void *baton, const wcs_store_key_t *key,
                              apr_time_t expiry, const unsigned char *value,
                              apr_size_t len, apr_pool_t *p)
{
    store_baton_t *b = baton;
    wcs_cache_t *c = b->cache;
    unsigned char buf[64];
    apr_size_t blen = sizeof(buf);
    apr_time_t now;
    apr_status_t rv = lock(c);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = retrieve(b, key, buf, &blen, p);
    if (rv == APR_SUCCESS) {
        rv = APR_EEXIST;
    }
    else if (rv == APR_NOTFOUND) {
        now = apr_time_now();
        rv = c->ledger ? wcs_replay_ledger_admit(c->ledger, c->capacity,
                                                 wcs_store_expiry(expiry, now),
                                                 now)
                       : APR_SUCCESS;
        if (rv == APR_ENOSPC) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, b->r,
                          WCS_LOG_TAG "03009: [ref %s] replay cache %s is "
                          "full (%" APR_UINT64_T_FMT
                          " entries): logins are refused until entries "
                          "expire; enlarge " WCS_CMD_REPLAY_CACHE,
                          wcs_req(b->r)->ref, c->spec, c->capacity);
        }
        else {
            /* A failed store after the ledger counted the entry counts one
             * too many until it expires: on the safe side. */
            rv = store(b, key, expiry, value, len, p);
        }
    }
    unlock(c);
    return rv;
}

static wcs_store_t *store_over(wcs_cache_t *c, request_rec *r)
{
    wcs_store_t *st;
    store_baton_t *b;

    if (!c) {
        return NULL;
    }
    st = apr_pcalloc(r->pool, sizeof(*st));
    b = apr_pcalloc(r->pool, sizeof(*b));
    b->cache = c;
    b->s = r->server;
    b->r = r;
    st->baton = b;
    st->get = store_get;
    st->put = store_put;
    st->remove = store_remove;
    /* Without a mutex an add would be a lookup then a store: none. */
    st->add = c->mutex ? store_add : NULL;
    return st;
}

wcs_store_t *wcs_store_for(request_rec *r)
{
    return store_over(sessions.cache, r);
}

wcs_session_memo_t *wcs_session_memo_for(void)
{
    return session_memo;
}

wcs_store_t *wcs_replay_store_for(request_rec *r)
{
    return store_over(replays.cache, r);
}

wcs_store_t *wcs_login_store_for(request_rec *r)
{
    return store_over(logins.cache, r);
}

const char *wcs_set_login_cache(cmd_parms *cmd, void *dc, const char *arg)
{
    return set_cache(&logins, cmd, arg);
}

void wcs_store_describe(wcs_store_desc_t *d, apr_time_t now)
{
    wcs_cache_t *c;

    memset(d, 0, sizeof(*d));
    d->sessions = sessions.cache ? sessions.cache->spec : NULL;
    d->logins = logins.cache ? logins.cache->spec : NULL;
    c = replays.cache;
    if (!c) {
        return;
    }
    d->replay = c->spec;
    d->replay_capacity = c->capacity;
    /* Read without the mutex: a figure for people, a slot or two stale
     * at worst. */
    d->replay_used = c->ledger ? wcs_replay_ledger_used(c->ledger, now) : 0;
    d->replay_counted = c->ledger != NULL;
}
