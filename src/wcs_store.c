#include <math.h>
#include <string.h>

#include <apr_strings.h>
#include <openssl/evp.h>

#include "wcs_store.h"

apr_time_t wcs_store_expiry(apr_time_t expiry, apr_time_t now)
{
    if (expiry > now + WCS_STORE_TTL_MAX) {
        return now + WCS_STORE_TTL_MAX;
    }
    if (expiry < now + WCS_STORE_TTL_MIN) {
        return now + WCS_STORE_TTL_MIN;
    }
    return expiry;
}

/* SHA-256 fetched once: EVP_sha256() names the algorithm, and OpenSSL 3
 * fetches it from its providers, under a lock, at every digest made with
 * it (a tenth of a protected page's CPU in a profile). */
static EVP_MD *store_sha256;

void wcs_store_init(void)
{
    if (!store_sha256) {
        store_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    }
}

const EVP_MD *wcs_sha256(void)
{
    return store_sha256 ? store_sha256 : EVP_sha256();
}

void wcs_store_key(wcs_store_key_t *key, const char *kind,
                   const char *part1, const char *part2)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 0;

    EVP_DigestInit_ex(ctx, wcs_sha256(), NULL);
    EVP_DigestUpdate(ctx, kind, strlen(kind) + 1);   /* with its NUL */
    EVP_DigestUpdate(ctx, part1, strlen(part1));
    if (part2) {
        EVP_DigestUpdate(ctx, "\n", 1);
        EVP_DigestUpdate(ctx, part2, strlen(part2));
    }
    EVP_DigestFinal_ex(ctx, key->id, &len);
    EVP_MD_CTX_free(ctx);
}

apr_status_t wcs_replay_check_and_mark(wcs_result_t *res,
                                       const wcs_store_t *store,
                                       const char *issuer,
                                       const char *assertion_id,
                                       apr_time_t expires, apr_time_t now,
                                       apr_pool_t *p)
{
    wcs_store_key_t key;
    apr_status_t rv;
    char ebuf[120];

    wcs_store_key(&key, "wcs-replay", issuer, assertion_id);
    /* One add, never a get then a put: two processes given the same
     * response at once must not both find it absent. */
    rv = store->add(store->baton, &key, wcs_store_expiry(expires, now),
                    (const unsigned char *)"1", WCS_REPLAY_VALUE_LEN, p);
    if (rv == APR_SUCCESS) {
        return APR_SUCCESS;
    }
    if (APR_STATUS_IS_EEXIST(rv)) {
        return wcs_refuse(res, p, WCS_CODE_REPLAY,
                          "assertion %s from %s was already used (replay)",
                          assertion_id, issuer);
    }
    if (APR_STATUS_IS_ENOSPC(rv)) {
        return wcs_refuse(res, p, WCS_CODE_REPLAY_FULL,
                          "the replay cache is full: it cannot keep "
                          "assertion %s from %s until it expires, so it is "
                          "refused (enlarge " WCS_CMD_REPLAY_CACHE " or lower "
                          WCS_CMD_MAX_ASSERTION_AGE ")", assertion_id,
                          issuer);
    }
    return wcs_refuse(res, p, WCS_CODE_STORE, "replay cache store failed: %s",
                      apr_strerror(rv, ebuf, sizeof(ebuf)));
}

/* --- the ledger -------------------------------------------------------- */

/* A slot still in the ring: added within the last WCS_REPLAY_SLOTS slots,
 * or "later" than now (the clock stepped back: kept, counted). */
static int slot_current(const wcs_replay_slot_t *s, apr_int64_t epoch)
{
    return s->count && s->epoch > epoch - WCS_REPLAY_SLOTS;
}

apr_uint64_t wcs_replay_ledger_used(const wcs_replay_ledger_t *l,
                                    apr_time_t now)
{
    apr_int64_t epoch = apr_time_sec(now) / WCS_REPLAY_SLOT_SEC;
    apr_int64_t oldest_live = epoch + 1;
    apr_uint64_t used = 0;
    int i;

    for (i = 0; i < WCS_REPLAY_SLOTS; i++) {
        const wcs_replay_slot_t *s = &l->slot[i];

        if (slot_current(s, epoch) && s->last_expiry > now
            && s->epoch < oldest_live) {
            oldest_live = s->epoch;
        }
    }
    /* Everything added since the oldest live entry takes room, dead or
     * not; so does whatever a stepped-back clock put "ahead" of now. */
    for (i = 0; i < WCS_REPLAY_SLOTS; i++) {
        const wcs_replay_slot_t *s = &l->slot[i];

        if (slot_current(s, epoch) && s->epoch >= oldest_live) {
            used += s->count;
        }
    }
    return used;
}

apr_status_t wcs_replay_ledger_admit(wcs_replay_ledger_t *l,
                                     apr_uint64_t capacity,
                                     apr_time_t expiry, apr_time_t now)
{
    apr_int64_t epoch = apr_time_sec(now) / WCS_REPLAY_SLOT_SEC;
    wcs_replay_slot_t *s = &l->slot[epoch % WCS_REPLAY_SLOTS];

    if (expiry > now + WCS_REPLAY_LIFETIME_MAX
        || wcs_replay_ledger_used(l, now) + 1 > capacity) {
        return APR_ENOSPC;
    }
    if (s->epoch != epoch) {
        /* A slot of WCS_REPLAY_SLOTS slots ago: all its entries are dead
         * (none lives longer than WCS_REPLAY_LIFETIME_MAX). */
        s->epoch = epoch;
        s->count = 0;
        s->last_expiry = 0;
    }
    s->count++;
    if (expiry > s->last_expiry) {
        s->last_expiry = expiry;
    }
    return APR_SUCCESS;
}

/* --- what a shmcb cache keeps ------------------------------------------ */

/* shmcb's layout (mod_socache_shmcb.c, the same through httpd 2.4): a
 * header of eight unsigned longs and five unsigned ints; then
 * S subcaches, S = 256 halved while (index records in all) / S < 2 S,
 * where the index records in all are (size - header) / (avg_obj_size +
 * avg_id_len) of the hints.  Each subcache is (size - header) / S bytes
 * rounded down to a multiple of sizeof(long): a header of four unsigned
 * ints, its share of index records (an apr_time_t, three unsigned ints
 * and a flag each), then a cyclic data area where an entry takes its id
 * and value.  An entry goes to subcache (first byte of its id) & (S - 1),
 * and a subcache that is full drops its oldest entries.  Every size here
 * is rounded the way that gives the subcache less room, never more. */
#define SHMCB_HEADER \
    APR_ALIGN(8 * sizeof(unsigned long) + 5 * sizeof(unsigned int), \
              sizeof(unsigned long))
#define SHMCB_SUBCACHE_HEADER (4 * sizeof(unsigned int))
#define SHMCB_INDEX \
    APR_ALIGN(sizeof(apr_time_t) + 3 * sizeof(unsigned int) + 1, \
              sizeof(apr_time_t))
#define REPLAY_ENTRY (WCS_STORE_KEY_LEN + WCS_REPLAY_VALUE_LEN)

/* The chance, at any one add, that some subcache holds more entries than
 * it keeps, is at most this: 1e-18 per add leaves a one-in-a-billion
 * chance over a billion logins. */
#define OVERFLOW_RISK 1e-18

/* An upper bound of the chance that one of nsub subcaches is given more
 * than per of n keys whose first bytes are uniform (SHA-256): the union
 * over subcaches of the Chernoff bound P(X >= a) <= exp(-n D(a/n || q))
 * for X ~ Binomial(n, q), q = 1/nsub, a = per + 1 > n q. */
static double overflow_bound(apr_uint64_t n, apr_uint64_t nsub,
                             apr_uint64_t per)
{
    double q = 1.0 / (double)nsub, x = (double)(per + 1) / (double)n, d;

    if (per + 1 > n) {
        return 0.0;              /* not even all of them in one */
    }
    if (x <= q) {
        return 1.0;
    }
    d = x * log(x / q) + (x < 1.0 ? (1 - x) * log((1 - x) / (1 - q)) : 0.0);
    return (double)nsub * exp(-(double)n * d);
}

apr_uint64_t wcs_replay_capacity_shmcb(apr_size_t bytes)
{
    apr_uint64_t seg, nidx, nsub = 256, per_idx, sub, data, per, lo, hi;

    if (bytes <= SHMCB_HEADER) {
        return 0;
    }
    seg = bytes - SHMCB_HEADER;
    nidx = seg / (WCS_REPLAY_HINT_OBJ_SIZE + WCS_STORE_KEY_LEN);
    while (nsub > 1 && nidx / nsub < 2 * nsub) {
        nsub /= 2;
    }
    per_idx = nidx / nsub;
    sub = (seg / nsub) & ~(apr_uint64_t)(sizeof(unsigned long) - 1);
    if (sub <= SHMCB_SUBCACHE_HEADER + per_idx * SHMCB_INDEX) {
        return 0;
    }
    data = sub - SHMCB_SUBCACHE_HEADER - per_idx * SHMCB_INDEX;
    per = data / REPLAY_ENTRY;
    if (per_idx < per) {
        per = per_idx;
    }
    if (nsub == 1 || per == 0) {
        return per;
    }
    /* The largest n whose bound is within the risk; the bound grows with
     * n, so a bisection finds it. */
    lo = 0;
    hi = nsub * per;
    while (lo < hi) {
        apr_uint64_t mid = lo + (hi - lo + 1) / 2;

        if (overflow_bound(mid, nsub, per) <= OVERFLOW_RISK) {
            lo = mid;
        }
        else {
            hi = mid - 1;
        }
    }
    return lo;
}
