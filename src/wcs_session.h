/*
 * wcs_session: what a login leaves behind.  A session is a random ID (the
 * cookie) and a small record in the store: whose it is, for which SP,
 * until when, and the variables the application is given.
 */
#ifndef WCS_SESSION_H
#define WCS_SESSION_H

#include <apr_tables.h>
#include <apr_time.h>

#include "wcs_result.h"
#include "wcs_store.h"

#define WCS_SESSION_ID_BYTES 32               /* 256 random bits */
#define WCS_SESSION_ID_LEN (2 * WCS_SESSION_ID_BYTES)
#define WCS_SESSION_RECORD_MAX 8192
#define WCS_SESSION_LIFETIME_DEFAULT apr_time_from_sec(8 * 3600)

typedef struct wcs_session_t {
    const char *id;              /* hex, the cookie's value */
    const char *sp_entity_id;    /* sessions are not valid across SPs */
    const char *user;            /* the email: REMOTE_USER */
    apr_time_t created;
    apr_time_t expires;
    apr_table_t *env;            /* WEBCAST_* for the application */
} wcs_session_t;

/* Is id shaped like a session ID (so that junk never reaches the store)? */
int wcs_session_id_valid(const char *id);

/* Create and store a session with a fresh random ID.  Refuses with 4i
 * when randomness or the store fails, 0a when the record is too large. */
apr_status_t wcs_session_create(wcs_session_t **ps, wcs_result_t *res,
                                const wcs_store_t *store, const char *sp,
                                const char *user, apr_table_t *env,
                                apr_time_t now, apr_time_t expires,
                                apr_pool_t *p);

/* Load the session id for SP sp.  APR_NOTFOUND when there is none, it has
 * expired, or it belongs to another SP; any other error is the store's
 * (the caller fails closed).  *ps from p. */
apr_status_t wcs_session_load(wcs_session_t **ps, const wcs_store_t *store,
                              const char *id, const char *sp,
                              apr_time_t now, apr_pool_t *p);

/* Remove the session id from the store (logout). */
apr_status_t wcs_session_remove(const wcs_store_t *store, const char *id,
                                apr_pool_t *p);

/* Serialise s as a record; NULL when over WCS_SESSION_RECORD_MAX. */
const char *wcs_session_encode(const wcs_session_t *s, apr_size_t *len,
                               apr_pool_t *p);

/* Parse a record made by wcs_session_encode; APR_EINVAL when malformed. */
apr_status_t wcs_session_decode(wcs_session_t **ps, const char *rec,
                                apr_size_t len, apr_pool_t *p);

#endif
