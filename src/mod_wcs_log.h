/*
 * mod_wcs_log: the request context every line of one request is logged
 * with, and the printer through which the core writes to httpd's log.
 */
#ifndef MOD_WCS_LOG_H
#define MOD_WCS_LOG_H

#include <httpd.h>

#include "wcs_log.h"

/* What this module knows of a request from the moment it starts handling
 * it: the correlation ref that the refusal page, the log lines of the
 * glue and those of the core carry alike, and the core's logger. */
typedef struct wcs_req_t {
    const char *ref;
    wcs_logger_t *lg;
    /* The session check_authn found for the request (authz providers read
     * it), or NULL. */
    struct wcs_session_t *session;
    /* An authz provider's refusal, logged if httpd answers 401 with it
     * (mod_wcs_error.c), or NULL. */
    struct wcs_denial_t *denial;
} wcs_req_t;

/* The context of r, made on first use: a sub-request or internal
 * redirect shares its parent's ref, so one sign-in is one ref.  Never
 * NULL; lives in r->pool. */
wcs_req_t *wcs_req(request_rec *r);

/* The request r was made for: its main request (a sub-request) or the
 * one it was redirected from (an internal redirect); NULL for neither. */
const request_rec *wcs_req_parent(const request_rec *r);

/* Install the core's printer (pre_config, before any directive). */
void wcs_log_install(void);

#endif
