/*
 * mod_wcs_error: the one place that answers a refusal or a missing
 * session, and the directives that shape those answers.
 */
#ifndef MOD_WCS_ERROR_H
#define MOD_WCS_ERROR_H

#include <httpd.h>
#include <http_config.h>

#include "wcs_event.h"
#include "wcs_result.h"

/* Answer r with the invalid-request page or redirect for code, and log
 * reason once with the request's ref (WCS02001).  Returns the status the
 * hook returns. */
int wcs_error_refuse(request_rec *r, wcs_code_t code, const char *reason);

/* The same, for a refusal about event (may be NULL): its own error page
 * (error=) where it has one, and its own message on the built-in page for
 * 3c. */
int wcs_error_refuse_event(request_rec *r, wcs_code_t code,
                           const char *reason, const wcs_event_t *event);

/* Make the 401 that httpd sends for a refusal of an authz provider the
 * invalid-request page with code (the event's message, when it has one),
 * and keep reason for wcs_error_log_denial: another Require may still
 * admit the request. */
void wcs_error_deny(request_rec *r, wcs_code_t code, const char *reason,
                    const wcs_event_t *event);

/* insert_error_filter: when httpd answers r with 401 after
 * wcs_error_deny, log the refusal once (WCS02001) with the page's ref. */
void wcs_error_log_denial(request_rec *r);

/* Answer r, which carries no valid session, with 401: the admin's
 * ErrorDocument 401 where there is one, else a short page. */
int wcs_error_not_signed_in(request_rec *r);

/* Keep the answer out of every cache (it sets or refuses a session). */
void wcs_no_store(request_rec *r);

/* An absolute URL for a configured target (a local path or a URL). */
const char *wcs_target_url(request_rec *r, const char *target);

const char *wcs_set_error_url(cmd_parms *cmd, void *dc, const char *arg);

#endif
