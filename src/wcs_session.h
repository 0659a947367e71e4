/*
 * wcs_session: what a login leaves behind.  A session is a random ID (the
 * cookie) and a small record in the store: whose it is, which site made
 * it through which IdP and key, until when, and the variables the
 * application is given.  Records carry an HMAC, so that a record written
 * into a shared cache by anyone but this module is refused.
 */
#ifndef WCS_SESSION_H
#define WCS_SESSION_H

#include <apr_tables.h>
#include <apr_time.h>

#include "wcs_response.h"
#include "wcs_result.h"
#include "wcs_store.h"

#define WCS_SESSION_ID_BYTES 32               /* 256 random bits */
#define WCS_SESSION_ID_LEN (2 * WCS_SESSION_ID_BYTES)
#define WCS_SESSION_RECORD_MAX 8192
/* A record key is a secret of at least 256 bits; key files are small. */
#define WCS_SESSION_KEY_MIN 32
#define WCS_SESSION_KEY_MAX 4096
#define WCS_SESSION_KEY_ID_LEN 16             /* hex of SHA-256(secret) */

/* A key that authenticates session records (HMAC-SHA256).  Records in a
 * cache that several servers share can be written by whoever reaches the
 * cache; the MAC makes a forged or altered record worthless. */
typedef struct wcs_session_key_t {
    const unsigned char *secret;
    apr_size_t len;
    char id[WCS_SESSION_KEY_ID_LEN + 1];      /* names the key in records */
    const char *source;                       /* file, or "random" */
    /* HMAC-SHA256 keyed with secret, made once (an EVP_MAC_CTX, copied
     * for each record: OpenSSL 3 fetches the MAC and the digest anew for
     * every one-shot HMAC()), or NULL to use HMAC(). */
    void *mac_template;
} wcs_session_key_t;

typedef struct wcs_session_t {
    const char *id;              /* hex, the cookie's value */
    const char *site;            /* the SP as configured where it was made */
    const char *idp;             /* entity ID of the IdP that signed in */
    const char *idp_key;         /* SHA-256 of the key that verified */
    const char *user;            /* the email: REMOTE_USER */
    apr_time_t created;
    apr_time_t expires;
    apr_table_t *env;            /* WEBCAST_* for the application */
    /* The events it was admitted to, their IDs separated by a space (the
     * first the one it signed in to), or NULL for none. */
    const char *events;
} wcs_session_t;

/* Is id shaped like a session ID (so that junk never reaches the store)? */
int wcs_session_id_valid(const char *id);

/* Make a key from secret (copied into p): its id is derived from it.
 * APR_EINVAL when it is shorter than WCS_SESSION_KEY_MIN. */
apr_status_t wcs_session_key_make(wcs_session_key_t **pk,
                                  const unsigned char *secret,
                                  apr_size_t len, const char *source,
                                  apr_pool_t *p);

/* Store a session with a fresh random ID and the fields of *fields (site,
 * idp, idp_key, user, created, expires, env), its record authenticated
 * with the first of keys (of wcs_session_key_t *).  Refuses with 4i when
 * randomness or the store fails, 0a when the record is too large. */
apr_status_t wcs_session_create(wcs_session_t **ps, wcs_result_t *res,
                                const wcs_store_t *store,
                                const apr_array_header_t *keys,
                                const wcs_session_t *fields, apr_pool_t *p);

/* A process's memory of the sessions it has verified: a fixed number of
 * slots, each entry kept for lifetime after it was loaded from the store
 * (never past the session's own expiry).  Safe between threads. */
typedef struct wcs_session_memo_t wcs_session_memo_t;

/* A memory of slots entries kept lifetime each, freed with p; APR_EINVAL
 * for no slots or no lifetime. */
apr_status_t wcs_session_memo_create(wcs_session_memo_t **pm,
                                     apr_size_t slots,
                                     apr_interval_time_t lifetime,
                                     apr_pool_t *p);

/* The session id as m verified it less than its lifetime ago, copied into
 * p, if it has not expired and the key that verified its record is among
 * keys; else NULL.  Its site and IdP are for the caller to check. */
wcs_session_t *wcs_session_memo_get(wcs_session_memo_t *m, const char *id,
                                    const apr_array_header_t *keys,
                                    apr_time_t now, apr_pool_t *p);

/* Remember s (with its id), whose record key_id (WCS_SESSION_KEY_ID_LEN
 * characters) verified, as of now. */
void wcs_session_memo_put(wcs_session_memo_t *m, const wcs_session_t *s,
                          const char *key_id, apr_time_t now);

/* Forget the session id (removed from the store). */
void wcs_session_memo_forget(wcs_session_memo_t *m, const char *id);

/* Load the session id for the SP sp at time now, from memo (may be NULL)
 * while it remembers the session, else from store (then remembered in
 * memo).  APR_NOTFOUND when there is none or it has expired.
 * WCS_EREFUSED, with res saying why, when the record exists but must not
 * be used here: its MAC does not verify with any of sp->session_keys, it
 * was made on another site, or its IdP (or the key that verified its
 * sign-in) is no longer trusted by this site.
 * Any other status is the store's (the caller fails closed).  *ps is
 * allocated from p. */
apr_status_t wcs_session_load(wcs_session_t **ps, wcs_result_t *res,
                              const wcs_store_t *store,
                              wcs_session_memo_t *memo, const char *id,
                              const wcs_sp_t *sp, apr_time_t now,
                              apr_pool_t *p);

/* Was s admitted to the event event_id? */
int wcs_session_has_event(const wcs_session_t *s, const char *event_id);

/* Admit s (loaded, its id set) to the event event_id too: its record is
 * sealed anew with the first of keys and stored, and memo forgets it.
 * On a refusal (4i, 0a) s is as it was. */
apr_status_t wcs_session_add_event(wcs_session_t *s, wcs_result_t *res,
                                   const wcs_store_t *store,
                                   wcs_session_memo_t *memo,
                                   const apr_array_header_t *keys,
                                   const char *event_id, apr_pool_t *p);

/* Remove the session id from the store and from memo (may be NULL):
 * logout. */
apr_status_t wcs_session_remove(const wcs_store_t *store,
                                wcs_session_memo_t *memo, const char *id,
                                apr_pool_t *p);

/* Serialise s as a record, without its MAC; NULL when over
 * WCS_SESSION_RECORD_MAX. */
const char *wcs_session_encode(const wcs_session_t *s, apr_size_t *len,
                               apr_pool_t *p);

/* Parse a record made by wcs_session_encode (a trailing "mac=" line is
 * skipped: check it with wcs_session_mac_verify first); APR_EINVAL when
 * malformed. */
apr_status_t wcs_session_decode(wcs_session_t **ps, const char *rec,
                                apr_size_t len, apr_pool_t *p);

/* Append the MAC line of record rec (len bytes, whole lines, no NUL)
 * stored under session id, under key; the sealed record from p, its
 * length in *sealed_len.  NULL when rec is not whole lines. */
const char *wcs_session_mac_seal(apr_size_t *sealed_len, const char *rec,
                                 apr_size_t len, const char *id,
                                 const wcs_session_key_t *key,
                                 apr_pool_t *p);

/* Check the MAC line that ends rec (len bytes), as stored under session
 * id, against keys (of wcs_session_key_t *).  APR_SUCCESS with *body_len
 * the length of the record before its MAC line; APR_EINVAL when there is
 * no MAC line or it names no key in keys (*why says which) or does not
 * verify. */
apr_status_t wcs_session_mac_verify(apr_size_t *body_len, const char **why,
                                    const char *rec, apr_size_t len,
                                    const char *id,
                                    const apr_array_header_t *keys,
                                    apr_pool_t *p);

#endif
