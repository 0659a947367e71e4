/*
 * mod_wcs_session: the session cookie and the session directives.
 */
#ifndef MOD_WCS_SESSION_H
#define MOD_WCS_SESSION_H

#include <httpd.h>
#include <http_config.h>

#include "mod_wcs_config.h"

/* Set the session cookie id on r's answer, with the vhost's name,
 * SameSite and Secure (auto: on for https or an https ACS URL). */
void wcs_cookie_set(request_rec *r, const wcs_srv_conf_t *sc,
                    const char *acs_url, const char *id);

/* The session cookie's value: taken out of r's own headers (the
 * application never needs the session ID, so it can never leak it) and
 * kept in a note, or already taken out of a request r descends from
 * (sub-requests copy their parent's headers, internal redirects share
 * them).  NULL without a cookie. */
const char *wcs_cookie_take(request_rec *r);

/* The sign-in cookie (the vhost's cookie name and "_login"): the token
 * that binds SP-initiated sign-ins to the browser that started them, for
 * WebcastSAMLLoginTimeout.  SameSite=None;Secure where the session
 * cookie would be Secure, SameSite=Lax otherwise. */
void wcs_login_cookie_set(request_rec *r, const wcs_srv_conf_t *sc,
                          const char *acs_url, const char *token);
/* Its value, taken out of r's headers, or NULL. */
const char *wcs_login_cookie_take(request_rec *r, const wcs_srv_conf_t *sc);

const char *wcs_set_session_lifetime(cmd_parms *cmd, void *dc,
                                     const char *arg);
const char *wcs_set_cookie_name(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_cookie_samesite(cmd_parms *cmd, void *dc,
                                    const char *arg);
const char *wcs_set_cookie_secure(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_session_keys(cmd_parms *cmd, void *dc, const char *arg);

#endif
