/*
 * mod_wcs_auth: authentication of protected locations (AuthType
 * WebcastSAML): a session cookie becomes REMOTE_USER and the WEBCAST_*
 * variables; incoming headers that look like ours and the session cookie
 * are taken out of every request the AuthType applies to.
 */
#include <apr_strings.h>
#include <apr_lib.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_core.h>
#include <util_cookies.h>

#include "mod_wcs.h"
#include "mod_wcs_acs.h"
#include "mod_wcs_auth.h"
#include "mod_wcs_config.h"
#include "mod_wcs_error.h"
#include "mod_wcs_log.h"
#include "mod_wcs_login.h"
#include "mod_wcs_session.h"
#include "mod_wcs_store.h"
#include "wcs_session.h"

APLOG_USE_MODULE(webcast_saml);

/* r->notes: the user this module authenticated the request as (a parent
 * request's user is reused only with it). */
#define NOTE_USER "webcast-saml-user"

/* --- headers ----------------------------------------------------------- */

/* Does header name read as WEBCAST_* once '-' is '_' and case is folded?
 * Those are the names an application could mistake for ours. */
static int looks_like_ours(const char *name)
{
    static const char prefix[] = "webcast_";
    apr_size_t i;

    for (i = 0; i < sizeof(prefix) - 1; i++) {
        char c = name[i] == '-' ? '_' : (char)apr_tolower(name[i]);

        if (c != prefix[i]) {
            return 0;
        }
    }
    return 1;
}

static int collect_ours(void *rec, const char *key, const char *value)
{
    apr_array_header_t *names = rec;

    if (looks_like_ours(key)) {
        APR_ARRAY_PUSH(names, const char *) = key;
    }
    return 1;
}

static int is_ours(request_rec *r)
{
    const char *type = ap_auth_type(r);

    return type && !strcasecmp(type, WCS_AUTH_TYPE);
}

/* Variables a sub-request inherits from its parent's environment
 * (mod_include puts the parent's headers and user there) that would speak
 * for this module: WEBCAST_*, HTTP_WEBCAST_* and the user.  They are set
 * anew from the identity this module gives the sub-request, if any. */
static int collect_inherited(void *rec, const char *key, const char *value)
{
    apr_array_header_t *names = rec;

    if (looks_like_ours(key)
        || (!strncasecmp(key, "HTTP_", 5) && looks_like_ours(key + 5))
        || !strcmp(key, "REMOTE_USER") || !strcmp(key, "AUTH_TYPE")) {
        APR_ARRAY_PUSH(names, const char *) = key;
    }
    return 1;
}

static void scrub_inherited_env(request_rec *r)
{
    apr_array_header_t *names;
    int i;

    names = apr_array_make(r->pool, 8, sizeof(const char *));
    apr_table_do(collect_inherited, names, r->subprocess_env, NULL);
    for (i = 0; i < names->nelts; i++) {
        apr_table_unset(r->subprocess_env,
                        APR_ARRAY_IDX(names, i, const char *));
    }
}

static void scrub_headers(request_rec *r)
{
    apr_array_header_t *names;
    int i;

    names = apr_array_make(r->pool, 2, sizeof(const char *));
    apr_table_do(collect_ours, names, r->headers_in, NULL);
    for (i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);

        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, WCS_LOG_TAG "04001: "
                      "[ref %s] removed incoming header %s", wcs_req(r)->ref,
                      ap_escape_logitem(r->pool, name));
        apr_table_unset(r->headers_in, name);
    }
}

/* Remove the Connection tokens that read as WEBCAST_*: a proxy drops the
 * headers that Connection names as hop-by-hop, exported ones included.
 * The header goes when no token is left. */
static void scrub_connection(request_rec *r)
{
    const char *conn = apr_table_get(r->headers_in, "Connection");
    char *list, *tok, *last;
    const char *kept = NULL;
    int dropped = 0;

    if (!conn) {
        return;
    }
    list = apr_pstrdup(r->pool, conn);
    for (tok = apr_strtok(list, ", \t", &last); tok;
         tok = apr_strtok(NULL, ", \t", &last)) {
        if (looks_like_ours(tok)) {
            dropped = 1;
        }
        else {
            kept = kept ? apr_pstrcat(r->pool, kept, ", ", tok, NULL) : tok;
        }
    }
    if (!dropped) {
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, WCS_LOG_TAG "04003: "
                  "[ref %s] removed WEBCAST-like tokens from Connection: %s",
                  wcs_req(r)->ref, ap_escape_logitem(r->pool, conn));
    if (kept) {
        apr_table_setn(r->headers_in, "Connection", kept);
    }
    else {
        apr_table_unset(r->headers_in, "Connection");
    }
}

/* WEBCAST_FIRST_NAME -> Webcast-First-Name */
static const char *header_name(const char *env, apr_pool_t *p)
{
    char *h = apr_pstrdup(p, env), *c;
    int start = 1;

    for (c = h; *c; c++) {
        if (*c == '_') {
            *c = '-';
            start = 1;
        }
        else {
            *c = (char)(start ? apr_toupper(*c) : apr_tolower(*c));
            start = 0;
        }
    }
    return h;
}

typedef struct {
    request_rec *r;
    int headers;
} export_t;

static int export_one(void *rec, const char *key, const char *value)
{
    export_t *e = rec;

    apr_table_setn(e->r->subprocess_env, key, value);
    if (e->headers) {
        apr_table_setn(e->r->headers_in, header_name(key, e->r->pool), value);
    }
    return 1;
}

static void export_env(request_rec *r, apr_table_t *env)
{
    wcs_dir_conf_t *dc = ap_get_module_config(r->per_dir_config,
                                              &webcast_saml_module);
    export_t e;

    e.r = r;
    e.headers = dc->export_headers;
    if (e.headers) {
        scrub_connection(r);
    }
    apr_table_do(export_one, &e, env, NULL);
}

/* --- authentication ------------------------------------------------------ */

static int copy_webcast(void *rec, const char *key, const char *value)
{
    apr_table_t *env = rec;

    if (!strncmp(key, "WEBCAST_", 8)) {
        apr_table_setn(env, key, value);
    }
    return 1;
}

/* Did this module authenticate parent as its user?  Either directly (the
 * note) or by passing that same user down from a request it did
 * authenticate; a user from Basic or any other AuthType is not ours. */
static int authenticated_here(const request_rec *parent)
{
    const request_rec *q;
    const char *note;

    for (q = parent; q && q->user && !strcmp(q->user, parent->user);
         q = wcs_req_parent(q)) {
        note = apr_table_get(q->notes, NOTE_USER);
        if (note) {
            return !strcmp(note, parent->user);
        }
    }
    return 0;
}

/* A sub-request or internal redirect is who its parent request was, when
 * this module made the parent that. */
static int reuse_parent(request_rec *r)
{
    const request_rec *parent = wcs_req_parent(r);
    apr_table_t *env;

    if (!parent || !parent->user || !authenticated_here(parent)) {
        return 0;
    }
    r->user = parent->user;
    r->ap_auth_type = WCS_AUTH_TYPE;
    wcs_req(r)->session = wcs_req((request_rec *)parent)->session;
    apr_table_setn(r->notes, NOTE_USER, r->user);
    env = apr_table_make(r->pool, 8);
    apr_table_do(copy_webcast, env, parent->subprocess_env, NULL);
    export_env(r, env);
    return 1;
}

int wcs_scrub_request(request_rec *r)
{
    if (!is_ours(r)) {
        return DECLINED;
    }
    scrub_headers(r);
    if (r->main) {
        scrub_inherited_env(r);
    }
    wcs_cookie_take(r);
    /* The sign-in cookie is the module's too: never the application's. */
    wcs_login_cookie_take(r, ap_get_module_config(r->server->module_config,
                                                  &webcast_saml_module));
    /* A sub-request or internal redirect with its parent's configuration
     * is not authenticated again (httpd copies the user): the identity
     * scrubbed from its copy of the headers is exported anew. */
    if (!ap_is_initial_req(r)) {
        reuse_parent(r);
    }
    return DECLINED;
}

int wcs_check_authn(request_rec *r)
{
    const char *id = NULL;
    wcs_srv_conf_t *sc;
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_session_t *session;
    wcs_store_t *store;
    apr_status_t rv;
    char ebuf[120];

    if (!is_ours(r)) {
        return DECLINED;
    }
    sc = ap_get_module_config(r->server->module_config, &webcast_saml_module);
    if (!sc->sp) {
        return wcs_error_refuse(r, WCS_CODE_MISCONFIG, "AuthType "
                                WCS_AUTH_TYPE " is used in a vhost that has "
                                "no " WCS_CMD_SP_ENTITY_ID " and IdP");
    }
    if (!ap_is_initial_req(r)) {
        if (reuse_parent(r)) {
            return OK;
        }
    }
    else if (!strcmp(r->uri, sc->acs_path)) {
        /* Only a request from the client itself carries the IdP's POST. */
        return wcs_acs_run(r, sc);
    }
    else if (!strcmp(r->uri, sc->metadata_path)) {
        /* Public, as the ACS is: answered here, the request is done. */
        int rc = wcs_metadata_run(r, sc);

        return rc == OK ? DONE : rc;
    }
    /* Out of the headers since wcs_scrub_request. */
    id = wcs_cookie_take(r);
    if (!id || !wcs_session_id_valid(id)) {
        return wcs_login_start(r, sc);
    }
    store = wcs_store_for(r);
    rv = store ? wcs_session_load(&session, &res, store,
                                  wcs_session_memo_for(), id, sc->sp,
                                  apr_time_now(), r->pool)
               : APR_EINIT;
    if (rv == APR_NOTFOUND) {
        return wcs_login_start(r, sc);
    }
    if (rv == WCS_EREFUSED) {
        /* A session that exists but is not for this site (any more): the
         * person signs in again; the log says why.  Only a prefix of the
         * ID is logged: the ID is the credential. */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, WCS_LOG_TAG "04002: "
                      "[ref %s] session %.8s... refused: %s", wcs_req(r)->ref,
                      id, res.reason);
        return wcs_login_start(r, sc);
    }
    if (rv != APR_SUCCESS) {
        return wcs_error_refuse(r, WCS_CODE_STORE, apr_psprintf(
            r->pool, "session lookup failed: %s",
            apr_strerror(rv, ebuf, sizeof(ebuf))));
    }
    wcs_req(r)->session = session;
    r->user = apr_pstrdup(r->pool, session->user);
    r->ap_auth_type = WCS_AUTH_TYPE;
    apr_table_setn(r->notes, NOTE_USER, r->user);
    export_env(r, session->env);
    return OK;
}

/* --- directives ---------------------------------------------------------- */

const char *wcs_set_export_headers(cmd_parms *cmd, void *dc, int flag)
{
    wcs_dir_conf_t *d = dc;

    d->export_headers = flag;
    d->export_headers_set = 1;
    return NULL;
}
