#include <string.h>

#include <apr_strings.h>

#include "wcs_result.h"

typedef struct {
    const char *str;
    int http_status;
    const char *text;
} wcs_code_info_t;

/* Indexed by wcs_code_t; 0a-3c are the platform's codes and never change.
 * This is where a code and its HTTP status are defined: README's table
 * and the tests' %STATUS (t/lib/WCS/Test.pm) say the same, and
 * t/check_consistency.sh fails when they do not. */
static const wcs_code_info_t code_info[WCS_CODE_COUNT] = {
    [WCS_CODE_NONE]             = { "", 200, "" },
    [WCS_CODE_GENERAL]          = { "0a", 400, "The sign-in request could not be processed." },
    [WCS_CODE_NO_EVENT]         = { "1a", 400, "The sign-in request names no event." },
    [WCS_CODE_NO_RESPONSE]      = { "1b", 400, "The sign-in request carries no SAML response." },
    [WCS_CODE_MISCONFIG]        = { "1c", 403, "The identity provider and this site are not configured for each other." },
    [WCS_CODE_SIGNATURE]        = { "2a", 403, "The SAML response is not validly signed." },
    [WCS_CODE_NO_EMAIL]         = { "2b", 403, "The identity provider sent no usable email address." },
    [WCS_CODE_EVENT_NOT_NUMBER] = { "3a", 400, "The event ID is not a number." },
    [WCS_CODE_EVENT_UNKNOWN]    = { "3b", 404, "The event does not exist." },
    [WCS_CODE_EVENT_DENIED]     = { "3c", 403, "The event is not available to you." },
    [WCS_CODE_EXPIRED]          = { "4a", 403, "The sign-in has expired; please sign in again." },
    [WCS_CODE_NOT_YET_VALID]    = { "4b", 403, "The sign-in is not valid yet; check the clocks." },
    [WCS_CODE_AUDIENCE]         = { "4c", 403, "The sign-in was meant for another site." },
    [WCS_CODE_DESTINATION]      = { "4d", 403, "The sign-in was sent to another address." },
    [WCS_CODE_RECIPIENT]        = { "4e", 403, "The sign-in was confirmed for another address." },
    [WCS_CODE_REPLAY]           = { "4f", 403, "This sign-in was already used; please sign in again." },
    [WCS_CODE_ENCRYPTED]        = { "4g", 403, "Encrypted sign-ins are not accepted here." },
    [WCS_CODE_PROFILE]          = { "4h", 403, "The sign-in does not follow the SAML web browser profile." },
    [WCS_CODE_STORE]            = { "4i", 503, "Sign-in is unavailable right now; please try again." },
    [WCS_CODE_IN_RESPONSE_TO]   = { "4j", 403, "The sign-in answers no sign-in this site has waiting (it expired or was never sent); please open the webcast link again." },
    [WCS_CODE_EMAIL_DOMAIN]     = { "4k", 403, "Your identity provider may not sign in addresses of this domain here." },
    [WCS_CODE_REPLAY_FULL]      = { "4l", 503, "Too many sign-ins at once; please try again in a minute." },
    [WCS_CODE_ANSWERED]         = { "4m", 403, "This sign-in was already completed; please open the webcast link again." },
    [WCS_CODE_OTHER_BROWSER]    = { "4n", 403, "The sign-in was started in another browser (or its cookies were blocked); please open the webcast link again in this one." },
    [WCS_CODE_UNSOLICITED]      = { "4o", 403, "Sign-in must start at this site; please open the webcast link again." },
    [WCS_CODE_NO_ACCOUNT]       = { "5a", 403, "There is no account for you here." },
    [WCS_CODE_ACCOUNTS]         = { "5b", 403, "Several accounts have your email address; please contact support." },
    [WCS_CODE_LICENSE]          = { "5c", 403, "Your account is not under this site's licence." },
    [WCS_CODE_INACTIVE]         = { "5d", 403, "Your account is not active." },
    [WCS_CODE_GUEST]            = { "5e", 403, "Guest accounts cannot sign in here." },
    [WCS_CODE_DIRECTORY]        = { "5f", 503, "Your account cannot be checked right now; please try again." },
};

static const wcs_code_info_t *info(wcs_code_t code)
{
    if (code <= WCS_CODE_NONE || code >= WCS_CODE_COUNT) {
        return &code_info[WCS_CODE_GENERAL];
    }
    return &code_info[code];
}

const char *wcs_code_str(wcs_code_t code)
{
    return info(code)->str;
}

const char *wcs_code_text(wcs_code_t code)
{
    return info(code)->text;
}

int wcs_code_http_status(wcs_code_t code)
{
    return info(code)->http_status;
}

apr_status_t wcs_refuse(wcs_result_t *res, apr_pool_t *p, wcs_code_t code,
                        const char *fmt, ...)
{
    va_list ap;
    char *reason;

    va_start(ap, fmt);
    reason = apr_pvsprintf(p, fmt, ap);
    va_end(ap);
    /* Reasons quote what the sender wrote: one bounded log line each. */
    if (strlen(reason) > WCS_REASON_MAX) {
        memcpy(reason + WCS_REASON_MAX - 3, "...", 4);
    }
    res->code = code;
    res->reason = reason;
    return WCS_EREFUSED;
}
