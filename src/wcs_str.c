#include <string.h>

#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "wcs_str.h"

apr_status_t wcs_file_read(char **buf, apr_size_t *len, const char **err,
                           const char *path, apr_size_t max, apr_pool_t *p)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    char ebuf[120];

    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, p);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
        if (rv == APR_SUCCESS && (apr_size_t)fi.size > max) {
            apr_file_close(f);
            *err = apr_psprintf(p, "%s: %" APR_OFF_T_FMT " bytes, over the "
                                "limit of %" APR_SIZE_T_FMT, path, fi.size, max);
            return APR_EINVAL;
        }
    }
    if (rv == APR_SUCCESS) {
        *buf = apr_palloc(p, (apr_size_t)fi.size + 1);
        rv = apr_file_read_full(f, *buf, (apr_size_t)fi.size, len);
        (*buf)[*len] = '\0';
        apr_file_close(f);
    }
    if (rv != APR_SUCCESS) {
        *err = apr_psprintf(p, "cannot read %s: %s", path,
                            apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    return rv;
}

/* --- strict base64 -------------------------------------------------- */

/* One pass over the input validates and decodes it: APR's decoder takes
 * any byte and never says what was wrong, and running it after a
 * validating pass read every SAMLResponse twice (a profile of the ACS put
 * the two passes at a sixth of a login's CPU). */

/* Each byte's value plus one in the standard alphabet, B64_SPACE for XML
 * white space, 0 for any other byte. */
#define B64_SPACE 65
static const unsigned char b64_dec[256] = {
     0,  0,  0,  0,  0,  0,  0,  0,  0, 65, 65,  0,  0, 65,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    65,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 63,  0,  0,  0, 64,
    53, 54, 55, 56, 57, 58, 59, 60, 61, 62,  0,  0,  0,  0,  0,  0,
     0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,  0,  0,  0,  0,  0,
     0, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
    42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
};

/* XML white space: what may wrap base64 and surround a text value. */
static int xml_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

apr_status_t wcs_str_base64_decode(char **out, apr_size_t *out_len,
                                   wcs_result_t *res, const char *what,
                                   const char *in, apr_size_t in_len,
                                   apr_size_t max_out, apr_pool_t *p)
{
    unsigned char *o, *start;
    apr_size_t i, n = 0, pad = 0;
    apr_uint32_t acc = 0;
    unsigned int v, last = 0, q = 0;

    if (in_len / 4 * 3 > max_out + 3 + in_len / 20) {
        /* Cheap early cap (allows for line breaks) before any copying. */
        return wcs_refuse(res, p, WCS_CODE_GENERAL,
                          "%s is %" APR_SIZE_T_FMT " bytes of base64, which "
                          "decodes to more than the limit of %"
                          APR_SIZE_T_FMT " bytes", what, in_len, max_out);
    }
    start = o = apr_palloc(p, in_len / 4 * 3 + 4);
    for (i = 0; i < in_len; i++) {
        unsigned char c = (unsigned char)in[i];

        v = b64_dec[c];
        if (v == B64_SPACE) {
            continue;
        }
        n++;
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad || v == 0) {
            return wcs_refuse(res, p, WCS_CODE_GENERAL,
                              "%s is not valid base64 (byte 0x%02x at offset %"
                              APR_SIZE_T_FMT ")", what, c, i);
        }
        last = v - 1;
        acc = acc << 6 | last;
        if (++q == 4) {
            o[0] = (unsigned char)(acc >> 16);
            o[1] = (unsigned char)(acc >> 8);
            o[2] = (unsigned char)acc;
            o += 3;
            acc = 0;
            q = 0;
        }
    }
    if (n == 0) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL, "%s is empty", what);
    }
    if (n % 4 != 0 || pad > 2) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL,
                          "%s is not valid base64 (length %" APR_SIZE_T_FMT
                          " is not padded to 4)", what, n);
    }
    /* Canonical encoding: the bits that padding leaves over are zero. */
    if ((pad == 1 && (last & 0x03)) || (pad == 2 && (last & 0x0f))) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL,
                          "%s is not canonical base64", what);
    }
    if (n / 4 * 3 - pad > max_out) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL,
                          "%s decodes to %" APR_SIZE_T_FMT " bytes, over the "
                          "limit of %" APR_SIZE_T_FMT, what, n / 4 * 3 - pad,
                          max_out);
    }
    /* The last quartet: three values (18 bits) before one '=', two (12
     * bits) before two. */
    if (pad == 1) {
        o[0] = (unsigned char)(acc >> 10);
        o[1] = (unsigned char)(acc >> 2);
        o += 2;
    }
    else if (pad == 2) {
        *o++ = (unsigned char)(acc >> 4);
    }
    *o = '\0';
    *out = (char *)start;
    *out_len = (apr_size_t)(o - start);
    return APR_SUCCESS;
}

/* --- small helpers ---------------------------------------------------- */

char *wcs_str_trim(char *s)
{
    apr_size_t len;

    while (xml_space((unsigned char)*s)) {
        s++;
    }
    len = strlen(s);
    while (len > 0 && xml_space((unsigned char)s[len - 1])) {
        s[--len] = '\0';
    }
    return s;
}

int wcs_str_hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *wcs_str_lower(const char *s, apr_pool_t *p)
{
    char *out = apr_pstrdup(p, s), *c;

    for (c = out; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return out;
}

char *wcs_str_upper(const char *s, apr_pool_t *p)
{
    char *out = apr_pstrdup(p, s), *c;

    for (c = out; *c; c++) {
        *c = (char)apr_toupper(*c);
    }
    return out;
}

/* --- bounded token parsers ------------------------------------------- */

apr_status_t wcs_str_number(const char **linep, apr_uint64_t *num,
                            apr_uint64_t max)
{
    const char *s = *linep;
    apr_uint64_t n = 0;
    int d;

    if (!apr_isdigit(*s)) {
        return APR_EINVAL;
    }
    for (; apr_isdigit(*s); s++) {
        d = *s - '0';
        /* n * 10 + d > max, asked without computing it (no overflow). */
        if ((apr_uint64_t)d > max || n > (max - (apr_uint64_t)d) / 10) {
            return APR_EINVAL;
        }
        n = n * 10 + (apr_uint64_t)d;
    }
    *num = n;
    *linep = s;
    return APR_SUCCESS;
}

apr_status_t wcs_str_hex(const char **linep, const char **out,
                         apr_size_t min, apr_size_t max, apr_pool_t *p)
{
    const char *s = *linep;
    apr_size_t n = 0;

    while (wcs_str_hexval(s[n]) >= 0) {
        if (n == max) {
            return APR_EINVAL;
        }
        n++;
    }
    if (n == 0 || n < min) {
        return APR_EINVAL;
    }
    *out = apr_pstrmemdup(p, s, n);
    *linep = s + n;
    return APR_SUCCESS;
}

apr_status_t wcs_str_single(const char **linep, char c)
{
    if (c == '\0' || **linep != c) {
        return APR_EINVAL;
    }
    (*linep)++;
    return APR_SUCCESS;
}

apr_status_t wcs_str_end(const char **linep)
{
    return **linep == '\0' ? APR_SUCCESS : APR_EINVAL;
}
