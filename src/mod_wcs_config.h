/*
 * mod_wcs_config: the configuration records, their merge, the small
 * parsers every directive setter shares, and the setters of the SP's own
 * definition.  Each other concern's setters live in its own file
 * (mod_wcs_idp.c, mod_wcs_session.c, mod_wcs_store.c, ...).
 */
#ifndef MOD_WCS_CONFIG_H
#define MOD_WCS_CONFIG_H

#include <httpd.h>
#include <http_config.h>

#include "wcs_response.h"

#define WCS_ENDPOINT_DEFAULT "/saml"
#define WCS_COOKIE_NAME_DEFAULT "webcast_saml_session"
#define WCS_DEFAULT_TARGET_DEFAULT "/"

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
    /* Events (WebcastSAMLEvent, WebcastSAMLEventMap): a vhost with events
     * of its own takes none of the main server's. */
    wcs_events_t *events;
    int events_set;
    const char *default_relay_state;
    int default_relay_state_set;
    /* The user directory (mod_wcs_directory.c), or NULL: none. */
    struct wcs_directory_conf_t *directory;
    int directory_set;
    int provision;               /* just-in-time attendees (default on) */
    int provision_set;
    const char *license;         /* required licence, or NULL: any */
    int license_set;
    int guests;                  /* guest accounts admitted (default on) */
    int guests_set;
    /* The key that signs AuthnRequests (WebcastSAMLSigningKey). */
    const struct wcs_sp_key_t *sign_key;
    int sign_key_set;
    /* How long an SP-initiated sign-in may take at the IdP. */
    apr_interval_time_t login_timeout;
    int login_timeout_set;
    /* Main server only: keys of session records (wcs_session_key_t *). */
    apr_array_header_t *session_keys;
    int session_keys_set;

    /* Derived in check_config, never set by a directive. */
    wcs_sp_t *sp;                /* NULL: this vhost is not a SAML SP */
    const char *acs_path;        /* local path of the ACS */
    const char *metadata_path;   /* local path of the SP's metadata */
} wcs_srv_conf_t;

typedef struct wcs_dir_conf_t {
    const char *error_url;
    int error_url_set;
    const char *default_target;
    int default_target_set;
    int export_headers;
    int export_headers_set;
    /* SP-initiated sign-in (mod_wcs_login.c): the IdP an anonymous person
     * is sent to (NULL: the event's or the vhost's only one), or off. */
    const char *login_idp;
    int login_off;
    int login_idp_set;
    /* Responses that answer no request taken at the ACS here (default
     * on). */
    int unsolicited;
    int unsolicited_set;
} wcs_dir_conf_t;

void *wcs_create_srv_conf(apr_pool_t *p, server_rec *s);
void *wcs_merge_srv_conf(apr_pool_t *p, void *basev, void *addv);
void *wcs_create_dir_conf(apr_pool_t *p, char *dir);
void *wcs_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);

/* --- what every setter shares ------------------------------------------- */

/* The record of the vhost the directive is read in. */
wcs_srv_conf_t *wcs_cfg_srv(cmd_parms *cmd);

typedef struct {
    const char *name;
    int value;
} wcs_cfg_enum_t;

/* Parse arg as one of table (case-insensitively, ended by a NULL name);
 * NULL, or an error that lists what is allowed. */
const char *wcs_cfg_enum(cmd_parms *cmd, const wcs_cfg_enum_t *table,
                         const char *arg, int *out);
/* Parse a whole number within [min, max]; NULL or the error. */
const char *wcs_cfg_number(cmd_parms *cmd, const char *arg,
                           apr_int64_t min, apr_int64_t max,
                           apr_int64_t *out);
/* The words of line (a Require line's arguments, quotes as httpd reads
 * them), as const char * from cmd->pool; none is an empty array. */
apr_array_header_t *wcs_cfg_words(cmd_parms *cmd, const char *line);
/* Is s a local URL path ("/x", never "//host" or with a backslash)? */
int wcs_cfg_local_path(const char *s);
/* Is arg a target: a local path or an absolute http(s) URL?  NULL or the
 * error. */
const char *wcs_cfg_target(cmd_parms *cmd, const char *arg);

/* --- the SP's own directives --------------------------------------------- */

const char *wcs_set_sp_entity_id(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_acs_url(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_endpoint_path(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_signed_parts(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_clock_skew(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_max_assertion_age(cmd_parms *cmd, void *dc,
                                      const char *arg);
const char *wcs_set_max_response_size(cmd_parms *cmd, void *dc,
                                      const char *arg);
const char *wcs_set_email_attribute(cmd_parms *cmd, void *dc,
                                    const char *arg);
const char *wcs_set_attr_map(cmd_parms *cmd, void *dc, const char *saml,
                             const char *env);

#endif
