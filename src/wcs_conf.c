#include <errno.h>
#include <string.h>

#include <apr_file_info.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "wcs_authnreq.h"
#include "wcs_conf.h"
#include "wcs_identity.h"
#include "wcs_idp.h"
#include "wcs_names.h"
#include "wcs_str.h"
#include "wcs_url.h"

/* A configuration excerpt is small; a longer file is not one. */
#define CONF_FILE_MAX (16 * 1024 * 1024)

wcs_conf_t *wcs_conf_make(apr_pool_t *p)
{
    wcs_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->pool = p;
    c->idps = apr_hash_make(p);
    c->sha1_idps = apr_array_make(p, 1, sizeof(const char *));
    c->idp_domains = apr_hash_make(p);
    c->signed_parts = WCS_SIGNED_EITHER;
    c->clock_skew = WCS_CLOCK_SKEW_DEFAULT;
    c->max_assertion_age = WCS_MAX_ASSERTION_AGE_DEFAULT;
    c->max_response_size = WCS_RESPONSE_MAX_BYTES_DEFAULT;
    c->session_lifetime = WCS_SESSION_LIFETIME_DEFAULT;
    c->attr_map = apr_array_make(p, 2, sizeof(wcs_attr_map_t));
    c->default_target = "/";
    c->unsolicited = 1;
    c->login_timeout = WCS_LOGIN_TIMEOUT_DEFAULT;
    return c;
}

/* --- words ------------------------------------------------------------- */

/* One word at *s, as ap_getword_conf reads it; NULL at the end. */
static char *next_word(const char **s, apr_pool_t *p)
{
    const char *start, *end;
    char quote, *out, *o;

    while (apr_isspace(**s)) {
        (*s)++;
    }
    if (!**s) {
        return NULL;
    }
    quote = **s;
    if (quote != '"' && quote != '\'') {
        start = *s;
        while (**s && !apr_isspace(**s)) {
            (*s)++;
        }
        return apr_pstrmemdup(p, start, *s - start);
    }
    start = ++(*s);
    for (end = start; *end && *end != quote; end++) {
        if (*end == '\\' && end[1] == quote) {
            end++;
        }
    }
    o = out = apr_palloc(p, end - start + 1);
    for (; start < end; start++) {
        if (*start == '\\' && start[1] == quote) {
            start++;
        }
        *o++ = *start;
    }
    *o = '\0';
    *s = *end ? end + 1 : end;
    return out;
}

apr_array_header_t *wcs_conf_words(const char *line, apr_pool_t *p)
{
    apr_array_header_t *words = apr_array_make(p, 4, sizeof(const char *));
    char *w;

    while ((w = next_word(&line, p)) != NULL) {
        APR_ARRAY_PUSH(words, const char *) = w;
    }
    return words;
}

/* --- values ------------------------------------------------------------ */

/* A setter: NULL, or why the value is refused (without the directive's
 * name, which the caller adds). */
typedef const char *setter_fn(wcs_conf_t *c, int argc,
                              const char *const *argv, const char *where);

/* path as httpd's ap_server_root_relative makes it. */
static const char *conf_path(const wcs_conf_t *c, const char *path)
{
    char *merged;

    if (!c->server_root || path[0] == '/'
        || apr_filepath_merge(&merged, c->server_root, path,
                              APR_FILEPATH_TRUENAME, c->pool)
           != APR_SUCCESS) {
        return path;
    }
    return merged;
}

static const char *number(apr_interval_time_t *out, const char *arg,
                          apr_int64_t min, apr_int64_t max, apr_pool_t *p,
                          int seconds)
{
    char *end;
    apr_int64_t n;

    errno = 0;
    n = apr_strtoi64(arg, &end, 10);
    if (!*arg || *end || errno || n < min || n > max) {
        return apr_psprintf(p, "\"%s\" is not a whole number from %"
                            APR_INT64_T_FMT " to %" APR_INT64_T_FMT, arg,
                            min, max);
    }
    *out = seconds ? apr_time_from_sec(n) : (apr_interval_time_t)n;
    return NULL;
}

static const char *set_sp_entity_id(wcs_conf_t *c, int argc,
                                    const char *const *argv,
                                    const char *where)
{
    if (!*argv[0] || strpbrk(argv[0], " \t\r\n")) {
        return apr_psprintf(c->pool, "\"%s\" is not an entity ID (a URI "
                            "without white space)", argv[0]);
    }
    c->sp_entity_id = argv[0];
    return NULL;
}

static const char *set_acs_url(wcs_conf_t *c, int argc,
                               const char *const *argv, const char *where)
{
    const char *norm;

    if (wcs_url_normalise(&norm, argv[0], c->pool) != APR_SUCCESS) {
        return apr_psprintf(c->pool, "\"%s\" is not an absolute http(s) URL",
                            argv[0]);
    }
    c->acs_url = argv[0];
    return NULL;
}

static const char *set_idp_metadata(wcs_conf_t *c, int argc,
                                    const char *const *argv,
                                    const char *where)
{
    const char *err;
    int count;

    if (wcs_idp_load_metadata(c->idps, &count, &err,
                              conf_path(c, argv[0]), c->pool, c->pool)
        != APR_SUCCESS) {
        return err;
    }
    return NULL;
}

static const char *set_idp(wcs_conf_t *c, int argc, const char *const *argv,
                           const char *where)
{
    wcs_idp_t *idp;
    const char *err;
    int i;

    if (argc < 2) {
        return "takes an entity ID and at least one certificate file";
    }
    idp = apr_hash_get(c->idps, argv[0], APR_HASH_KEY_STRING);
    if (idp && strcmp(idp->source, WCS_CMD_IDP)) {
        return apr_psprintf(c->pool, "IdP %s is already configured from %s",
                            argv[0], idp->source);
    }
    if (!idp) {
        idp = wcs_idp_create(argv[0], WCS_CMD_IDP, c->pool);
    }
    for (i = 1; i < argc; i++) {
        if (wcs_idp_add_cert_file(idp, &err, conf_path(c, argv[i]), c->pool)
            != APR_SUCCESS) {
            return err;
        }
    }
    apr_hash_set(c->idps, idp->entity_id, APR_HASH_KEY_STRING, idp);
    return NULL;
}

static const char *set_sha1_idps(wcs_conf_t *c, int argc,
                                 const char *const *argv, const char *where)
{
    APR_ARRAY_PUSH(c->sha1_idps, const char *) = argv[0];
    return NULL;
}

static const char *set_idp_domains(wcs_conf_t *c, int argc,
                                   const char *const *argv,
                                   const char *where)
{
    apr_array_header_t *list;
    int i;

    if (argc < 2) {
        return "takes an IdP entity ID and at least one email domain";
    }
    list = apr_hash_get(c->idp_domains, argv[0], APR_HASH_KEY_STRING);
    if (!list) {
        list = apr_array_make(c->pool, argc - 1, sizeof(const char *));
        apr_hash_set(c->idp_domains, argv[0], APR_HASH_KEY_STRING, list);
    }
    for (i = 1; i < argc; i++) {
        if (!wcs_email_domain_pattern_valid(argv[i])) {
            return apr_psprintf(c->pool, "\"%s\" is not an email domain "
                                "(example.com), a wildcard for its "
                                "subdomains (*.example.com) or *", argv[i]);
        }
        APR_ARRAY_PUSH(list, const char *) = wcs_str_lower(argv[i], c->pool);
    }
    return NULL;
}

static const char *set_signed_parts(wcs_conf_t *c, int argc,
                                    const char *const *argv,
                                    const char *where)
{
    static const struct {
        const char *name;
        wcs_signed_parts_t value;
    } parts[] = {
        { "either", WCS_SIGNED_EITHER },
        { "assertion", WCS_SIGNED_ASSERTION },
        { "response", WCS_SIGNED_RESPONSE },
        { "both", WCS_SIGNED_BOTH },
        { NULL, 0 }
    };
    int i;

    for (i = 0; parts[i].name; i++) {
        if (!strcasecmp(argv[0], parts[i].name)) {
            c->signed_parts = parts[i].value;
            return NULL;
        }
    }
    return apr_psprintf(c->pool, "\"%s\" is not one of: either, assertion, "
                        "response, both", argv[0]);
}

static const char *set_clock_skew(wcs_conf_t *c, int argc,
                                  const char *const *argv, const char *where)
{
    return number(&c->clock_skew, argv[0], 0,
                  apr_time_sec(WCS_CLOCK_SKEW_MAX), c->pool, 1);
}

static const char *set_max_assertion_age(wcs_conf_t *c, int argc,
                                         const char *const *argv,
                                         const char *where)
{
    return number(&c->max_assertion_age, argv[0],
                  apr_time_sec(WCS_MAX_ASSERTION_AGE_MIN),
                  apr_time_sec(WCS_MAX_ASSERTION_AGE_MAX), c->pool, 1);
}

static const char *set_max_response_size(wcs_conf_t *c, int argc,
                                          const char *const *argv,
                                          const char *where)
{
    apr_interval_time_t n;
    const char *err = number(&n, argv[0], WCS_MAX_RESPONSE_MIN,
                             WCS_MAX_RESPONSE_MAX, c->pool, 0);

    if (!err) {
        c->max_response_size = (apr_size_t)n;
    }
    return err;
}

static const char *set_session_lifetime(wcs_conf_t *c, int argc,
                                        const char *const *argv,
                                        const char *where)
{
    return number(&c->session_lifetime, argv[0],
                  apr_time_sec(WCS_SESSION_LIFETIME_MIN),
                  apr_time_sec(WCS_SESSION_LIFETIME_MAX), c->pool, 1);
}

static const char *set_login_timeout(wcs_conf_t *c, int argc,
                                     const char *const *argv,
                                     const char *where)
{
    return number(&c->login_timeout, argv[0],
                  apr_time_sec(WCS_LOGIN_TIMEOUT_MIN),
                  apr_time_sec(WCS_LOGIN_TIMEOUT_MAX), c->pool, 1);
}

static const char *set_email_attribute(wcs_conf_t *c, int argc,
                                       const char *const *argv,
                                       const char *where)
{
    c->email_attr = argv[0];
    return NULL;
}

static const char *set_attr_map(wcs_conf_t *c, int argc,
                                const char *const *argv, const char *where)
{
    wcs_attr_map_t *m;

    if (!wcs_env_name_valid(argv[1]) || wcs_env_reserved(argv[1])) {
        return apr_psprintf(c->pool, "\"%s\" is not a variable name this "
                            "module may set: it must be WEBCAST_ followed by "
                            "A-Z, 0-9 or _, and not one the module sets "
                            "itself", argv[1]);
    }
    m = apr_array_push(c->attr_map);
    m->saml_name = argv[0];
    m->env_name = argv[1];
    return NULL;
}

static wcs_events_t *own_events(wcs_conf_t *c)
{
    if (!c->events) {
        c->events = wcs_events_make(c->pool);
    }
    return c->events;
}

static const char *set_event(wcs_conf_t *c, int argc,
                             const char *const *argv, const char *where)
{
    const char *err;
    wcs_event_t *e;

    if (wcs_event_parse(&e, &err, argc, argv, where, c->pool) != APR_SUCCESS
        || wcs_events_add(own_events(c), e, &err, c->pool) != APR_SUCCESS) {
        return err;
    }
    return NULL;
}

static const char *set_event_map(wcs_conf_t *c, int argc,
                                 const char *const *argv, const char *where)
{
    const char *err;

    if (wcs_events_load_file(own_events(c), &err, conf_path(c, argv[0]),
                             c->pool) != APR_SUCCESS) {
        return err;
    }
    return NULL;
}

static const char *set_default_relay_state(wcs_conf_t *c, int argc,
                                           const char *const *argv,
                                           const char *where)
{
    if (!*argv[0] || strpbrk(argv[0], "\r\n")) {
        return apr_psprintf(c->pool, "\"%s\" is not a RelayState (a "
                            "non-empty line)", argv[0]);
    }
    c->default_relay_state = argv[0];
    return NULL;
}

static const char *set_relay_state_url(wcs_conf_t *c, int argc,
                                       const char *const *argv,
                                       const char *where)
{
    const char *err;

    if (wcs_events_add_app_url(own_events(c), &err, argv[0], argv[1],
                               c->pool) != APR_SUCCESS) {
        return err;
    }
    return NULL;
}

static const char *set_template(wcs_conf_t *c, int argc,
                                const char *const *argv, const char *where)
{
    const char *err;

    if (wcs_events_add_template_field(own_events(c), &err, argv[0], argv[1],
                                      argv[2], c->pool) != APR_SUCCESS) {
        return err;
    }
    return NULL;
}

static const char *set_default_target(wcs_conf_t *c, int argc,
                                      const char *const *argv,
                                      const char *where)
{
    if (!wcs_url_target_valid(argv[0], c->pool)) {
        return apr_psprintf(c->pool, "\"%s\" is neither a local path (/...) "
                            "nor an absolute http(s) URL", argv[0]);
    }
    c->default_target = argv[0];
    return NULL;
}

static const char *set_unsolicited(wcs_conf_t *c, int argc,
                                   const char *const *argv,
                                   const char *where)
{
    c->unsolicited = !strcasecmp(argv[0], "on");
    return NULL;
}

static const char *set_directory(wcs_conf_t *c, int argc,
                                 const char *const *argv, const char *where)
{
    c->directory = argv[0];
    return NULL;
}

/* How many arguments a directive takes, as httpd's directive table says
 * (mod_webcast_saml.c). */
typedef enum {
    TAKE1, TAKE2, TAKE3, TAKE12, ITERATE, ARGV, FLAG,
    ANY                          /* decides no verdict: not checked */
} args_t;

static const struct {
    const char *name;
    args_t args;
    setter_fn *set;              /* NULL: accepted and ignored */
} directives[] = {
    { WCS_CMD_SP_ENTITY_ID, TAKE1, set_sp_entity_id },
    { WCS_CMD_ACS_URL, TAKE1, set_acs_url },
    { WCS_CMD_IDP_METADATA, ITERATE, set_idp_metadata },
    { WCS_CMD_IDP, ARGV, set_idp },
    { WCS_CMD_ALLOW_SHA1, ITERATE, set_sha1_idps },
    { WCS_CMD_IDP_EMAIL_DOMAINS, ARGV, set_idp_domains },
    { WCS_CMD_SIGNED_PARTS, TAKE1, set_signed_parts },
    { WCS_CMD_CLOCK_SKEW, TAKE1, set_clock_skew },
    { WCS_CMD_MAX_ASSERTION_AGE, TAKE1, set_max_assertion_age },
    { WCS_CMD_MAX_RESPONSE_SIZE, TAKE1, set_max_response_size },
    { WCS_CMD_SESSION_LIFETIME, TAKE1, set_session_lifetime },
    { WCS_CMD_EMAIL_ATTRIBUTE, TAKE1, set_email_attribute },
    { WCS_CMD_ATTRIBUTE, TAKE2, set_attr_map },
    { WCS_CMD_EVENT, ARGV, set_event },
    { WCS_CMD_EVENT_MAP, ITERATE, set_event_map },
    { WCS_CMD_DEFAULT_RELAY_STATE, TAKE1, set_default_relay_state },
    { WCS_CMD_RELAY_STATE_URL, TAKE2, set_relay_state_url },
    { WCS_CMD_TEMPLATE, TAKE3, set_template },
    { WCS_CMD_DEFAULT_TARGET, TAKE1, set_default_target },
    { WCS_CMD_UNSOLICITED, FLAG, set_unsolicited },
    { WCS_CMD_LOGIN_TIMEOUT, TAKE1, set_login_timeout },
    { WCS_CMD_DIRECTORY, TAKE12, set_directory },
    /* Where the ACS is served, cookies, caches, accounts' policies (the
     * directory is not consulted offline), pages, sign-in: none changes
     * how a response is judged. */
    { WCS_CMD_ENDPOINT_PATH, ANY, NULL },
    { WCS_CMD_COOKIE_NAME, ANY, NULL },
    { WCS_CMD_COOKIE_SAMESITE, ANY, NULL },
    { WCS_CMD_COOKIE_SECURE, ANY, NULL },
    { WCS_CMD_PROVISION, ANY, NULL },
    { WCS_CMD_LICENSE, ANY, NULL },
    { WCS_CMD_GUESTS, ANY, NULL },
    { WCS_CMD_SIGNING_KEY, ANY, NULL },
    { WCS_CMD_SESSION_CACHE, ANY, NULL },
    { WCS_CMD_SESSION_KEY_FILE, ANY, NULL },
    { WCS_CMD_REPLAY_CACHE, ANY, NULL },
    { WCS_CMD_LOGIN_CACHE, ANY, NULL },
    { WCS_CMD_SESSION_PROCESS_CACHE, ANY, NULL },
    { WCS_CMD_ERROR_URL, ANY, NULL },
    { WCS_CMD_EXPORT_HEADERS, ANY, NULL },
    { WCS_CMD_LOGIN_IDP, ANY, NULL },
    { NULL, ANY, NULL }
};

/* Why argc arguments do not suit args, or NULL. */
static const char *arity(args_t args, int argc, const char *const *argv)
{
    switch (args) {
    case TAKE1:
        return argc == 1 ? NULL : "takes one argument";
    case TAKE2:
        return argc == 2 ? NULL : "takes two arguments";
    case TAKE3:
        return argc == 3 ? NULL : "takes three arguments";
    case TAKE12:
        return argc == 1 || argc == 2 ? NULL : "takes one or two arguments";
    case ITERATE:
    case ARGV:
        return argc >= 1 ? NULL : "requires at least one argument";
    case FLAG:
        return argc == 1 && (!strcasecmp(argv[0], "on")
                             || !strcasecmp(argv[0], "off"))
               ? NULL : "must be On or Off";
    default:
        return NULL;
    }
}

apr_status_t wcs_conf_directive(wcs_conf_t *c, const char **err, int argc,
                                const char *const *argv, const char *where)
{
    const char *why;
    int i, d;

    for (d = 0; directives[d].name; d++) {
        if (!strcasecmp(argv[0], directives[d].name)) {
            break;
        }
    }
    if (!directives[d].name) {
        *err = apr_psprintf(c->pool, "Invalid command '%s', perhaps "
                            "misspelled or not a directive of "
                            "mod_webcast_saml", argv[0]);
        return APR_ENOTIMPL;
    }
    why = arity(directives[d].args, argc - 1, argv + 1);
    if (!why && directives[d].set) {
        if (directives[d].args == ITERATE) {
            for (i = 1; !why && i < argc; i++) {
                why = directives[d].set(c, 1, argv + i, where);
            }
        }
        else {
            why = directives[d].set(c, argc - 1, argv + 1, where);
        }
    }
    if (why) {
        *err = apr_psprintf(c->pool, "%s: %s", directives[d].name, why);
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}

/* --- files ------------------------------------------------------------- */

/* Is the first word of line a directive of this module's? */
static int ours(const char *line)
{
    return !strncasecmp(line, "WebcastSAML", 11);
}

apr_status_t wcs_conf_read_file(wcs_conf_t *c, const char **err,
                                const char *path)
{
    char *buf, *line, *next, *joined = NULL;
    apr_size_t len, n;
    apr_array_header_t *words;
    unsigned int lineno = 0, first = 0;
    const char *where, *why;

    if (wcs_file_read(&buf, &len, err, path, CONF_FILE_MAX, c->pool)
        != APR_SUCCESS) {
        return APR_EINVAL;
    }
    for (line = buf; line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        n = strlen(line);
        if (n && line[n - 1] == '\r') {
            line[--n] = '\0';
        }
        if (n && line[n - 1] == '\\') {
            /* httpd joins a line ending in a backslash with the next. */
            line[n - 1] = '\0';
            joined = joined ? apr_pstrcat(c->pool, joined, line, NULL)
                            : apr_pstrdup(c->pool, line);
            first = first ? first : lineno;
            continue;
        }
        if (joined) {
            line = apr_pstrcat(c->pool, joined, line, NULL);
            joined = NULL;
        }
        else {
            first = lineno;
        }
        line = wcs_str_trim(line);
        if (!ours(line)) {
            first = 0;
            continue;
        }
        where = apr_psprintf(c->pool, "%s:%u", path, first);
        first = 0;
        words = wcs_conf_words(line, c->pool);
        if (wcs_conf_directive(c, &why, words->nelts,
                               (const char *const *)words->elts, where)
            != APR_SUCCESS) {
            *err = apr_psprintf(c->pool, "%s: %s", where, why);
            return APR_EINVAL;
        }
    }
    return APR_SUCCESS;
}

void wcs_conf_sp_desc(wcs_sp_desc_t *d, const wcs_conf_t *c,
                      const char *name)
{
    wcs_sp_desc_init(d);
    d->name = name;
    d->entity_id = c->sp_entity_id;
    d->acs_url = c->acs_url;
    d->idps = c->idps;
    d->sha1_idps = c->sha1_idps;
    d->idp_domains = c->idp_domains;
    d->signed_parts = c->signed_parts;
    d->clock_skew = c->clock_skew;
    d->max_assertion_age = c->max_assertion_age;
    d->max_response_bytes = c->max_response_size;
    d->email_attr = c->email_attr;
    d->attr_map = c->attr_map;
    d->session_lifetime = c->session_lifetime;
    d->events = c->events;
    d->default_relay_state = c->default_relay_state;
    if (c->sp_entity_id) {
        d->site_id = apr_pstrcat(c->pool, c->sp_entity_id, " @ ", name,
                                 NULL);
    }
}
