/*
 * wcs_store_mem: a wcs_store_t in one process's memory, for what runs
 * without httpd's socache (webcast-saml-check judging one response).
 * Single-threaded: a lookup then a put is one operation here.  Its clock
 * is settable, so that a capture is judged at its own time.
 */
#ifndef WCS_STORE_MEM_H
#define WCS_STORE_MEM_H

#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_time.h>

#include "wcs_store.h"

/* What it keeps of a key. */
typedef struct wcs_store_mem_entry_t {
    apr_time_t expiry;
    unsigned char *value;
    apr_size_t len;
} wcs_store_mem_entry_t;

/* An empty store whose entries live in p; its clock is *now when now is
 * given and *now is not 0 (read at every call, so the caller may move
 * it), else the real time. */
wcs_store_t *wcs_store_mem_make(const apr_time_t *now, apr_pool_t *p);

/* How many live entries store holds (made by wcs_store_mem_make). */
unsigned int wcs_store_mem_count(const wcs_store_t *store);

/* Its entries, live or not: key (WCS_STORE_KEY_LEN bytes) ->
 * wcs_store_mem_entry_t *, for tests that look inside. */
apr_hash_t *wcs_store_mem_entries(const wcs_store_t *store);

#endif
