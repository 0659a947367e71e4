/*
 * wcs_str: small helpers on strings and bytes that several parts of the
 * core need.
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

#endif
