/*
 * mod_wcs_error: every answer that is not a sign-in.  A refusal gets the
 * invalid-request page (a redirect to WebcastSAMLErrorURL with the code
 * and the ref, or a small built-in page) and one log line with the
 * reason; a person without a session gets the 401 page.  Per-event and
 * per-location pages and per-code counters plug in here.
 */
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_core.h>

#include "mod_wcs.h"
#include "mod_wcs_config.h"
#include "mod_wcs_error.h"
#include "mod_wcs_log.h"
#include "mod_wcs_status.h"

APLOG_USE_MODULE(webcast_saml);

void wcs_no_store(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "Pragma", "no-cache");
}

/* An absolute URL for a configured target (local path or URL). */
const char *wcs_target_url(request_rec *r, const char *target)
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

/* Note and log a refusal once (WCS02001); the status of its answer. */
static int note_refusal(request_rec *r, wcs_code_t code, const char *reason)
{
    const char *ref = wcs_req(r)->ref, *str = wcs_code_str(code);
    int status = wcs_code_http_status(code);

    apr_table_setn(r->notes, "webcast-saml-ref", ref);
    apr_table_setn(r->notes, "webcast-saml-code", str);
    wcs_status_refused(r, code, reason);
    ap_log_rerror(APLOG_MARK, status >= 500 ? APLOG_ERR
                  : APLOG_WARNING, 0, r,
                  WCS_LOG_TAG "02001: [ref %s] refused with code %s: %s",
                  ref, str, reason);
    wcs_no_store(r);
    return status;
}

/* The built-in invalid-request page: the code's text (or message, an
 * event's own), the code and the ref. */
static const char *error_page(request_rec *r, wcs_code_t code,
                              const char *message)
{
    return apr_psprintf(r->pool,
        "<!DOCTYPE html>\n<html lang=\"en\"><head>"
        "<title>Sign-in failed</title></head><body>"
        "<h1>Sign-in failed</h1><p>%s</p>"
        "<p>Error code: <strong id=\"code\">%s</strong><br>"
        "Reference: <code id=\"ref\">%s</code></p>"
        "<p>Please quote the code and reference when you contact support."
        "</p></body></html>\n",
        ap_escape_html(r->pool, message ? message : wcs_code_text(code)),
        ap_escape_html(r->pool, wcs_code_str(code)),
        ap_escape_html(r->pool, wcs_req(r)->ref));
}

int wcs_error_refuse_event(request_rec *r, wcs_code_t code,
                           const char *reason, const wcs_event_t *event)
{
    wcs_dir_conf_t *dc = ap_get_module_config(r->per_dir_config,
                                              &webcast_saml_module);
    int status = note_refusal(r, code, reason);
    const char *url = event && event->error_url ? event->error_url
                                                : dc->error_url;

    if (url) {
        apr_table_setn(r->headers_out, "Location",
                       error_location(r, wcs_target_url(r, url),
                                      wcs_code_str(code), wcs_req(r)->ref));
        return HTTP_SEE_OTHER;
    }
    ap_custom_response(r, status, error_page(r, code, event
                                             && code == WCS_CODE_EVENT_DENIED
                                             ? event->message : NULL));
    return status;
}

int wcs_error_refuse(request_rec *r, wcs_code_t code, const char *reason)
{
    return wcs_error_refuse_event(r, code, reason, NULL);
}

/* A provider's refusal, logged only if httpd answers with it. */
typedef struct wcs_denial_t {
    wcs_code_t code;
    const char *reason;
} wcs_denial_t;

void wcs_error_deny(request_rec *r, wcs_code_t code, const char *reason,
                    const wcs_event_t *event)
{
    wcs_denial_t *d = apr_palloc(r->pool, sizeof(*d));

    /* Another Require of a <RequireAny> may still let the request in:
     * the line is written when httpd answers 401 (wcs_error_log_denial). */
    d->code = code;
    d->reason = reason;
    wcs_req(r)->denial = d;
    /* httpd answers a denied user 401 and takes no URL for it: the page,
     * with the event's own message. */
    ap_custom_response(r, HTTP_UNAUTHORIZED,
                       error_page(r, code, event ? event->message : NULL));
}

void wcs_error_log_denial(request_rec *r)
{
    request_rec *q = r;
    wcs_req_t *req;
    wcs_denial_t *d;

    /* The error response may be an internal redirect's (ErrorDocument).
     * Every error response of the server comes here: only a request this
     * module gave a context to can hold a denial, and none is made. */
    while (q->prev) {
        q = q->prev;
    }
    req = ap_get_module_config(q->request_config, &webcast_saml_module);
    d = req ? req->denial : NULL;
    if (!d || r->status != HTTP_UNAUTHORIZED) {
        return;
    }
    req->denial = NULL;          /* once */
    note_refusal(r, d->code, d->reason);
}

int wcs_error_not_signed_in(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    if (ap_response_code_string(r, ap_index_of_response(HTTP_UNAUTHORIZED))) {
        return HTTP_UNAUTHORIZED;   /* the admin's ErrorDocument 401 */
    }
    ap_custom_response(r, HTTP_UNAUTHORIZED,
        "<!DOCTYPE html>\n<html lang=\"en\"><head>"
        "<title>Sign-in required</title></head><body>"
        "<h1>Sign-in required</h1><p>Please open this webcast from the link "
        "your organisation gave you, so that it can sign you in.</p>"
        "</body></html>\n");
    return HTTP_UNAUTHORIZED;
}

/* --- directives ---------------------------------------------------------- */

const char *wcs_set_error_url(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_dir_conf_t *d = dc;
    const char *err = wcs_cfg_target(cmd, arg);

    if (!err) {
        d->error_url = arg;
        d->error_url_set = 1;
    }
    return err;
}
