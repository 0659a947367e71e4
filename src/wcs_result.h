/*
 * wcs_result: the outcome of a validation step and the error codes the
 * invalid-request page shows.  A refusal fills a wcs_result_t with a code
 * (what the person sees) and a precise reason (what the error log says).
 */
#ifndef WCS_RESULT_H
#define WCS_RESULT_H

#include <apr_pools.h>
#include <apr_errno.h>

/* A reason tells the admin which directive to change: every file that
 * refuses can name them. */
#include "wcs_names.h"

/* Longest reason kept; longer ones (quoting a huge value) are cut. */
#define WCS_REASON_MAX 1024

/* Status a refusing core function returns; the result says why. */
#define WCS_EREFUSED (APR_OS_START_USERERR + 4711)
/* Not a refusal: the ACS asks the browser to post the response once more,
 * from this site, so that it sends its sign-in cookie (wcs_acs.h). */
#define WCS_ERESUBMIT (APR_OS_START_USERERR + 4712)

typedef enum {
    WCS_CODE_NONE = 0,
    WCS_CODE_GENERAL,            /* 0a malformed input, bad status, fault */
    WCS_CODE_NO_EVENT,           /* 1a no event ID in RelayState */
    WCS_CODE_NO_RESPONSE,        /* 1b no SAMLResponse in the POST */
    WCS_CODE_MISCONFIG,          /* 1c unknown issuer, unknown signing cert */
    WCS_CODE_SIGNATURE,          /* 2a signature missing/invalid/wrapped */
    WCS_CODE_NO_EMAIL,           /* 2b no usable email */
    WCS_CODE_EVENT_NOT_NUMBER,   /* 3a */
    WCS_CODE_EVENT_UNKNOWN,      /* 3b */
    WCS_CODE_EVENT_DENIED,       /* 3c */
    WCS_CODE_EXPIRED,            /* 4a assertion or confirmation expired */
    WCS_CODE_NOT_YET_VALID,      /* 4b NotBefore in the future */
    WCS_CODE_AUDIENCE,           /* 4c not addressed to this SP */
    WCS_CODE_DESTINATION,        /* 4d Destination is not our ACS URL */
    WCS_CODE_RECIPIENT,          /* 4e Recipient is not our ACS URL */
    WCS_CODE_REPLAY,             /* 4f assertion seen before */
    WCS_CODE_ENCRYPTED,          /* 4g encrypted assertion/NameID refused */
    WCS_CODE_PROFILE,            /* 4h not a Web SSO bearer assertion */
    WCS_CODE_STORE,              /* 4i session/replay store unavailable */
    WCS_CODE_IN_RESPONSE_TO,     /* 4j answers no request this SP has
                                  * outstanding (unknown, expired, to
                                  * another IdP) */
    WCS_CODE_EMAIL_DOMAIN,       /* 4k IdP may not assert this email domain */
    WCS_CODE_REPLAY_FULL,        /* 4l replay cache cannot keep the entry */
    WCS_CODE_ANSWERED,           /* 4m the request was answered already */
    WCS_CODE_OTHER_BROWSER,      /* 4n the request was another browser's */
    WCS_CODE_UNSOLICITED,        /* 4o a response to no request, refused */
    WCS_CODE_NO_ACCOUNT,         /* 5a no account, none provisioned */
    WCS_CODE_ACCOUNTS,           /* 5b several accounts share the email */
    WCS_CODE_LICENSE,            /* 5c account under another licence */
    WCS_CODE_INACTIVE,           /* 5d account inactive */
    WCS_CODE_GUEST,              /* 5e guest account, no guests here */
    WCS_CODE_DIRECTORY,          /* 5f user directory unavailable */
    WCS_CODE_COUNT
} wcs_code_t;

typedef struct wcs_result_t {
    wcs_code_t code;             /* WCS_CODE_NONE while nothing failed */
    const char *reason;          /* for the error log; NULL when none */
} wcs_result_t;

/* The two-character code shown to people ("2a"); "0a" for unknown codes. */
const char *wcs_code_str(wcs_code_t code);

/* A one-line English description of the code, for the built-in page. */
const char *wcs_code_text(wcs_code_t code);

/* The HTTP status of the built-in error page: 400 for malformed or
 * incomplete requests, 404 for an unknown event, 403 for refusals of a
 * well-formed response, 503 when a backend is unavailable. */
int wcs_code_http_status(wcs_code_t code);

/* Fill res with code and a printf-formatted reason from p; returns
 * WCS_EREFUSED so that callers can write "return wcs_refuse(...)". */
apr_status_t wcs_refuse(wcs_result_t *res, apr_pool_t *p, wcs_code_t code,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
