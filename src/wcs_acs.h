/*
 * wcs_acs: the Assertion Consumer Service transaction.  A POSTed
 * SAMLResponse either becomes a stored session or a refusal with a code
 * and a reason; nothing is stored for a refusal.
 */
#ifndef WCS_ACS_H
#define WCS_ACS_H

#include "wcs_account.h"
#include "wcs_authnreq.h"
#include "wcs_event.h"
#include "wcs_log.h"
#include "wcs_names.h"
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
    /* SP-initiated sign-ins (wcs_authnreq.h): the store of outstanding
     * requests (NULL: this SP starts none, and a response to a request is
     * refused 4j), and the posting browser's token from its cookie (or
     * NULL). */
    const wcs_store_t *requests;
    const char *browser;
    /* Refuse a response that answers no request (4o)? */
    int forbid_unsolicited;
    /* May a response to a request, posted without the browser's cookie,
     * be sent back through the browser once (WCS_ERESUBMIT)?  A browser
     * keeps a SameSite=Lax cookie from a cross-site POST, and sends it
     * when this site's own page posts. */
    int may_resubmit;
    apr_time_t now;
    const wcs_logger_t *lg;
    /* Where each check is reported as it runs (wcs_response.h), or NULL:
     * the module passes none. */
    const wcs_trace_t *trace;
} wcs_acs_input_t;

/* What a login made. */
typedef struct wcs_acs_output_t {
    wcs_session_t *session;
    /* Where an SP-initiated sign-in for a URL of no event returns (the
     * request's local path), or NULL: the event's or the default target. */
    const char *return_to;
    /* The request it answered, or NULL (IdP-initiated). */
    const char *in_response_to;
} wcs_acs_output_t;

/* Validate in->saml_response; match its InResponseTo to a request this
 * browser started (4j, 4m, 4n) or accept it unsolicited (4o where that is
 * forbidden); derive the email and the application's variables, admit the
 * person to in->event (3c), refuse a replay (marking the assertion used
 * in in->replay), and store a session in in->sessions that lasts
 * sp->session_lifetime or until the IdP's SessionNotOnOrAfter, whichever
 * is sooner.  WCS_ERESUBMIT (nothing refused, nothing stored) when the
 * response answers a request, the browser sent no token and
 * in->may_resubmit.  out's parts are allocated from p. */
apr_status_t wcs_acs_login(wcs_acs_output_t *out, wcs_result_t *res,
                           const wcs_acs_input_t *in, apr_pool_t *p);

/* --- the POSTed form ---------------------------------------------------- */

/* What a form to the ACS may hold: so many fields, a RelayState so long. */
#define WCS_ACS_FORM_MAX_FIELDS 16
#define WCS_ACS_RELAY_STATE_MAX 1024

/* The field of the page that posts a response back (WCS_ERESUBMIT). */
#define WCS_ACS_RESUBMIT_FIELD WCS_FIELD_RESUBMIT

typedef struct wcs_acs_form_t {
    const char *saml;            /* SAMLResponse, decoded; or NULL */
    apr_size_t saml_len;
    const char *relay_state;     /* RelayState, decoded; or NULL */
    int resubmitted;             /* WCS_ACS_RESUBMIT_FIELD was posted */
} wcs_acs_form_t;

/* Split the application/x-www-form-urlencoded body (NUL-terminated,
 * changed in place: the values point into it) into form, each name and
 * value URL-decoded ('+' a space).  Refuses 0a: more than
 * WCS_ACS_FORM_MAX_FIELDS fields, a bad or NUL (%00) escape, several
 * SAMLResponse fields, a RelayState over WCS_ACS_RELAY_STATE_MAX bytes;
 * the module's ACS and webcast-saml-check read forms with it. */
apr_status_t wcs_acs_form_parse(wcs_acs_form_t *form, wcs_result_t *res,
                                char *body, apr_pool_t *p);

/* The names of the steps wcs_acs_login reports to in->trace (of const
 * char *, static), in the order they run, the validator's among them
 * (wcs_response_steps).  Steps that do not apply (no event, no user
 * directory) are not reported.  The array from p. */
apr_array_header_t *wcs_acs_steps(apr_pool_t *p);

#endif
