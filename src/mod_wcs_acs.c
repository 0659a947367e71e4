/*
 * mod_wcs_acs: the Assertion Consumer Service endpoint as httpd sees it:
 * read the POSTed form, hand SAMLResponse to the core, and answer with the
 * session cookie and a redirect to a configured target, or with the
 * invalid-request page (a redirect to WebcastSAMLErrorURL, or a small
 * built-in page) and one log line that gives the reason and the ref.
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
#include "wcs_acs.h"

APLOG_USE_MODULE(webcast_saml);

#define REF_BYTES 6
#define FORM_MAX_FIELDS 16

static const char *new_ref(request_rec *r)
{
    unsigned char raw[REF_BYTES];
    char *ref = apr_palloc(r->pool, 2 * REF_BYTES + 1);
    int i;

    /* A correlation ID, not a secret: the fast generator is enough. */
    ap_random_insecure_bytes(raw, sizeof(raw));
    for (i = 0; i < REF_BYTES; i++) {
        apr_snprintf(ref + 2 * i, 3, "%02x", raw[i]);
    }
    return ref;
}

static void no_store(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "Pragma", "no-cache");
}

/* An absolute URL for a configured target (local path or URL). */
static const char *target_url(request_rec *r, const char *target)
{
    return target[0] == '/' ? ap_construct_url(r->pool, target, r) : target;
}

/* url with "code=..&ref=.." added to its query, before any fragment (a
 * browser keeps the fragment to itself, so a query after it is lost). */
static const char *error_location(request_rec *r, const char *url,
                                  const char *code, const char *ref)
{
    const char *hash = ap_strchr_c(url, '#');
    const char *base = hash ? apr_pstrmemdup(r->pool, url, hash - url) : url;

    return apr_pstrcat(r->pool, base, ap_strchr_c(base, '?') ? "&" : "?",
                       "code=", code, "&ref=", ref, hash ? hash : "", NULL);
}

int wcs_acs_refuse(request_rec *r, wcs_code_t code, const char *reason)
{
    wcs_dir_conf_t *dc = ap_get_module_config(r->per_dir_config,
                                              &webcast_saml_module);
    const char *ref = new_ref(r), *str = wcs_code_str(code), *page;
    int status = wcs_code_http_status(code);

    apr_table_setn(r->notes, "webcast-saml-ref", ref);
    apr_table_setn(r->notes, "webcast-saml-code", str);
    ap_log_rerror(APLOG_MARK, status >= 500 ? APLOG_ERR
                  : APLOG_WARNING, 0, r,
                  WCS_LOG_TAG "02001: [ref %s] refused with code %s: %s",
                  ref, str, reason);
    no_store(r);
    if (dc->error_url) {
        apr_table_setn(r->headers_out, "Location",
                       error_location(r, target_url(r, dc->error_url), str,
                                      ref));
        return HTTP_SEE_OTHER;
    }
    page = apr_psprintf(r->pool,
        "<!DOCTYPE html>\n<html lang=\"en\"><head>"
        "<title>Sign-in failed</title></head><body>"
        "<h1>Sign-in failed</h1><p>%s</p>"
        "<p>Error code: <strong id=\"code\">%s</strong><br>"
        "Reference: <code id=\"ref\">%s</code></p>"
        "<p>Please quote the code and reference when you contact support."
        "</p></body></html>\n",
        ap_escape_html(r->pool, wcs_code_text(code)),
        ap_escape_html(r->pool, str), ap_escape_html(r->pool, ref));
    ap_custom_response(r, status, page);
    return status;
}

static const char *flatten(request_rec *r, apr_bucket_brigade *bb,
                           apr_size_t *len)
{
    apr_off_t off = 0;
    char *buf;

    apr_brigade_length(bb, 1, &off);
    *len = (apr_size_t)off;
    buf = apr_palloc(r->pool, *len + 1);
    apr_brigade_flatten(bb, buf, len);
    buf[*len] = '\0';
    return buf;
}

typedef struct {
    const char *saml;
    apr_size_t saml_len;
    int saml_count;
    const char *relay_state;
} acs_form_t;

/* Why ap_parse_form_data answered 413: it says so alike for too many
 * fields and too many bytes. */
static const char *too_large(request_rec *r, wcs_srv_conf_t *sc,
                             const apr_array_header_t *pairs,
                             apr_size_t limit)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_off_t len = 0;

    if ((!cl || !ap_parse_strict_length(&len, cl) || len <= (apr_off_t)limit)
        && pairs->nelts >= FORM_MAX_FIELDS) {
        return apr_psprintf(r->pool, "the POST has more than %d fields",
                            FORM_MAX_FIELDS);
    }
    return apr_psprintf(r->pool, "the POST is over %" APR_SIZE_T_FMT
                        " bytes (%s %" APR_SIZE_T_FMT ")", limit,
                        WCS_CMD_MAX_RESPONSE_SIZE, sc->max_response_size);
}

/* Read the POST into form; a refusal status, or OK. */
static int read_form(request_rec *r, wcs_srv_conf_t *sc, acs_form_t *form)
{
    apr_array_header_t *pairs;
    /* Base64 is 4/3 of the XML, plus line breaks and form escaping. */
    apr_size_t limit = sc->max_response_size / 3 * 4 * 3 / 2 + WCS_FORM_SLACK;
    apr_size_t len;
    int rc, i;

    memset(form, 0, sizeof(*form));
    if (r->method_number != M_POST) {
        return wcs_acs_refuse(r, WCS_CODE_NO_RESPONSE,
                              apr_psprintf(r->pool, "the ACS was requested "
                                           "with %s; the IdP must POST a "
                                           "SAMLResponse", r->method));
    }
    rc = ap_parse_form_data(r, NULL, &pairs, FORM_MAX_FIELDS, limit);
    if (rc == HTTP_REQUEST_ENTITY_TOO_LARGE) {
        return wcs_acs_refuse(r, WCS_CODE_GENERAL,
                              too_large(r, sc, pairs, limit));
    }
    if (rc != OK) {
        return wcs_acs_refuse(r, WCS_CODE_GENERAL,
                              apr_psprintf(r->pool, "cannot read the POST "
                                           "body (HTTP %d)", rc));
    }
    for (i = 0; i < pairs->nelts; i++) {
        ap_form_pair_t *pair = &APR_ARRAY_IDX(pairs, i, ap_form_pair_t);

        if (!strcmp(pair->name, "SAMLResponse")) {
            form->saml = flatten(r, pair->value, &form->saml_len);
            form->saml_count++;
        }
        else if (!strcmp(pair->name, "RelayState")) {
            form->relay_state = flatten(r, pair->value, &len);
            if (len > WCS_RELAYSTATE_MAX) {
                return wcs_acs_refuse(r, WCS_CODE_GENERAL, apr_psprintf(
                    r->pool, "RelayState is %" APR_SIZE_T_FMT " bytes, over "
                    "%d", len, WCS_RELAYSTATE_MAX));
            }
        }
    }
    if (form->saml_count > 1) {
        return wcs_acs_refuse(r, WCS_CODE_GENERAL,
                              "the POST carries several SAMLResponse fields");
    }
    return OK;
}

static int cookie_secure(request_rec *r, wcs_srv_conf_t *sc,
                         const char *acs_url)
{
    if (!strcmp(sc->cookie_samesite, "None")
        || sc->cookie_secure == WCS_SECURE_ON) {
        return 1;
    }
    if (sc->cookie_secure == WCS_SECURE_OFF) {
        return 0;
    }
    return !strcasecmp(ap_http_scheme(r), "https")
           || !strncasecmp(acs_url, "https:", 6);
}

static void set_cookie(request_rec *r, wcs_srv_conf_t *sc,
                       const char *acs_url, const char *id)
{
    const char *attrs = apr_pstrcat(r->pool, "Path=/;HttpOnly;SameSite=",
                                    sc->cookie_samesite,
                                    cookie_secure(r, sc, acs_url)
                                    ? ";Secure" : "", NULL);

    /* err_headers_out: the redirect is sent as an error response, which
     * keeps only those. */
    ap_cookie_write(r, sc->cookie_name, id, attrs, 0, r->err_headers_out,
                    NULL);
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

int wcs_acs_run(request_rec *r, wcs_srv_conf_t *sc)
{
    wcs_dir_conf_t *dc = ap_get_module_config(r->per_dir_config,
                                              &webcast_saml_module);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_sp_t sp = *sc->sp;
    wcs_session_t *session;
    wcs_store_t *store, *replay;
    acs_form_t form;
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
    if (!store || !replay) {
        return wcs_acs_refuse(r, WCS_CODE_STORE, "the session or replay cache "
                              "is not initialised");
    }
    if (form.relay_state) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, WCS_LOG_TAG "02002: "
                      "RelayState \"%s\" (not used as a URL)",
                      ap_escape_logitem(r->pool, form.relay_state));
    }
    if (wcs_acs_login(&session, &res, &(const wcs_acs_input_t) {
                          .sp = &sp, .sessions = store, .replay = replay,
                          .saml_response = form.saml, .len = form.saml_len,
                          .relay_state = form.relay_state,
                          .now = apr_time_now(),
                          .lg = wcs_logger_for(r, NULL) }, r->pool)
        != APR_SUCCESS) {
        return wcs_acs_refuse(r, res.code, res.reason);
    }
    set_cookie(r, sc, sp.acs_url, session->id);
    no_store(r);
    apr_table_setn(r->headers_out, "Location",
                   target_url(r, dc->default_target));
    return HTTP_SEE_OTHER;
}

int wcs_acs_handler(request_rec *r)
{
    wcs_srv_conf_t *sc = ap_get_module_config(r->server->module_config,
                                              &webcast_saml_module);

    /* Reached when the ACS is not under AuthType WebcastSAML (or needs no
     * authentication there); under it, check_authn has answered. */
    if (!sc->sp || !ap_is_initial_req(r) || strcmp(r->uri, sc->acs_path)) {
        return DECLINED;
    }
    return wcs_acs_run(r, sc);
}
