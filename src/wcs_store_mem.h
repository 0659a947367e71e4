/*
 * wcs_store_mem: a wcs_store_t in one process's memory, for what runs
 * without httpd's socache (webcast-saml-check judging one response).
 * Single-threaded: a lookup then a put is one operation here.  Its clock
 * is settable, so that a capture is judged at its own time.
 */
#ifndef WCS_STORE_MEM_H
#define WCS_STORE_MEM_H

#include <apr_pools.h>
#include <apr_time.h>

#include "wcs_store.h"

/* An empty store whose entries live in p; its clock is *now when now is
 * given (read at every call, so the caller may move it), else the real
 * time. */
wcs_store_t *wcs_store_mem_make(const apr_time_t *now, apr_pool_t *p);

/* How many live entries store holds (made by wcs_store_mem_make). */
unsigned int wcs_store_mem_count(const wcs_store_t *store);

#endif
