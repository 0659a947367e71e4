/*
 * mod_wcs_status: what the module has done since httpd started, for the
 * people who run it.  Sign-ins and refusals per code are counted in
 * shared memory (every process adds to the same counters), with the last
 * refusals; SetHandler webcast-saml-status shows them, the IdPs'
 * certificates and the caches, as HTML, JSON (?json) or in the Prometheus
 * text format (?prometheus).  The IdPs' certificates are checked for
 * expiry at every start and once a day (mod_watchdog, where loaded).
 */
#ifndef MOD_WCS_STATUS_H
#define MOD_WCS_STATUS_H

#include <httpd.h>

#include "wcs_result.h"

#define WCS_STATUS_HANDLER "webcast-saml-status"

/* A certificate expiring within this many days is warned about. */
#define WCS_CERT_WARN_DAYS 30

/* Count a sign-in, a sign-in started (SP-initiated), a refusal of r with
 * code and reason (kept among the last refusals, with r's ref). */
void wcs_status_login(void);
void wcs_status_started(void);
void wcs_status_refused(request_rec *r, wcs_code_t code, const char *reason);

/* Warn (WCS01012) about every IdP certificate of every vhost of s that
 * expires within WCS_CERT_WARN_DAYS, and log an error (WCS01013) for one
 * that has expired; each certificate once. */
void wcs_status_check_certs(server_rec *s, apr_pool_t *p);

/* The counters' shared memory (kept across graceful restarts) and the
 * daily certificate check. */
int wcs_status_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp, server_rec *s);

int wcs_status_handler(request_rec *r);

#endif
