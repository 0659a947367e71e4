/*
 * wcs_str: small helpers on strings and bytes that several parts of the
 * core need.  (More move here with the structure work: base64, hex, trim.)
 */
#ifndef WCS_STR_H
#define WCS_STR_H

#include <apr_pools.h>

/* Read the whole file at path, of at most max bytes, into *buf (from p,
 * NUL-terminated; *len excludes the NUL).  On failure *err says why,
 * naming the file (from p). */
apr_status_t wcs_file_read(char **buf, apr_size_t *len, const char **err,
                           const char *path, apr_size_t max, apr_pool_t *p);

#endif
