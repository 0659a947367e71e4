/*
 * mod_wcs_idp: the directives of trusted IdPs.
 */
#ifndef MOD_WCS_IDP_H
#define MOD_WCS_IDP_H

#include <httpd.h>
#include <http_config.h>

const char *wcs_set_idp_metadata(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_idp(cmd_parms *cmd, void *dc, int argc,
                        char *const argv[]);
const char *wcs_set_sha1_idps(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_idp_domains(cmd_parms *cmd, void *dc, int argc,
                                char *const argv[]);

#endif
