/*
 * wcs_url: compare URLs the way RFC 3986 section 6 says they are equal,
 * not as strings: an IdP may write "https://Host:443" for "https://host/".
 */
#ifndef WCS_URL_H
#define WCS_URL_H

#include <apr_pools.h>

/* Normalise an absolute http(s) URL: lower-case scheme and host, default
 * port dropped, empty path made "/", dot segments removed, percent-escapes of unreserved
 * characters decoded and the others upper-cased.  Returns APR_EINVAL for
 * anything that is not an absolute http or https URL. */
apr_status_t wcs_url_normalise(const char **out, const char *url,
                               apr_pool_t *p);

/* Are a and b the same http(s) URL?  False when either is not one. */
int wcs_url_equal(const char *a, const char *b, apr_pool_t *p);

/* Is s a local URL path ("/x", never "//host", a backslash, CR or LF)? */
int wcs_url_local_path(const char *s);

/* Is s a place the module may send a person to, as its configuration
 * names one: a local path, or an absolute http(s) URL without CR or LF? */
int wcs_url_target_valid(const char *s, apr_pool_t *p);

#endif
