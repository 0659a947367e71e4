#include <string.h>

#include <apr_escape.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>

#include "wcs_session.h"
#include "wcs_str.h"

/* Version 2: bound to a site, an IdP and its key, and authenticated. */
#define RECORD_VERSION "wcs-session-2"
#define ENV_PREFIX "env."
#define MAC_PREFIX "mac="
#define MAC_HEX_LEN (2 * 32)                 /* HMAC-SHA256 */

int wcs_session_id_valid(const char *id)
{
    int i;

    if (!id) {
        return 0;
    }
    for (i = 0; i < WCS_SESSION_ID_LEN; i++) {
        if (!apr_isxdigit(id[i]) || apr_isupper(id[i])) {
            return 0;
        }
    }
    return id[i] == '\0';
}

/* Percent-escape '%', '\n' and control bytes so one field is one line. */
static const char *escape(const char *s, apr_pool_t *p)
{
    apr_size_t n = 0;
    const unsigned char *c;
    char *out, *w;

    for (c = (const unsigned char *)s; *c; c++) {
        n += (*c < 0x20 || *c == '%' || *c == 0x7f) ? 3 : 1;
    }
    out = w = apr_palloc(p, n + 1);
    for (c = (const unsigned char *)s; *c; c++) {
        if (*c < 0x20 || *c == '%' || *c == 0x7f) {
            apr_snprintf(w, 4, "%%%02X", *c);
            w += 3;
        }
        else {
            *w++ = (char)*c;
        }
    }
    *w = '\0';
    return out;
}

static char *unescape(char *s)
{
    char *r = s, *w = s;

    while (*r) {
        if (r[0] == '%' && apr_isxdigit(r[1]) && apr_isxdigit(r[2])) {
            *w++ = (char)(wcs_str_hexval(r[1]) * 16 + wcs_str_hexval(r[2]));
            r += 3;
        }
        else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return s;
}

static int add_env_line(void *rec, const char *key, const char *value)
{
    apr_array_header_t *lines = rec;

    APR_ARRAY_PUSH(lines, const char *) =
        apr_pstrcat(lines->pool, ENV_PREFIX, key, "=",
                    escape(value, lines->pool), "\n", NULL);
    return 1;
}

const char *wcs_session_encode(const wcs_session_t *s, apr_size_t *len,
                               apr_pool_t *p)
{
    apr_array_header_t *lines = apr_array_make(p, 12, sizeof(const char *));
    const char *rec;

    APR_ARRAY_PUSH(lines, const char *) = RECORD_VERSION "\n";
    APR_ARRAY_PUSH(lines, const char *) =
        apr_pstrcat(p, "site=", escape(s->site, p), "\n", NULL);
    APR_ARRAY_PUSH(lines, const char *) =
        apr_pstrcat(p, "idp=", escape(s->idp, p), "\n", NULL);
    APR_ARRAY_PUSH(lines, const char *) =
        apr_pstrcat(p, "idp_key=", escape(s->idp_key, p), "\n", NULL);
    APR_ARRAY_PUSH(lines, const char *) =
        apr_pstrcat(p, "user=", escape(s->user, p), "\n", NULL);
    APR_ARRAY_PUSH(lines, const char *) =
        apr_psprintf(p, "created=%" APR_TIME_T_FMT "\n", s->created);
    APR_ARRAY_PUSH(lines, const char *) =
        apr_psprintf(p, "expires=%" APR_TIME_T_FMT "\n", s->expires);
    if (s->events && *s->events) {
        APR_ARRAY_PUSH(lines, const char *) =
            apr_pstrcat(p, "events=", escape(s->events, p), "\n", NULL);
    }
    if (s->env) {
        apr_table_do(add_env_line, lines, s->env, NULL);
    }
    rec = apr_array_pstrcat(p, lines, '\0');
    *len = strlen(rec);
    return *len > WCS_SESSION_RECORD_MAX ? NULL : rec;
}

static apr_status_t parse_time(apr_time_t *t, const char *v)
{
    char *end;
    apr_int64_t n = apr_strtoi64(v, &end, 10);

    if (*v == '\0' || *end != '\0' || n <= 0) {
        return APR_EINVAL;
    }
    *t = (apr_time_t)n;
    return APR_SUCCESS;
}

static apr_status_t decode_line(wcs_session_t *s, char *line)
{
    char *eq = strchr(line, '=');
    const char *key = line;
    char *value;

    if (!eq) {
        return APR_EINVAL;
    }
    *eq = '\0';
    value = unescape(eq + 1);
    if (!strcmp(key, "site")) {
        s->site = value;
    }
    else if (!strcmp(key, "idp")) {
        s->idp = value;
    }
    else if (!strcmp(key, "idp_key")) {
        s->idp_key = value;
    }
    else if (!strcmp(key, "user")) {
        s->user = value;
    }
    else if (!strcmp(key, "events")) {
        s->events = value;
    }
    else if (!strcmp(key, "created")) {
        return parse_time(&s->created, value);
    }
    else if (!strcmp(key, "expires")) {
        return parse_time(&s->expires, value);
    }
    else if (!strncmp(key, ENV_PREFIX, strlen(ENV_PREFIX))) {
        apr_table_setn(s->env, key + strlen(ENV_PREFIX), value);
    }
    /* Unknown keys are skipped: a newer module may add fields; the MAC
     * line is checked before decoding. */
    return APR_SUCCESS;
}

apr_status_t wcs_session_decode(wcs_session_t **ps, const char *rec,
                                apr_size_t len, apr_pool_t *p)
{
    wcs_session_t *s = apr_pcalloc(p, sizeof(*s));
    char *copy = apr_pstrmemdup(p, rec, len), *line, *last;
    apr_status_t rv;

    s->env = apr_table_make(p, 8);
    line = apr_strtok(copy, "\n", &last);
    if (!line || strcmp(line, RECORD_VERSION)) {
        return APR_EINVAL;
    }
    while ((line = apr_strtok(NULL, "\n", &last)) != NULL) {
        rv = decode_line(s, line);
        if (rv != APR_SUCCESS) {
            return rv;
        }
    }
    /* Every field wcs_session_encode writes is required (created too:
     * found by fuzz_session, a record without it could not be written
     * back as it was read). */
    if (!s->site || !s->idp || !s->idp_key || !s->user || !s->created
        || !s->expires) {
        return APR_EINVAL;
    }
    *ps = s;
    return APR_SUCCESS;
}

static const wcs_store_key_t *session_key(const char *id, apr_pool_t *p)
{
    wcs_store_key_t *key = apr_palloc(p, sizeof(*key));

    wcs_store_key(key, "wcs-session", id, NULL);
    return key;
}

static apr_status_t mac_template_free(void *ctx)
{
    EVP_MAC_CTX_free(ctx);
    return APR_SUCCESS;
}

/* An HMAC-SHA256 context keyed with k's secret, freed with p; NULL when
 * OpenSSL cannot make one (record_mac then falls back to HMAC()). */
static void *mac_template(const wcs_session_key_t *k, apr_pool_t *p)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[2];

    EVP_MAC_free(mac);           /* the context holds its own reference */
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (!ctx || !EVP_MAC_init(ctx, k->secret, k->len, params)) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    apr_pool_cleanup_register(p, ctx, mac_template_free,
                              apr_pool_cleanup_null);
    return ctx;
}

apr_status_t wcs_session_key_make(wcs_session_key_t **pk,
                                  const unsigned char *secret,
                                  apr_size_t len, const char *source,
                                  apr_pool_t *p)
{
    wcs_session_key_t *k;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;

    *pk = NULL;
    if (len < WCS_SESSION_KEY_MIN || len > WCS_SESSION_KEY_MAX) {
        return APR_EINVAL;
    }
    k = apr_pcalloc(p, sizeof(*k));
    k->secret = apr_pmemdup(p, secret, len);
    k->len = len;
    k->source = apr_pstrdup(p, source);
    /* The id names the key in records without revealing it. */
    EVP_Digest(secret, len, digest, &dlen, EVP_sha256(), NULL);
    apr_escape_hex(k->id, digest, WCS_SESSION_KEY_ID_LEN / 2, 0, NULL);
    k->mac_template = mac_template(k, p);
    *pk = k;
    return APR_SUCCESS;
}

/* HMAC-SHA256 under key over the version, the session ID and the record
 * body, as hex into out (MAC_HEX_LEN + 1).  The ID is covered so that a
 * record cannot be copied under another session's ID. */
static apr_status_t record_mac(char *out, const char *rec, apr_size_t len,
                               const char *id, const wcs_session_key_t *key,
                               apr_pool_t *p)
{
    apr_size_t idlen = strlen(id);
    apr_size_t total = sizeof(RECORD_VERSION) + idlen + 1 + len;
    unsigned char *buf = apr_palloc(p, total), *w = buf;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;

    memcpy(w, RECORD_VERSION, sizeof(RECORD_VERSION));     /* with NUL */
    w += sizeof(RECORD_VERSION);
    memcpy(w, id, idlen + 1);
    w += idlen + 1;
    memcpy(w, rec, len);
    if (key->mac_template) {
        /* A copy of the keyed context: the template is shared by every
         * thread and only ever read. */
        EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(key->mac_template);
        size_t outl = 0;
        int ok = ctx && EVP_MAC_update(ctx, buf, total)
                 && EVP_MAC_final(ctx, mac, &outl, sizeof(mac));

        EVP_MAC_CTX_free(ctx);
        mlen = (unsigned int)outl;
        if (!ok || mlen * 2 != MAC_HEX_LEN) {
            return APR_EGENERAL;
        }
    }
    else if (!HMAC(EVP_sha256(), key->secret, (int)key->len, buf, total, mac,
                   &mlen) || mlen * 2 != MAC_HEX_LEN) {
        return APR_EGENERAL;
    }
    apr_escape_hex(out, mac, mlen, 0, NULL);
    return APR_SUCCESS;
}

const char *wcs_session_mac_seal(apr_size_t *sealed_len, const char *rec,
                                 apr_size_t len, const char *id,
                                 const wcs_session_key_t *key,
                                 apr_pool_t *p)
{
    char mac[MAC_HEX_LEN + 1];
    const char *sealed;

    /* The MAC line must start a line: only whole records are sealed
     * (found by fuzz_session: a body without its final newline was sealed
     * into a record that could not verify). */
    if ((len > 0 && rec[len - 1] != '\n') || memchr(rec, '\0', len)) {
        return NULL;
    }
    if (record_mac(mac, rec, len, id, key, p) != APR_SUCCESS) {
        return NULL;
    }
    sealed = apr_pstrcat(p, apr_pstrmemdup(p, rec, len), MAC_PREFIX,
                         key->id, " ", mac, "\n", NULL);
    *sealed_len = strlen(sealed);
    return sealed;
}

apr_status_t wcs_session_mac_verify(apr_size_t *body_len, const char **why,
                                    const char *rec, apr_size_t len,
                                    const char *id,
                                    const apr_array_header_t *keys,
                                    apr_pool_t *p)
{
    /* "mac=" KEYID " " HEX "\n" ends the record. */
    const apr_size_t line_len = sizeof(MAC_PREFIX) - 1
                                + WCS_SESSION_KEY_ID_LEN + 1 + MAC_HEX_LEN
                                + 1;
    const char *line, *kid;
    const wcs_session_key_t *key = NULL;
    char mac[MAC_HEX_LEN + 1];
    int i;

    *why = "the record has no MAC (made by another version, or forged)";
    if (len < line_len || rec[len - 1] != '\n') {
        return APR_EINVAL;
    }
    line = rec + len - line_len;
    if ((line != rec && line[-1] != '\n')
        || memcmp(line, MAC_PREFIX, sizeof(MAC_PREFIX) - 1)
        || line[sizeof(MAC_PREFIX) - 1 + WCS_SESSION_KEY_ID_LEN] != ' ') {
        return APR_EINVAL;
    }
    kid = line + sizeof(MAC_PREFIX) - 1;
    for (i = 0; keys && i < keys->nelts; i++) {
        const wcs_session_key_t *k = APR_ARRAY_IDX(keys, i,
                                                   const wcs_session_key_t *);

        if (!memcmp(k->id, kid, WCS_SESSION_KEY_ID_LEN)) {
            key = k;
            break;
        }
    }
    if (!key) {
        *why = apr_psprintf(p, "the record is sealed with key %.*s, which is "
                            "not configured (" WCS_CMD_SESSION_KEY_FILE ")",
                            WCS_SESSION_KEY_ID_LEN, kid);
        return APR_EINVAL;
    }
    if (record_mac(mac, rec, (apr_size_t)(line - rec), id, key, p)
        != APR_SUCCESS
        || CRYPTO_memcmp(mac, kid + WCS_SESSION_KEY_ID_LEN + 1,
                         MAC_HEX_LEN)) {
        *why = apr_psprintf(p, "the record's MAC does not verify with key "
                            "%s: it was altered or forged in the cache",
                            key->id);
        return APR_EINVAL;
    }
    *body_len = (apr_size_t)(line - rec);
    return APR_SUCCESS;
}

/* Seal s (its id set) with the first of keys and put it in store. */
static apr_status_t store_record(wcs_result_t *res, const wcs_store_t *store,
                                 const apr_array_header_t *keys,
                                 const wcs_session_t *s, apr_pool_t *p)
{
    const char *rec;
    apr_size_t len;
    apr_status_t rv;
    char ebuf[120];

    if (!keys || keys->nelts == 0) {
        return wcs_refuse(res, p, WCS_CODE_STORE,
                          "no key to seal session records with");
    }
    rec = wcs_session_encode(s, &len, p);
    if (rec) {
        rec = wcs_session_mac_seal(&len, rec, len, s->id,
                                   APR_ARRAY_IDX(keys, 0,
                                                 const wcs_session_key_t *),
                                   p);
        if (!rec) {
            return wcs_refuse(res, p, WCS_CODE_STORE,
                              "cannot compute the session record's MAC");
        }
    }
    if (!rec || len > WCS_SESSION_RECORD_MAX) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL,
                          "the session record for %s is over %d bytes: map "
                          "fewer or shorter attributes", s->user,
                          WCS_SESSION_RECORD_MAX);
    }
    rv = store->put(store->baton, session_key(s->id, p), s->expires,
                    (const unsigned char *)rec, len, p);
    if (rv != APR_SUCCESS) {
        return wcs_refuse(res, p, WCS_CODE_STORE,
                          "cannot store the session: %s",
                          apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    return APR_SUCCESS;
}

apr_status_t wcs_session_create(wcs_session_t **ps, wcs_result_t *res,
                                const wcs_store_t *store,
                                const apr_array_header_t *keys,
                                const wcs_session_t *fields, apr_pool_t *p)
{
    unsigned char raw[WCS_SESSION_ID_BYTES];
    wcs_session_t *s = apr_pmemdup(p, fields, sizeof(*fields));
    char *id;
    apr_status_t rv;
    char ebuf[120];

    *ps = NULL;
    if (!keys || keys->nelts == 0) {
        return wcs_refuse(res, p, WCS_CODE_STORE,
                          "no key to seal session records with");
    }
    rv = apr_generate_random_bytes(raw, sizeof(raw));
    if (rv != APR_SUCCESS) {
        return wcs_refuse(res, p, WCS_CODE_STORE,
                          "no randomness for a session ID: %s",
                          apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    id = apr_palloc(p, WCS_SESSION_ID_LEN + 1);
    apr_escape_hex(id, raw, sizeof(raw), 0, NULL);
    s->id = id;
    rv = store_record(res, store, keys, s, p);
    if (rv == APR_SUCCESS) {
        *ps = s;
    }
    return rv;
}

int wcs_session_has_event(const wcs_session_t *s, const char *event_id)
{
    const char *e = s->events;
    apr_size_t n = strlen(event_id);

    while (e && *e) {
        if (!strncmp(e, event_id, n) && (e[n] == ' ' || e[n] == '\0')) {
            return 1;
        }
        e = strchr(e, ' ');
        e = e ? e + 1 : NULL;
    }
    return 0;
}

apr_status_t wcs_session_add_event(wcs_session_t *s, wcs_result_t *res,
                                   const wcs_store_t *store,
                                   wcs_session_memo_t *memo,
                                   const apr_array_header_t *keys,
                                   const char *event_id, apr_pool_t *p)
{
    const char *before = s->events;
    apr_status_t rv;

    if (wcs_session_has_event(s, event_id)) {
        return APR_SUCCESS;
    }
    s->events = before && *before ? apr_pstrcat(p, before, " ", event_id,
                                                NULL)
                                  : apr_pstrdup(p, event_id);
    rv = store_record(res, store, keys, s, p);
    if (rv != APR_SUCCESS) {
        s->events = before;
        return rv;
    }
    /* This process must not serve the record as it was. */
    wcs_session_memo_forget(memo, s->id);
    return APR_SUCCESS;
}

/* Is the key whose fingerprint is sha256 still one of idp's? */
static int idp_has_key(const wcs_idp_t *idp, const char *sha256)
{
    int i;

    for (i = 0; i < idp->keys->nelts; i++) {
        const wcs_idp_key_t *k = APR_ARRAY_IDX(idp->keys, i,
                                               const wcs_idp_key_t *);

        if (!strcmp(k->sha256, sha256)) {
            return 1;
        }
    }
    return 0;
}

/* May a session read from the store be used on sp's site? */
static apr_status_t check_binding(wcs_result_t *res, const wcs_session_t *s,
                                  const wcs_sp_t *sp, apr_pool_t *p)
{
    const wcs_idp_t *idp;

    if (strcmp(s->site, sp->site_id)) {
        return wcs_refuse(res, p, WCS_CODE_MISCONFIG,
                          "session of %s was made on site \"%s\", not this "
                          "one (\"%s\")", s->user, s->site, sp->site_id);
    }
    idp = apr_hash_get(sp->idps, s->idp, APR_HASH_KEY_STRING);
    if (!idp) {
        return wcs_refuse(res, p, WCS_CODE_MISCONFIG,
                          "session of %s was made through IdP %s, which "
                          "this site no longer trusts", s->user, s->idp);
    }
    if (!idp_has_key(idp, s->idp_key)) {
        return wcs_refuse(res, p, WCS_CODE_MISCONFIG,
                          "session of %s was made through IdP %s with key "
                          "SHA-256 %s, which is no longer configured for it",
                          s->user, s->idp, s->idp_key);
    }
    return APR_SUCCESS;
}

apr_status_t wcs_session_load(wcs_session_t **ps, wcs_result_t *res,
                              const wcs_store_t *store,
                              wcs_session_memo_t *memo, const char *id,
                              const wcs_sp_t *sp, apr_time_t now,
                              apr_pool_t *p)
{
    unsigned char *buf;
    apr_size_t len = WCS_SESSION_RECORD_MAX, body_len;
    const char *why;
    wcs_session_t *s;
    apr_status_t rv;

    *ps = NULL;
    if (!wcs_session_id_valid(id)) {
        return APR_NOTFOUND;
    }
    /* Verified by this process a moment ago: its site and IdP are still
     * checked against this vhost's SP, as for a record from the store. */
    s = wcs_session_memo_get(memo, id, sp->session_keys, now, p);
    if (s) {
        rv = check_binding(res, s, sp, p);
        if (rv == APR_SUCCESS) {
            *ps = s;
        }
        return rv;
    }
    buf = apr_palloc(p, WCS_SESSION_RECORD_MAX);
    rv = store->get(store->baton, session_key(id, p), buf, &len, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    /* Nothing of a record is read before its MAC is verified. */
    if (wcs_session_mac_verify(&body_len, &why, (const char *)buf, len, id,
                               sp->session_keys, p) != APR_SUCCESS) {
        return wcs_refuse(res, p, WCS_CODE_MISCONFIG,
                          "session record refused: %s", why);
    }
    if (wcs_session_decode(&s, (const char *)buf, body_len, p)
        != APR_SUCCESS) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL,
                          "session record is malformed");
    }
    if (s->expires <= now) {
        return APR_NOTFOUND;
    }
    rv = check_binding(res, s, sp, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    s->id = apr_pstrdup(p, id);
    /* The MAC line that verified: "mac=" KEYID " " HEX. */
    wcs_session_memo_put(memo, s, (const char *)buf + body_len
                                  + sizeof(MAC_PREFIX) - 1, now);
    *ps = s;
    return APR_SUCCESS;
}

apr_status_t wcs_session_remove(const wcs_store_t *store,
                                wcs_session_memo_t *memo, const char *id,
                                apr_pool_t *p)
{
    if (!wcs_session_id_valid(id)) {
        return APR_NOTFOUND;
    }
    wcs_session_memo_forget(memo, id);
    return store->remove(store->baton, session_key(id, p), p);
}
