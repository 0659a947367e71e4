/*
 * wcs_store: the small interface through which the core keeps sessions,
 * the replay cache and (later) outstanding AuthnRequests.  The glue backs
 * it with one of httpd's socache providers (shmcb, memcache, redis), so
 * that several servers can share it; the core never sees which.
 */
#ifndef WCS_STORE_H
#define WCS_STORE_H

#include <apr_pools.h>
#include <apr_time.h>

#include "wcs_result.h"

/* Every key is the SHA-256 of what it names (kind and parts), as raw
 * bytes.  Fixed and short for every provider (memcache and redis encode
 * ids themselves), a dump of the store reveals no cookie and no
 * assertion ID, and the first byte is uniformly spread: shmcb picks its
 * subcache by the first byte of the id, so a common text prefix would
 * crowd every entry into one subcache that wraps after a few dozen. */
#define WCS_STORE_KEY_LEN 32

typedef struct wcs_store_key_t {
    unsigned char id[WCS_STORE_KEY_LEN];
} wcs_store_key_t;

typedef struct wcs_store_t {
    void *baton;
    /* Copy the value of key into buf (capacity *len); set *len to its
     * length.  APR_NOTFOUND is a miss; any other error is a failure. */
    apr_status_t (*get)(void *baton, const wcs_store_key_t *key,
                        unsigned char *buf, apr_size_t *len, apr_pool_t *p);
    /* Store value under key until expiry (absolute). */
    apr_status_t (*put)(void *baton, const wcs_store_key_t *key,
                        apr_time_t expiry, const unsigned char *value,
                        apr_size_t len, apr_pool_t *p);
    apr_status_t (*remove)(void *baton, const wcs_store_key_t *key,
                           apr_pool_t *p);
} wcs_store_t;

/* The store key for (kind, part1, part2): SHA-256 of kind "\0" part1,
 * then "\n" part2 when part2 is given. */
void wcs_store_key(wcs_store_key_t *key, const char *kind,
                   const char *part1, const char *part2);

/* Remember that the assertion assertion_id of IdP issuer has been used,
 * until expires.  Refuses with 4f when it was seen before and with 4i
 * when the store fails (fail closed). */
apr_status_t wcs_replay_check_and_mark(wcs_result_t *res,
                                       const wcs_store_t *store,
                                       const char *issuer,
                                       const char *assertion_id,
                                       apr_time_t expires, apr_time_t now,
                                       apr_pool_t *p);

#endif
