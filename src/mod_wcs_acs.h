/*
 * mod_wcs_acs: the Assertion Consumer Service endpoint.
 */
#ifndef MOD_WCS_ACS_H
#define MOD_WCS_ACS_H

#include <httpd.h>
#include <http_config.h>

#include "mod_wcs_config.h"

int wcs_acs_handler(request_rec *r);

/* Answer r with the SP's metadata (GET, HEAD; 405 otherwise): OK, or the
 * status.  The endpoint's /metadata, public like the ACS. */
int wcs_metadata_run(request_rec *r, wcs_srv_conf_t *sc);
/* Run the ACS for r and answer it (redirect or error page): the status
 * to return from any hook. */
int wcs_acs_run(request_rec *r, wcs_srv_conf_t *sc);

/* The ACS URL as the IdP sees it: WebcastSAMLACSURL, or made from the
 * vhost's ServerName and port (never from the request's Host). */
const char *wcs_acs_url(request_rec *r, const wcs_srv_conf_t *sc);

const char *wcs_set_default_target(cmd_parms *cmd, void *dc,
                                   const char *arg);

#endif
