/*
 * mod_wcs_store: the session cache and the replay cache over httpd's
 * socache providers, one of each per httpd, and their directives.
 */
#ifndef MOD_WCS_STORE_H
#define MOD_WCS_STORE_H

#include <httpd.h>
#include <http_config.h>

#include "wcs_session.h"
#include "wcs_store.h"

const char *wcs_set_session_cache(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_login_cache(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_replay_cache(cmd_parms *cmd, void *dc, const char *spec,
                                 const char *capacity);
const char *wcs_set_session_process_cache(cmd_parms *cmd, void *dc,
                                          const char *lifetime,
                                          const char *entries);
/* Is the session cache one that several servers may share (memcache,
 * redis), as configured so far? */
int wcs_store_sessions_shared(void);
/* Register the caches' mutex types (pre_config). */
int wcs_store_pre_config(apr_pool_t *pconf);
int wcs_store_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp, server_rec *s);
void wcs_store_child_init(apr_pool_t *p, server_rec *s);
/* A wcs_store_t for this request over the process's cache; NULL when the
 * cache is not set up (the caller fails closed). */
wcs_store_t *wcs_store_for(request_rec *r);
/* This process's memory of verified sessions (WebcastSAMLSessionProcessCache),
 * NULL when off. */
wcs_session_memo_t *wcs_session_memo_for(void);
/* Likewise over the replay cache. */
wcs_store_t *wcs_replay_store_for(request_rec *r);
/* What the status page says of the caches: each one's provider and
 * arguments (NULL: not set up), and how many entries the replay cache's
 * ledger counts against its capacity (replay_counted 0: no ledger, the
 * provider does not evict). */
typedef struct wcs_store_desc_t {
    const char *sessions, *replay, *logins;
    apr_uint64_t replay_capacity, replay_used;
    int replay_counted;
} wcs_store_desc_t;

void wcs_store_describe(wcs_store_desc_t *d, apr_time_t now);

/* Where the sign-ins in progress are kept (WebcastSAMLLoginCache). */
wcs_store_t *wcs_login_store_for(request_rec *r);

#endif
