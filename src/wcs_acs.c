#include <string.h>

#include "wcs_acs.h"
#include "wcs_identity.h"
#include "wcs_str.h"

/* The steps of a login, as a trace reports them, besides the
 * validator's. */
#define STEP_RESPONSE "response"
#define STEP_REQUEST "in-response-to"
#define STEP_ATTRS_USABLE "attribute-values"
#define STEP_EMAIL "email"
#define STEP_DOMAIN "email-domain"
#define STEP_EVENT "event"
#define STEP_REPLAY "replay"
#define STEP_ACCOUNT "account"
#define STEP_SESSION "session"

apr_array_header_t *wcs_acs_steps(apr_pool_t *p)
{
    static const char *const after[] = {
        STEP_REQUEST, STEP_ATTRS_USABLE, STEP_EMAIL, STEP_DOMAIN, STEP_EVENT,
        STEP_REPLAY, STEP_ACCOUNT, STEP_SESSION, NULL
    };
    apr_array_header_t *names = apr_array_make(p, 32, sizeof(const char *));
    int i;

    APR_ARRAY_PUSH(names, const char *) = STEP_RESPONSE;
    apr_array_cat(names, wcs_response_steps(p));
    for (i = 0; after[i]; i++) {
        APR_ARRAY_PUSH(names, const char *) = after[i];
    }
    return names;
}

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
        return wcs_trace_step(in->trace, STEP_RESPONSE,
                              wcs_refuse(res, p, WCS_CODE_NO_RESPONSE,
                                         "the POST carries no SAMLResponse"),
                              res);
    }
    wcs_trace_step(in->trace, STEP_RESPONSE, APR_SUCCESS, res);
    rv = wcs_response_validate_traced(&a, res, sp, in->saml_response,
                                      in->len, in->now, in->lg, in->trace, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = check_request(out, res, in, a, p);
    if (rv != WCS_ERESUBMIT) {
        wcs_trace_step(in->trace, STEP_REQUEST, rv, res);
    }
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
    rv = wcs_trace_step(in->trace, STEP_ATTRS_USABLE, rv, res);
    if (rv == APR_SUCCESS) {
        rv = wcs_identity_email(&email, res, a, sp->email_attr, p);
        rv = wcs_trace_step(in->trace, STEP_EMAIL, rv, res);
    }
    if (rv == APR_SUCCESS) {
        /* Several customers' IdPs on one SP: each speaks for its own
         * domains only. */
        rv = wcs_identity_domain_allowed(res, email, a->idp, p);
        rv = wcs_trace_step(in->trace, STEP_DOMAIN, rv, res);
    }
    if (rv == APR_SUCCESS && in->event) {
        rv = wcs_event_admit(res, in->event, in->relay, a->idp->entity_id,
                             email, in->now, p);
        rv = wcs_trace_step(in->trace, STEP_EVENT, rv, res);
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
    rv = wcs_trace_step(in->trace, STEP_REPLAY, rv, res);
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
        rv = wcs_trace_step(in->trace, STEP_ACCOUNT, rv, res);
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
        return wcs_trace_step(in->trace, STEP_SESSION,
                              wcs_refuse(res, p, WCS_CODE_EXPIRED,
                                         "the IdP session ended at "
                                         "SessionNotOnOrAfter, before a "
                                         "session could start"), res);
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
    rv = wcs_trace_step(in->trace, STEP_SESSION, rv, res);
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

/* --- the POSTed form ------------------------------------------------------ */

/* Decode s in place as a form value; APR_EINVAL for a bad or NUL escape. */
static apr_status_t form_unescape(char *s)
{
    char *out = s;
    int hi, lo;

    for (; *s; s++) {
        if (*s == '+') {
            *out++ = ' ';
            continue;
        }
        if (*s != '%') {
            *out++ = *s;
            continue;
        }
        hi = wcs_str_hexval(s[1]);
        lo = hi < 0 ? -1 : wcs_str_hexval(s[2]);
        if (lo < 0 || (hi == 0 && lo == 0)) {
            return APR_EINVAL;
        }
        *out++ = (char)(hi * 16 + lo);
        s += 2;
    }
    *out = '\0';
    return APR_SUCCESS;
}

apr_status_t wcs_acs_form_parse(wcs_acs_form_t *form, wcs_result_t *res,
                                char *body, apr_pool_t *p)
{
    char *field, *next, *value;
    int fields = 0, saml_count = 0;
    apr_size_t len;

    memset(form, 0, sizeof(*form));
    for (field = body; field; field = next) {
        next = strchr(field, '&');
        if (next) {
            *next++ = '\0';
        }
        if (!*field) {
            continue;
        }
        if (++fields > WCS_ACS_FORM_MAX_FIELDS) {
            return wcs_refuse(res, p, WCS_CODE_GENERAL, "the POST has more "
                              "than %d fields", WCS_ACS_FORM_MAX_FIELDS);
        }
        value = strchr(field, '=');
        if (value) {
            *value++ = '\0';
        }
        else {
            value = field + strlen(field);
        }
        if (form_unescape(field) != APR_SUCCESS
            || form_unescape(value) != APR_SUCCESS) {
            return wcs_refuse(res, p, WCS_CODE_GENERAL, "the POST is not a "
                              "form: field %d has a bad %%-escape", fields);
        }
        if (!strcmp(field, "SAMLResponse")) {
            form->saml = value;
            form->saml_len = strlen(value);
            saml_count++;
        }
        else if (!strcmp(field, WCS_ACS_RESUBMIT_FIELD)) {
            form->resubmitted = 1;
        }
        else if (!strcmp(field, "RelayState")) {
            form->relay_state = value;
            len = strlen(value);
            if (len > WCS_ACS_RELAY_STATE_MAX) {
                return wcs_refuse(res, p, WCS_CODE_GENERAL, "RelayState is %"
                                  APR_SIZE_T_FMT " bytes, over %d", len,
                                  WCS_ACS_RELAY_STATE_MAX);
            }
        }
    }
    if (saml_count > 1) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL, "the POST carries "
                          "several SAMLResponse fields");
    }
    return APR_SUCCESS;
}
