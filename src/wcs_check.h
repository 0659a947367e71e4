/*
 * wcs_check: judge one captured SAMLResponse offline, as the module's ACS
 * would judge it when posted, with the core's own rules only: the form,
 * the RelayState's event (wcs_event_route), then the whole login
 * (wcs_acs_login) against in-memory stores, every check reported as it
 * runs.  And a sample response for an IdP's developers.  What
 * webcast-saml-check prints is made here.
 */
#ifndef WCS_CHECK_H
#define WCS_CHECK_H

#include <apr_tables.h>
#include <apr_time.h>

#include "wcs_conf.h"
#include "wcs_log.h"
#include "wcs_result.h"
#include "wcs_sp.h"

/* Build the SP that c configures, with a fresh session key (sessions made
 * offline go nowhere).  WebcastSAMLACSURL is required: the module derives
 * a missing one from ServerName, which no excerpt says.  APR_EINVAL and
 * *err (from p) on failure. */
apr_status_t wcs_check_sp(wcs_sp_t **psp, const char **err,
                          const wcs_conf_t *c, apr_pool_t *p);

/* What a capture is. */
#define WCS_CHECK_INPUT_EMPTY "empty"
#define WCS_CHECK_INPUT_BASE64 "base64"
#define WCS_CHECK_INPUT_FORM "form"
#define WCS_CHECK_INPUT_XML "xml"

typedef struct wcs_check_input_t {
    const char *capture;         /* as captured: base64, form body, XML */
    apr_size_t len;
    const char *relay_state;     /* given apart (wins over the form's), or
                                  * NULL */
    apr_time_t now;              /* the time to judge at */
    /* Judge as if this request, to the response's IdP, from this browser,
     * were outstanding; NULL: none is. */
    const char *in_response_to;
    const wcs_logger_t *lg;      /* the core's WCS: lines, or NULL */
} wcs_check_input_t;

typedef enum {
    WCS_STEP_NOT_RUN = 0,        /* a check before it refused */
    WCS_STEP_PASS,
    WCS_STEP_FAIL,
    WCS_STEP_NOT_APPLICABLE      /* passed over (no event, no directory) */
} wcs_step_state_t;

typedef struct wcs_check_step_t {
    const char *name;
    wcs_step_state_t state;
} wcs_check_step_t;

/* One mapped variable (WebcastSAMLAttribute, the event's template). */
typedef struct wcs_check_field_t {
    const char *env_name;
    const char *saml_name;
    const char *value;           /* NULL: the IdP did not send it */
    const char *template_name;   /* NULL: the vhost's mapping */
} wcs_check_field_t;

typedef struct wcs_check_report_t {
    const char *input;           /* WCS_CHECK_INPUT_* */
    apr_size_t saml_len;         /* of the base64 judged */
    const char *relay_state;     /* or NULL */
    apr_array_header_t *steps;   /* of wcs_check_step_t, in order */
    int accepted;
    wcs_result_t res;            /* the refusal (accepted: none) */
    /* Accepted: who, what the application is given, where the browser
     * lands. */
    const char *user;            /* REMOTE_USER */
    const char *idp;
    const char *assertion_id;
    const char *signed_parts;    /* "assertion", "response", "both" */
    const char *answers;         /* the request answered, or NULL */
    const char *event_id;        /* or NULL */
    const char *target;
    apr_time_t session_expires;
    const apr_array_header_t *env;       /* of const apr_table_entry_t */
    apr_array_header_t *fields;  /* of wcs_check_field_t */
    /* What was configured but not consulted offline, or NULL. */
    const char *not_checked;
} wcs_check_report_t;

/* Judge in against sp (built from c by wcs_check_sp).  APR_SUCCESS when a
 * verdict was reached (*prep says which); another status for a fault of
 * the judging itself (no randomness).  *prep from p. */
apr_status_t wcs_check_run(wcs_check_report_t **prep, const wcs_sp_t *sp,
                           const wcs_conf_t *c, const wcs_check_input_t *in,
                           apr_pool_t *p);

/* The word of a step's state: "pass", "FAIL", "not run", "n/a". */
const char *wcs_check_state_str(wcs_step_state_t state);

/* A sample Response (XML, from p) that sp would accept once signed by
 * IdP idp (NULL: sp's only IdP, else APR_EINVAL), for email, carrying
 * every attribute c maps (its value from attrs, name -> value, or a
 * placeholder) and every other one of attrs, issued at now.  Marked at
 * its top as unsigned and for reading only. */
apr_status_t wcs_check_sample(const char **xml, const char **err,
                              const wcs_sp_t *sp, const wcs_conf_t *c,
                              const char *idp, const char *email,
                              const apr_table_t *attrs, apr_time_t now,
                              apr_pool_t *p);

#endif
