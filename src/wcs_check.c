#include <string.h>

#include <apr_base64.h>
#include <apr_escape.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "wcs_acs.h"
#include "wcs_authnreq.h"
#include "wcs_check.h"
#include "wcs_event.h"
#include "wcs_identity.h"
#include "wcs_names.h"
#include "wcs_session.h"
#include "wcs_store_mem.h"
#include "wcs_str.h"
#include "wcs_time.h"

/* The steps the ACS takes before the login (mod_wcs_acs.c). */
#define STEP_FORM "form"
#define STEP_RELAY_STATE "relay-state"

apr_status_t wcs_check_sp(wcs_sp_t **psp, const char **err,
                          const wcs_conf_t *c, apr_pool_t *p)
{
    unsigned char secret[WCS_SESSION_KEY_MIN];
    wcs_session_key_t *key;
    apr_array_header_t *keys;
    wcs_sp_desc_t desc;

    *psp = NULL;
    if (!c->sp_entity_id && apr_hash_count(c->idps) == 0) {
        *err = "nothing is configured: give " WCS_CMD_SP_ENTITY_ID ", "
               WCS_CMD_ACS_URL " and an IdP (" WCS_CMD_IDP_METADATA " or "
               WCS_CMD_IDP ")";
        return APR_EINVAL;
    }
    if (!c->acs_url) {
        *err = WCS_CMD_ACS_URL " is not set: offline, the ACS URL cannot "
               "be made from ServerName and the port as the module does; "
               "give the URL the IdP posts to";
        return APR_EINVAL;
    }
    if (apr_generate_random_bytes(secret, sizeof(secret)) != APR_SUCCESS
        || wcs_session_key_make(&key, secret, sizeof(secret), "random", p)
           != APR_SUCCESS) {
        *err = "no randomness for a session key";
        return APR_EGENERAL;
    }
    keys = apr_array_make(p, 1, sizeof(wcs_session_key_t *));
    APR_ARRAY_PUSH(keys, wcs_session_key_t *) = key;
    wcs_conf_sp_desc(&desc, c, "the configuration checked");
    desc.session_keys = keys;
    return wcs_sp_build(psp, err, &desc, p);
}

const char *wcs_check_state_str(wcs_step_state_t state)
{
    switch (state) {
    case WCS_STEP_PASS:
        return "pass";
    case WCS_STEP_FAIL:
        return "FAIL";
    case WCS_STEP_NOT_APPLICABLE:
        return "n/a";
    default:
        return "not run";
    }
}

/* --- the steps ----------------------------------------------------------- */

typedef struct {
    apr_array_header_t *steps;   /* of wcs_check_step_t */
} trace_state_t;

static wcs_check_step_t *step_of(trace_state_t *ts, const char *name)
{
    int i;

    for (i = 0; i < ts->steps->nelts; i++) {
        wcs_check_step_t *s = &APR_ARRAY_IDX(ts->steps, i, wcs_check_step_t);

        if (!strcmp(s->name, name)) {
            return s;
        }
    }
    return NULL;
}

static void on_step(void *baton, const char *name, apr_status_t rv,
                    const wcs_result_t *res)
{
    wcs_check_step_t *s = step_of(baton, name);

    if (s) {
        s->state = rv == APR_SUCCESS ? WCS_STEP_PASS : WCS_STEP_FAIL;
    }
}

/* Every step the ACS takes, not run yet. */
static apr_array_header_t *all_steps(int form, apr_pool_t *p)
{
    apr_array_header_t *names = wcs_acs_steps(p);
    apr_array_header_t *steps = apr_array_make(p, names->nelts + 2,
                                               sizeof(wcs_check_step_t));
    wcs_check_step_t *s;
    int i;

    if (form) {
        s = apr_array_push(steps);
        s->name = STEP_FORM;
        s->state = WCS_STEP_NOT_RUN;
    }
    s = apr_array_push(steps);
    s->name = STEP_RELAY_STATE;
    s->state = WCS_STEP_NOT_RUN;
    for (i = 0; i < names->nelts; i++) {
        s = apr_array_push(steps);
        s->name = APR_ARRAY_IDX(names, i, const char *);
        s->state = WCS_STEP_NOT_RUN;
    }
    return steps;
}

/* Steps left unreported before the last one reported were passed over
 * (no event, no directory); after it, never reached. */
static void settle_steps(apr_array_header_t *steps, int accepted)
{
    int i, last = -1;

    for (i = 0; i < steps->nelts; i++) {
        if (APR_ARRAY_IDX(steps, i, wcs_check_step_t).state
            != WCS_STEP_NOT_RUN) {
            last = i;
        }
    }
    for (i = 0; i < steps->nelts; i++) {
        wcs_check_step_t *s = &APR_ARRAY_IDX(steps, i, wcs_check_step_t);

        if (s->state == WCS_STEP_NOT_RUN && (accepted || i < last)) {
            s->state = WCS_STEP_NOT_APPLICABLE;
        }
    }
}

/* --- the capture --------------------------------------------------------- */

/* Is s (len bytes) a form body rather than a SAMLResponse value? */
static int form_shaped(const char *s)
{
    return !strncmp(s, "SAMLResponse=", 13) || !strncmp(s, "RelayState=", 11)
           || strstr(s, "&SAMLResponse=") || strchr(s, '%');
}

/* Make the captured text into what the ACS would be posted: the base64
 * SAMLResponse and the RelayState.  A refusal of the form is the
 * module's. */
static apr_status_t decode_capture(wcs_check_report_t *rep,
                                   wcs_result_t *res, const char **saml,
                                   apr_size_t *saml_len, const char **rs,
                                   const wcs_check_input_t *in, apr_pool_t *p)
{
    char *text = apr_pstrmemdup(p, in->capture ? in->capture : "", in->len);
    char *b64, *body;
    wcs_acs_form_t form;
    apr_size_t n;
    apr_status_t rv;

    *saml = NULL;
    *saml_len = 0;
    *rs = NULL;
    if (strlen(text) != in->len) {
        rep->input = WCS_CHECK_INPUT_BASE64;
        return wcs_refuse(res, p, WCS_CODE_GENERAL, "the capture holds a "
                          "NUL byte: neither base64, a form nor XML");
    }
    text = wcs_str_trim(text);
    if (!*text) {
        rep->input = WCS_CHECK_INPUT_EMPTY;
        return APR_SUCCESS;
    }
    if (*text == '<') {
        /* The XML a tracer decoded: posted, it would be base64. */
        rep->input = WCS_CHECK_INPUT_XML;
        n = strlen(text);
        b64 = apr_palloc(p, apr_base64_encode_len((int)n));
        apr_base64_encode(b64, text, (int)n);
        *saml = b64;
        *saml_len = strlen(b64);
        return APR_SUCCESS;
    }
    if (form_shaped(text)) {
        /* A form body, or a URL-encoded value: decoded as the ACS
         * decodes a form. */
        rep->input = WCS_CHECK_INPUT_FORM;
        body = strchr(text, '=') && (!strncmp(text, "SAMLResponse=", 13)
                                     || !strncmp(text, "RelayState=", 11)
                                     || strstr(text, "&SAMLResponse="))
               ? text : apr_pstrcat(p, "SAMLResponse=", text, NULL);
        rv = wcs_acs_form_parse(&form, res, body, p);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        *saml = form.saml;
        *saml_len = form.saml_len;
        *rs = form.relay_state;
        return APR_SUCCESS;
    }
    rep->input = WCS_CHECK_INPUT_BASE64;
    *saml = text;
    *saml_len = strlen(text);
    return APR_SUCCESS;
}

/* --- the judging ------------------------------------------------------- */

/* Remember request irt as this SP would have sent it to the IdP that
 * issued the response, from the browser whose token is *browser.  The
 * issuer is found by the validator itself, quietly; a response it
 * refuses is refused again in the run, before InResponseTo matters. */
static void remember_request(const char **browser, const wcs_store_t *store,
                             const wcs_sp_t *sp, const wcs_conf_t *c,
                             const wcs_check_input_t *in, const char *saml,
                             apr_size_t len, const char *rs, apr_pool_t *p)
{
    wcs_authnreq_state_t st;
    wcs_assertion_t *a;
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_relay_t relay;

    *browser = NULL;
    if (!saml || !len
        || wcs_response_validate(&a, &res, sp, saml, len, in->now, NULL, p)
           != APR_SUCCESS) {
        return;
    }
    wcs_relay_parse(&relay, rs, p);
    memset(&st, 0, sizeof(st));
    st.idp = a->idp->entity_id;
    st.browser = wcs_authnreq_browser_token(p);
    st.relay_ref = relay.kind == WCS_RELAY_REF ? rs : NULL;
    st.expires = in->now + c->login_timeout;
    if (st.browser && wcs_authnreq_remember(store, in->in_response_to, &st,
                                            in->now, p) == APR_SUCCESS) {
        *browser = st.browser;
    }
}

/* The mapped variables: the vhost's and the event's template's. */
static apr_array_header_t *fields_of(const wcs_sp_t *sp,
                                     const wcs_event_t *event,
                                     const apr_table_t *env, apr_pool_t *p)
{
    apr_array_header_t *out = apr_array_make(p, 4,
                                             sizeof(wcs_check_field_t));
    const apr_array_header_t *maps[2];
    const char *names[2];
    int i, m;

    maps[0] = sp->attr_map;
    names[0] = NULL;
    maps[1] = event ? wcs_events_template(sp->events, event->template_name)
                    : NULL;
    names[1] = event ? event->template_name : NULL;
    for (m = 0; m < 2; m++) {
        for (i = 0; maps[m] && i < maps[m]->nelts; i++) {
            const wcs_attr_map_t *am = &APR_ARRAY_IDX(maps[m], i,
                                                      wcs_attr_map_t);
            wcs_check_field_t *f = apr_array_push(out);

            f->env_name = am->env_name;
            f->saml_name = am->saml_name;
            f->value = apr_table_get(env, am->env_name);
            f->template_name = names[m];
        }
    }
    return out;
}

static void accepted(wcs_check_report_t *rep, const wcs_acs_output_t *out,
                     const wcs_sp_t *sp, const wcs_conf_t *c,
                     const wcs_event_t *event, const char *app_target,
                     apr_pool_t *p)
{
    const wcs_session_t *s = out->session;

    rep->accepted = 1;
    rep->user = s->user;
    rep->idp = s->idp;
    rep->answers = out->in_response_to;
    rep->event_id = event ? event->id : NULL;
    rep->target = event ? event->target : app_target ? app_target
                  : out->return_to ? out->return_to : c->default_target;
    rep->session_expires = s->expires;
    rep->env = apr_table_elts(s->env);
    rep->fields = fields_of(sp, event, s->env, p);
    if (c->directory) {
        rep->not_checked = apr_psprintf(p, "the user directory (%s %s) is "
                                        "not consulted offline: the account "
                                        "rules (5a-5f) are not applied",
                                        WCS_CMD_DIRECTORY, c->directory);
    }
}

/* What the login's log line says of how it was signed. */
static void note_assertion(wcs_check_report_t *rep, const wcs_sp_t *sp,
                           const char *saml, apr_size_t len, apr_time_t now,
                           apr_pool_t *p)
{
    wcs_assertion_t *a;
    wcs_result_t res = { WCS_CODE_NONE, NULL };

    if (wcs_response_validate(&a, &res, sp, saml, len, now, NULL, p)
        == APR_SUCCESS) {
        rep->assertion_id = a->assertion_id;
        rep->signed_parts = a->response_signed && a->assertion_signed
                            ? "both" : a->response_signed ? "response"
                            : "assertion";
    }
}

apr_status_t wcs_check_run(wcs_check_report_t **prep, const wcs_sp_t *sp,
                           const wcs_conf_t *c, const wcs_check_input_t *in,
                           apr_pool_t *p)
{
    wcs_check_report_t *rep = apr_pcalloc(p, sizeof(*rep));
    trace_state_t ts;
    wcs_trace_t trace;
    wcs_acs_input_t acs;
    wcs_acs_output_t out;
    wcs_relay_t relay;
    const wcs_event_t *event = NULL;
    const char *app_target = NULL, *saml, *rs;
    apr_size_t saml_len;
    apr_time_t *clock = apr_palloc(p, sizeof(*clock));
    apr_status_t rv;

    *prep = rep;
    *clock = in->now;
    rv = decode_capture(rep, &rep->res, &saml, &saml_len, &rs, in, p);
    rep->steps = all_steps(!strcmp(rep->input, WCS_CHECK_INPUT_FORM), p);
    ts.steps = rep->steps;
    trace.fn = on_step;
    trace.baton = &ts;
    if (!strcmp(rep->input, WCS_CHECK_INPUT_FORM)) {
        wcs_trace_step(&trace, STEP_FORM, rv, &rep->res);
    }
    if (rv != APR_SUCCESS) {
        settle_steps(rep->steps, 0);
        return APR_SUCCESS;
    }
    rs = in->relay_state ? in->relay_state : rs;
    rep->relay_state = rs;
    rep->saml_len = saml_len;

    /* As the ACS: the event before the response, where there is one. */
    wcs_relay_parse(&relay, rs, p);
    if (saml && saml_len) {
        rv = wcs_event_route(&event, &app_target, &rep->res, sp->events,
                             sp->default_relay_state, rs, &relay, p);
        if (wcs_trace_step(&trace, STEP_RELAY_STATE, rv, &rep->res)
            != APR_SUCCESS) {
            settle_steps(rep->steps, 0);
            return APR_SUCCESS;
        }
    }
    memset(&acs, 0, sizeof(acs));
    acs.sp = sp;
    acs.sessions = wcs_store_mem_make(clock, p);
    acs.replay = wcs_store_mem_make(clock, p);
    acs.requests = wcs_store_mem_make(clock, p);
    acs.saml_response = saml;
    acs.len = saml_len;
    acs.relay_state = rs;
    acs.event = event;
    acs.relay = &relay;
    acs.forbid_unsolicited = !c->unsolicited;
    acs.now = in->now;
    acs.lg = in->lg;
    acs.trace = &trace;
    if (in->in_response_to) {
        remember_request(&acs.browser, acs.requests, sp, c, in, saml,
                         saml_len, rs, p);
    }
    rv = wcs_acs_login(&out, &rep->res, &acs, p);
    if (rv == APR_SUCCESS) {
        accepted(rep, &out, sp, c, event, app_target, p);
        note_assertion(rep, sp, saml, saml_len, in->now, p);
    }
    else if (rv != WCS_EREFUSED) {
        return rv;
    }
    settle_steps(rep->steps, rep->accepted);
    return APR_SUCCESS;
}

/* --- a sample for the IdP's developers --------------------------------- */

static const char *esc(const char *s, apr_pool_t *p)
{
    return apr_pescape_entity(p, s, 0);
}

static void add_attr(apr_array_header_t *parts, apr_hash_t *done,
                     const char *name, const char *value, apr_pool_t *p)
{
    if (apr_hash_get(done, name, APR_HASH_KEY_STRING)) {
        return;
    }
    apr_hash_set(done, name, APR_HASH_KEY_STRING, name);
    APR_ARRAY_PUSH(parts, const char *) = apr_psprintf(p,
        "      <saml:Attribute Name=\"%s\" NameFormat=\"urn:oasis:names:tc:"
        "SAML:2.0:attrname-format:%s\">\n"
        "        <saml:AttributeValue>%s</saml:AttributeValue>\n"
        "      </saml:Attribute>\n", esc(name, p),
        strstr(name, "://") || !strncmp(name, "urn:", 4) ? "uri" : "basic",
        esc(value, p));
}

/* The configured mappings' attributes, then the rest of attrs. */
static const char *sample_attrs(const wcs_sp_t *sp, const wcs_conf_t *c,
                                const char *email, const apr_table_t *attrs,
                                apr_pool_t *p)
{
    apr_array_header_t *parts = apr_array_make(p, 4, sizeof(const char *));
    apr_hash_t *done = apr_hash_make(p);
    const apr_array_header_t *elts = apr_table_elts(attrs);
    apr_hash_index_t *hi;
    const char *v;
    int i;

    if (sp->email_attr) {
        add_attr(parts, done, sp->email_attr, email, p);
    }
    for (i = 0; sp->attr_map && i < sp->attr_map->nelts; i++) {
        const wcs_attr_map_t *m = &APR_ARRAY_IDX(sp->attr_map, i,
                                                 wcs_attr_map_t);

        v = apr_table_get(attrs, m->saml_name);
        add_attr(parts, done, m->saml_name, v ? v : apr_psprintf(
                 p, "(the value for %s)", m->env_name), p);
    }
    for (hi = c->events ? apr_hash_first(p, c->events->templates) : NULL;
         hi; hi = apr_hash_next(hi)) {
        const apr_array_header_t *t = apr_hash_this_val(hi);

        for (i = 0; i < t->nelts; i++) {
            const wcs_attr_map_t *m = &APR_ARRAY_IDX(t, i, wcs_attr_map_t);

            v = apr_table_get(attrs, m->saml_name);
            add_attr(parts, done, m->saml_name, v ? v : apr_psprintf(
                     p, "(the value for %s, template %s)", m->env_name,
                     (const char *)apr_hash_this_key(hi)), p);
        }
    }
    for (i = 0; i < elts->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(elts, i,
                                                    apr_table_entry_t);

        add_attr(parts, done, e->key, e->val, p);
    }
    if (parts->nelts == 0) {
        return "";
    }
    return apr_pstrcat(p, "    <saml:AttributeStatement>\n",
                       apr_array_pstrcat(p, parts, 0),
                       "    </saml:AttributeStatement>\n", NULL);
}

apr_status_t wcs_check_sample(const char **xml, const char **err,
                              const wcs_sp_t *sp, const wcs_conf_t *c,
                              const char *idp, const char *email,
                              const apr_table_t *attrs, apr_time_t now,
                              apr_pool_t *p)
{
    const char *issue, *before, *after, *rid, *aid;
    apr_hash_index_t *hi;

    if (!idp) {
        if (apr_hash_count(sp->idps) != 1) {
            *err = "several IdPs are configured: say which one (--issuer)";
            return APR_EINVAL;
        }
        hi = apr_hash_first(p, sp->idps);
        idp = apr_hash_this_key(hi);
    }
    else if (!apr_hash_get(sp->idps, idp, APR_HASH_KEY_STRING)) {
        *err = apr_psprintf(p, "%s is not a configured IdP", idp);
        return APR_EINVAL;
    }
    issue = wcs_time_format(now, p);
    before = wcs_time_format(now - apr_time_from_sec(60), p);
    after = wcs_time_format(now + sp->max_assertion_age, p);
    rid = wcs_authnreq_relay_ref(p);
    aid = wcs_authnreq_relay_ref(p);
    if (!rid || !aid) {
        *err = "no randomness for the sample's IDs";
        return APR_EGENERAL;
    }
    rid = apr_pstrcat(p, "_sample-r", rid + strlen(WCS_RELAY_REF_PREFIX),
                      NULL);
    aid = apr_pstrcat(p, "_sample-a", aid + strlen(WCS_RELAY_REF_PREFIX),
                      NULL);
    *xml = apr_psprintf(p,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!--\n"
        "  SAMPLE FOR READING ONLY - UNSIGNED.\n"
        "  Made by webcast-saml-check from this SP's configuration: what its\n"
        "  IdP must send.  It carries no signature, so mod_webcast_saml\n"
        "  refuses it as it is (2a): the IdP signs the Assertion (or the\n"
        "  Response) with its own key, RSA-SHA256, exclusive c14n.\n"
        "  Values in parentheses are placeholders.\n"
        "-->\n"
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\""
        " xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"\n"
        "    ID=\"%s\" Version=\"2.0\" IssueInstant=\"%s\"\n"
        "    Destination=\"%s\">\n"
        "  <saml:Issuer>%s</saml:Issuer>\n"
        "  <samlp:Status>\n"
        "    <samlp:StatusCode Value=\"" WCS_STATUS_SUCCESS "\"/>\n"
        "  </samlp:Status>\n"
        "  <saml:Assertion ID=\"%s\" Version=\"2.0\" IssueInstant=\"%s\">\n"
        "    <saml:Issuer>%s</saml:Issuer>\n"
        "    <!-- the IdP's ds:Signature over this Assertion goes here -->\n"
        "    <saml:Subject>\n"
        "      <saml:NameID Format=\"%s\">%s</saml:NameID>\n"
        "      <saml:SubjectConfirmation Method=\"" WCS_CM_BEARER "\">\n"
        "        <saml:SubjectConfirmationData NotOnOrAfter=\"%s\""
        " Recipient=\"%s\"/>\n"
        "      </saml:SubjectConfirmation>\n"
        "    </saml:Subject>\n"
        "    <saml:Conditions NotBefore=\"%s\" NotOnOrAfter=\"%s\">\n"
        "      <saml:AudienceRestriction>\n"
        "        <saml:Audience>%s</saml:Audience>\n"
        "      </saml:AudienceRestriction>\n"
        "    </saml:Conditions>\n"
        "    <saml:AuthnStatement AuthnInstant=\"%s\">\n"
        "      <saml:AuthnContext>\n"
        "        <saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:"
        "classes:PasswordProtectedTransport</saml:AuthnContextClassRef>\n"
        "      </saml:AuthnContext>\n"
        "    </saml:AuthnStatement>\n"
        "%s"
        "  </saml:Assertion>\n"
        "</samlp:Response>\n",
        rid, issue, esc(sp->acs_url, p), esc(idp, p), aid, issue,
        esc(idp, p), WCS_NAMEID_EMAIL, esc(email, p), after,
        esc(sp->acs_url, p), before, after, esc(sp->entity_id, p), issue,
        sample_attrs(sp, c, email, attrs, p));
    return APR_SUCCESS;
}
