/*
 * mod_webcast_saml: a SAML 2.0 Service Provider for webcast platforms.
 *
 * This file is the httpd glue only: the module record, the directive
 * table and the hook order.  The SAML work is in src/wcs_* (no httpd
 * headers); the rest of the glue is in src/mod_wcs_*.
 */
#include <httpd.h>
#include <http_config.h>
#include <http_request.h>
#include <http_protocol.h>

#include "mod_wcs.h"
#include "mod_wcs_acs.h"
#include "mod_wcs_auth.h"
#include "mod_wcs_config.h"
#include "mod_wcs_directory.h"
#include "mod_wcs_error.h"
#include "mod_wcs_event.h"
#include "mod_wcs_idp.h"
#include "mod_wcs_login.h"
#include "mod_wcs_session.h"
#include "mod_wcs_startup.h"
#include "mod_wcs_status.h"
#include "mod_wcs_store.h"

static const command_rec wcs_cmds[] = {
    AP_INIT_TAKE1(WCS_CMD_SP_ENTITY_ID, wcs_set_sp_entity_id, NULL, RSRC_CONF,
                  "This SP's entity ID: the Audience IdPs address it by"),
    AP_INIT_TAKE1(WCS_CMD_ACS_URL, wcs_set_acs_url, NULL, RSRC_CONF,
                  "The ACS URL as the IdP sees it (default: ServerName, its "
                  "port and " WCS_CMD_ENDPOINT_PATH ")"),
    AP_INIT_TAKE1(WCS_CMD_ENDPOINT_PATH, wcs_set_endpoint_path, NULL,
                  RSRC_CONF, "Local URL path of the module's endpoints; the "
                  "ACS is PATH/acs (default " WCS_ENDPOINT_DEFAULT ")"),
    AP_INIT_ITERATE(WCS_CMD_IDP_METADATA, wcs_set_idp_metadata, NULL,
                    RSRC_CONF, "SAML 2.0 metadata file(s) of trusted IdPs"),
    AP_INIT_TAKE_ARGV(WCS_CMD_IDP, wcs_set_idp, NULL, RSRC_CONF,
                      "A trusted IdP without metadata: entity ID and its "
                      "signing certificate file(s)"),
    AP_INIT_ITERATE(WCS_CMD_ALLOW_SHA1, wcs_set_sha1_idps, NULL, RSRC_CONF,
                    "Entity IDs of IdPs whose RSA-SHA1/SHA-1 signatures are "
                    "accepted (default: none)"),
    AP_INIT_TAKE_ARGV(WCS_CMD_IDP_EMAIL_DOMAINS, wcs_set_idp_domains, NULL,
                      RSRC_CONF, "An IdP's entity ID and the email domains "
                      "it may assert: example.com, *.example.com "
                      "(subdomains), or * (any)"),
    AP_INIT_TAKE1(WCS_CMD_SIGNED_PARTS, wcs_set_signed_parts, NULL, RSRC_CONF,
                  "Which parts must be signed: either, assertion, response or "
                  "both (default either)"),
    AP_INIT_TAKE1(WCS_CMD_CLOCK_SKEW, wcs_set_clock_skew, NULL, RSRC_CONF,
                  "Seconds of clock difference tolerated (default 60, max "
                  "600)"),
    AP_INIT_TAKE1(WCS_CMD_MAX_ASSERTION_AGE, wcs_set_max_assertion_age, NULL,
                  RSRC_CONF, "Oldest response accepted, in seconds since "
                  "its IssueInstant (default 300, 30 to 3600)"),
    AP_INIT_TAKE1(WCS_CMD_MAX_RESPONSE_SIZE, wcs_set_max_response_size, NULL,
                  RSRC_CONF, "Largest SAML response accepted, in bytes of "
                  "XML (default 262144)"),
    AP_INIT_TAKE1(WCS_CMD_SESSION_LIFETIME, wcs_set_session_lifetime, NULL,
                  RSRC_CONF, "Session lifetime in seconds (default 28800)"),
    AP_INIT_TAKE1(WCS_CMD_COOKIE_NAME, wcs_set_cookie_name, NULL, RSRC_CONF,
                  "Name of the session cookie (default "
                  WCS_COOKIE_NAME_DEFAULT ")"),
    AP_INIT_TAKE1(WCS_CMD_COOKIE_SAMESITE, wcs_set_cookie_samesite, NULL,
                  RSRC_CONF, "SameSite of the session cookie: Lax, Strict or "
                  "None (default Lax)"),
    AP_INIT_TAKE1(WCS_CMD_COOKIE_SECURE, wcs_set_cookie_secure, NULL,
                  RSRC_CONF, "Secure flag of the session cookie: auto, on or "
                  "off (default auto: on for https)"),
    AP_INIT_TAKE1(WCS_CMD_EMAIL_ATTRIBUTE, wcs_set_email_attribute, NULL,
                  RSRC_CONF, "Take the email from this SAML attribute instead "
                  "of the NameID"),
    AP_INIT_TAKE2(WCS_CMD_ATTRIBUTE, wcs_set_attr_map, NULL, RSRC_CONF,
                  "Map a SAML attribute (Name or FriendlyName) to a WEBCAST_* "
                  "variable"),
    AP_INIT_TAKE_ARGV(WCS_CMD_EVENT, wcs_set_event, NULL, RSRC_CONF,
                      "A webcast event: ID KEY (hex, or - for none) TARGET "
                      "[key=optional] [idps=...] [domains=...] [opens=TIME] "
                      "[closes=TIME] [error=URL] [\"message=TEXT\"] "
                      "[template=NAME]"),
    AP_INIT_ITERATE(WCS_CMD_EVENT_MAP, wcs_set_event_map, NULL, RSRC_CONF,
                    "File(s) of webcast events, one a line as for "
                    WCS_CMD_EVENT),
    AP_INIT_TAKE2(WCS_CMD_RELAY_STATE_URL, wcs_set_relay_state_url, NULL,
                  RSRC_CONF, "A RelayState that names an application by URL, "
                  "and the target it lands on"),
    AP_INIT_TAKE3(WCS_CMD_TEMPLATE, wcs_set_template, NULL, RSRC_CONF,
                  "A field of a registration template: NAME, the SAML "
                  "attribute, the WEBCAST_* variable"),
    AP_INIT_TAKE1(WCS_CMD_DEFAULT_RELAY_STATE, wcs_set_default_relay_state,
                  NULL, RSRC_CONF, "The RelayState that lands on "
                  WCS_CMD_DEFAULT_TARGET " where events are configured"),
    AP_INIT_TAKE12(WCS_CMD_DIRECTORY, wcs_set_directory, NULL, RSRC_CONF,
                   "The user directory: sqlite3:/path/to/file.db or dbd "
                   "(mod_dbd), and schema=create; or off"),
    AP_INIT_FLAG(WCS_CMD_PROVISION, wcs_set_provision, NULL, RSRC_CONF,
                 "Create attendee accounts just in time (default On)"),
    AP_INIT_TAKE1(WCS_CMD_LICENSE, wcs_set_license, NULL, RSRC_CONF,
                  "The licence accounts must be under (default any)"),
    AP_INIT_FLAG(WCS_CMD_GUESTS, wcs_set_guests, NULL, RSRC_CONF,
                 "Admit guest accounts (default On)"),
    AP_INIT_TAKE1(WCS_CMD_SESSION_CACHE, wcs_set_session_cache, NULL,
                  RSRC_CONF, "socache provider:args for sessions (default "
                  "shmcb)"),
    AP_INIT_TAKE1(WCS_CMD_LOGIN_CACHE, wcs_set_login_cache, NULL, RSRC_CONF,
                  "socache provider[:args] for the sign-ins in progress "
                  "(default shmcb, 4 MiB; the session cache's provider "
                  "where that is shared)"),
    AP_INIT_TAKE12(WCS_CMD_REPLAY_CACHE, wcs_set_replay_cache, NULL,
                   RSRC_CONF, "socache provider:args for the replay cache, "
                   "and capacity=N entries (default shmcb, capacity derived "
                   "from its size)"),
    AP_INIT_TAKE12(WCS_CMD_SESSION_PROCESS_CACHE,
                   wcs_set_session_process_cache, NULL, RSRC_CONF,
                   "Seconds each process remembers a session it verified, "
                   "and entries=N (default 10, 4096), or off"),
    AP_INIT_ITERATE(WCS_CMD_SESSION_KEY_FILE, wcs_set_session_keys, NULL,
                    RSRC_CONF, "File(s) holding the secret that "
                    "authenticates session records (HMAC); the first seals, "
                    "all verify (default: a random key per httpd start)"),
    AP_INIT_TAKE1(WCS_CMD_ERROR_URL, wcs_set_error_url, NULL,
                  RSRC_CONF | ACCESS_CONF, "Invalid-request page; "
                  "?code=XX&ref=ID is appended"),
    AP_INIT_TAKE1(WCS_CMD_DEFAULT_TARGET, wcs_set_default_target, NULL,
                  RSRC_CONF | ACCESS_CONF, "Where the ACS sends a person after "
                  "sign-in (default /)"),
    AP_INIT_FLAG(WCS_CMD_EXPORT_HEADERS, wcs_set_export_headers, NULL,
                 RSRC_CONF | ACCESS_CONF, "Also pass WEBCAST_* as request "
                 "headers (Webcast-Email, ...) for proxied applications"),
    AP_INIT_TAKE1(WCS_CMD_LOGIN_IDP, wcs_set_login_idp, NULL,
                  RSRC_CONF | ACCESS_CONF, "The IdP (entity ID) a person "
                  "without a session is sent to, or off: answer 401 "
                  "(default: the event's IdP, or the vhost's only one)"),
    AP_INIT_FLAG(WCS_CMD_UNSOLICITED, wcs_set_unsolicited, NULL,
                 RSRC_CONF | ACCESS_CONF, "Accept at the ACS responses that "
                 "answer no request this SP sent (IdP-initiated; default "
                 "On)"),
    AP_INIT_TAKE2(WCS_CMD_SIGNING_KEY, wcs_set_signing_key, NULL, RSRC_CONF,
                  "The SP's RSA key (PEM) and its certificate: AuthnRequests "
                  "are signed (RSA-SHA256), and the metadata says so"),
    AP_INIT_TAKE1(WCS_CMD_LOGIN_TIMEOUT, wcs_set_login_timeout, NULL,
                  RSRC_CONF, "Seconds an SP-initiated sign-in may take at "
                  "the IdP (default 900)"),
    { NULL }
};

static int wcs_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp, server_rec *s)
{
    int rc = wcs_store_post_config(pconf, plog, ptemp, s);

    return rc == OK ? wcs_status_post_config(pconf, plog, ptemp, s) : rc;
}

static void wcs_register_hooks(apr_pool_t *p)
{
    /* pre_config: libxml2/xmlsec must be ready before directives parse
     * certificates and metadata; the cache mutex type is registered. */
    ap_hook_pre_config(wcs_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* check_config: runs under "apachectl configtest" too, so an
     * incomplete SP is reported there and not at the first login. */
    ap_hook_check_config(wcs_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* post_config: socache providers initialise here, after their own
     * modules' post_config has registered them. */
    ap_hook_post_config(wcs_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(wcs_store_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(wcs_directory_child_init, NULL, NULL,
                       APR_HOOK_MIDDLE);
    /* post_perdir_config: scrub look-alike WEBCAST_* headers and the
     * session cookie wherever AuthType WebcastSAML applies, whether or not
     * a Require asks for a user; unlike header_parser it also runs for
     * sub-requests, which carry a copy of their parent's headers. */
    ap_hook_post_perdir_config(wcs_scrub_request, NULL, NULL,
                               APR_HOOK_FIRST);
    /* check_authn per config: sub-requests with the main request's config
     * reuse its result; the ACS answers from here when it is protected. */
    ap_hook_check_authn(wcs_check_authn, NULL, NULL, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
    /* handler really first: the ACS path belongs to this module even
     * where mod_proxy (APR_HOOK_FIRST) or another handler is configured
     * for the location. */
    ap_hook_handler(wcs_acs_handler, NULL, NULL, APR_HOOK_REALLY_FIRST);
    /* SetHandler webcast-saml-status. */
    ap_hook_handler(wcs_status_handler, NULL, NULL, APR_HOOK_MIDDLE);
    /* Require webcast-event ID ...: a session scoped to events; its
     * refusal is logged only if httpd answers with it. */
    wcs_event_register(p);
    ap_hook_insert_error_filter(wcs_error_log_denial, NULL, NULL,
                                APR_HOOK_MIDDLE);
    /* Require webcast-role ROLE ...: the account's role. */
    wcs_directory_register(p);
}

AP_DECLARE_MODULE(webcast_saml) = {
    STANDARD20_MODULE_STUFF,
    wcs_create_dir_conf,
    wcs_merge_dir_conf,
    wcs_create_srv_conf,
    wcs_merge_srv_conf,
    wcs_cmds,
    wcs_register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_ALWAYS_MERGE
#endif
};
