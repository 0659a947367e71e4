/*
 * wcs_time: SAML's xs:dateTime values and the clock-skew arithmetic that
 * every time check shares.
 */
#ifndef WCS_TIME_H
#define WCS_TIME_H

#include <apr_pools.h>
#include <apr_time.h>

/* Parse an xs:dateTime ("2026-11-25T08:30:00Z", optional fraction, 'Z',
 * a +hh:mm/-hh:mm offset, or no zone meaning UTC as SAML writes it).
 * Returns APR_SUCCESS or APR_EINVAL for anything else. */
apr_status_t wcs_time_parse(apr_time_t *t, const char *s);

/* Format t as an xs:dateTime in UTC with a 'Z', allocated from p. */
const char *wcs_time_format(apr_time_t t, apr_pool_t *p);

/*
 * The clock-skew comparisons.  skew is how far the IdP's clock may be
 * from ours either way, and every check grants it in the sender's favour:
 * a value is refused only when it is wrong by more than the skew.
 */

/* Is t still in the future at now, even granting skew (NotBefore, an
 * IssueInstant from the future)?  t == now + skew is not. */
int wcs_time_not_yet(apr_time_t now, apr_time_t t, apr_interval_time_t skew);

/* Has the moment noa been reached at now, even granting skew
 * (NotOnOrAfter, SessionNotOnOrAfter)?  noa == now - skew has. */
int wcs_time_expired(apr_time_t now, apr_time_t noa,
                     apr_interval_time_t skew);

/* Was t more than max_age ago at now, even granting skew (IssueInstant
 * against the accepted age)?  t == now - max_age - skew was not. */
int wcs_time_too_old(apr_time_t now, apr_time_t t,
                     apr_interval_time_t max_age, apr_interval_time_t skew);

#endif
