/*
 * wcs_acs: the Assertion Consumer Service transaction.  A POSTed
 * SAMLResponse either becomes a stored session or a refusal with a code
 * and a reason; nothing is stored for a refusal.
 */
#ifndef WCS_ACS_H
#define WCS_ACS_H

#include "wcs_log.h"
#include "wcs_response.h"
#include "wcs_result.h"
#include "wcs_session.h"
#include "wcs_store.h"

/* Validate saml_response (base64, as POSTed), derive the email and the
 * application's variables, refuse a replay (marking the assertion used in
 * replay, a store that sessions cannot evict from), and store a session
 * in store that lasts sp->session_lifetime or until the IdP's
 * SessionNotOnOrAfter, whichever is sooner.  *ps is allocated from p. */
apr_status_t wcs_acs_login(wcs_session_t **ps, wcs_result_t *res,
                           const wcs_sp_t *sp, const wcs_store_t *store,
                           const wcs_store_t *replay,
                           const char *saml_response, apr_size_t len,
                           apr_time_t now, const wcs_logger_t *lg,
                           apr_pool_t *p);

#endif
