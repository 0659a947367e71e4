/*
 * wcs_identity: who the person is (the email, by the platform's rules) and
 * what the webcast application is told about them (WEBCAST_* variables).
 */
#ifndef WCS_IDENTITY_H
#define WCS_IDENTITY_H

#include <apr_tables.h>

#include "wcs_response.h"
#include "wcs_result.h"

#define WCS_ENV_PREFIX "WEBCAST_"
#define WCS_ENV_VALUE_MAX 2048   /* longer values are cut, never refused */

/* One mapping from a SAML attribute (Name or FriendlyName, compared
 * case-insensitively) to an environment variable WEBCAST_*. */
typedef struct wcs_attr_map_t {
    const char *saml_name;
    const char *env_name;
} wcs_attr_map_t;

/* Is s an email address as people have them: one '@', a dot-atom local
 * part of at most 64 bytes, a domain of at least two labels, at most 254
 * bytes in all, valid UTF-8 without control or invisible characters
 * (no-break and zero-width spaces, bidi marks, ...)?  An Entra guest UPN
 * ("x_domain#EXT#@tenant...", in any case) is not. */
int wcs_email_valid(const char *s);

/* The email that identifies the person in a: the NameID, or the attribute
 * email_attr when that is given (then the NameID is not used).  Returned
 * trimmed and lower-cased, from p.  Refuses with 2b. */
apr_status_t wcs_identity_email(const char **email, wcs_result_t *res,
                                const wcs_assertion_t *a,
                                const char *email_attr, apr_pool_t *p);

/* Is pattern usable in WebcastSAMLIdPEmailDomains: "*", a domain, or
 * "*." and a domain (labels of letters, digits, '-' and non-ASCII bytes,
 * no empty label)? */
int wcs_email_domain_pattern_valid(const char *pattern);

/* The domain of email: what follows its last '@'. */
const char *wcs_email_domain(const char *email);

/* Does the domain of email match one of patterns (of const char *, as
 * wcs_email_domain_pattern_valid takes them), compared in ASCII lower
 * case: "*" every domain, "*.d" every subdomain of d (not d itself), any
 * other entry that domain exactly? */
int wcs_email_domain_in(const char *email,
                        const apr_array_header_t *patterns);

/* May idp assert email (already validated)?  Its domain, the part after
 * the last '@', is compared with idp->email_domains in ASCII lower case:
 * "*" allows every domain, "*.d" every subdomain of d (not d itself), any
 * other entry that domain exactly.  An IdP without a list may assert any
 * domain.  Refuses with 4k, naming the IdP and the domain. */
apr_status_t wcs_identity_domain_allowed(wcs_result_t *res,
                                         const char *email,
                                         const wcs_idp_t *idp, apr_pool_t *p);

/* Refuses (2a) when an attribute the module reads (email_attr, a mapping
 * of map or a default name mapping) had values holding elements, which
 * wcs_response leaves out rather than flatten (wcs_attr_t.structured):
 * what is read must be what was signed, as text.  Other attributes may
 * carry such values. */
apr_status_t wcs_identity_attrs_usable(wcs_result_t *res,
                                       const wcs_assertion_t *a,
                                       const char *email_attr,
                                       const apr_array_header_t *map,
                                       apr_pool_t *p);

/* Is name usable as a variable this module exports: WEBCAST_ followed by
 * upper-case letters, digits and underscores? */
int wcs_env_name_valid(const char *name);

/* Is name one of the variables that say who the person is (WEBCAST_EMAIL,
 * WEBCAST_IDP, WEBCAST_NAMEID, WEBCAST_AUTHN_CONTEXT), which the module
 * always sets itself and no WebcastSAMLAttribute may set? */
int wcs_env_reserved(const char *name);

/* The variables for the application: WEBCAST_EMAIL, WEBCAST_IDP,
 * WEBCAST_NAMEID, WEBCAST_AUTHN_CONTEXT, the default first/last/display
 * name mappings and every mapping in map (which win over the defaults).
 * Several values are joined by ';', with ';' and '\' in a value escaped
 * by '\'; control characters become spaces.  Allocated from p. */
apr_table_t *wcs_identity_env(const wcs_assertion_t *a, const char *email,
                              const apr_array_header_t *map, apr_pool_t *p);

#endif
