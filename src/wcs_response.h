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
#include "wcs_sp.h"

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
    /* The request it answers (the Response's, or its confirmation's), or
     * NULL (IdP-initiated): whether this SP has that request outstanding
     * is wcs_acs_login's to say. */
    const char *in_response_to;
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

/* --- watching the checks run ---------------------------------------------
 *
 * A diagnosis (webcast-saml-check) reports each named check as it runs,
 * passed (rv APR_SUCCESS) or refused (res says why).  The module passes no
 * trace: then nothing is reported and nothing else changes. */
typedef void wcs_trace_fn(void *baton, const char *step, apr_status_t rv,
                          const wcs_result_t *res);

typedef struct wcs_trace_t {
    wcs_trace_fn *fn;
    void *baton;
} wcs_trace_t;

/* Report step to trace (NULL: none); returns rv, so that a check's result
 * passes through: rv = wcs_trace_step(t, "name", check(...), res). */
apr_status_t wcs_trace_step(const wcs_trace_t *trace, const char *step,
                            apr_status_t rv, const wcs_result_t *res);

/* wcs_response_validate, reporting each check to trace (NULL: none). */
apr_status_t wcs_response_validate_traced(wcs_assertion_t **pa,
                                          wcs_result_t *res,
                                          const wcs_sp_t *sp,
                                          const char *b64,
                                          apr_size_t b64_len, apr_time_t now,
                                          const wcs_logger_t *lg,
                                          const wcs_trace_t *trace,
                                          apr_pool_t *p);

/* The names of the validator's checks (of const char *, static), in the
 * order they run: what a trace reports.  The array from p. */
apr_array_header_t *wcs_response_steps(apr_pool_t *p);

/* The first value of the attribute whose Name or FriendlyName is name
 * (compared case-insensitively), or NULL. */
const wcs_attr_t *wcs_assertion_attr(const wcs_assertion_t *a,
                                     const char *name);

#endif
