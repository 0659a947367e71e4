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

#include "wcs_result.h"
#include "wcs_sp.h"
#include "wcs_store.h"

/* The algorithm of a signed request (sp->sign_key). */
#define WCS_SIGALG_RSA_SHA256 \
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

/* The bindings allow the IdP to refuse a longer RelayState. */
#define WCS_RELAY_STATE_MAX 80

typedef struct wcs_authnreq_t {
    const char *id;              /* "_" and 32 hex digits */
    const char *xml;             /* the request as sent */
    const char *url;             /* where the browser is sent */
} wcs_authnreq_t;

/* A request from sp, answered at acs_url, to the IdP's SSO URL sso_url
 * (Redirect binding; a URL with a query keeps it), with relay_state (or
 * NULL) at now; signed (SigAlg, Signature: RSA-SHA256) when sp has a
 * signing key.  APR_EINVAL and *err for a RelayState over
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

/* --- the outstanding request ---------------------------------------------
 *
 * A request is remembered in the store (keyed by its ID) until it expires:
 * which IdP was asked, the browser that started it (the SHA-256 of a
 * random token in a cookie of that browser), the opaque RelayState sent
 * for a URL of no event and that URL.  A response answers it once:
 * answered, it is marked in the replay store, where a second answer finds
 * it. */

/* A browser token is this many hex digits. */
#define WCS_BROWSER_TOKEN_HEX 32

/* How long a sign-in may take at the IdP (WebcastSAMLLoginTimeout). */
#define WCS_LOGIN_TIMEOUT_DEFAULT apr_time_from_sec(900)
#define WCS_LOGIN_TIMEOUT_MIN apr_time_from_sec(60)
#define WCS_LOGIN_TIMEOUT_MAX apr_time_from_sec(3600)

/* A fresh browser token, or an opaque RelayState reference
 * (WCS_RELAY_REF_PREFIX and hex), from p; NULL without randomness. */
const char *wcs_authnreq_browser_token(apr_pool_t *p);
const char *wcs_authnreq_relay_ref(apr_pool_t *p);

/* Is s shaped as a browser token? */
int wcs_authnreq_browser_valid(const char *s);

typedef struct wcs_authnreq_state_t {
    const char *idp;             /* entity ID of the IdP asked */
    const char *browser;         /* the browser's token (not stored) */
    const char *relay_ref;       /* opaque RelayState sent, or NULL */
    const char *return_to;       /* local path (and query), or NULL */
    apr_time_t expires;
} wcs_authnreq_state_t;

/* Remember request id as st says, in store.  APR_EINVAL for a return_to
 * that is no local path or a state missing its IdP or browser; the
 * store's status when it fails. */
apr_status_t wcs_authnreq_remember(const wcs_store_t *store, const char *id,
                                   const wcs_authnreq_state_t *st,
                                   apr_time_t now, apr_pool_t *p);

/* Is request irt outstanding in store, and asked of IdP idp?  Refuses 4j
 * (unknown, expired, asked of another IdP) or 4i (the store fails). */
apr_status_t wcs_authnreq_outstanding(wcs_result_t *res,
                                      const wcs_store_t *store,
                                      const char *irt, const char *idp,
                                      apr_time_t now, apr_pool_t *p);

/* Does a response of IdP idp, carrying InResponseTo irt, answer a request
 * of browser (its token, or NULL: it sent none) that is outstanding in
 * store?  On success *pst is the request (allocated from p) and it is
 * marked answered in replay.  Refuses 4j (unknown or expired, asked of
 * another IdP), 4n (another browser's, or no token), 4m (answered
 * already), 4l/4i when the replay store cannot mark it. */
apr_status_t wcs_authnreq_answer(wcs_authnreq_state_t **pst,
                                 wcs_result_t *res, const wcs_store_t *store,
                                 const wcs_store_t *replay, const char *irt,
                                 const char *idp, const char *browser,
                                 apr_time_t now, apr_pool_t *p);

#endif
