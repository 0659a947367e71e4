/*
 * mod_wcs_auth: authentication of locations under AuthType WebcastSAML.
 */
#ifndef MOD_WCS_AUTH_H
#define MOD_WCS_AUTH_H

#include <httpd.h>
#include <http_config.h>

int wcs_check_authn(request_rec *r);
/* Take look-alike WEBCAST_* headers and the session cookie out of every
 * request AuthType WebcastSAML applies to, sub-requests included. */
int wcs_scrub_request(request_rec *r);

const char *wcs_set_export_headers(cmd_parms *cmd, void *dc, int flag);

#endif
