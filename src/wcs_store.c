#include <string.h>

#include <apr_strings.h>
#include <openssl/evp.h>

#include "wcs_store.h"

/* Nothing is stored with under this to live: providers round down. */
#define MIN_TTL apr_time_from_sec(1)

void wcs_store_key(wcs_store_key_t *key, const char *kind,
                   const char *part1, const char *part2)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 0;

    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
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
    unsigned char buf[8];
    apr_size_t len = sizeof(buf);
    apr_status_t rv;
    char ebuf[120];

    wcs_store_key(&key, "wcs-replay", issuer, assertion_id);
    rv = store->get(store->baton, &key, buf, &len, p);
    if (rv == APR_SUCCESS) {
        return wcs_refuse(res, p, WCS_CODE_REPLAY,
                          "assertion %s from %s was already used (replay)",
                          assertion_id, issuer);
    }
    if (rv != APR_NOTFOUND) {
        return wcs_refuse(res, p, WCS_CODE_STORE,
                          "replay cache lookup failed: %s",
                          apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    if (expires < now + MIN_TTL) {
        expires = now + MIN_TTL;
    }
    rv = store->put(store->baton, &key, expires, (const unsigned char *)"1", 1,
                    p);
    if (rv != APR_SUCCESS) {
        return wcs_refuse(res, p, WCS_CODE_STORE,
                          "replay cache store failed: %s",
                          apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    return APR_SUCCESS;
}
