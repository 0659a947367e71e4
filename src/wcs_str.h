/*
 * wcs_str: small helpers on strings and bytes that several parts of the
 * core need, and bounded token parsers for values that arrive in a
 * request (RelayState).
 */
#ifndef WCS_STR_H
#define WCS_STR_H

#include <apr_pools.h>

#include "wcs_result.h"

/* Read the whole file at path, of at most max bytes, into *buf (from p,
 * NUL-terminated; *len excludes the NUL).  On failure *err says why,
 * naming the file (from p). */
apr_status_t wcs_file_read(char **buf, apr_size_t *len, const char **err,
                           const char *path, apr_size_t max, apr_pool_t *p);

/* Decode strict base64 (standard alphabet, padding required, white space
 * allowed between characters, canonical final bits) of at most max_out
 * decoded bytes.  *out is NUL-terminated and allocated from p.  Refuses
 * with code 0a and a reason in res that names the input as what (e.g.
 * "SAMLResponse"). */
apr_status_t wcs_str_base64_decode(char **out, apr_size_t *out_len,
                                   wcs_result_t *res, const char *what,
                                   const char *in, apr_size_t in_len,
                                   apr_size_t max_out, apr_pool_t *p);

/* Trim XML white space (space, tab, CR, LF) at both ends of s, in place;
 * returns s advanced past the leading white space. */
char *wcs_str_trim(char *s);

/* The value of the hex digit c (either case), or -1 when it is none. */
int wcs_str_hexval(char c);

/* A copy of s from p in ASCII lower case (upper case). */
char *wcs_str_lower(const char *s, apr_pool_t *p);
char *wcs_str_upper(const char *s, apr_pool_t *p);

/*
 * Bounded token parsers, in the style of curl's strparse: each takes the
 * cursor *linep first, so that a chain reads left to right,
 *
 *     if (wcs_str_number(&s, &id, MAX) || wcs_str_single(&s, '-')
 *         || wcs_str_hex(&s, &key, 1, 64, p) || wcs_str_end(&s)) ...
 *
 * and returns APR_SUCCESS or APR_EINVAL.  On success *linep is advanced
 * past the token; on failure neither *linep nor the out-parameter is
 * touched.  None of them accepts an empty token or skips white space.
 */

/* A decimal number of at most max: digits only (no sign, no space),
 * at least one; leading zeros are read as zeros.  A value over max, or
 * one that would not fit in 64 bits, is refused. */
apr_status_t wcs_str_number(const char **linep, apr_uint64_t *num,
                            apr_uint64_t max);

/* A run of hex digits (either case), of min to max of them (min 0 is read
 * as 1); the run ends at the first byte that is no hex digit, and a longer
 * run is refused, never cut.  *out is a copy from p. */
apr_status_t wcs_str_hex(const char **linep, const char **out,
                         apr_size_t min, apr_size_t max, apr_pool_t *p);

/* The single byte c. */
apr_status_t wcs_str_single(const char **linep, char c);

/* The end of the string (nothing is consumed). */
apr_status_t wcs_str_end(const char **linep);

#endif
