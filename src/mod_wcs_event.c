/*
 * mod_wcs_event: webcast events as httpd configures them, and the authz
 * provider that scopes a session to events.  The events themselves, the
 * RelayState parser and the admission rules are the core's (wcs_event.c).
 *
 *   WebcastSAMLEvent 1234567 ab177c1f4e /webcast/1234567/ domains=example.com
 *   WebcastSAMLEventMap /etc/webcast/events.map
 *   <Location /webcast/1234567>
 *       AuthType WebcastSAML
 *       Require webcast-event 1234567
 *   </Location>
 */
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_request.h>
#include <mod_auth.h>

#include "mod_wcs.h"
#include "mod_wcs_config.h"
#include "mod_wcs_error.h"
#include "mod_wcs_event.h"
#include "mod_wcs_log.h"
#include "mod_wcs_store.h"
#include "wcs_event.h"
#include "wcs_session.h"

APLOG_USE_MODULE(webcast_saml);

/* The vhost's own event table: the first event directive in a vhost
 * starts a fresh one, so that vhosts never add to the main server's. */
static wcs_events_t *own_events(cmd_parms *cmd, wcs_srv_conf_t *sc)
{
    if (!sc->events_set) {
        sc->events = wcs_events_make(cmd->pool);
        sc->events_set = 1;
    }
    return sc->events;
}

const char *wcs_set_event(cmd_parms *cmd, void *dc, int argc,
                          char *const argv[])
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    const char *err, *where;
    wcs_event_t *e;

    where = apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                         cmd->directive->line_num);
    if (wcs_event_parse(&e, &err, argc, (const char *const *)argv, where,
                        cmd->pool) != APR_SUCCESS
        || wcs_events_add(own_events(cmd, sc), e, &err, cmd->pool)
           != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
    }
    return NULL;
}

const char *wcs_set_event_map(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    const char *path = ap_server_root_relative(cmd->temp_pool, arg), *err;

    if (!path) {
        return apr_psprintf(cmd->pool, "%s: invalid file path \"%s\"",
                            cmd->cmd->name, arg);
    }
    if (wcs_events_load_file(own_events(cmd, sc), &err,
                             apr_pstrdup(cmd->pool, path), cmd->pool)
        != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
    }
    return NULL;
}

const char *wcs_set_default_relay_state(cmd_parms *cmd, void *dc,
                                        const char *arg)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);

    if (!*arg || strpbrk(arg, "\r\n")) {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not a RelayState (a "
                            "non-empty line)", cmd->cmd->name, arg);
    }
    sc->default_relay_state = arg;
    sc->default_relay_state_set = 1;
    return NULL;
}

const char *wcs_set_relay_state_url(cmd_parms *cmd, void *dc,
                                    const char *url, const char *target)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    const char *err;

    if (wcs_events_add_app_url(own_events(cmd, sc), &err, url, target,
                               cmd->pool) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
    }
    return NULL;
}

const char *wcs_set_template(cmd_parms *cmd, void *dc, const char *name,
                             const char *saml, const char *env)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    const char *err;

    if (wcs_events_add_template_field(own_events(cmd, sc), &err, name, saml,
                                      env, cmd->pool) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
    }
    return NULL;
}

/* --- Require webcast-event ID [ID ...] ------------------------------- */

/* The event IDs of a Require line (of const char *), made canonical
 * once. */
static const char *event_parse_require(cmd_parms *cmd,
                                       const char *require_line,
                                       const void **parsed)
{
    apr_array_header_t *ids = wcs_cfg_words(cmd, require_line);
    wcs_relay_t relay;
    int i;

    if (ids->nelts == 0) {
        return "Require webcast-event takes the IDs of the events that the "
               "location belongs to";
    }
    for (i = 0; i < ids->nelts; i++) {
        const char **word = &APR_ARRAY_IDX(ids, i, const char *);

        wcs_relay_parse(&relay, *word, cmd->pool);
        if (relay.kind != WCS_RELAY_EVENT || relay.key) {
            return apr_psprintf(cmd->pool, "Require webcast-event: \"%s\" "
                                "is not an event ID (decimal digits)", *word);
        }
        *word = relay.event_id;
    }
    *parsed = ids;
    return NULL;
}

static authz_status event_check(request_rec *r, const char *require_line,
                                const void *parsed)
{
    const apr_array_header_t *ids = parsed;
    wcs_srv_conf_t *sc = ap_get_module_config(r->server->module_config,
                                              &webcast_saml_module);
    wcs_session_t *s = wcs_req(r)->session;
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    const wcs_event_t *e = NULL, *first = NULL;
    const char *why = NULL;
    wcs_store_t *store;
    int i;

    if (!r->user || !s) {
        /* Not signed in through this module (yet). */
        return AUTHZ_DENIED_NO_USER;
    }
    for (i = 0; i < ids->nelts; i++) {
        const char *id = APR_ARRAY_IDX(ids, i, const char *);

        if (wcs_session_has_event(s, id)) {
            apr_table_setn(r->subprocess_env, WCS_ENV_EVENT_ID, id);
            return AUTHZ_GRANTED;
        }
    }
    /* Not admitted yet: the first event whose rules admit the person
     * extends the session to it, without a new sign-in. */
    for (i = 0; i < ids->nelts; i++) {
        const char *id = APR_ARRAY_IDX(ids, i, const char *);

        e = sc->sp ? wcs_events_find(sc->sp->events, id) : NULL;
        if (!e) {
            why = why ? why : apr_psprintf(r->pool, "event %s (Require "
                                           "webcast-event) is not "
                                           "configured", id);
            continue;
        }
        first = first ? first : e;
        if (wcs_event_admit_session(&res, e, s->idp, s->user,
                                    apr_time_now(), r->pool)
            != APR_SUCCESS) {
            why = why ? why : res.reason;
            continue;
        }
        store = wcs_store_for(r);
        if (!store || wcs_session_add_event(s, &res, store,
                                            wcs_session_memo_for(),
                                            sc->sp->session_keys, id,
                                            r->pool) != APR_SUCCESS) {
            wcs_error_deny(r, WCS_CODE_STORE, apr_psprintf(
                r->pool, "session of %s could not be extended to event "
                "%s: %s", s->user, id, store ? res.reason
                                             : "no session cache"), e);
            return AUTHZ_DENIED;
        }
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, WCS_LOG_TAG "05001: "
                      "[ref %s] session of %s extended to event %s",
                      wcs_req(r)->ref, s->user, id);
        apr_table_setn(r->subprocess_env, WCS_ENV_EVENT_ID, id);
        return AUTHZ_GRANTED;
    }
    wcs_error_deny(r, WCS_CODE_EVENT_DENIED, apr_psprintf(
        r->pool, "session of %s (events: %s) may not open %s: %s", s->user,
        s->events ? s->events : "none", r->uri, why), first);
    return AUTHZ_DENIED;
}

static const authz_provider event_provider = {
    event_check,
    event_parse_require
};

void wcs_event_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "webcast-event",
                              AUTHZ_PROVIDER_VERSION, &event_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}
