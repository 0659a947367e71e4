#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "wcs_session.h"

#define RECORD_VERSION "wcs-session-1"
#define ENV_PREFIX "env."

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

static int hexval(char c)
{
    return apr_isdigit(c) ? c - '0' : apr_toupper(c) - 'A' + 10;
}

static char *unescape(char *s)
{
    char *r = s, *w = s;

    while (*r) {
        if (r[0] == '%' && apr_isxdigit(r[1]) && apr_isxdigit(r[2])) {
            *w++ = (char)(hexval(r[1]) * 16 + hexval(r[2]));
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
        apr_pstrcat(p, "sp=", escape(s->sp_entity_id, p), "\n", NULL);
    APR_ARRAY_PUSH(lines, const char *) =
        apr_pstrcat(p, "user=", escape(s->user, p), "\n", NULL);
    APR_ARRAY_PUSH(lines, const char *) =
        apr_psprintf(p, "created=%" APR_TIME_T_FMT "\n", s->created);
    APR_ARRAY_PUSH(lines, const char *) =
        apr_psprintf(p, "expires=%" APR_TIME_T_FMT "\n", s->expires);
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
    if (!strcmp(key, "sp")) {
        s->sp_entity_id = value;
    }
    else if (!strcmp(key, "user")) {
        s->user = value;
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
    /* Unknown keys are skipped: a newer module may add fields. */
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
    if (!s->sp_entity_id || !s->user || !s->expires) {
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

apr_status_t wcs_session_create(wcs_session_t **ps, wcs_result_t *res,
                                const wcs_store_t *store, const char *sp,
                                const char *user, apr_table_t *env,
                                apr_time_t now, apr_time_t expires,
                                apr_pool_t *p)
{
    unsigned char raw[WCS_SESSION_ID_BYTES];
    wcs_session_t *s = apr_pcalloc(p, sizeof(*s));
    char *id;
    const char *rec;
    apr_size_t len;
    apr_status_t rv;
    char ebuf[120];
    int i;

    rv = apr_generate_random_bytes(raw, sizeof(raw));
    if (rv != APR_SUCCESS) {
        return wcs_refuse(res, p, WCS_CODE_STORE,
                          "no randomness for a session ID: %s",
                          apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    id = apr_palloc(p, WCS_SESSION_ID_LEN + 1);
    for (i = 0; i < WCS_SESSION_ID_BYTES; i++) {
        apr_snprintf(id + 2 * i, 3, "%02x", raw[i]);
    }
    s->id = id;
    s->sp_entity_id = sp;
    s->user = user;
    s->created = now;
    s->expires = expires;
    s->env = env;
    rec = wcs_session_encode(s, &len, p);
    if (!rec) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL,
                          "the session record for %s is over %d bytes: map "
                          "fewer or shorter attributes", user,
                          WCS_SESSION_RECORD_MAX);
    }
    rv = store->put(store->baton, session_key(id, p), expires,
                    (const unsigned char *)rec, len, p);
    if (rv != APR_SUCCESS) {
        return wcs_refuse(res, p, WCS_CODE_STORE,
                          "cannot store the session: %s",
                          apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    *ps = s;
    return APR_SUCCESS;
}

apr_status_t wcs_session_load(wcs_session_t **ps, const wcs_store_t *store,
                              const char *id, const char *sp,
                              apr_time_t now, apr_pool_t *p)
{
    unsigned char *buf = apr_palloc(p, WCS_SESSION_RECORD_MAX);
    apr_size_t len = WCS_SESSION_RECORD_MAX;
    wcs_session_t *s;
    apr_status_t rv;

    *ps = NULL;
    if (!wcs_session_id_valid(id)) {
        return APR_NOTFOUND;
    }
    rv = store->get(store->baton, session_key(id, p), buf, &len, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (wcs_session_decode(&s, (const char *)buf, len, p) != APR_SUCCESS
        || strcmp(s->sp_entity_id, sp) || s->expires <= now) {
        return APR_NOTFOUND;
    }
    s->id = apr_pstrdup(p, id);
    *ps = s;
    return APR_SUCCESS;
}

apr_status_t wcs_session_remove(const wcs_store_t *store, const char *id,
                                apr_pool_t *p)
{
    if (!wcs_session_id_valid(id)) {
        return APR_NOTFOUND;
    }
    return store->remove(store->baton, session_key(id, p), p);
}
