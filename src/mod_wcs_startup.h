/*
 * mod_wcs_startup: what httpd's start-up makes of the directives.
 */
#ifndef MOD_WCS_STARTUP_H
#define MOD_WCS_STARTUP_H

#include <httpd.h>

int wcs_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp);
int wcs_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                     server_rec *s);

#endif
