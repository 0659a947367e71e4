#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_uri.h>

#include "wcs_str.h"
#include "wcs_url.h"

static int unreserved(int c)
{
    return apr_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Percent-encoding normalisation (RFC 3986 6.2.2.1 and 6.2.2.2) into
 * *out (NULL when s is).  A '%' not followed by two hex digits is not a
 * URL (RFC 3986 2.1): APR_EINVAL.  Found by fuzz_url: copied as it was,
 * "%4%41" became "%4A", so normalising twice gave another URL. */
static apr_status_t pct_normalise(const char **pout, const char *s,
                                  apr_pool_t *p)
{
    char *out, *w;

    *pout = NULL;
    if (!s) {
        return APR_SUCCESS;
    }
    out = w = apr_palloc(p, strlen(s) + 1);
    while (*s) {
        int hi, lo;

        if (s[0] == '%' && (hi = wcs_str_hexval(s[1])) >= 0
            && (lo = wcs_str_hexval(s[2])) >= 0) {
            int c = hi * 16 + lo;

            if (unreserved(c)) {
                *w++ = (char)c;
            }
            else {
                *w++ = '%';
                *w++ = (char)apr_toupper(s[1]);
                *w++ = (char)apr_toupper(s[2]);
            }
            s += 3;
        }
        else if (s[0] == '%') {
            return APR_EINVAL;
        }
        else {
            *w++ = *s++;
        }
    }
    *w = '\0';
    *pout = out;
    return APR_SUCCESS;
}

/* RFC 3986 5.2.4 remove_dot_segments, on an absolute path. */
static const char *remove_dot_segments(const char *in, apr_pool_t *p)
{
    char *out = apr_palloc(p, strlen(in) + 2), *w = out;

    while (*in) {
        if (!strncmp(in, "../", 3) || !strncmp(in, "./", 2)) {
            in += in[1] == '/' ? 2 : 3;
        }
        else if (!strncmp(in, "/./", 3) || !strcmp(in, "/.")) {
            in += 2;
            if (!*in) {
                *w++ = '/';
            }
        }
        else if (!strncmp(in, "/../", 4) || !strcmp(in, "/..")) {
            in += 3;
            while (w > out && *--w != '/') {
                /* drop the last output segment */
            }
            if (!*in) {
                *w++ = '/';
            }
        }
        else if (!strcmp(in, ".") || !strcmp(in, "..")) {
            break;
        }
        else {
            do {
                *w++ = *in++;
            } while (*in && *in != '/');
        }
    }
    *w = '\0';
    return *out ? out : "/";
}

/* Is host a name of unreserved characters (RFC 3986 3.2.2 reg-name
 * without escapes or sub-delims, which no IdP's host has) or, when it
 * holds a ':', the inside of an IPv6 literal?  Found by fuzz_url: "[[[x]"
 * parsed as the host "[[[x", which was written back without brackets, a
 * URL that no longer parsed. */
static int host_ok(const char *host)
{
    int literal = strchr(host, ':') != NULL;
    const char *c;

    for (c = host; *c; c++) {
        if (literal ? !(apr_isxdigit(*c) || *c == ':' || *c == '.')
                    : !(apr_isalnum(*c) || *c == '-' || *c == '.'
                        || *c == '_' || *c == '~')) {
            return 0;
        }
    }
    return 1;
}

apr_status_t wcs_url_normalise(const char **out, const char *url,
                               apr_pool_t *p)
{
    apr_uri_t u;
    char *scheme, *host;
    const char *port = "", *path, *query, *frag;
    apr_port_t def;

    if (!url || apr_uri_parse(p, url, &u) != APR_SUCCESS || !u.scheme
        || !u.hostname || !*u.hostname) {
        return APR_EINVAL;
    }
    scheme = wcs_str_lower(u.scheme, p);
    if (strcmp(scheme, "http") && strcmp(scheme, "https")) {
        return APR_EINVAL;
    }
    if (!host_ok(u.hostname)) {
        return APR_EINVAL;
    }
    host = wcs_str_lower(u.hostname, p);
    def = apr_uri_port_of_scheme(scheme);
    if (u.port_str && *u.port_str && u.port != def) {
        port = apr_psprintf(p, ":%u", (unsigned)u.port);
    }
    if (pct_normalise(&path, u.path && *u.path ? u.path : "/", p)
        || pct_normalise(&query, u.query, p)
        || pct_normalise(&frag, u.fragment, p)) {
        return APR_EINVAL;
    }
    path = remove_dot_segments(path, p);
    *out = apr_pstrcat(p, scheme, "://",
                       u.user ? u.user : "", u.user ? "@" : "",
                       strchr(host, ':') ? "[" : "", host,
                       strchr(host, ':') ? "]" : "", port, path,
                       query ? "?" : "", query ? query : "",
                       frag ? "#" : "", frag ? frag : "", NULL);
    return APR_SUCCESS;
}

int wcs_url_equal(const char *a, const char *b, apr_pool_t *p)
{
    const char *na, *nb;

    if (wcs_url_normalise(&na, a, p) != APR_SUCCESS
        || wcs_url_normalise(&nb, b, p) != APR_SUCCESS) {
        return 0;
    }
    return !strcmp(na, nb);
}

int wcs_url_local_path(const char *s)
{
    return s[0] == '/' && s[1] != '/' && !strpbrk(s, "\r\n\\");
}

int wcs_url_target_valid(const char *s, apr_pool_t *p)
{
    const char *norm;

    return wcs_url_local_path(s)
           || (!strpbrk(s, "\r\n")
               && wcs_url_normalise(&norm, s, p) == APR_SUCCESS);
}
