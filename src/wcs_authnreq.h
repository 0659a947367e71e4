/*
 * wcs_authnreq: the AuthnRequest of an SP-initiated sign-in, over the
 * HTTP-Redirect binding (SAML 2.0 bindings, 3.4): the request's XML,
 * DEFLATE (raw, RFC 1951), base64, URL-encoded into the IdP's
 * SingleSignOnService URL with the RelayState.  The request's ID is what
 * the response's InResponseTo must answer.
 */
#ifndef WCS_AUTHNREQ_H
#define WCS_AUTHNREQ_H

#include <apr_pools.h>
#include <apr_time.h>

#include "wcs_sp.h"

/* The bindings allow the IdP to refuse a longer RelayState. */
#define WCS_RELAY_STATE_MAX 80

typedef struct wcs_authnreq_t {
    const char *id;              /* "_" and 32 hex digits */
    const char *xml;             /* the request as sent */
    const char *url;             /* where the browser is sent */
} wcs_authnreq_t;

/* A request from sp, answered at acs_url, to the IdP's SSO URL sso_url
 * (Redirect binding; a URL with a query keeps it), with relay_state (or
 * NULL) at now.  APR_EINVAL and *err for a RelayState over
 * WCS_RELAY_STATE_MAX bytes or a URL that is no http(s) URL; another
 * status when randomness or compression fails.  From p. */
apr_status_t wcs_authnreq_make(wcs_authnreq_t **pr, const char **err,
                               const wcs_sp_t *sp, const char *acs_url,
                               const char *sso_url, const char *relay_state,
                               apr_time_t now, apr_pool_t *p);

/* Undo the Redirect binding's encoding of a SAMLRequest or SAMLResponse
 * value (URL-decoded already): base64, then raw DEFLATE, at most max
 * bytes.  NULL when it is not that.  From p. */
const char *wcs_authnreq_inflate(const char *b64, apr_size_t max,
                                 apr_pool_t *p);

#endif
