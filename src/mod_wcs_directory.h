/*
 * mod_wcs_directory: the user directory's directives and connections
 * (an SQLite file of its own, or mod_dbd's pool).
 */
#ifndef MOD_WCS_DIRECTORY_H
#define MOD_WCS_DIRECTORY_H

#include <httpd.h>
#include <http_config.h>

#include "wcs_account.h"

struct wcs_srv_conf_t;

const char *wcs_set_directory(cmd_parms *cmd, void *dc, const char *spec,
                              const char *option);
const char *wcs_set_provision(cmd_parms *cmd, void *dc, int flag);
const char *wcs_set_license(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_guests(cmd_parms *cmd, void *dc, int flag);

/* Initialise APR DBD (pre_config), as mod_dbd would if it is loaded. */
void wcs_directory_pre_config(apr_pool_t *pconf);

/* Register the authz provider webcast-role (register_hooks). */
void wcs_directory_register(apr_pool_t *p);

/* Make each SQLite directory's per-process mutex and pool (child_init). */
void wcs_directory_child_init(apr_pool_t *p, server_rec *s);

/* The directory of the vhost sc for r, or NULL when it has none. */
const wcs_directory_t *wcs_directory_for(request_rec *r,
                                         const struct wcs_srv_conf_t *sc);

/* What the vhost sc asks of accounts. */
const wcs_account_policy_t *wcs_account_policy_for(
    request_rec *r, const struct wcs_srv_conf_t *sc);

#endif
