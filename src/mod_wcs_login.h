/*
 * mod_wcs_login: SP-initiated sign-in.  A person without a session who
 * opens a protected URL is sent to the IdP with an AuthnRequest (the
 * core's wcs_authnreq), remembered in the session store and bound to the
 * browser by the sign-in cookie; the ACS then accepts exactly the answer
 * to it.
 */
#ifndef MOD_WCS_LOGIN_H
#define MOD_WCS_LOGIN_H

#include <httpd.h>
#include <http_config.h>

#include "mod_wcs_config.h"

/* Answer r, a request without a usable session to a location under
 * AuthType WebcastSAML: a 302 to the IdP, or the 401 page where the
 * request cannot follow a redirect (not a GET, a script's request) or the
 * location starts no sign-in; a refusal (3c) for a link with a wrong
 * event key. */
int wcs_login_start(request_rec *r, wcs_srv_conf_t *sc);

/* Directives. */
const char *wcs_set_login_idp(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_login_timeout(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_unsolicited(cmd_parms *cmd, void *dc, int flag);
const char *wcs_set_signing_key(cmd_parms *cmd, void *dc, const char *key,
                                const char *cert);

#endif
