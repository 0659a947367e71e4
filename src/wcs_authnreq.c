#include <string.h>

#include <apr_base64.h>
#include <apr_escape.h>
#include <apr_strings.h>
#include <zlib.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "wcs_authnreq.h"
#include "wcs_names.h"
#include "wcs_time.h"
#include "wcs_url.h"

#define ID_BYTES 16

static voidpf pool_alloc(voidpf opaque, uInt items, uInt size)
{
    return apr_palloc(opaque, (apr_size_t)items * size);
}

static void pool_free(voidpf opaque, voidpf address)
{
    (void)opaque;
    (void)address;               /* freed with the pool */
}

/* Raw DEFLATE of len bytes of in, from p; NULL when zlib fails. */
static const unsigned char *deflate_raw(apr_size_t *out_len, const char *in,
                                        apr_size_t len, apr_pool_t *p)
{
    z_stream zs;
    unsigned char *out;
    uLong bound;
    int rc;

    memset(&zs, 0, sizeof(zs));
    /* zlib's state from the pool: no malloc on the request path.  A
     * request is under a kilobyte, so a 1 KiB window and the smallest
     * hash table lose nothing, and cost a few kilobytes instead of the
     * defaults' quarter of a megabyte, allocated and cleared per request. */
    zs.zalloc = pool_alloc;
    zs.zfree = pool_free;
    zs.opaque = p;
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -10, 1,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        return NULL;
    }
    bound = deflateBound(&zs, (uLong)len);
    out = apr_palloc(p, bound);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)bound;
    rc = deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? out : NULL;
}

/* base64 of the RSA-SHA256 signature of text with key, from p; NULL when
 * OpenSSL fails. */
static const char *sign(const char *text, EVP_PKEY *key, apr_pool_t *p)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *out = NULL;
    size_t len = 0;
    char *b64 = NULL;

    if (ctx && EVP_DigestSignInit(ctx, NULL, wcs_sha256(), NULL, key) == 1
        && EVP_DigestSign(ctx, NULL, &len, (const unsigned char *)text,
                          strlen(text)) == 1) {
        out = apr_palloc(p, len);
        if (EVP_DigestSign(ctx, out, &len, (const unsigned char *)text,
                           strlen(text)) == 1) {
            b64 = apr_palloc(p, apr_base64_encode_len((int)len));
            apr_base64_encode(b64, (const char *)out, (int)len);
        }
    }
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return b64;
}

apr_status_t wcs_authnreq_make(wcs_authnreq_t **pr, const char **err,
                               const wcs_sp_t *sp, const char *acs_url,
                               const char *sso_url, const char *relay_state,
                               apr_time_t now, apr_pool_t *p)
{
    wcs_authnreq_t *r = apr_pcalloc(p, sizeof(*r));
    unsigned char raw[ID_BYTES];
    const unsigned char *z;
    char *id, *b64;
    const char *norm, *query, *sig;
    apr_size_t zlen;
    apr_status_t rv;

    *pr = NULL;
    if (relay_state && strlen(relay_state) > WCS_RELAY_STATE_MAX) {
        *err = apr_psprintf(p, "the RelayState is %" APR_SIZE_T_FMT " bytes, "
                            "over the %d an IdP must accept",
                            strlen(relay_state), WCS_RELAY_STATE_MAX);
        return APR_EINVAL;
    }
    if (strpbrk(sso_url, "\r\n#")
        || wcs_url_normalise(&norm, sso_url, p) != APR_SUCCESS) {
        *err = apr_psprintf(p, "the IdP's SingleSignOnService \"%s\" is not "
                            "an http(s) URL without a fragment", sso_url);
        return APR_EINVAL;
    }
    rv = apr_generate_random_bytes(raw, sizeof(raw));
    if (rv != APR_SUCCESS) {
        *err = "no randomness for the request's ID";
        return rv;
    }
    id = apr_palloc(p, 2 * ID_BYTES + 2);
    id[0] = '_';
    apr_escape_hex(id + 1, raw, sizeof(raw), 0, NULL);
    r->id = id;
    r->xml = apr_pstrcat(p,
        "<samlp:AuthnRequest"
        " xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\""
        " xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\""
        " ID=\"", id, "\" Version=\"2.0\" IssueInstant=\"",
        wcs_time_format(now, p), "\" Destination=\"",
        apr_pescape_entity(p, sso_url, 0), "\" AssertionConsumerServiceURL=\"",
        apr_pescape_entity(p, acs_url, 0), "\" ProtocolBinding=\""
        "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\">"
        "<saml:Issuer>", apr_pescape_entity(p, sp->entity_id, 0),
        "</saml:Issuer>"
        "<samlp:NameIDPolicy Format=\""
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\""
        " AllowCreate=\"true\"/>"
        "</samlp:AuthnRequest>", NULL);
    z = deflate_raw(&zlen, r->xml, strlen(r->xml), p);
    if (!z) {
        *err = "zlib cannot compress the request";
        return APR_EGENERAL;
    }
    b64 = apr_palloc(p, apr_base64_encode_len((int)zlen));
    apr_base64_encode(b64, (const char *)z, (int)zlen);
    query = apr_pstrcat(p, "SAMLRequest=", apr_pescape_urlencoded(p, b64),
                        relay_state ? "&RelayState=" : "",
                        relay_state ? apr_pescape_urlencoded(p, relay_state)
                                    : "", NULL);
    if (sp->sign_key) {
        /* The binding signs the query's octets as sent (3.4.4.1). */
        query = apr_pstrcat(p, query, "&SigAlg=",
                            apr_pescape_urlencoded(p, WCS_SIGALG_RSA_SHA256),
                            NULL);
        sig = sign(query, sp->sign_key->pkey, p);
        if (!sig) {
            *err = apr_psprintf(p, "the request cannot be signed with %s",
                                sp->sign_key->where);
            return APR_EGENERAL;
        }
        query = apr_pstrcat(p, query, "&Signature=",
                            apr_pescape_urlencoded(p, sig), NULL);
    }
    r->url = apr_pstrcat(p, sso_url, strchr(sso_url, '?') ? "&" : "?", query,
                         NULL);
    *pr = r;
    return APR_SUCCESS;
}

const char *wcs_authnreq_inflate(const char *b64, apr_size_t max,
                                 apr_pool_t *p)
{
    apr_size_t len = (apr_size_t)apr_base64_decode_len(b64);
    char *z = apr_palloc(p, len + 1);
    unsigned char *out = apr_palloc(p, max + 1);
    z_stream zs;
    int rc;

    len = (apr_size_t)apr_base64_decode(z, b64);
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, -15) != Z_OK) {
        return NULL;
    }
    zs.next_in = (Bytef *)z;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)max;
    rc = inflate(&zs, Z_FINISH);
    out[zs.total_out] = '\0';
    inflateEnd(&zs);
    return rc == Z_STREAM_END ? (const char *)out : NULL;
}

/* --- the outstanding request --------------------------------------------- */

/* What the store keeps is text: a version line, then one field a line. */
#define STATE_VERSION "wcs-authnreq-1"
#define STATE_MAX 4096

static const char *random_hex(apr_size_t bytes, const char *prefix,
                              apr_pool_t *p)
{
    unsigned char raw[32];
    apr_size_t plen = strlen(prefix);
    char *out;

    if (bytes > sizeof(raw)
        || apr_generate_random_bytes(raw, bytes) != APR_SUCCESS) {
        return NULL;
    }
    out = apr_palloc(p, plen + 2 * bytes + 1);
    memcpy(out, prefix, plen);
    apr_escape_hex(out + plen, raw, bytes, 0, NULL);
    return out;
}

const char *wcs_authnreq_browser_token(apr_pool_t *p)
{
    return random_hex(WCS_BROWSER_TOKEN_HEX / 2, "", p);
}

const char *wcs_authnreq_relay_ref(apr_pool_t *p)
{
    return random_hex(WCS_RELAY_REF_HEX / 2, WCS_RELAY_REF_PREFIX, p);
}

int wcs_authnreq_browser_valid(const char *s)
{
    return s && strlen(s) == WCS_BROWSER_TOKEN_HEX
           && strspn(s, "0123456789abcdef") == WCS_BROWSER_TOKEN_HEX;
}

/* The hex SHA-256 of a browser token: what the store keeps of it. */
static const char *browser_digest(const char *token, apr_pool_t *p)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char *hex;

    if (!EVP_Digest(token, strlen(token), md, &mdlen, wcs_sha256(), NULL)) {
        return NULL;
    }
    hex = apr_palloc(p, 2 * mdlen + 1);
    apr_escape_hex(hex, md, mdlen, 0, NULL);
    return hex;
}

static int one_line(const char *s)
{
    return s && !strpbrk(s, "\r\n");
}

apr_status_t wcs_authnreq_remember(const wcs_store_t *store, const char *id,
                                   const wcs_authnreq_state_t *st,
                                   apr_time_t now, apr_pool_t *p)
{
    wcs_store_key_t key;
    const char *digest, *rec;

    if (!one_line(st->idp) || !wcs_authnreq_browser_valid(st->browser)
        || (st->relay_ref && !one_line(st->relay_ref))
        || (st->return_to && !wcs_url_local_path(st->return_to))) {
        return APR_EINVAL;
    }
    digest = browser_digest(st->browser, p);
    if (!digest) {
        return APR_EGENERAL;
    }
    rec = apr_psprintf(p, STATE_VERSION "\n%" APR_TIME_T_FMT "\n%s\n%s\n%s\n"
                       "%s", st->expires, digest,
                       st->relay_ref ? st->relay_ref : "", st->idp,
                       st->return_to ? st->return_to : "");
    if (strlen(rec) > STATE_MAX) {
        return APR_EINVAL;
    }
    wcs_store_key(&key, "wcs-authnreq", id, NULL);
    return store->put(store->baton, &key, wcs_store_expiry(st->expires, now),
                      (const unsigned char *)rec, strlen(rec), p);
}

/* Read a stored state; NULL when it is not one. */
static wcs_authnreq_state_t *parse_state(char *rec, const char **digest,
                                         apr_pool_t *p)
{
    wcs_authnreq_state_t *st = apr_pcalloc(p, sizeof(*st));
    char *field[6], *last = NULL, *line = rec;
    char *end;
    int i;

    for (i = 0; i < 6; i++) {
        field[i] = line;
        end = line ? strchr(line, '\n') : NULL;
        if (end) {
            *end = '\0';
            line = end + 1;
        }
        else {
            line = NULL;
        }
        last = field[i];
    }
    if (!last || strcmp(field[0], STATE_VERSION)) {
        return NULL;
    }
    st->expires = (apr_time_t)apr_atoi64(field[1]);
    *digest = field[2];
    st->relay_ref = *field[3] ? field[3] : NULL;
    st->idp = field[4];
    st->return_to = *field[5] ? field[5] : NULL;
    if (st->expires <= 0 || !*st->idp
        || (st->return_to && !wcs_url_local_path(st->return_to))) {
        return NULL;
    }
    return st;
}

/* The outstanding request irt of IdP idp into *pst, with the digest of
 * its browser's token; refusals as wcs_authnreq_outstanding. */
static apr_status_t lookup(wcs_authnreq_state_t **pst, const char **pdigest,
                           wcs_result_t *res, const wcs_store_t *store,
                           const char *irt, const char *idp, apr_time_t now,
                           apr_pool_t *p)
{
    unsigned char buf[STATE_MAX + 1];
    apr_size_t len = STATE_MAX;
    wcs_store_key_t key;
    wcs_authnreq_state_t *st;
    const char *digest;
    apr_status_t rv;
    char ebuf[120];

    *pst = NULL;
    wcs_store_key(&key, "wcs-authnreq", irt, NULL);
    rv = store->get(store->baton, &key, buf, &len, p);
    if (rv == APR_NOTFOUND) {
        return wcs_refuse(res, p, WCS_CODE_IN_RESPONSE_TO,
                          "the response answers request \"%s\", which this "
                          "SP has not outstanding: never sent, or sent over "
                          "the login timeout ago (" WCS_CMD_LOGIN_TIMEOUT ")",
                          irt);
    }
    if (rv != APR_SUCCESS) {
        return wcs_refuse(res, p, WCS_CODE_STORE, "the request store failed: "
                          "%s", apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    buf[len] = '\0';
    st = parse_state(apr_pstrmemdup(p, (const char *)buf, len), &digest, p);
    if (!st) {
        return wcs_refuse(res, p, WCS_CODE_STORE, "the stored request \"%s\" "
                          "is not one this version reads", irt);
    }
    if (st->expires <= now) {
        return wcs_refuse(res, p, WCS_CODE_IN_RESPONSE_TO,
                          "the response answers request \"%s\", which "
                          "expired %" APR_TIME_T_FMT " s ago ("
                          WCS_CMD_LOGIN_TIMEOUT ")", irt,
                          apr_time_sec(now - st->expires));
    }
    if (strcmp(st->idp, idp)) {
        return wcs_refuse(res, p, WCS_CODE_IN_RESPONSE_TO,
                          "the response of %s answers request \"%s\", which "
                          "was sent to %s", idp, irt, st->idp);
    }
    *pst = st;
    *pdigest = digest;
    return APR_SUCCESS;
}

apr_status_t wcs_authnreq_outstanding(wcs_result_t *res,
                                      const wcs_store_t *store,
                                      const char *irt, const char *idp,
                                      apr_time_t now, apr_pool_t *p)
{
    wcs_authnreq_state_t *st;
    const char *digest;

    return lookup(&st, &digest, res, store, irt, idp, now, p);
}

apr_status_t wcs_authnreq_answer(wcs_authnreq_state_t **pst,
                                 wcs_result_t *res, const wcs_store_t *store,
                                 const wcs_store_t *replay, const char *irt,
                                 const char *idp, const char *browser,
                                 apr_time_t now, apr_pool_t *p)
{
    wcs_store_key_t mark;
    wcs_authnreq_state_t *st;
    const char *digest, *mine;
    apr_status_t rv;
    char ebuf[120];

    *pst = NULL;
    rv = lookup(&st, &digest, res, store, irt, idp, now, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (!browser) {
        return wcs_refuse(res, p, WCS_CODE_OTHER_BROWSER,
                          "the response answers request \"%s\", but the "
                          "browser that posted it has no sign-in cookie: "
                          "the request was started in another browser, or "
                          "this one does not keep the cookie", irt);
    }
    mine = wcs_authnreq_browser_valid(browser) ? browser_digest(browser, p)
                                               : NULL;
    if (!mine || strlen(mine) != strlen(digest)
        || CRYPTO_memcmp(mine, digest, strlen(digest))) {
        return wcs_refuse(res, p, WCS_CODE_OTHER_BROWSER,
                          "the response answers request \"%s\", which "
                          "another browser started", irt);
    }
    /* Once: one add, so of two answers posted at once only one passes. */
    wcs_store_key(&mark, "wcs-authnreq-answered", irt, NULL);
    rv = replay->add(replay->baton, &mark, wcs_store_expiry(st->expires, now),
                     (const unsigned char *)"1", WCS_REPLAY_VALUE_LEN, p);
    if (APR_STATUS_IS_EEXIST(rv)) {
        return wcs_refuse(res, p, WCS_CODE_ANSWERED,
                          "request \"%s\" was answered already", irt);
    }
    if (APR_STATUS_IS_ENOSPC(rv)) {
        return wcs_refuse(res, p, WCS_CODE_REPLAY_FULL,
                          "the replay cache is full: it cannot mark request "
                          "\"%s\" answered (enlarge " WCS_CMD_REPLAY_CACHE
                          ")", irt);
    }
    if (rv != APR_SUCCESS) {
        return wcs_refuse(res, p, WCS_CODE_STORE, "replay cache store "
                          "failed: %s", apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    /* The record stays until it expires: a second answer finds it, and
     * the mark refuses it as answered (4m), not as unknown. */
    st->browser = browser;
    *pst = st;
    return APR_SUCCESS;
}
