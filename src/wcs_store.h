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
#include <openssl/evp.h>

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
    /* Store value under key until expiry only when key holds no live
     * entry: APR_EEXIST when it does, APR_ENOSPC when the store cannot
     * keep one more entry without dropping a live one.  One operation:
     * of several callers adding one key at once, exactly one succeeds
     * (a get then a put would let all of them through). */
    apr_status_t (*add)(void *baton, const wcs_store_key_t *key,
                        apr_time_t expiry, const unsigned char *value,
                        apr_size_t len, apr_pool_t *p);
} wcs_store_t;

/* The longest anything is stored.  memcached reads an expiry of more
 * than 30 days as an absolute Unix time (so a longer lifetime is an entry
 * that is gone at once); a day less leaves room for clocks.  Nothing is
 * stored with under WCS_STORE_TTL_MIN to live: providers round down to
 * whole seconds, and an expiry of 0 means "never" to some. */
#define WCS_STORE_TTL_MAX apr_time_from_sec(29 * 24 * 3600)
#define WCS_STORE_TTL_MIN apr_time_from_sec(1)

/* expiry brought into [now + WCS_STORE_TTL_MIN, now + WCS_STORE_TTL_MAX]:
 * what the glue hands every provider, for every put and add. */
apr_time_t wcs_store_expiry(apr_time_t expiry, apr_time_t now);

/* Fetch what store keys are made with once, in the single-threaded
 * configuration phase (wcs_store_key is right without it, only slower). */
void wcs_store_init(void);

/* SHA-256 as wcs_store_init fetched it (EVP_sha256() before): for every
 * digest made on the request path. */
const EVP_MD *wcs_sha256(void);

/* The store key for (kind, part1, part2): SHA-256 of kind "\0" part1,
 * then "\n" part2 when part2 is given. */
void wcs_store_key(wcs_store_key_t *key, const char *kind,
                   const char *part1, const char *part2);

/* Remember that the assertion assertion_id of IdP issuer has been used,
 * until expires, in one add.  Refuses with 4f when it was seen before,
 * with 4l when the replay cache cannot keep the entry, and with 4i when
 * the store fails (fail closed). */
apr_status_t wcs_replay_check_and_mark(wcs_result_t *res,
                                       const wcs_store_t *store,
                                       const char *issuer,
                                       const char *assertion_id,
                                       apr_time_t expires, apr_time_t now,
                                       apr_pool_t *p);

/* --- how full an evicting replay cache is ------------------------------
 *
 * shmcb drops its oldest entries, live or not, when a subcache is full,
 * and a dropped replay entry is a replay let through.  The glue keeps a
 * ledger of the entries added, in shared memory beside the cache, and
 * refuses (4l) an entry that the cache might not keep.
 *
 * What is counted: shmcb reclaims space only from the oldest end of each
 * subcache (an entry that died behind a live older one still takes its
 * room), so the room taken is every entry added since the oldest one
 * still alive, whatever the later ones' expiries.  The ledger counts adds
 * per WCS_REPLAY_SLOT_SEC of add time, with the latest expiry among them;
 * the entries taking room are those of the oldest slot holding a live
 * entry and of every slot after it.  Counting whole slots counts more
 * than there is, never less.  No entry may live longer than
 * WCS_REPLAY_LIFETIME_MAX (an add that would is refused), so the ring of
 * slots forgets only entries that are dead. */
#define WCS_REPLAY_SLOT_SEC 10
/* The longest a replay entry lives: the oldest assertion accepted
 * (WebcastSAMLMaxAssertionAge, at most an hour) and twice the largest
 * clock skew (IssueInstant may be that far ahead, the entry outlives the
 * assertion by it), with room to spare. */
#define WCS_REPLAY_LIFETIME_MAX_SEC (90 * 60)
#define WCS_REPLAY_LIFETIME_MAX apr_time_from_sec(WCS_REPLAY_LIFETIME_MAX_SEC)
#define WCS_REPLAY_SLOTS \
    (WCS_REPLAY_LIFETIME_MAX_SEC / WCS_REPLAY_SLOT_SEC + 1)

typedef struct wcs_replay_slot_t {
    apr_int64_t epoch;           /* add time / WCS_REPLAY_SLOT_SEC */
    apr_uint32_t count;          /* entries added in that slot */
    apr_time_t last_expiry;      /* the latest expiry among them */
} wcs_replay_slot_t;

/* All zero is empty.  Fixed size, no pointers: it lives in shared
 * memory and is read and written under the replay cache's mutex. */
typedef struct wcs_replay_ledger_t {
    wcs_replay_slot_t slot[WCS_REPLAY_SLOTS];
} wcs_replay_ledger_t;

/* How many entries the ledger says take room in the cache at now. */
apr_uint64_t wcs_replay_ledger_used(const wcs_replay_ledger_t *l,
                                    apr_time_t now);

/* Count one more entry, living until expiry, added at now, when the
 * cache keeps capacity entries: APR_ENOSPC (nothing counted) when it
 * would be one too many or would live past WCS_REPLAY_LIFETIME_MAX. */
apr_status_t wcs_replay_ledger_admit(wcs_replay_ledger_t *l,
                                     apr_uint64_t capacity,
                                     apr_time_t expiry, apr_time_t now);

/* What the replay cache stores: the key (WCS_STORE_KEY_LEN) and this many
 * bytes of value. */
#define WCS_REPLAY_VALUE_LEN 1
/* The avg_obj_size hint the glue gives the replay cache: shmcb sizes its
 * index from it, and with this value the index and the data area fill up
 * together (an entry takes 33 bytes of data and a 24-byte index record). */
#define WCS_REPLAY_HINT_OBJ_SIZE 25

/* How many replay entries a shmcb cache of bytes bytes keeps, at most,
 * without dropping a live one, with an overwhelming margin (see
 * wcs_store.c); 0 when it is too small to be trusted with any. */
apr_uint64_t wcs_replay_capacity_shmcb(apr_size_t bytes);

#endif
