/*
 * mod_wcs_login: SP-initiated sign-in (see mod_wcs_login.h).  No
 * cryptography and no file is touched on this path: a random ID, the
 * request's XML deflated, one store put.
 */
#include <apr_strings.h>
#include <apr_lib.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_script.h>

#include "mod_wcs.h"
#include "mod_wcs_acs.h"
#include "mod_wcs_config.h"
#include "mod_wcs_error.h"
#include "mod_wcs_log.h"
#include "mod_wcs_login.h"
#include "mod_wcs_session.h"
#include "mod_wcs_store.h"
#include "mod_wcs_status.h"
#include "wcs_authnreq.h"
#include "wcs_event.h"
#include "wcs_str.h"
#include "wcs_url.h"

APLOG_USE_MODULE(webcast_saml);

/* The query parameter of an event link that carries its key:
 * /webcast/1234567/?key=ab177c1f4e. */
#define KEY_PARAM "key"
/* A URL longer than this is not remembered: the person lands on the
 * default target. */
#define RETURN_TO_MAX 2048

/* Can r follow a redirect to the IdP and back?  A navigation can; a
 * script's request (fetch, XMLHttpRequest) or a form's POST cannot
 * usefully: they get 401, and the page that made them decides. */
static const char *why_no_redirect(request_rec *r)
{
    const char *mode = apr_table_get(r->headers_in, "Sec-Fetch-Mode");
    const char *accept = apr_table_get(r->headers_in, "Accept");

    if (r->method_number != M_GET) {
        return apr_pstrcat(r->pool, "a ", r->method, " request", NULL);
    }
    if (mode && strcasecmp(mode, "navigate")) {
        return apr_pstrcat(r->pool, "Sec-Fetch-Mode is ", mode, NULL);
    }
    if (apr_table_get(r->headers_in, "X-Requested-With")) {
        return "X-Requested-With is set";
    }
    if (accept && ap_strcasestr(accept, "application/json")
        && !ap_strcasestr(accept, "text/html")) {
        return "it accepts JSON, not HTML";
    }
    return NULL;
}

/* The IdP a sign-in for event (or NULL) goes to, from r's location: the
 * location's choice where the event admits it, else the event's first
 * IdP, else the location's (or vhost's), else the vhost's only one.  NULL
 * and *why when there is none. */
static const wcs_idp_t *choose_idp(request_rec *r, wcs_srv_conf_t *sc,
                                   const wcs_dir_conf_t *dc,
                                   const wcs_event_t *event, int *level,
                                   const char **why)
{
    const char *id = dc->login_idp;
    const wcs_idp_t *idp;
    int i;

    *level = APLOG_DEBUG;
    if (event && event->idps) {
        const char *chosen = NULL;

        for (i = 0; id && i < event->idps->nelts; i++) {
            if (!strcmp(APR_ARRAY_IDX(event->idps, i, const char *), id)) {
                chosen = id;
            }
        }
        id = chosen ? chosen : APR_ARRAY_IDX(event->idps, 0, const char *);
    }
    if (!id) {
        apr_hash_index_t *hi;

        if (apr_hash_count(sc->sp->idps) != 1) {
            *why = apr_psprintf(r->pool, "the vhost trusts %u IdPs and "
                                "none is chosen for this location (set "
                                WCS_CMD_LOGIN_IDP ")",
                                apr_hash_count(sc->sp->idps));
            return NULL;
        }
        hi = apr_hash_first(r->pool, sc->sp->idps);
        apr_hash_this(hi, NULL, NULL, (void **)&idp);
    }
    else {
        idp = apr_hash_get(sc->sp->idps, id, APR_HASH_KEY_STRING);
        if (!idp) {
            *level = APLOG_ERR;
            *why = apr_psprintf(r->pool, "IdP %s is not configured in this "
                                "vhost", id);
            return NULL;
        }
    }
    if (!idp->sso_redirect) {
        *why = apr_psprintf(r->pool, "IdP %s has no SingleSignOnService "
                            "with the HTTP-Redirect binding (give its "
                            "metadata with " WCS_CMD_IDP_METADATA ")",
                            idp->entity_id);
        return NULL;
    }
    return idp;
}

int wcs_login_start(request_rec *r, wcs_srv_conf_t *sc)
{
    wcs_dir_conf_t *dc = ap_get_module_config(r->per_dir_config,
                                              &webcast_saml_module);
    wcs_req_t *req = wcs_req(r);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_authnreq_state_t st;
    wcs_authnreq_t *areq;
    const wcs_event_t *event;
    const wcs_idp_t *idp;
    const char *why = NULL, *relay_state, *key, *acs_url, *err = NULL;
    wcs_store_t *store;
    apr_time_t now;
    apr_status_t rv;
    int level;
    char ebuf[120];

    if (dc->login_off || !ap_is_initial_req(r)) {
        /* A sub-request or internal redirect sends the browser nowhere. */
        return wcs_error_not_signed_in(r);
    }
    why = why_no_redirect(r);
    if (why) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, WCS_LOG_TAG "06002: "
                      "[ref %s] no sign-in started for %s: %s; 401",
                      req->ref, ap_escape_logitem(r->pool, r->uri), why);
        return wcs_error_not_signed_in(r);
    }
    memset(&st, 0, sizeof(st));
    event = wcs_events_for_path(sc->sp->events, r->uri, r->pool);
    if (event) {
        apr_table_t *args;

        ap_args_to_table(r, &args);
        key = apr_table_get(args, KEY_PARAM);
        if (wcs_event_check_key(&res, event, key, "the link", r->pool)
            != APR_SUCCESS) {
            /* No trip to the IdP that could only end in 3c. */
            return wcs_error_refuse_event(r, res.code, res.reason, event);
        }
        relay_state = key ? apr_pstrcat(r->pool, event->id, "-",
                                        wcs_str_lower(key, r->pool), NULL)
                           : event->id;
    }
    else {
        relay_state = wcs_authnreq_relay_ref(r->pool);
        st.relay_ref = relay_state;
        if (strlen(r->unparsed_uri) <= RETURN_TO_MAX
            && wcs_url_local_path(r->unparsed_uri)) {
            st.return_to = r->unparsed_uri;
        }
    }
    idp = choose_idp(r, sc, dc, event, &level, &why);
    if (!idp) {
        /* Debug where the configuration starts no sign-in (IdP-initiated
         * only); an error where it names an IdP it does not have. */
        ap_log_rerror(APLOG_MARK, level, 0, r, WCS_LOG_TAG "06003: "
                      "[ref %s] no sign-in can start for %s: %s; 401",
                      req->ref, ap_escape_logitem(r->pool, r->uri), why);
        return wcs_error_not_signed_in(r);
    }
    now = apr_time_now();
    acs_url = wcs_acs_url(r, sc);
    st.idp = idp->entity_id;
    st.browser = wcs_login_cookie_take(r, sc);
    if (!wcs_authnreq_browser_valid(st.browser)) {
        st.browser = wcs_authnreq_browser_token(r->pool);
    }
    st.expires = now + sc->login_timeout;
    rv = st.browser && relay_state
         ? wcs_authnreq_make(&areq, &err, sc->sp, acs_url, idp->sso_redirect,
                             relay_state, now, r->pool)
         : APR_ENOPOOL;
    if (rv != APR_SUCCESS) {
        return wcs_error_refuse(r, WCS_CODE_GENERAL, apr_psprintf(
            r->pool, "cannot make the AuthnRequest for IdP %s: %s",
            idp->entity_id, err ? err : "no randomness"));
    }
    store = wcs_login_store_for(r);
    rv = store ? wcs_authnreq_remember(store, areq->id, &st, now, r->pool)
               : APR_EINIT;
    if (rv != APR_SUCCESS) {
        return wcs_error_refuse(r, WCS_CODE_STORE, apr_psprintf(
            r->pool, "cannot remember request %s in the sign-in cache: %s",
            areq->id, apr_strerror(rv, ebuf, sizeof(ebuf))));
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, WCS_LOG_TAG "06001: "
                  "[ref %s] sign-in started for %s: request %s to %s, %s",
                  req->ref, ap_escape_logitem(r->pool, r->uri), areq->id,
                  idp->entity_id, event ? apr_pstrcat(r->pool, "event ",
                                                      event->id, NULL)
                                        : "returning to this URL");
    wcs_status_started();
    wcs_login_cookie_set(r, sc, acs_url, st.browser);
    wcs_no_store(r);
    apr_table_setn(r->headers_out, "Location", areq->url);
    return HTTP_MOVED_TEMPORARILY;
}

/* --- directives ---------------------------------------------------------- */

const char *wcs_set_login_idp(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_dir_conf_t *d = dc;

    d->login_off = !strcasecmp(arg, "off");
    d->login_idp = d->login_off ? NULL : arg;
    d->login_idp_set = 1;
    return NULL;
}

const char *wcs_set_login_timeout(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    apr_int64_t n;
    const char *err = wcs_cfg_number(cmd, arg,
                                     apr_time_sec(WCS_LOGIN_TIMEOUT_MIN),
                                     apr_time_sec(WCS_LOGIN_TIMEOUT_MAX), &n);

    if (!err) {
        sc->login_timeout = apr_time_from_sec(n);
        sc->login_timeout_set = 1;
    }
    return err;
}

const char *wcs_set_unsolicited(cmd_parms *cmd, void *dc, int flag)
{
    wcs_dir_conf_t *d = dc;

    d->unsolicited = flag;
    d->unsolicited_set = 1;
    return NULL;
}

const char *wcs_set_signing_key(cmd_parms *cmd, void *dc, const char *key,
                                const char *cert)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    const char *kpath = ap_server_root_relative(cmd->temp_pool, key);
    const char *cpath = ap_server_root_relative(cmd->temp_pool, cert);
    wcs_sp_key_t *k;
    const char *err = NULL;

    if (!kpath || !cpath) {
        return apr_psprintf(cmd->pool, "%s: invalid file path", cmd->cmd->name);
    }
    if (wcs_sp_key_load(&k, &err, kpath, cpath, cmd->pool) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
    }
    sc->sign_key = k;
    sc->sign_key_set = 1;
    return NULL;
}
