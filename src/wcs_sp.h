/*
 * wcs_sp: this Service Provider as its directives describe it, and the
 * wcs_sp_t that validation and logins read.  The description is plain
 * data with the documented defaults, so that the module's start-up, a
 * command-line check of a configuration file and the unit suites all make
 * an SP the same way, with the same refusals, and none needs httpd.
 */
#ifndef WCS_SP_H
#define WCS_SP_H

#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include <openssl/evp.h>

#include "wcs_event.h"

/* Which parts of a response must carry a valid signature. */
typedef enum {
    WCS_SIGNED_EITHER = 0,       /* the assertion, or the whole response */
    WCS_SIGNED_ASSERTION,
    WCS_SIGNED_RESPONSE,
    WCS_SIGNED_BOTH
} wcs_signed_parts_t;

/* Defaults and limits of the directives, defined here once: the
 * description's defaults, the module's records and its setters use them. */
#define WCS_CLOCK_SKEW_DEFAULT apr_time_from_sec(60)
#define WCS_CLOCK_SKEW_MAX apr_time_from_sec(600)
#define WCS_RESPONSE_MAX_BYTES_DEFAULT (256 * 1024)
#define WCS_MAX_RESPONSE_MIN 4096
#define WCS_MAX_RESPONSE_MAX (16 * 1024 * 1024)
/* How old an accepted response may be (IssueInstant): the replay cache
 * must remember each assertion that long, so this bounds its size.  IdPs
 * post the response within seconds of issuing it. */
#define WCS_MAX_ASSERTION_AGE_DEFAULT apr_time_from_sec(300)
#define WCS_MAX_ASSERTION_AGE_MIN apr_time_from_sec(30)
#define WCS_MAX_ASSERTION_AGE_MAX apr_time_from_sec(3600)
#define WCS_SESSION_LIFETIME_DEFAULT apr_time_from_sec(8 * 3600)
#define WCS_SESSION_LIFETIME_MIN apr_time_from_sec(60)
#define WCS_SESSION_LIFETIME_MAX apr_time_from_sec(7 * 24 * 3600)

/* The SP's signing key (WebcastSAMLSigningKey): an RSA key of at least
 * 2048 bits and the certificate that carries its public half. */
typedef struct wcs_sp_key_t {
    EVP_PKEY *pkey;
    const char *cert_b64;        /* the certificate, base64 DER */
    const char *where;           /* the key file, for messages */
} wcs_sp_key_t;

#define WCS_SP_KEY_MIN_BITS 2048

/* Read the key (PEM, unencrypted) of key_file and the certificate (PEM or
 * DER) of cert_file into *pk, from p (the key is freed with p).  Refused
 * (APR_EINVAL, *err from p saying why): an unreadable file, no key, an
 * encrypted one, a key that is not RSA or under WCS_SP_KEY_MIN_BITS, a
 * certificate that is not of that key. */
apr_status_t wcs_sp_key_load(wcs_sp_key_t **pk, const char **err,
                             const char *key_file, const char *cert_file,
                             apr_pool_t *p);

/* What the validator needs to know of this SP; built at config time by
 * wcs_sp_build. */
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
    /* Events by ID (RelayState routes to one), or NULL: none, and any
     * RelayState lands on the default target. */
    const wcs_events_t *events;
    /* The RelayState that lands on the default target where events are
     * configured (an admin console's), or NULL. */
    const char *default_relay_state;
    /* The SP's own key, signing its AuthnRequests, and its certificate
     * (base64 DER, for its metadata); NULL: requests go unsigned. */
    const wcs_sp_key_t *sign_key;
} wcs_sp_t;

/* What the directives of one SP say, before anything is derived. */
typedef struct wcs_sp_desc_t {
    /* How reasons name this SP ("vhost www.example.test:443"). */
    const char *name;
    const char *entity_id;       /* NULL: not set */
    const char *acs_url;         /* NULL: derived from each request */
    /* The IdPs as configured (entity ID -> wcs_idp_t *): never changed,
     * since several SPs (vhosts) may share one table; NULL: none. */
    apr_hash_t *idps;
    /* Per-IdP lines, by entity ID; each must name one of idps.  NULL:
     * none. */
    const apr_array_header_t *sha1_idps;     /* of const char * */
    apr_hash_t *idp_domains;     /* -> apr_array_header_t * of const char *,
                                  * lower-case patterns */
    wcs_signed_parts_t signed_parts;
    apr_interval_time_t clock_skew;
    apr_interval_time_t max_assertion_age;
    apr_size_t max_response_bytes;
    const char *email_attr;      /* NULL: the email is the NameID */
    const apr_array_header_t *attr_map;  /* of wcs_attr_map_t, or NULL */
    apr_interval_time_t session_lifetime;
    const char *site_id;         /* see wcs_sp_t */
    const apr_array_header_t *session_keys;  /* of wcs_session_key_t * */
    const wcs_events_t *events;  /* NULL: none; see wcs_sp_t */
    const char *default_relay_state;
    const wcs_sp_key_t *sign_key;    /* NULL: none; see wcs_sp_t */
} wcs_sp_desc_t;

/* Fill desc with what no directive says: nothing set, no IdP, and the
 * documented default of every policy and limit. */
void wcs_sp_desc_init(wcs_sp_desc_t *desc);

/* Does desc ask for an SP at all (an entity ID or an IdP)?  One that does
 * not is no SAML SP, and is not built. */
int wcs_sp_desc_in_use(const wcs_sp_desc_t *desc);

/* Refuse a per-IdP line (sha1_idps, idp_domains, an event's idps=) of
 * desc that names none of its IdPs: a typo would silently apply to none.
 * APR_EINVAL and *err (from p) saying which, or APR_SUCCESS. */
apr_status_t wcs_sp_check_idp_names(const char **err,
                                    const wcs_sp_desc_t *desc,
                                    apr_pool_t *p);

/* Build the SP that desc describes into *psp (from p): the checks of
 * wcs_sp_check_idp_names, then an entity ID and at least one IdP are
 * required.  Each IdP is a copy carrying its per-IdP lines (allow_sha1,
 * email_domains); desc's own IdPs are left unchanged.  desc's strings,
 * arrays and keys are referenced, not copied: they must live as long as
 * *psp.  On failure APR_EINVAL, *psp NULL and *err (static or from p)
 * says why. */
apr_status_t wcs_sp_build(wcs_sp_t **psp, const char **err,
                          const wcs_sp_desc_t *desc, apr_pool_t *p);

#endif
