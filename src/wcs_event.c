#include <string.h>
#include <strings.h>

#include <apr_escape.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "wcs_event.h"
#include "wcs_identity.h"
#include "wcs_store.h"
#include "wcs_str.h"
#include "wcs_time.h"
#include "wcs_url.h"

/* How many bad lines of a map file are quoted before "and N more". */
#define MAP_ERRORS_QUOTED 10

/* --- RelayState -------------------------------------------------------- */

/* The canonical decimal of a number's digits: leading zeros dropped ("0"
 * stays).  NULL when s is not 1 to WCS_EVENT_ID_DIGITS digits. */
static const char *canonical_id(const char *s, apr_size_t len,
                                apr_pool_t *p)
{
    apr_size_t i;

    if (len == 0 || len > WCS_EVENT_ID_DIGITS) {
        return NULL;
    }
    for (i = 0; i < len; i++) {
        if (!apr_isdigit(s[i])) {
            return NULL;
        }
    }
    while (len > 1 && *s == '0') {
        s++;
        len--;
    }
    return apr_pstrmemdup(p, s, len);
}

void wcs_relay_parse(wcs_relay_t *out, const char *rs, apr_pool_t *p)
{
    const char *dash;

    memset(out, 0, sizeof(*out));
    if (!rs || !*rs) {
        out->kind = WCS_RELAY_NONE;
        return;
    }
    if (!strncmp(rs, WCS_RELAY_REF_PREFIX, sizeof(WCS_RELAY_REF_PREFIX) - 1)
        && strlen(rs) == sizeof(WCS_RELAY_REF_PREFIX) - 1 + WCS_RELAY_REF_HEX
        && strspn(rs + sizeof(WCS_RELAY_REF_PREFIX) - 1, "0123456789abcdef")
           == WCS_RELAY_REF_HEX) {
        out->kind = WCS_RELAY_REF;
        return;
    }
    dash = strchr(rs, '-');
    out->event_id = canonical_id(rs, dash ? (apr_size_t)(dash - rs)
                                          : strlen(rs), p);
    if (!out->event_id) {
        out->kind = WCS_RELAY_NOT_NUMBER;
        return;
    }
    out->kind = WCS_RELAY_EVENT;
    out->key = dash ? dash + 1 : NULL;
}

/* --- the table --------------------------------------------------------- */

wcs_events_t *wcs_events_make(apr_pool_t *p)
{
    wcs_events_t *events = apr_pcalloc(p, sizeof(*events));

    events->by_id = apr_hash_make(p);
    events->app_urls = apr_hash_make(p);
    events->templates = apr_hash_make(p);
    events->by_target = apr_hash_make(p);
    return events;
}

const wcs_event_t *wcs_events_find(const wcs_events_t *events,
                                   const char *id)
{
    return events && id ? apr_hash_get(events->by_id, id,
                                       APR_HASH_KEY_STRING)
                        : NULL;
}

unsigned int wcs_events_count(const wcs_events_t *events)
{
    return events ? apr_hash_count(events->by_id) : 0;
}

apr_status_t wcs_events_add(wcs_events_t *events, wcs_event_t *e,
                            const char **err, apr_pool_t *p)
{
    const wcs_event_t *first = wcs_events_find(events, e->id);

    if (first) {
        *err = apr_psprintf(p, "event %s is defined twice (first at %s)",
                            e->id, first->where);
        return APR_EEXIST;
    }
    apr_hash_set(events->by_id, e->id, APR_HASH_KEY_STRING, e);
    if (wcs_url_local_path(e->target)) {
        /* Shared by two events, a path names neither: the value then is
         * the table itself, which no lookup returns. */
        apr_hash_set(events->by_target, e->target, APR_HASH_KEY_STRING,
                     apr_hash_get(events->by_target, e->target,
                                  APR_HASH_KEY_STRING) ? (void *)events
                                                       : (void *)e);
    }
    return APR_SUCCESS;
}

/* The event of exactly path, or NULL. */
static const wcs_event_t *event_at(const wcs_events_t *events,
                                   const char *path, apr_size_t len)
{
    const void *e = apr_hash_get(events->by_target, path, (apr_ssize_t)len);

    return e == (const void *)events ? NULL : e;
}

/* At most this many levels above a path are looked at. */
#define PATH_LEVELS 32

const wcs_event_t *wcs_events_for_path(const wcs_events_t *events,
                                       const char *path, apr_pool_t *p)
{
    const wcs_event_t *e;
    apr_size_t len;
    int level;

    if (!events || !path || *path != '/' || !apr_hash_count(events->by_target)) {
        return NULL;
    }
    len = strlen(path);
    if (path[len - 1] != '/'
        && (e = event_at(events, apr_pstrcat(p, path, "/", NULL), len + 1))
           != NULL) {
        return e;                /* "/webcast/1" of target "/webcast/1/" */
    }
    for (level = 0; len > 0 && level < PATH_LEVELS; level++) {
        /* "/a/b/" and "/a/b", then up to "/a/". */
        if ((e = event_at(events, path, len)) != NULL) {
            return e;
        }
        if (path[len - 1] == '/' && len > 1
            && (e = event_at(events, path, len - 1)) != NULL) {
            return e;
        }
        if (path[len - 1] == '/') {
            len--;
        }
        while (len > 0 && path[len - 1] != '/') {
            len--;
        }
    }
    return NULL;
}

/* --- one event's line -------------------------------------------------- */

/* A comma-separated list, each item checked by ok (or any non-empty one
 * when ok is NULL); lower-cased when lower.  NULL when an item fails. */
static apr_array_header_t *list_of(const char *value, int (*ok)(const char *),
                                   int lower, const char **bad,
                                   apr_pool_t *p)
{
    apr_array_header_t *list = apr_array_make(p, 2, sizeof(const char *));
    char *copy = apr_pstrdup(p, value), *item, *last;

    for (item = apr_strtok(copy, ",", &last); item;
         item = apr_strtok(NULL, ",", &last)) {
        if (ok && !ok(item)) {
            *bad = item;
            return NULL;
        }
        APR_ARRAY_PUSH(list, const char *) = lower ? wcs_str_lower(item, p)
                                                   : item;
    }
    if (list->nelts == 0) {
        *bad = value;
        return NULL;
    }
    return list;
}

static apr_status_t parse_option(wcs_event_t *e, const char **err,
                                 const char *opt, apr_pool_t *p)
{
    const char *eq = strchr(opt, '='), *value, *bad = NULL;
    apr_size_t nlen;
    apr_time_t t;

    if (!eq || !eq[1]) {
        *err = apr_psprintf(p, "\"%s\" is not an option=value", opt);
        return APR_EINVAL;
    }
    nlen = (apr_size_t)(eq - opt);
    value = eq + 1;
#define IS(name) (nlen == sizeof(name) - 1 && !strncmp(opt, name, nlen))
    if (IS("key")) {
        if (strcmp(value, "optional") && strcmp(value, "required")) {
            *err = apr_psprintf(p, "key=%s: the key is \"required\" or "
                                "\"optional\"", value);
            return APR_EINVAL;
        }
        e->key_optional = !strcmp(value, "optional");
    }
    else if (IS("idps")) {
        e->idps = list_of(value, NULL, 0, &bad, p);
        if (!e->idps) {
            *err = apr_psprintf(p, "idps=%s: not a list of entity IDs",
                                value);
            return APR_EINVAL;
        }
    }
    else if (IS("domains")) {
        e->domains = list_of(value, wcs_email_domain_pattern_valid, 1, &bad,
                             p);
        if (!e->domains) {
            *err = apr_psprintf(p, "domains=%s: \"%s\" is not an email "
                                "domain (example.com, *.example.com or *)",
                                value, bad);
            return APR_EINVAL;
        }
    }
    else if (IS("opens") || IS("closes")) {
        if (wcs_time_parse(&t, value) != APR_SUCCESS) {
            *err = apr_psprintf(p, "%s: not a time like "
                                "2026-12-01T18:00:00Z", opt);
            return APR_EINVAL;
        }
        *(IS("opens") ? &e->opens : &e->closes) = t;
    }
    else if (IS("error")) {
        if (!wcs_url_target_valid(value, p)) {
            *err = apr_psprintf(p, "error=%s: neither a local path (/...) "
                                "nor an absolute http(s) URL", value);
            return APR_EINVAL;
        }
        e->error_url = value;
    }
    else if (IS("message")) {
        e->message = value;
    }
    else if (IS("template")) {
        e->template_name = value;
    }
    else if (IS("license")) {
        if (strpbrk(value, "\r\n")) {
            *err = "license=: not a licence name";
            return APR_EINVAL;
        }
        e->license = value;
    }
    else if (IS("provision")) {
        if (strcasecmp(value, "on") && strcasecmp(value, "off")) {
            *err = apr_psprintf(p, "provision=%s: on or off", value);
            return APR_EINVAL;
        }
        e->provision = !strcasecmp(value, "on");
    }
    else {
        *err = apr_psprintf(p, "unknown option \"%.*s\" (key, idps, "
                            "domains, opens, closes, error, message, template, license, "
                            "provision)", (int)nlen,
                            opt);
        return APR_EINVAL;
    }
#undef IS
    return APR_SUCCESS;
}

apr_status_t wcs_event_parse(wcs_event_t **pe, const char **err, int argc,
                             const char *const *argv, const char *where,
                             apr_pool_t *p)
{
    wcs_event_t *e = apr_pcalloc(p, sizeof(*e));
    const char *cursor, *hex;
    int i;

    *pe = NULL;
    if (argc < 3) {
        *err = "an event is: ID KEY TARGET [option=value ...], KEY being "
               "hex digits or - for none";
        return APR_EINVAL;
    }
    e->provision = -1;
    e->id = canonical_id(argv[0], strlen(argv[0]), p);
    if (!e->id) {
        *err = apr_psprintf(p, "\"%s\" is not an event ID (1 to %d decimal "
                            "digits)", argv[0], WCS_EVENT_ID_DIGITS);
        return APR_EINVAL;
    }
    if (strcmp(argv[1], "-")) {
        cursor = argv[1];
        if (wcs_str_hex(&cursor, &hex, WCS_EVENT_KEY_MIN, WCS_EVENT_KEY_MAX,
                        p) || wcs_str_end(&cursor)) {
            *err = apr_psprintf(p, "event %s: key \"%s\" is not %d to %d "
                                "hex digits (or - for none)", e->id,
                                argv[1], WCS_EVENT_KEY_MIN,
                                WCS_EVENT_KEY_MAX);
            return APR_EINVAL;
        }
        e->key = wcs_str_lower(hex, p);
    }
    if (!wcs_url_target_valid(argv[2], p)) {
        *err = apr_psprintf(p, "event %s: target \"%s\" is neither a local "
                            "path (/...) nor an absolute http(s) URL", e->id,
                            argv[2]);
        return APR_EINVAL;
    }
    e->target = apr_pstrdup(p, argv[2]);
    for (i = 3; i < argc; i++) {
        if (parse_option(e, err, apr_pstrdup(p, argv[i]), p)
            != APR_SUCCESS) {
            *err = apr_psprintf(p, "event %s: %s", e->id, *err);
            return APR_EINVAL;
        }
    }
    if (e->key_optional && !e->key) {
        *err = apr_psprintf(p, "event %s: key=optional, but it has no key",
                            e->id);
        return APR_EINVAL;
    }
    if (e->opens && e->closes && e->closes <= e->opens) {
        *err = apr_psprintf(p, "event %s: it closes before it opens", e->id);
        return APR_EINVAL;
    }
    e->where = apr_pstrdup(p, where);
    *pe = e;
    return APR_SUCCESS;
}

/* --- application URLs and templates ----------------------------------- */

apr_status_t wcs_events_add_app_url(wcs_events_t *events, const char **err,
                                    const char *url, const char *target,
                                    apr_pool_t *p)
{
    const char *norm;

    if (strpbrk(url, "\r\n\\")
        || wcs_url_normalise(&norm, url, p) != APR_SUCCESS) {
        *err = apr_psprintf(p, "\"%s\" is not an absolute http(s) URL", url);
        return APR_EINVAL;
    }
    if (!wcs_url_target_valid(target, p)) {
        *err = apr_psprintf(p, "target \"%s\" is neither a local path (/...) "
                            "nor an absolute http(s) URL", target);
        return APR_EINVAL;
    }
    if (apr_hash_get(events->app_urls, norm, APR_HASH_KEY_STRING)) {
        *err = apr_psprintf(p, "%s is mapped twice (as %s)", url, norm);
        return APR_EINVAL;
    }
    apr_hash_set(events->app_urls, norm, APR_HASH_KEY_STRING, target);
    return APR_SUCCESS;
}

apr_status_t wcs_events_add_template_field(wcs_events_t *events,
                                           const char **err,
                                           const char *name, const char *saml,
                                           const char *env, apr_pool_t *p)
{
    apr_array_header_t *map;
    wcs_attr_map_t *m;

    if (!*name || !*saml) {
        *err = "a template field is: NAME ATTRIBUTE WEBCAST_VARIABLE";
        return APR_EINVAL;
    }
    if (!wcs_env_name_valid(env) || wcs_env_reserved(env)) {
        *err = apr_psprintf(p, "\"%s\" is not a variable name this module "
                            "may set: it must be WEBCAST_ followed by A-Z, "
                            "0-9 or _, and not one the module sets itself",
                            env);
        return APR_EINVAL;
    }
    map = apr_hash_get(events->templates, name, APR_HASH_KEY_STRING);
    if (!map) {
        map = apr_array_make(p, 4, sizeof(wcs_attr_map_t));
        apr_hash_set(events->templates, name, APR_HASH_KEY_STRING, map);
    }
    m = apr_array_push(map);
    m->saml_name = saml;
    m->env_name = env;
    return APR_SUCCESS;
}

const apr_array_header_t *wcs_events_template(const wcs_events_t *events,
                                              const char *name)
{
    return events && name ? apr_hash_get(events->templates, name,
                                         APR_HASH_KEY_STRING)
                          : NULL;
}

apr_status_t wcs_events_check(const wcs_events_t *events, const char **err,
                              apr_pool_t *p)
{
    apr_hash_index_t *hi;
    const wcs_event_t *e;

    if (!events) {
        return APR_SUCCESS;
    }
    for (hi = apr_hash_first(p, events->by_id); hi; hi = apr_hash_next(hi)) {
        e = apr_hash_this_val(hi);
        if (e->template_name && !wcs_events_template(events,
                                                     e->template_name)) {
            *err = apr_psprintf(p, "%s: event %s names template \"%s\", "
                                "which is not defined (" WCS_CMD_TEMPLATE
                                ")", e->where, e->id, e->template_name);
            return APR_EINVAL;
        }
    }
    return APR_SUCCESS;
}

/* --- map files --------------------------------------------------------- */

apr_status_t wcs_events_load_file(wcs_events_t *events, const char **err,
                                  const char *path, apr_pool_t *p)
{
    char *buf, *line, *next, **argv;
    apr_size_t len;
    const char *why;
    wcs_event_t *e;
    apr_array_header_t *bad = apr_array_make(p, 4, sizeof(const char *));
    unsigned int lineno = 0, nbad = 0;
    apr_pool_t *scratch;
    int argc;

    if (wcs_file_read(&buf, &len, err, path, WCS_EVENT_MAP_MAX, p)
        != APR_SUCCESS) {
        return APR_EINVAL;
    }
    if (memchr(buf, '\0', len)) {
        *err = apr_psprintf(p, "%s: a NUL byte: not a text file", path);
        return APR_EINVAL;
    }
    apr_pool_create(&scratch, p);
    for (line = buf; line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        line = wcs_str_trim(line);
        if (!*line || *line == '#') {
            continue;
        }
        apr_pool_clear(scratch);
        why = NULL;
        if (apr_tokenize_to_argv(line, &argv, scratch) != APR_SUCCESS) {
            why = "cannot split the line into words";
        }
        else {
            for (argc = 0; argv[argc]; argc++) {
            }
            if (wcs_event_parse(&e, &why, argc, (const char *const *)argv,
                                apr_psprintf(p, "%s:%u", path, lineno), p)
                == APR_SUCCESS
                && wcs_events_add(events, e, &why, scratch) == APR_SUCCESS) {
                why = NULL;
            }
        }
        if (why) {
            if (nbad++ < MAP_ERRORS_QUOTED) {
                APR_ARRAY_PUSH(bad, const char *) =
                    apr_psprintf(p, "%s:%u: %s", path, lineno, why);
            }
        }
    }
    apr_pool_destroy(scratch);
    if (nbad) {
        *err = apr_array_pstrcat(p, bad, ';');
        if (nbad > MAP_ERRORS_QUOTED) {
            *err = apr_psprintf(p, "%s; and %u more bad lines", *err,
                                nbad - MAP_ERRORS_QUOTED);
        }
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}

/* --- routing and admission --------------------------------------------- */

/* Does rs begin as an http(s) URL does? */
static int url_shaped(const char *rs)
{
    return rs && (!strncasecmp(rs, "http://", 7)
                  || !strncasecmp(rs, "https://", 8));
}

apr_status_t wcs_event_route(const wcs_event_t **pe, const char **app_target,
                             wcs_result_t *res, const wcs_events_t *events,
                             const char *default_rs, const char *rs,
                             const wcs_relay_t *relay, apr_pool_t *p)
{
    const char *norm;

    *pe = NULL;
    *app_target = NULL;
    if (events && apr_hash_count(events->app_urls) && url_shaped(rs)) {
        /* Compared as URLs, never followed: only a target configured for
         * it is. */
        if (!strpbrk(rs, "\\") && wcs_url_normalise(&norm, rs, p)
                                   == APR_SUCCESS) {
            *app_target = apr_hash_get(events->app_urls, norm,
                                       APR_HASH_KEY_STRING);
        }
        if (*app_target) {
            return APR_SUCCESS;
        }
        return wcs_refuse(res, p, WCS_CODE_EVENT_UNKNOWN,
                          "RelayState \"%s\" names no configured application "
                          "URL (" WCS_CMD_RELAY_STATE_URL ")",
                          apr_pescape_echo(p, rs, 0));
    }
    if (!wcs_events_count(events)) {
        return APR_SUCCESS;      /* no events: the default target */
    }
    if (default_rs && rs && !strcmp(rs, default_rs)) {
        return APR_SUCCESS;
    }
    switch (relay->kind) {
    case WCS_RELAY_NONE:
        return wcs_refuse(res, p, WCS_CODE_NO_EVENT,
                          "the POST carries no RelayState, so no event ID "
                          "(%u events are configured%s)",
                          wcs_events_count(events), default_rs
                          ? ", and the default RelayState was not sent"
                          : "; " WCS_CMD_DEFAULT_RELAY_STATE " names the one "
                            "that needs no event");
    case WCS_RELAY_NOT_NUMBER:
        return wcs_refuse(res, p, WCS_CODE_EVENT_NOT_NUMBER,
                          "the event ID of RelayState \"%s\" is not a number "
                          "(RelayState is EVENTID or EVENTID-KEY)",
                          apr_pescape_echo(p, rs, 0));
    case WCS_RELAY_REF:
        /* Where it leads is the answered request's (wcs_acs_login). */
        return APR_SUCCESS;
    case WCS_RELAY_EVENT:
        break;
    }
    *pe = wcs_events_find(events, relay->event_id);
    if (!*pe) {
        return wcs_refuse(res, p, WCS_CODE_EVENT_UNKNOWN,
                          "event %s (RelayState) is not configured",
                          relay->event_id);
    }
    return APR_SUCCESS;
}

/* Do a and b hold the same key?  Compared as SHA-256 digests in constant
 * time: neither the bytes nor the lengths of the configured key leak. */
static int same_key(const char *a, const char *b)
{
    unsigned char da[EVP_MAX_MD_SIZE], db[EVP_MAX_MD_SIZE];
    unsigned int la = 0, lb = 0;

    if (!EVP_Digest(a, strlen(a), da, &la, wcs_sha256(), NULL)
        || !EVP_Digest(b, strlen(b), db, &lb, wcs_sha256(), NULL)
        || la != lb) {
        return 0;                /* fails closed */
    }
    return !CRYPTO_memcmp(da, db, la);
}

static apr_status_t admit_rules(wcs_result_t *res, const wcs_event_t *e,
                                const char *idp, const char *email,
                                apr_time_t now, apr_pool_t *p)
{
    int i;

    if (e->idps) {
        for (i = 0; i < e->idps->nelts; i++) {
            if (!strcmp(APR_ARRAY_IDX(e->idps, i, const char *), idp)) {
                break;
            }
        }
        if (i == e->idps->nelts) {
            return wcs_refuse(res, p, WCS_CODE_EVENT_DENIED,
                              "event %s does not admit IdP %s (idps=%s, %s)",
                              e->id, idp, apr_array_pstrcat(p, e->idps, ','),
                              e->where);
        }
    }
    if (e->domains && !wcs_email_domain_in(email, e->domains)) {
        return wcs_refuse(res, p, WCS_CODE_EVENT_DENIED,
                          "event %s does not admit %s: domain \"%s\" is not "
                          "in domains=%s (%s)", e->id, email,
                          wcs_email_domain(email),
                          apr_array_pstrcat(p, e->domains, ','), e->where);
    }
    if (e->opens && now < e->opens) {
        return wcs_refuse(res, p, WCS_CODE_EVENT_DENIED,
                          "event %s opens at %s, it is %s (%s)", e->id,
                          wcs_time_format(e->opens, p),
                          wcs_time_format(now, p), e->where);
    }
    if (e->closes && now >= e->closes) {
        return wcs_refuse(res, p, WCS_CODE_EVENT_DENIED,
                          "event %s closed at %s, it is %s (%s)", e->id,
                          wcs_time_format(e->closes, p),
                          wcs_time_format(now, p), e->where);
    }
    return APR_SUCCESS;
}

apr_status_t wcs_event_check_key(wcs_result_t *res, const wcs_event_t *e,
                                 const char *key, const char *what,
                                 apr_pool_t *p)
{
    if (key && !e->key) {
        return wcs_refuse(res, p, WCS_CODE_EVENT_DENIED,
                          "%s carries a key for event %s, which has "
                          "none (%s)", what, e->id, e->where);
    }
    if (e->key && !key && !e->key_optional) {
        return wcs_refuse(res, p, WCS_CODE_EVENT_DENIED,
                          "%s carries no key for event %s, which "
                          "enforces its key (%s)", what, e->id, e->where);
    }
    if (e->key && key && !same_key(e->key, wcs_str_lower(key, p))) {
        /* The key posted is not logged: it may be another event's. */
        return wcs_refuse(res, p, WCS_CODE_EVENT_DENIED,
                          "%s carries a wrong key for event %s "
                          "(%" APR_SIZE_T_FMT " characters; %s)", what, e->id,
                          strlen(key), e->where);
    }
    return APR_SUCCESS;
}

apr_status_t wcs_event_admit(wcs_result_t *res, const wcs_event_t *e,
                             const wcs_relay_t *relay, const char *idp,
                             const char *email, apr_time_t now,
                             apr_pool_t *p)
{
    apr_status_t rv = wcs_event_check_key(res, e, relay ? relay->key : NULL,
                                          "RelayState", p);

    return rv == APR_SUCCESS ? admit_rules(res, e, idp, email, now, p) : rv;
}

apr_status_t wcs_event_admit_session(wcs_result_t *res, const wcs_event_t *e,
                                     const char *idp, const char *email,
                                     apr_time_t now, apr_pool_t *p)
{
    if (e->key && !e->key_optional) {
        return wcs_refuse(res, p, WCS_CODE_EVENT_DENIED,
                          "event %s enforces its key: joining it takes a "
                          "sign-in with its RelayState (%s)", e->id,
                          e->where);
    }
    return admit_rules(res, e, idp, email, now, p);
}
