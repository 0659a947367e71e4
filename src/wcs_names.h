/*
 * wcs_names: the names users see, defined once.  Directive names are used
 * by the directive table (mod_webcast_saml.c), the setters, and every
 * message of the glue and the core that tells an admin what to change;
 * t/check_directives.sh proves each is in the table and in README.
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
/* Server config only: one store for the whole httpd. */
#define WCS_CMD_SESSION_CACHE     "WebcastSAMLSessionCache"
#define WCS_CMD_SESSION_KEY_FILE  "WebcastSAMLSessionKeyFile"
#define WCS_CMD_REPLAY_CACHE      "WebcastSAMLReplayCache"
/* Per directory, location or vhost. */
#define WCS_CMD_ERROR_URL         "WebcastSAMLErrorURL"
#define WCS_CMD_DEFAULT_TARGET    "WebcastSAMLDefaultTarget"
#define WCS_CMD_EXPORT_HEADERS    "WebcastSAMLExportHeaders"

#endif
