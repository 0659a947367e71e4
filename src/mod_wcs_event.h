/*
 * mod_wcs_event: the directives of webcast events and the authz provider
 * "webcast-event" (Require webcast-event ID ...).
 */
#ifndef MOD_WCS_EVENT_H
#define MOD_WCS_EVENT_H

#include <httpd.h>
#include <http_config.h>

const char *wcs_set_event(cmd_parms *cmd, void *dc, int argc,
                          char *const argv[]);
const char *wcs_set_event_map(cmd_parms *cmd, void *dc, const char *arg);
const char *wcs_set_default_relay_state(cmd_parms *cmd, void *dc,
                                        const char *arg);

const char *wcs_set_relay_state_url(cmd_parms *cmd, void *dc,
                                    const char *url, const char *target);
const char *wcs_set_template(cmd_parms *cmd, void *dc, const char *name,
                             const char *saml, const char *env);

/* Register the authz provider (register_hooks). */
void wcs_event_register(apr_pool_t *p);

#endif
