/*
 * mod_wcs_acs: the Assertion Consumer Service endpoint as httpd sees it:
 * read the POSTed form, hand SAMLResponse to the core, and answer with the
 * session cookie and a redirect to a configured target, or with a refusal
 * (mod_wcs_error.c).
 */
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_cookies.h>

#include "mod_wcs.h"
#include "mod_wcs_acs.h"
#include "mod_wcs_config.h"
#include "wcs_metadata.h"
#include "mod_wcs_directory.h"
#include "mod_wcs_error.h"
#include "mod_wcs_log.h"
#include "mod_wcs_session.h"
#include "mod_wcs_store.h"
#include "mod_wcs_status.h"
#include "wcs_acs.h"

APLOG_USE_MODULE(webcast_saml);

/* Form fields besides SAMLResponse (RelayState) fit in this. */
#define WCS_FORM_SLACK 8192

/* The whole request body into *buf (NUL-terminated, from r->pool): OK,
 * HTTP_REQUEST_ENTITY_TOO_LARGE past limit bytes, or the status of a
 * failed read.  One copy, straight from the input filters' buckets. */
static int read_body(request_rec *r, apr_size_t limit, char **buf,
                     apr_size_t *len)
{
    apr_bucket_brigade *bb = apr_brigade_create(r->pool,
                                                r->connection->bucket_alloc);
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_off_t want = 0;
    apr_size_t cap = HUGE_STRING_LEN, used = 0;
    char *out;
    int eos = 0;

    if (cl && ap_parse_strict_length(&want, cl)) {
        if (want > (apr_off_t)limit) {
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
        }
        cap = (apr_size_t)want;
    }
    out = apr_palloc(r->pool, cap + 1);
    while (!eos) {
        apr_bucket *b;
        apr_status_t rv = ap_get_brigade(r->input_filters, bb,
                                         AP_MODE_READBYTES, APR_BLOCK_READ,
                                         HUGE_STRING_LEN);

        if (rv != APR_SUCCESS) {
            return ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
        }
        for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
             b = APR_BUCKET_NEXT(b)) {
            const char *data;
            apr_size_t n;

            if (APR_BUCKET_IS_EOS(b)) {
                eos = 1;
                break;
            }
            if (APR_BUCKET_IS_METADATA(b)) {
                continue;
            }
            rv = apr_bucket_read(b, &data, &n, APR_BLOCK_READ);
            if (rv != APR_SUCCESS) {
                return HTTP_BAD_REQUEST;
            }
            if (n > limit - used) {
                return HTTP_REQUEST_ENTITY_TOO_LARGE;
            }
            if (used + n > cap) {
                /* Chunked, or longer than it said: grow, never past the
                 * limit. */
                char *grown;

                cap = used + n > limit / 2 ? limit : 2 * (used + n);
                grown = apr_palloc(r->pool, cap + 1);
                memcpy(grown, out, used);
                out = grown;
            }
            memcpy(out + used, data, n);
            used += n;
        }
        apr_brigade_cleanup(bb);
    }
    out[used] = '\0';
    *buf = out;
    *len = used;
    return OK;
}

/* Read the POSTed form into form; a refusal status, or OK.  The body is
 * read in one piece and split by the core (wcs_acs_form_parse):
 * ap_parse_form_data copies a form byte by byte
 * through brigades, and a profile of the ACS put it at a twentieth of a
 * login's CPU. */
static int read_form(request_rec *r, wcs_srv_conf_t *sc,
                     wcs_acs_form_t *form)
{
    /* Base64 is 4/3 of the XML, plus line breaks and form escaping. */
    apr_size_t limit = sc->max_response_size / 3 * 4 * 3 / 2 + WCS_FORM_SLACK;
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    char *body = NULL;
    apr_size_t len;
    int rc;

    memset(form, 0, sizeof(*form));
    if (r->method_number != M_POST) {
        return wcs_error_refuse(r, WCS_CODE_NO_RESPONSE, apr_psprintf(
            r->pool, "the ACS was requested with %s; the IdP must POST a "
            "SAMLResponse", r->method));
    }
    if (!ct || ap_cstr_casecmpn(ct, "application/x-www-form-urlencoded",
                                33)) {
        /* No form at all: the request carries no SAMLResponse (1b). */
        return ap_discard_request_body(r) == OK ? OK : HTTP_BAD_REQUEST;
    }
    rc = read_body(r, limit, &body, &len);
    if (rc == HTTP_REQUEST_ENTITY_TOO_LARGE) {
        return wcs_error_refuse(r, WCS_CODE_GENERAL, apr_psprintf(
            r->pool, "the POST is over %" APR_SIZE_T_FMT " bytes (%s %"
            APR_SIZE_T_FMT ")", limit, WCS_CMD_MAX_RESPONSE_SIZE,
            sc->max_response_size));
    }
    if (rc != OK) {
        return wcs_error_refuse(r, WCS_CODE_GENERAL, apr_psprintf(
            r->pool, "cannot read the POST body (HTTP %d)", rc));
    }
    /* The core's rules, which webcast-saml-check applies too. */
    if (wcs_acs_form_parse(form, &res, body, r->pool) != APR_SUCCESS) {
        return wcs_error_refuse(r, res.code, res.reason);
    }
    return OK;
}

/* The ACS URL without WebcastSAMLACSURL: from the configured ServerName
 * and port, as UseCanonicalName On builds URLs, never from the client's
 * Host header (a response made for another SP with the same entity ID
 * would pass when posted with that SP's host). */
static const char *canonical_acs_url(request_rec *r, const char *path)
{
    const char *host = r->server->server_hostname;
    apr_port_t port = r->server->port ? r->server->port : ap_default_port(r);

    if (ap_strchr_c(host, ':')) {
        host = apr_pstrcat(r->pool, "[", host, "]", NULL);    /* IPv6 */
    }
    if (ap_is_default_port(port, r)) {
        return apr_pstrcat(r->pool, ap_http_scheme(r), "://", host, path,
                           NULL);
    }
    return apr_psprintf(r->pool, "%s://%s:%u%s", ap_http_scheme(r), host,
                        (unsigned)port, path);
}

const char *wcs_acs_url(request_rec *r, const wcs_srv_conf_t *sc)
{
    return sc->sp->acs_url ? sc->sp->acs_url
                           : canonical_acs_url(r, sc->acs_path);
}

/* The script of the page below, and its hash for the page's CSP:
 * base64 of SHA-256 of exactly the script's text (t/acs/resubmit.t checks
 * that they agree). */
#define RESUBMIT_SCRIPT "document.forms[0].submit();"
#define RESUBMIT_SCRIPT_SHA256 "8lDeP0UDwCO6/RhblgeH/ctdBzjVpJxrXizsnIk3cEQ="

/* May the browser be asked to post this form back?  Only what this site
 * itself sends as RelayState, and base64, are written into the page. */
static int can_resubmit(const wcs_acs_form_t *form)
{
    const char *rs = form->relay_state;

    return !form->resubmitted
           && strspn(form->saml, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
                     "opqrstuvwxyz0123456789+/=\r\n") == form->saml_len
           && (!rs || (strlen(rs) <= WCS_RELAY_STATE_MAX
                       && strspn(rs, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
                                 "OPQRSTUVWXYZ0123456789-") == strlen(rs)));
}

/* A page of this site that posts the response to the ACS again: the
 * browser sends the sign-in cookie with a POST from this site, which it
 * kept from the IdP's cross-site one (SameSite=Lax over http). */
static int resubmit(request_rec *r, const wcs_srv_conf_t *sc,
                    const wcs_acs_form_t *form)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, WCS_LOG_TAG "06004: "
                  "[ref %s] the response answers a request, and the browser "
                  "sent no sign-in cookie with the IdP's cross-site POST: "
                  "it posts the response again from this site",
                  wcs_req(r)->ref);
    wcs_no_store(r);
    apr_table_setn(r->headers_out, "Content-Security-Policy",
                   "default-src 'none'; script-src 'sha256-"
                   RESUBMIT_SCRIPT_SHA256 "'; form-action 'self'; "
                   "frame-ancestors 'none'");
    apr_table_setn(r->headers_out, "Referrer-Policy", "same-origin");
    ap_set_content_type(r, "text/html; charset=utf-8");
    if (r->header_only) {
        return OK;
    }
    ap_rvputs(r, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
              "<meta charset=\"utf-8\"><title>Signing in</title></head>"
              "<body><form method=\"post\" action=\"",
              ap_escape_html(r->pool, sc->acs_path), "\">"
              "<input type=\"hidden\" name=\"SAMLResponse\" value=\"",
              ap_escape_html(r->pool, form->saml), "\">", NULL);
    if (form->relay_state) {
        ap_rvputs(r, "<input type=\"hidden\" name=\"RelayState\" "
                  "value=\"", ap_escape_html(r->pool, form->relay_state),
                  "\">", NULL);
    }
    ap_rputs("<input type=\"hidden\" name=\"" WCS_ACS_RESUBMIT_FIELD "\" "
             "value=\"1\"><noscript><p>Press the button to finish signing "
             "in.</p><button type=\"submit\">Continue</button></noscript>"
             "</form><script>" RESUBMIT_SCRIPT "</script></body></html>\n", r);
    return OK;
}

int wcs_acs_run(request_rec *r, wcs_srv_conf_t *sc)
{
    wcs_dir_conf_t *dc = ap_get_module_config(r->per_dir_config,
                                              &webcast_saml_module);
    wcs_req_t *req = wcs_req(r);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_sp_t sp = *sc->sp;
    wcs_acs_output_t out;
    wcs_store_t *store, *replay;
    wcs_acs_input_t in;
    wcs_acs_form_t form;
    wcs_relay_t relay;
    const wcs_event_t *event;
    const char *app_target;
    apr_status_t rv;
    int rc;

    rc = read_form(r, sc, &form);
    if (rc != OK) {
        return rc;
    }
    if (!sp.acs_url) {
        sp.acs_url = canonical_acs_url(r, sc->acs_path);
        sp.acs_url_hint = "made from ServerName and the port, as "
                          "UseCanonicalName On would; set "
                          WCS_CMD_ACS_URL " to the URL the IdP posts to";
    }
    store = wcs_store_for(r);
    replay = wcs_replay_store_for(r);
    memset(&in, 0, sizeof(in));
    in.requests = wcs_login_store_for(r);
    if (!store || !replay || !in.requests) {
        return wcs_error_refuse(r, WCS_CODE_STORE, "the session, replay or "
                                "sign-in cache is not initialised");
    }
    if (form.relay_state) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, WCS_LOG_TAG "02002: "
                      "[ref %s] RelayState \"%s\" (not used as a URL)",
                      req->ref, ap_escape_logitem(r->pool, form.relay_state));
    }
    /* The event before the response (a POST without a SAMLResponse is
     * 1b, whatever its RelayState): a RelayState that names no event
     * costs no cryptography, and a refusal about an event shows the
     * event's own page. */
    wcs_relay_parse(&relay, form.relay_state, r->pool);
    event = NULL;
    app_target = NULL;
    if (form.saml && form.saml_len
        && wcs_event_route(&event, &app_target, &res, sp.events,
                           sp.default_relay_state, form.relay_state, &relay,
                           r->pool) != APR_SUCCESS) {
        return wcs_error_refuse(r, res.code, res.reason);
    }
    in.sp = &sp;
    in.sessions = store;
    in.replay = replay;
    in.saml_response = form.saml;
    in.len = form.saml_len;
    in.relay_state = form.relay_state;
    in.event = event;
    in.relay = &relay;
    in.directory = wcs_directory_for(r, sc);
    in.accounts = wcs_account_policy_for(r, sc);
    in.browser = wcs_login_cookie_take(r, sc);
    in.forbid_unsolicited = !dc->unsolicited;
    in.may_resubmit = form.saml && can_resubmit(&form);
    in.now = apr_time_now();
    in.lg = req->lg;
    rv = wcs_acs_login(&out, &res, &in, r->pool);
    if (rv == WCS_ERESUBMIT) {
        return resubmit(r, sc, &form);
    }
    if (rv != APR_SUCCESS) {
        return wcs_error_refuse_event(r, res.code, res.reason, event);
    }
    wcs_status_login();
    wcs_cookie_set(r, sc, sp.acs_url, out.session->id);
    wcs_no_store(r);
    apr_table_setn(r->headers_out, "Location",
                   wcs_target_url(r, event ? event->target
                                           : app_target ? app_target
                                           : out.return_to ? out.return_to
                                           : dc->default_target));
    return HTTP_SEE_OTHER;
}

int wcs_metadata_run(request_rec *r, wcs_srv_conf_t *sc)
{
    const char *acs_url = wcs_acs_url(r, sc);

    r->allowed |= (AP_METHOD_BIT << M_GET);
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    ap_set_content_type(r, "application/samlmetadata+xml");
    if (!r->header_only) {
        ap_rputs(wcs_metadata_sp(sc->sp, acs_url, r->pool), r);
    }
    return OK;
}

int wcs_acs_handler(request_rec *r)
{
    wcs_srv_conf_t *sc = ap_get_module_config(r->server->module_config,
                                              &webcast_saml_module);

    /* Reached when the endpoint is not under AuthType WebcastSAML (or
     * needs no authentication there); under it, check_authn has
     * answered. */
    if (!sc->sp || !ap_is_initial_req(r)) {
        return DECLINED;
    }
    if (!strcmp(r->uri, sc->metadata_path)) {
        return wcs_metadata_run(r, sc);
    }
    if (strcmp(r->uri, sc->acs_path)) {
        return DECLINED;
    }
    wcs_req(r);                  /* the ref of every line from here on */
    return wcs_acs_run(r, sc);
}

/* --- directives ---------------------------------------------------------- */

const char *wcs_set_default_target(cmd_parms *cmd, void *dc,
                                   const char *arg)
{
    wcs_dir_conf_t *d = dc;
    const char *err = wcs_cfg_target(cmd, arg);

    if (!err) {
        d->default_target = arg;
        d->default_target_set = 1;
    }
    return err;
}
