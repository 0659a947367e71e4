/*
 * mod_wcs: what the httpd glue files share.  Directive names are defined
 * once in src/wcs_names.h (the core names them in its reasons too).
 */
#ifndef MOD_WCS_H
#define MOD_WCS_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <ap_socache.h>
#include <apr_global_mutex.h>
#include <apr_shm.h>
#include <util_mutex.h>

#include "wcs_log.h"
#include "wcs_names.h"
#include "wcs_response.h"
#include "wcs_store.h"

#define WCS_AUTH_TYPE "WebcastSAML"
#define WCS_LOG_TAG "WCS"
#define WCS_CACHE_MUTEX_TYPE "webcast-saml-cache"
#define WCS_REPLAY_MUTEX_TYPE "webcast-saml-replay"

#define WCS_ENDPOINT_DEFAULT "/saml"
#define WCS_COOKIE_NAME_DEFAULT "webcast_saml_session"
#define WCS_DEFAULT_TARGET_DEFAULT "/"
/* Form fields besides SAMLResponse (RelayState) fit in this. */
#define WCS_FORM_SLACK 8192
#define WCS_RELAYSTATE_MAX 1024

typedef enum {
    WCS_SECURE_AUTO = 0,         /* Secure when https or the ACS URL is */
    WCS_SECURE_ON,
    WCS_SECURE_OFF
} wcs_cookie_secure_t;

typedef struct wcs_srv_conf_t {
    const char *sp_entity_id;
    int sp_entity_id_set;
    const char *acs_url;
    int acs_url_set;
    const char *endpoint_path;
    int endpoint_path_set;
    apr_hash_t *idps;            /* entity ID -> wcs_idp_t * */
    int idps_set;
    /* Per-IdP lines apply to this vhost's IdPs: a vhost with IdPs of its
     * own (idps_set in its own record) takes none from the main server. */
    apr_array_header_t *sha1_idps;   /* of const char *: entity IDs */
    int sha1_idps_set;
    apr_hash_t *idp_domains;     /* entity ID -> array of const char * */
    int idp_domains_set;
    int signed_parts;            /* wcs_signed_parts_t */
    int signed_parts_set;
    apr_interval_time_t clock_skew;
    int clock_skew_set;
    apr_interval_time_t max_assertion_age;
    int max_assertion_age_set;
    apr_size_t max_response_size;
    int max_response_size_set;
    apr_interval_time_t session_lifetime;
    int session_lifetime_set;
    const char *cookie_name;
    int cookie_name_set;
    const char *cookie_samesite;
    int cookie_samesite_set;
    int cookie_secure;           /* wcs_cookie_secure_t */
    int cookie_secure_set;
    const char *email_attribute;
    int email_attribute_set;
    apr_array_header_t *attr_map;    /* of wcs_attr_map_t */
    int attr_map_set;
    /* Main server only: keys of session records (wcs_session_key_t *). */
    apr_array_header_t *session_keys;
    int session_keys_set;

    /* Derived in check_config, never set by a directive. */
    wcs_sp_t *sp;                /* NULL: this vhost is not a SAML SP */
    const char *acs_path;        /* local path of the ACS */
} wcs_srv_conf_t;

typedef struct wcs_dir_conf_t {
    const char *error_url;
    int error_url_set;
    const char *default_target;
    int default_target_set;
    int export_headers;
    int export_headers_set;
} wcs_dir_conf_t;

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

extern module AP_MODULE_DECLARE_DATA webcast_saml_module;

/* mod_wcs_config.c */
void *wcs_create_srv_conf(apr_pool_t *p, server_rec *s);
void *wcs_merge_srv_conf(apr_pool_t *p, void *basev, void *addv);
void *wcs_create_dir_conf(apr_pool_t *p, char *dir);
void *wcs_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);
const char *wcs_set_sp_entity_id(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_acs_url(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_endpoint_path(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_idp_metadata(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_idp(cmd_parms *cmd, void *dc, int argc,
                        char *const argv[]);
const char *wcs_set_sha1_idps(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_idp_domains(cmd_parms *cmd, void *dc, int argc,
                                char *const argv[]);
const char *wcs_set_signed_parts(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_clock_skew(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_max_assertion_age(cmd_parms *cmd, void *dc,
                                      const char *arg);
const char *wcs_set_max_response_size(cmd_parms *cmd, void *dc,
                                      const char *arg);
const char *wcs_set_session_lifetime(cmd_parms *cmd, void *dc,
                                     const char *arg);
const char *wcs_set_cookie_name(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_cookie_samesite(cmd_parms *cmd, void *dc,
                                    const char *arg);
const char *wcs_set_cookie_secure(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_email_attribute(cmd_parms *cmd, void *dc,
                                    const char *arg);
const char *wcs_set_attr_map(cmd_parms *cmd, void *dc, const char *saml,
                             const char *env);
const char *wcs_set_session_keys(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_error_url(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_default_target(cmd_parms *cmd, void *dc,
                                   const char *arg);
const char *wcs_set_export_headers(cmd_parms *cmd, void *dc, int flag);

/* mod_wcs_startup.c */
int wcs_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp);
int wcs_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                     server_rec *s);

/* mod_wcs_store.c */
const char *wcs_set_session_cache(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_replay_cache(cmd_parms *cmd, void *dc, const char *spec,
                                 const char *capacity);
/* Is the session cache one that several servers may share (memcache,
 * redis), as configured so far? */
int wcs_store_sessions_shared(void);
int wcs_store_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp, server_rec *s);
void wcs_store_child_init(apr_pool_t *p, server_rec *s);
/* A wcs_store_t for this request over the process's cache; NULL when the
 * cache is not set up (the caller fails closed). */
wcs_store_t *wcs_store_for(request_rec *r);
/* Likewise over the replay cache. */
wcs_store_t *wcs_replay_store_for(request_rec *r);

/* mod_wcs_acs.c */
int wcs_acs_handler(request_rec *r);
/* Run the ACS for r and answer it (redirect or error page): the status
 * to return from any hook. */
int wcs_acs_run(request_rec *r, wcs_srv_conf_t *sc);
/* Answer r with the error page or redirect for code; logs reason once
 * with a fresh ref.  Returns the status the hook returns. */
int wcs_acs_refuse(request_rec *r, wcs_code_t code, const char *reason);

/* mod_wcs_auth.c */
int wcs_check_authn(request_rec *r);
/* Take look-alike WEBCAST_* headers and the session cookie out of every
 * request AuthType WebcastSAML applies to, sub-requests included. */
int wcs_scrub_request(request_rec *r);
/* The logger the core uses for r. */
wcs_logger_t *wcs_logger_for(request_rec *r, const char *ref);
void wcs_log_install(void);

#endif
