/*
 * wcs_acs: the Assertion Consumer Service transaction.  A POSTed
 * SAMLResponse either becomes a stored session or a refusal with a code
 * and a reason; nothing is stored for a refusal.
 */
#ifndef WCS_ACS_H
#define WCS_ACS_H

#include "wcs_account.h"
#include "wcs_event.h"
#include "wcs_log.h"
#include "wcs_response.h"
#include "wcs_result.h"
#include "wcs_session.h"
#include "wcs_store.h"

/* What one POST to the ACS brings, and what the login needs to answer it. */
typedef struct wcs_acs_input_t {
    const wcs_sp_t *sp;
    const wcs_store_t *sessions; /* where the session is stored */
    /* Where assertions are marked used: a store that sessions cannot
     * evict from. */
    const wcs_store_t *replay;
    const char *saml_response;   /* base64, as POSTed; or NULL */
    apr_size_t len;
    const char *relay_state;     /* as POSTed, or NULL */
    /* The event RelayState routed to (wcs_event_route), and what the
     * RelayState said (its key); NULL: no event. */
    const wcs_event_t *event;
    const wcs_relay_t *relay;
    /* The user directory and what this site asks of accounts; NULL: no
     * directory (anyone the IdP vouches for signs in). */
    const wcs_directory_t *directory;
    const wcs_account_policy_t *accounts;
    apr_time_t now;
    const wcs_logger_t *lg;
} wcs_acs_input_t;

/* Validate in->saml_response, derive the email and the application's
 * variables, admit the person to in->event (3c), refuse a replay (marking the assertion used in in->replay),
 * and store a session in in->sessions that lasts sp->session_lifetime or
 * until the IdP's SessionNotOnOrAfter, whichever is sooner.  *ps is
 * allocated from p. */
apr_status_t wcs_acs_login(wcs_session_t **ps, wcs_result_t *res,
                           const wcs_acs_input_t *in, apr_pool_t *p);

#endif
