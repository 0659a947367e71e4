/*
 * wcs_names: the names users see, defined once.  Directive names are used
 * by the directive table (mod_webcast_saml.c), the setters, and every
 * message of the glue and the core that tells an admin what to change;
 * the variable names by the core that sets them and the glue that keeps
 * them from WebcastSAMLAttribute.  t/check_consistency.sh proves each
 * directive is in the table and in README, and each variable in README.
 */
#ifndef WCS_NAMES_H
#define WCS_NAMES_H

/* Per vhost (server config and <VirtualHost>). */
#define WCS_CMD_SP_ENTITY_ID      "WebcastSAMLSPEntityID"
#define WCS_CMD_ACS_URL           "WebcastSAMLACSURL"
#define WCS_CMD_ENDPOINT_PATH     "WebcastSAMLEndpointPath"
#define WCS_CMD_IDP_METADATA      "WebcastSAMLIdPMetadata"
#define WCS_CMD_IDP               "WebcastSAMLIdP"
#define WCS_CMD_ALLOW_SHA1        "WebcastSAMLAllowSHA1"
#define WCS_CMD_IDP_EMAIL_DOMAINS "WebcastSAMLIdPEmailDomains"
#define WCS_CMD_SIGNED_PARTS      "WebcastSAMLSignedParts"
#define WCS_CMD_CLOCK_SKEW        "WebcastSAMLClockSkew"
#define WCS_CMD_MAX_ASSERTION_AGE "WebcastSAMLMaxAssertionAge"
#define WCS_CMD_MAX_RESPONSE_SIZE "WebcastSAMLMaxResponseSize"
#define WCS_CMD_SESSION_LIFETIME  "WebcastSAMLSessionLifetime"
#define WCS_CMD_COOKIE_NAME       "WebcastSAMLCookieName"
#define WCS_CMD_COOKIE_SAMESITE   "WebcastSAMLCookieSameSite"
#define WCS_CMD_COOKIE_SECURE     "WebcastSAMLCookieSecure"
#define WCS_CMD_EMAIL_ATTRIBUTE   "WebcastSAMLEmailAttribute"
#define WCS_CMD_ATTRIBUTE         "WebcastSAMLAttribute"
#define WCS_CMD_EVENT             "WebcastSAMLEvent"
#define WCS_CMD_EVENT_MAP         "WebcastSAMLEventMap"
#define WCS_CMD_DEFAULT_RELAY_STATE "WebcastSAMLDefaultRelayState"
#define WCS_CMD_RELAY_STATE_URL   "WebcastSAMLRelayStateURL"
#define WCS_CMD_TEMPLATE          "WebcastSAMLTemplate"
#define WCS_CMD_DIRECTORY         "WebcastSAMLDirectory"
#define WCS_CMD_PROVISION         "WebcastSAMLProvision"
#define WCS_CMD_LICENSE           "WebcastSAMLLicense"
#define WCS_CMD_GUESTS            "WebcastSAMLGuests"
#define WCS_CMD_LOGIN_TIMEOUT     "WebcastSAMLLoginTimeout"
#define WCS_CMD_SIGNING_KEY       "WebcastSAMLSigningKey"
/* Server config only: one store for the whole httpd. */
#define WCS_CMD_SESSION_CACHE     "WebcastSAMLSessionCache"
#define WCS_CMD_SESSION_KEY_FILE  "WebcastSAMLSessionKeyFile"
#define WCS_CMD_REPLAY_CACHE      "WebcastSAMLReplayCache"
#define WCS_CMD_LOGIN_CACHE       "WebcastSAMLLoginCache"
#define WCS_CMD_SESSION_PROCESS_CACHE "WebcastSAMLSessionProcessCache"
/* Per directory, location or vhost. */
#define WCS_CMD_ERROR_URL         "WebcastSAMLErrorURL"
#define WCS_CMD_DEFAULT_TARGET    "WebcastSAMLDefaultTarget"
#define WCS_CMD_EXPORT_HEADERS    "WebcastSAMLExportHeaders"
#define WCS_CMD_LOGIN_IDP         "WebcastSAMLLoginIdP"
#define WCS_CMD_UNSOLICITED       "WebcastSAMLUnsolicited"

/* The form field of the page that posts a response back to the ACS. */
#define WCS_FIELD_RESUBMIT        "WebcastSAMLResubmit"

/* The variables the module sets for the application (wcs_identity_env).
 * The first four, WEBCAST_EVENT_ID, WEBCAST_ROLE and WEBCAST_LICENSE are
 * reserved: no WebcastSAMLAttribute may set them, as they say who the
 * person is.  The name defaults are not: a mapping may
 * take their place. */
#define WCS_ENV_EMAIL             "WEBCAST_EMAIL"
#define WCS_ENV_IDP               "WEBCAST_IDP"
#define WCS_ENV_NAMEID            "WEBCAST_NAMEID"
#define WCS_ENV_AUTHN_CONTEXT     "WEBCAST_AUTHN_CONTEXT"
#define WCS_ENV_FIRST_NAME        "WEBCAST_FIRST_NAME"
#define WCS_ENV_LAST_NAME         "WEBCAST_LAST_NAME"
#define WCS_ENV_DISPLAY_NAME      "WEBCAST_DISPLAY_NAME"
/* The event the person signed in to (never its key). */
#define WCS_ENV_EVENT_ID          "WEBCAST_EVENT_ID"
/* The account's role and licence, where a user directory is configured. */
#define WCS_ENV_ROLE              "WEBCAST_ROLE"
#define WCS_ENV_LICENSE           "WEBCAST_LICENSE"

#endif
