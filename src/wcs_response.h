/*
 * wcs_response: validation of a SAML 2.0 Response received at the ACS,
 * one rule a function, each refusing with its own code and reason.  The
 * result is a wcs_assertion_t holding only values that were covered by a
 * verified signature.
 */
#ifndef WCS_RESPONSE_H
#define WCS_RESPONSE_H

#include <apr_hash.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "wcs_idp.h"
#include "wcs_log.h"
#include "wcs_result.h"

/* Which parts of a response must carry a valid signature. */
typedef enum {
    WCS_SIGNED_EITHER = 0,       /* the assertion, or the whole response */
    WCS_SIGNED_ASSERTION,
    WCS_SIGNED_RESPONSE,
    WCS_SIGNED_BOTH
} wcs_signed_parts_t;

#define WCS_CLOCK_SKEW_DEFAULT apr_time_from_sec(60)
#define WCS_CLOCK_SKEW_MAX apr_time_from_sec(600)
#define WCS_RESPONSE_MAX_BYTES_DEFAULT (256 * 1024)
/* How old an accepted response may be (IssueInstant): the replay cache
 * must remember each assertion that long, so this bounds its size.  IdPs
 * post the response within seconds of issuing it. */
#define WCS_MAX_ASSERTION_AGE_DEFAULT apr_time_from_sec(300)
#define WCS_MAX_ASSERTION_AGE_MIN apr_time_from_sec(30)
#define WCS_MAX_ASSERTION_AGE_MAX apr_time_from_sec(3600)

#define WCS_NAMEID_UNSPECIFIED \
    "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
#define WCS_NAMEID_EMAIL \
    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
/* The same two formats as SAML 1.0 spelt them, which JumpCloud and other
 * products still send. */
#define WCS_NAMEID_UNSPECIFIED_10 \
    "urn:oasis:names:tc:SAML:1.0:nameid-format:unspecified"
#define WCS_NAMEID_EMAIL_10 \
    "urn:oasis:names:tc:SAML:1.0:nameid-format:emailAddress"
#define WCS_NAMEID_PERSISTENT \
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
#define WCS_NAMEID_ENTITY "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
#define WCS_CM_BEARER "urn:oasis:names:tc:SAML:2.0:cm:bearer"
#define WCS_STATUS_SUCCESS "urn:oasis:names:tc:SAML:2.0:status:Success"

/* What the validator needs to know of this SP; built at config time. */
typedef struct wcs_sp_t {
    const char *entity_id;       /* our Audience */
    /* This SP as configured in one place (entity ID and the vhost that
     * serves it): sessions are valid only where they were made, even
     * between vhosts that share an entity ID but trust other IdPs. */
    const char *site_id;
    const char *acs_url;         /* Destination/Recipient, as the IdP sees it */
    /* How acs_url was made when no one configured it, for the reasons of
     * 4d and 4e (so that an admin sees where to change it); or NULL. */
    const char *acs_url_hint;
    apr_hash_t *idps;            /* entity ID -> wcs_idp_t * */
    wcs_signed_parts_t signed_parts;
    apr_interval_time_t clock_skew;
    apr_interval_time_t max_assertion_age;   /* oldest IssueInstant taken */
    apr_size_t max_response_bytes;
    int max_depth;
    /* What a login makes of a valid assertion (wcs_acs). */
    const char *email_attr;      /* NULL: the email is the NameID */
    const apr_array_header_t *attr_map;  /* of wcs_attr_map_t */
    apr_interval_time_t session_lifetime;
    /* Keys of session records (of wcs_session_key_t *): the first one
     * signs, every one verifies (rotation). */
    const apr_array_header_t *session_keys;
} wcs_sp_t;

typedef struct wcs_attr_t {
    const char *name;
    const char *friendly_name;   /* or NULL */
    apr_array_header_t *values;  /* of const char * */
    int structured;              /* values holding elements, left out */
} wcs_attr_t;

typedef struct wcs_assertion_t {
    const wcs_idp_t *idp;
    const char *response_id;
    const char *assertion_id;
    const char *in_response_to;  /* or NULL (IdP-initiated) */
    const char *name_id;         /* trimmed text, or NULL */
    const char *name_id_format;  /* or NULL */
    const char *session_index;   /* or NULL */
    const char *authn_context;   /* AuthnContextClassRef, or NULL */
    apr_time_t authn_instant;
    apr_time_t issue_instant;    /* the Assertion's (signed with it) */
    /* 0 when the IdP set none: one it set is later than now, since a
     * past one is refused, so 0 cannot be a time the IdP wrote here. */
    apr_time_t session_not_on_or_after;
    apr_time_t expires;          /* after this the assertion is dead */
    apr_array_header_t *attrs;   /* of wcs_attr_t */
    int response_signed;
    int assertion_signed;
    /* The configured key that verified the assertion (or, when only the
     * response is signed, the response): sessions remember it, so that
     * removing a compromised key ends them. */
    const wcs_idp_key_t *key;
} wcs_assertion_t;

/* Validate the base64 SAMLResponse b64 against sp at time now.  On
 * success *pa is allocated from p; all parsing happens in a sub-pool that
 * is destroyed before returning.  Refuses with a code and reason in res. */
apr_status_t wcs_response_validate(wcs_assertion_t **pa, wcs_result_t *res,
                                   const wcs_sp_t *sp, const char *b64,
                                   apr_size_t b64_len, apr_time_t now,
                                   const wcs_logger_t *lg, apr_pool_t *p);

/* The first value of the attribute whose Name or FriendlyName is name
 * (compared case-insensitively), or NULL. */
const wcs_attr_t *wcs_assertion_attr(const wcs_assertion_t *a,
                                     const char *name);

#endif
