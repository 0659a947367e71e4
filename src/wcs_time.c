#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "wcs_time.h"

/* Read exactly n digits at *s into *v and advance; 0 on failure. */
static int digits(const char **s, int n, int *v)
{
    int i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (!apr_isdigit((*s)[i])) {
            return 0;
        }
        *v = *v * 10 + ((*s)[i] - '0');
    }
    *s += n;
    return 1;
}

static int expect(const char **s, char c)
{
    if (**s != c) {
        return 0;
    }
    (*s)++;
    return 1;
}

static int days_in_month(int year, int month)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31 };
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    return month == 2 && leap ? 29 : mdays[month - 1];
}

apr_status_t wcs_time_parse(apr_time_t *t, const char *s)
{
    apr_time_exp_t tm;
    int year, mon, day, hour, min, sec, usec = 0, scale = 100000;
    int off = 0, oh, om;
    apr_time_t result;

    if (!s || !digits(&s, 4, &year) || !expect(&s, '-')
        || !digits(&s, 2, &mon) || !expect(&s, '-')
        || !digits(&s, 2, &day) || !expect(&s, 'T')
        || !digits(&s, 2, &hour) || !expect(&s, ':')
        || !digits(&s, 2, &min) || !expect(&s, ':')
        || !digits(&s, 2, &sec)) {
        return APR_EINVAL;
    }
    if (*s == '.') {
        s++;
        if (!apr_isdigit(*s)) {
            return APR_EINVAL;
        }
        /* Microseconds are all APR keeps; further digits are read, not
         * rounded, and bounded so a long fraction costs nothing. */
        while (apr_isdigit(*s)) {
            usec += scale * (*s - '0');
            scale /= 10;
            s++;
        }
    }
    if (*s == 'Z') {
        s++;
    }
    else if (*s == '+' || *s == '-') {
        int sign = *s == '-' ? -1 : 1;

        s++;
        if (!digits(&s, 2, &oh) || !expect(&s, ':') || !digits(&s, 2, &om)
            || oh > 14 || om > 59) {
            return APR_EINVAL;
        }
        off = sign * (oh * 3600 + om * 60);
    }
    if (*s != '\0') {
        return APR_EINVAL;
    }
    if (year < 1970 || year > 9999 || mon < 1 || mon > 12 || day < 1
        || day > days_in_month(year, mon) || hour > 23 || min > 59
        || sec > 60) {
        return APR_EINVAL;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec > 59 ? 59 : sec;
    tm.tm_usec = usec;
    if (apr_time_exp_gmt_get(&result, &tm) != APR_SUCCESS) {
        return APR_EINVAL;
    }
    *t = result - apr_time_from_sec(off);
    return APR_SUCCESS;
}

const char *wcs_time_format(apr_time_t t, apr_pool_t *p)
{
    apr_time_exp_t tm;

    apr_time_exp_gmt(&tm, t);
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                        tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int wcs_time_not_yet(apr_time_t now, apr_time_t t, apr_interval_time_t skew)
{
    return now + skew < t;
}

int wcs_time_expired(apr_time_t now, apr_time_t noa,
                     apr_interval_time_t skew)
{
    return now - skew >= noa;
}

int wcs_time_too_old(apr_time_t now, apr_time_t t,
                     apr_interval_time_t max_age, apr_interval_time_t skew)
{
    return t < now - max_age - skew;
}
