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

#endif
