#include <string.h>

#include "wcs_acs.h"
#include "wcs_identity.h"

/* Until when the replay cache must remember assertion a: as long as this
 * SP would accept it, which is until it expires or grows older than
 * max_assertion_age, whichever is sooner, and the clock skew beyond. */
static apr_time_t replay_until(const wcs_assertion_t *a, const wcs_sp_t *sp)
{
    apr_time_t until = a->issue_instant + sp->max_assertion_age;

    if (a->expires && a->expires < until) {
        until = a->expires;
    }
    return until + sp->clock_skew;
}

/* Is the response an answer to a request this browser started, or one
 * this SP accepts unsolicited?  out->return_to from the request. */
static apr_status_t check_request(wcs_acs_output_t *out, wcs_result_t *res,
                                  const wcs_acs_input_t *in,
                                  const wcs_assertion_t *a, apr_pool_t *p)
{
    wcs_authnreq_state_t *st;
    int ref = in->relay && in->relay->kind == WCS_RELAY_REF;
    apr_status_t rv;

    if (!a->in_response_to) {
        if (in->forbid_unsolicited) {
            return wcs_refuse(res, p, WCS_CODE_UNSOLICITED,
                              "the response answers no request (IdP-"
                              "initiated), and " WCS_CMD_UNSOLICITED " is "
                              "off here");
        }
        if (ref) {
            return wcs_refuse(res, p, WCS_CODE_IN_RESPONSE_TO,
                              "RelayState \"%s\" refers to a sign-in this SP "
                              "started, but the response answers no request",
                              in->relay_state);
        }
        return APR_SUCCESS;
    }
    if (!in->requests) {
        return wcs_refuse(res, p, WCS_CODE_IN_RESPONSE_TO,
                          "the response answers request \"%s\", but this "
                          "SP starts no sign-in", a->in_response_to);
    }
    if (!in->browser && in->may_resubmit) {
        /* Sent back through the browser only when there is a request for
         * it to answer. */
        rv = wcs_authnreq_outstanding(res, in->requests, a->in_response_to,
                                      a->idp->entity_id, in->now, p);
        return rv == APR_SUCCESS ? WCS_ERESUBMIT : rv;
    }
    rv = wcs_authnreq_answer(&st, res, in->requests, in->replay,
                             a->in_response_to, a->idp->entity_id,
                             in->browser, in->now, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (ref) {
        if (!st->relay_ref || strcmp(st->relay_ref, in->relay_state)) {
            return wcs_refuse(res, p, WCS_CODE_IN_RESPONSE_TO,
                              "RelayState \"%s\" is not the one sent with "
                              "request \"%s\"", in->relay_state,
                              a->in_response_to);
        }
        out->return_to = st->return_to;
    }
    out->in_response_to = a->in_response_to;
    return APR_SUCCESS;
}

apr_status_t wcs_acs_login(wcs_acs_output_t *out, wcs_result_t *res,
                           const wcs_acs_input_t *in, apr_pool_t *p)
{
    const wcs_sp_t *sp = in->sp;
    wcs_assertion_t *a;
    wcs_session_t fields;
    const char *email;
    const apr_array_header_t *map, *tmpl;
    const wcs_account_t *acct;
    wcs_account_policy_t pol;
    apr_table_t *env;
    apr_time_t expires;
    apr_status_t rv;

    wcs_session_t **ps = &out->session;

    memset(out, 0, sizeof(*out));
    if (!in->saml_response || in->len == 0) {
        return wcs_refuse(res, p, WCS_CODE_NO_RESPONSE,
                          "the POST carries no SAMLResponse");
    }
    rv = wcs_response_validate(&a, res, sp, in->saml_response, in->len,
                               in->now, in->lg, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = check_request(out, res, in, a, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    /* The event's registration template adds its fields to the
     * vhost's mappings. */
    tmpl = in->event ? wcs_events_template(sp->events,
                                           in->event->template_name)
                     : NULL;
    map = sp->attr_map;
    if (tmpl) {
        map = map ? apr_array_append(p, map, tmpl) : tmpl;
    }
    rv = wcs_identity_attrs_usable(res, a, sp->email_attr, map, p);
    if (rv == APR_SUCCESS) {
        rv = wcs_identity_email(&email, res, a, sp->email_attr, p);
    }
    if (rv == APR_SUCCESS) {
        /* Several customers' IdPs on one SP: each speaks for its own
         * domains only. */
        rv = wcs_identity_domain_allowed(res, email, a->idp, p);
    }
    if (rv == APR_SUCCESS && in->event) {
        rv = wcs_event_admit(res, in->event, in->relay, a->idp->entity_id,
                             email, in->now, p);
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    env = wcs_identity_env(a, email, map, p);
    if (in->event) {
        apr_table_setn(env, WCS_ENV_EVENT_ID, in->event->id);
    }
    /* Marked used only once everything else has passed, and before the
     * session exists: a replay can never make a second session. */
    rv = wcs_replay_check_and_mark(res, in->replay, a->idp->entity_id,
                                   a->assertion_id, replay_until(a, sp),
                                   in->now, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (in->directory) {
        /* The event's own demands before the site's. */
        pol = *in->accounts;
        if (in->event && in->event->license) {
            pol.license = in->event->license;
        }
        if (in->event && in->event->provision >= 0) {
            pol.provision = in->event->provision;
        }
        /* After the replay mark: a replayed response costs the directory
         * nothing, and a refusal here needs a new sign-in at the IdP. */
        rv = wcs_account_resolve(&acct, res, in->directory, &pol,
                                 email, env, in->now, p);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        apr_table_setn(env, WCS_ENV_ROLE, acct->role);
        if (acct->license) {
            apr_table_setn(env, WCS_ENV_LICENSE, acct->license);
        }
    }
    expires = in->now + sp->session_lifetime;
    if (a->session_not_on_or_after && a->session_not_on_or_after < expires) {
        expires = a->session_not_on_or_after;
    }
    if (expires <= in->now) {
        /* SessionNotOnOrAfter passed within the clock skew: a session that
         * is dead on arrival would send the person round in a loop. */
        return wcs_refuse(res, p, WCS_CODE_EXPIRED,
                          "the IdP session ended at SessionNotOnOrAfter, "
                          "before a session could start");
    }
    /* The session is bound to this site, the IdP and the very key that
     * verified the sign-in: a site that stops trusting either (a vhost
     * with other IdPs, a key removed after a compromise) refuses it. */
    memset(&fields, 0, sizeof(fields));
    fields.site = sp->site_id;
    fields.idp = a->idp->entity_id;
    fields.idp_key = a->key->sha256;
    fields.user = email;
    fields.created = in->now;
    fields.expires = expires;
    fields.env = env;
    fields.events = in->event ? in->event->id : NULL;
    rv = wcs_session_create(ps, res, in->sessions, sp->session_keys, &fields,
                            p);
    if (rv == APR_SUCCESS) {
        wcs_log_printf(in->lg, WCS_LOG_MARK, WCS_LOG_INFO, p,
                       "login of %s via %s (assertion %s, %s-signed%s%s)"
                       "%s%s, session until %" APR_TIME_T_FMT, email,
                       a->idp->entity_id, a->assertion_id,
                       a->response_signed && a->assertion_signed ? "both"
                       : a->response_signed ? "response" : "assertion",
                       out->in_response_to ? ", answering " : "",
                       out->in_response_to ? out->in_response_to : "",
                       in->event ? " to event " : "",
                       in->event ? in->event->id : "",
                       apr_time_sec(expires));
    }
    return rv;
}
