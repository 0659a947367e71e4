/*
 * mod_wcs_config: configuration records, their merge, the directive
 * setters (each named after its field, checking its own context), and the
 * check_config pass that proves a vhost is a complete SP before httpd
 * starts, so that `apachectl configtest` catches what is missing.
 */
#include <apr_strings.h>
#include <apr_lib.h>
#include <openssl/crypto.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

#include "mod_wcs.h"
#include "wcs_identity.h"
#include "wcs_session.h"
#include "wcs_str.h"
#include "wcs_idp.h"
#include "wcs_url.h"
#include "wcs_xml.h"

APLOG_USE_MODULE(webcast_saml);

/* --- records and merge ------------------------------------------------ */

void *wcs_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    wcs_srv_conf_t *c = apr_pcalloc(p, sizeof(*c));

    /* Defaults are set here with _set left 0: a vhost that names no value
     * inherits the main server's, and a value equal to the default can
     * still be set explicitly. */
    c->endpoint_path = WCS_ENDPOINT_DEFAULT;
    c->idps = apr_hash_make(p);
    c->sha1_idps = apr_array_make(p, 1, sizeof(const char *));
    c->idp_domains = apr_hash_make(p);
    c->signed_parts = WCS_SIGNED_EITHER;
    c->clock_skew = WCS_CLOCK_SKEW_DEFAULT;
    c->max_assertion_age = WCS_MAX_ASSERTION_AGE_DEFAULT;
    c->max_response_size = WCS_RESPONSE_MAX_BYTES_DEFAULT;
    c->session_lifetime = WCS_SESSION_LIFETIME_DEFAULT;
    c->cookie_name = WCS_COOKIE_NAME_DEFAULT;
    c->cookie_samesite = "Lax";
    c->cookie_secure = WCS_SECURE_AUTO;
    c->attr_map = apr_array_make(p, 2, sizeof(wcs_attr_map_t));
    return c;
}

#define MERGE(field) do {                                        \
        c->field = add->field##_set ? add->field : base->field;  \
        c->field##_set = add->field##_set || base->field##_set;  \
    } while (0)

void *wcs_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    wcs_srv_conf_t *base = basev, *add = addv;
    wcs_srv_conf_t *c = apr_pcalloc(p, sizeof(*c));

    MERGE(sp_entity_id);
    MERGE(acs_url);
    MERGE(endpoint_path);
    MERGE(idps);
    if (add->idps_set) {
        /* IdPs of its own: the main server's per-IdP lines are about the
         * main server's IdPs, even one with the same entity ID. */
        c->sha1_idps = add->sha1_idps;
        c->sha1_idps_set = add->sha1_idps_set;
        c->idp_domains = add->idp_domains;
        c->idp_domains_set = add->idp_domains_set;
    }
    else {
        MERGE(sha1_idps);
        MERGE(idp_domains);
    }
    MERGE(signed_parts);
    MERGE(clock_skew);
    MERGE(max_assertion_age);
    MERGE(max_response_size);
    MERGE(session_lifetime);
    MERGE(cookie_name);
    MERGE(cookie_samesite);
    MERGE(cookie_secure);
    MERGE(email_attribute);
    MERGE(attr_map);
    MERGE(session_keys);
    return c;
}

void *wcs_create_dir_conf(apr_pool_t *p, char *dir)
{
    wcs_dir_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->default_target = WCS_DEFAULT_TARGET_DEFAULT;
    return c;
}

void *wcs_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    wcs_dir_conf_t *base = basev, *add = addv;
    wcs_dir_conf_t *c = apr_pcalloc(p, sizeof(*c));

    MERGE(error_url);
    MERGE(default_target);
    MERGE(export_headers);
    return c;
}

static wcs_srv_conf_t *srv_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config,
                                &webcast_saml_module);
}

/* --- small parsers ----------------------------------------------------- */

typedef struct {
    const char *name;
    int value;
} wcs_enum_t;

/* Parse arg as one of table (case-insensitively); the error lists what
 * is allowed. */
static const char *parse_enum(cmd_parms *cmd, const wcs_enum_t *table,
                              const char *arg, int *out)
{
    const wcs_enum_t *e;
    const char *allowed = NULL;

    for (e = table; e->name; e++) {
        if (!strcasecmp(arg, e->name)) {
            *out = e->value;
            return NULL;
        }
        allowed = allowed ? apr_pstrcat(cmd->temp_pool, allowed, ", ",
                                        e->name, NULL) : e->name;
    }
    return apr_psprintf(cmd->pool, "%s: \"%s\" is not one of: %s",
                        cmd->cmd->name, arg, allowed);
}

/* Parse a whole number within [min, max]. */
static const char *parse_number(cmd_parms *cmd, const char *arg,
                                apr_int64_t min, apr_int64_t max,
                                apr_int64_t *out)
{
    char *end;
    apr_int64_t n;

    errno = 0;
    n = apr_strtoi64(arg, &end, 10);
    if (!*arg || *end || errno || n < min || n > max) {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not a whole number from "
                            "%" APR_INT64_T_FMT " to %" APR_INT64_T_FMT,
                            cmd->cmd->name, arg, min, max);
    }
    *out = n;
    return NULL;
}

static int is_local_path(const char *s)
{
    return s[0] == '/' && s[1] != '/' && !strpbrk(s, "\r\n\\");
}

static const char *parse_target(cmd_parms *cmd, const char *arg)
{
    const char *norm;

    if (is_local_path(arg)
        || (wcs_url_normalise(&norm, arg, cmd->temp_pool) == APR_SUCCESS
            && !strpbrk(arg, "\r\n"))) {
        return NULL;
    }
    return apr_psprintf(cmd->pool, "%s: \"%s\" is neither a local path "
                        "(/...) nor an absolute http(s) URL",
                        cmd->cmd->name, arg);
}

/* --- per-vhost setters -------------------------------------------------- */

const char *wcs_set_sp_entity_id(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);

    if (!*arg || strpbrk(arg, " \t\r\n")) {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not an entity ID (a URI "
                            "without white space)", cmd->cmd->name, arg);
    }
    sc->sp_entity_id = arg;
    sc->sp_entity_id_set = 1;
    return NULL;
}

const char *wcs_set_acs_url(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    const char *norm;

    if (wcs_url_normalise(&norm, arg, cmd->temp_pool) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not an absolute http(s) "
                            "URL", cmd->cmd->name, arg);
    }
    sc->acs_url = arg;
    sc->acs_url_set = 1;
    return NULL;
}

const char *wcs_set_endpoint_path(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    char *path = apr_pstrdup(cmd->pool, arg);
    apr_size_t len = strlen(path);

    while (len > 1 && path[len - 1] == '/') {
        path[--len] = '\0';
    }
    if (!is_local_path(path) || len < 2 || strpbrk(path, "?#")) {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not a local URL path "
                            "such as /saml", cmd->cmd->name, arg);
    }
    sc->endpoint_path = path;
    sc->endpoint_path_set = 1;
    return NULL;
}

/* The vhost's own IdP table: the first IdP directive in a vhost starts a
 * fresh one, so that vhosts never add to the main server's table. */
static apr_hash_t *own_idps(cmd_parms *cmd, wcs_srv_conf_t *sc)
{
    if (!sc->idps_set) {
        sc->idps = apr_hash_make(cmd->pool);
        sc->idps_set = 1;
    }
    return sc->idps;
}

const char *wcs_set_idp_metadata(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    const char *path = ap_server_root_relative(cmd->temp_pool, arg), *err;
    int count;

    if (!path) {
        return apr_psprintf(cmd->pool, "%s: invalid file path \"%s\"",
                            cmd->cmd->name, arg);
    }
    if (wcs_idp_load_metadata(own_idps(cmd, sc), &count, &err, path,
                              cmd->pool, cmd->temp_pool) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
    }
    return NULL;
}

const char *wcs_set_idp(cmd_parms *cmd, void *dc, int argc,
                        char *const argv[])
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    apr_hash_t *idps;
    wcs_idp_t *idp;
    const char *err, *path;
    int i;

    if (argc < 2) {
        return apr_psprintf(cmd->pool, "%s takes an entity ID and at least "
                            "one certificate file", cmd->cmd->name);
    }
    idps = own_idps(cmd, sc);
    idp = apr_hash_get(idps, argv[0], APR_HASH_KEY_STRING);
    if (idp && strcmp(idp->source, WCS_CMD_IDP)) {
        return apr_psprintf(cmd->pool, "%s: IdP %s is already configured from "
                            "%s", cmd->cmd->name, argv[0], idp->source);
    }
    if (!idp) {
        idp = wcs_idp_create(argv[0], WCS_CMD_IDP, cmd->pool);
    }
    for (i = 1; i < argc; i++) {
        path = ap_server_root_relative(cmd->temp_pool, argv[i]);
        if (!path || wcs_idp_add_cert_file(idp, &err, path, cmd->pool)
                     != APR_SUCCESS) {
            return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name,
                                path ? err : "invalid file path");
        }
    }
    apr_hash_set(idps, idp->entity_id, APR_HASH_KEY_STRING, idp);
    return NULL;
}

const char *wcs_set_sha1_idps(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);

    if (!sc->sha1_idps_set) {
        sc->sha1_idps = apr_array_make(cmd->pool, 1, sizeof(const char *));
        sc->sha1_idps_set = 1;
    }
    APR_ARRAY_PUSH(sc->sha1_idps, const char *) = arg;
    return NULL;
}

const char *wcs_set_idp_domains(cmd_parms *cmd, void *dc, int argc,
                                char *const argv[])
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    apr_array_header_t *list;
    char *d, *c;
    int i;

    if (argc < 2) {
        return apr_psprintf(cmd->pool, "%s takes an IdP entity ID and at "
                            "least one email domain", cmd->cmd->name);
    }
    if (!sc->idp_domains_set) {
        sc->idp_domains = apr_hash_make(cmd->pool);
        sc->idp_domains_set = 1;
    }
    list = apr_hash_get(sc->idp_domains, argv[0], APR_HASH_KEY_STRING);
    if (!list) {
        list = apr_array_make(cmd->pool, argc - 1, sizeof(const char *));
        apr_hash_set(sc->idp_domains, apr_pstrdup(cmd->pool, argv[0]),
                     APR_HASH_KEY_STRING, list);
    }
    for (i = 1; i < argc; i++) {
        if (!wcs_email_domain_pattern_valid(argv[i])) {
            return apr_psprintf(cmd->pool, "%s: \"%s\" is not an email domain "
                                "(example.com), a wildcard for its "
                                "subdomains (*.example.com) or *",
                                cmd->cmd->name, argv[i]);
        }
        d = apr_pstrdup(cmd->pool, argv[i]);
        for (c = d; *c; c++) {
            if (*c >= 'A' && *c <= 'Z') {
                *c = (char)(*c - 'A' + 'a');
            }
        }
        APR_ARRAY_PUSH(list, const char *) = d;
    }
    return NULL;
}

const char *wcs_set_signed_parts(cmd_parms *cmd, void *dc, const char *arg)
{
    static const wcs_enum_t parts[] = {
        { "either", WCS_SIGNED_EITHER },
        { "assertion", WCS_SIGNED_ASSERTION },
        { "response", WCS_SIGNED_RESPONSE },
        { "both", WCS_SIGNED_BOTH },
        { NULL, 0 }
    };
    wcs_srv_conf_t *sc = srv_conf(cmd);
    const char *err = parse_enum(cmd, parts, arg, &sc->signed_parts);

    sc->signed_parts_set = !err;
    return err;
}

const char *wcs_set_clock_skew(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    apr_int64_t n;
    const char *err = parse_number(cmd, arg, 0,
                                   apr_time_sec(WCS_CLOCK_SKEW_MAX), &n);

    if (!err) {
        sc->clock_skew = apr_time_from_sec(n);
        sc->clock_skew_set = 1;
    }
    return err;
}

const char *wcs_set_max_assertion_age(cmd_parms *cmd, void *dc,
                                      const char *arg)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    apr_int64_t n;
    const char *err = parse_number(
        cmd, arg, apr_time_sec(WCS_MAX_ASSERTION_AGE_MIN),
        apr_time_sec(WCS_MAX_ASSERTION_AGE_MAX), &n);

    if (!err) {
        sc->max_assertion_age = apr_time_from_sec(n);
        sc->max_assertion_age_set = 1;
    }
    return err;
}

const char *wcs_set_max_response_size(cmd_parms *cmd, void *dc,
                                      const char *arg)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    apr_int64_t n;
    const char *err = parse_number(cmd, arg, WCS_MAX_RESPONSE_MIN,
                                   WCS_MAX_RESPONSE_MAX, &n);

    if (!err) {
        sc->max_response_size = (apr_size_t)n;
        sc->max_response_size_set = 1;
    }
    return err;
}

const char *wcs_set_session_lifetime(cmd_parms *cmd, void *dc,
                                     const char *arg)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    apr_int64_t n;
    const char *err = parse_number(cmd, arg,
                                   apr_time_sec(WCS_SESSION_LIFETIME_MIN),
                                   apr_time_sec(WCS_SESSION_LIFETIME_MAX), &n);

    if (!err) {
        sc->session_lifetime = apr_time_from_sec(n);
        sc->session_lifetime_set = 1;
    }
    return err;
}

const char *wcs_set_cookie_name(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    const char *c;

    for (c = arg; *c; c++) {
        /* RFC 6265 cookie-name is an RFC 2616 token. */
        if (!apr_isalnum(*c) && !strchr("!#$%&'*+-.^_`|~", *c)) {
            break;
        }
    }
    if (!*arg || *c) {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not a valid cookie name",
                            cmd->cmd->name, arg);
    }
    sc->cookie_name = arg;
    sc->cookie_name_set = 1;
    return NULL;
}

const char *wcs_set_cookie_samesite(cmd_parms *cmd, void *dc,
                                    const char *arg)
{
    static const wcs_enum_t values[] = {
        { "Lax", 0 }, { "Strict", 1 }, { "None", 2 }, { NULL, 0 }
    };
    wcs_srv_conf_t *sc = srv_conf(cmd);
    int v;
    const char *err = parse_enum(cmd, values, arg, &v);

    if (!err) {
        sc->cookie_samesite = values[v].name;
        sc->cookie_samesite_set = 1;
    }
    return err;
}

const char *wcs_set_cookie_secure(cmd_parms *cmd, void *dc, const char *arg)
{
    static const wcs_enum_t values[] = {
        { "auto", WCS_SECURE_AUTO }, { "on", WCS_SECURE_ON },
        { "off", WCS_SECURE_OFF }, { NULL, 0 }
    };
    wcs_srv_conf_t *sc = srv_conf(cmd);
    const char *err = parse_enum(cmd, values, arg, &sc->cookie_secure);

    sc->cookie_secure_set = !err;
    return err;
}

const char *wcs_set_email_attribute(cmd_parms *cmd, void *dc,
                                    const char *arg)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);

    sc->email_attribute = arg;
    sc->email_attribute_set = 1;
    return NULL;
}

static int env_reserved(const char *name)
{
    static const char *const reserved[] = {
        "WEBCAST_EMAIL", "WEBCAST_IDP", "WEBCAST_NAMEID",
        "WEBCAST_AUTHN_CONTEXT", NULL
    };
    int i;

    for (i = 0; reserved[i]; i++) {
        if (!strcmp(name, reserved[i])) {
            return 1;
        }
    }
    return 0;
}

const char *wcs_set_attr_map(cmd_parms *cmd, void *dc, const char *saml,
                             const char *env)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    wcs_attr_map_t *m;

    if (!wcs_env_name_valid(env) || env_reserved(env)) {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not a variable name this "
                            "module may set: it must be WEBCAST_ followed by "
                            "A-Z, 0-9 or _, and not one the module sets itself",
                            cmd->cmd->name, env);
    }
    if (!sc->attr_map_set) {
        sc->attr_map = apr_array_make(cmd->pool, 2, sizeof(wcs_attr_map_t));
        sc->attr_map_set = 1;
    }
    m = apr_array_push(sc->attr_map);
    m->saml_name = saml;
    m->env_name = env;
    return NULL;
}

/* --- server-wide setters ------------------------------------------------ */

const char *wcs_set_session_keys(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    const char *path, *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    wcs_session_key_t *key;
    char *buf;
    apr_size_t len;

    if (err) {
        return err;
    }
    path = ap_server_root_relative(cmd->temp_pool, arg);
    if (!path) {
        return apr_psprintf(cmd->pool, "%s: invalid file path \"%s\"",
                            cmd->cmd->name, arg);
    }
    if (wcs_file_read(&buf, &len, &err, path, WCS_SESSION_KEY_MAX,
                      cmd->temp_pool) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
    }
    /* A trailing newline (echo, an editor) is not part of the secret. */
    while (len > 0 && apr_isspace(buf[len - 1])) {
        len--;
    }
    if (wcs_session_key_make(&key, (const unsigned char *)buf, len, path,
                             cmd->pool) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: %s holds %" APR_SIZE_T_FMT
                            " bytes; a key needs %d to %d (make one with "
                            "\"openssl rand -hex 32\")", cmd->cmd->name, path,
                            len, WCS_SESSION_KEY_MIN, WCS_SESSION_KEY_MAX);
    }
    OPENSSL_cleanse(buf, len);
    if (!sc->session_keys_set) {
        sc->session_keys = apr_array_make(cmd->pool, 2,
                                          sizeof(wcs_session_key_t *));
        sc->session_keys_set = 1;
    }
    APR_ARRAY_PUSH(sc->session_keys, wcs_session_key_t *) = key;
    return NULL;
}

/* --- per-directory setters ----------------------------------------------- */

const char *wcs_set_error_url(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_dir_conf_t *d = dc;
    const char *err = parse_target(cmd, arg);

    if (!err) {
        d->error_url = arg;
        d->error_url_set = 1;
    }
    return err;
}

const char *wcs_set_default_target(cmd_parms *cmd, void *dc,
                                   const char *arg)
{
    wcs_dir_conf_t *d = dc;
    const char *err = parse_target(cmd, arg);

    if (!err) {
        d->default_target = arg;
        d->default_target_set = 1;
    }
    return err;
}

const char *wcs_set_export_headers(cmd_parms *cmd, void *dc, int flag)
{
    wcs_dir_conf_t *d = dc;

    d->export_headers = flag;
    d->export_headers_set = 1;
    return NULL;
}

/* --- start-up -------------------------------------------------------------- */

int wcs_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    const char *err;

    /* Before any directive is read: the setters parse certificates. */
    if (wcs_xml_init(&err) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, NULL,
                     WCS_LOG_TAG "01001: %s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    wcs_log_install();
    if (ap_mutex_register(pconf, WCS_CACHE_MUTEX_TYPE, NULL,
                          APR_LOCK_DEFAULT, 0) != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return ap_mutex_register(pconf, WCS_REPLAY_MUTEX_TYPE, NULL,
                             APR_LOCK_DEFAULT, 0);
}

static int in_use(const wcs_srv_conf_t *sc)
{
    return sc->sp_entity_id_set || apr_hash_count(sc->idps) > 0;
}

static int listed(const apr_array_header_t *names, const char *name)
{
    int i;

    for (i = 0; i < names->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(names, i, const char *), name)) {
            return 1;
        }
    }
    return 0;
}

/* The IdP table of this vhost with its per-IdP lines applied (SHA-1,
 * email domains): each IdP is copied, never changed in place, since
 * vhosts share IdPs with the main server. */
static apr_hash_t *sp_idps(const wcs_srv_conf_t *sc, apr_pool_t *p)
{
    apr_hash_t *idps = apr_hash_make(p);
    apr_hash_index_t *hi;

    for (hi = apr_hash_first(p, sc->idps); hi; hi = apr_hash_next(hi)) {
        wcs_idp_t *copy = apr_pmemdup(p, apr_hash_this_val(hi),
                                      sizeof(wcs_idp_t));

        copy->allow_sha1 = listed(sc->sha1_idps, copy->entity_id);
        copy->email_domains = apr_hash_get(sc->idp_domains, copy->entity_id,
                                           APR_HASH_KEY_STRING);
        apr_hash_set(idps, copy->entity_id, APR_HASH_KEY_STRING, copy);
    }
    return idps;
}

static const char *vhost_name(const server_rec *vs, apr_pool_t *p)
{
    return apr_psprintf(p, "%s:%u", vs->server_hostname
                        ? vs->server_hostname : "*", vs->port);
}

static apr_status_t check_name(const wcs_srv_conf_t *sc, const char **err,
                               const char *directive, const char *id,
                               const server_rec *vs, apr_pool_t *p)
{
    if (apr_hash_get(sc->idps, id, APR_HASH_KEY_STRING)) {
        return APR_SUCCESS;
    }
    *err = apr_psprintf(p, "%s names %s, which is not a configured IdP of "
                        "vhost %s (a vhost with IdPs of its own takes only "
                        "its own per-IdP lines)", directive, id,
                        vhost_name(vs, p));
    return APR_EINVAL;
}

/* Every IdP that WebcastSAMLAllowSHA1 or WebcastSAMLIdPEmailDomains names
 * must be one of the vhost's IdPs: a typo would silently apply to none. */
static apr_status_t check_idp_names(server_rec *s, const char **err,
                                    apr_pool_t *p)
{
    server_rec *vs;
    apr_hash_index_t *hi;
    int i;

    for (vs = s; vs; vs = vs->next) {
        wcs_srv_conf_t *sc = ap_get_module_config(vs->module_config,
                                                  &webcast_saml_module);

        for (i = 0; i < sc->sha1_idps->nelts; i++) {
            if (check_name(sc, err, WCS_CMD_ALLOW_SHA1,
                           APR_ARRAY_IDX(sc->sha1_idps, i, const char *),
                           vs, p) != APR_SUCCESS) {
                return APR_EINVAL;
            }
        }
        for (hi = apr_hash_first(p, sc->idp_domains); hi;
             hi = apr_hash_next(hi)) {
            if (check_name(sc, err, WCS_CMD_IDP_EMAIL_DOMAINS,
                           apr_hash_this_key(hi), vs, p) != APR_SUCCESS) {
                return APR_EINVAL;
            }
        }
    }
    return APR_SUCCESS;
}

/* This SP as configured in vhost s: its entity ID and where it is
 * served.  Stable across restarts, different between vhosts. */
static const char *site_id(const server_rec *s, const wcs_srv_conf_t *sc,
                           apr_pool_t *p)
{
    const char *where = apr_psprintf(p, "%s:%u",
                                     s->server_hostname ? s->server_hostname
                                     : "*", s->port);

    if (s->is_virtual && s->addrs && s->addrs->virthost) {
        /* Two IP-based vhosts may share a name and a port. */
        where = apr_psprintf(p, "%s (%s)", where, s->addrs->virthost);
    }
    return apr_psprintf(p, "%s @ %s", sc->sp_entity_id, where);
}

/* With several IdPs, one without an email domain list can sign in anyone
 * of any other IdP's domains: say so at configtest.  A vhost that only
 * inherits the main server's IdPs and lists is reported once, there. */
static void warn_unbound_idps(server_rec *vs, const wcs_srv_conf_t *sc,
                              const wcs_srv_conf_t *main_sc, apr_pool_t *p)
{
    apr_array_header_t *unbound;
    apr_hash_index_t *hi;

    if (apr_hash_count(sc->idps) < 2
        || (sc != main_sc && sc->idps == main_sc->idps
            && sc->idp_domains == main_sc->idp_domains)) {
        return;
    }
    unbound = apr_array_make(p, 2, sizeof(const char *));
    for (hi = apr_hash_first(p, sc->idps); hi; hi = apr_hash_next(hi)) {
        if (!apr_hash_get(sc->idp_domains, apr_hash_this_key(hi),
                          APR_HASH_KEY_STRING)) {
            APR_ARRAY_PUSH(unbound, const char *) = apr_hash_this_key(hi);
        }
    }
    if (unbound->nelts > 0) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, vs, WCS_LOG_TAG "01010: "
                     "vhost %s trusts %u IdPs, and these may assert any email "
                     "domain, so sign in people of the others' domains: %s; "
                     "set %s for each", vhost_name(vs, p),
                     apr_hash_count(sc->idps),
                     apr_array_pstrcat(p, unbound, ' '),
                     WCS_CMD_IDP_EMAIL_DOMAINS);
    }
}

static apr_status_t build_sp(server_rec *s, wcs_srv_conf_t *sc,
                             const apr_array_header_t *session_keys,
                             const char **err, apr_pool_t *p)
{
    wcs_sp_t *sp;

    if (!sc->sp_entity_id_set) {
        *err = WCS_CMD_SP_ENTITY_ID " is not set, but IdPs are configured";
        return APR_EINVAL;
    }
    if (apr_hash_count(sc->idps) == 0) {
        *err = "no IdP is configured (" WCS_CMD_IDP_METADATA " or "
               WCS_CMD_IDP ")";
        return APR_EINVAL;
    }
    if (!strcmp(sc->cookie_samesite, "None")
        && sc->cookie_secure == WCS_SECURE_OFF) {
        *err = WCS_CMD_COOKIE_SAMESITE " None needs a Secure cookie, but "
               WCS_CMD_COOKIE_SECURE " is off";
        return APR_EINVAL;
    }
    sp = apr_pcalloc(p, sizeof(*sp));
    sp->idps = sp_idps(sc, p);
    sp->entity_id = sc->sp_entity_id;
    sp->acs_url = sc->acs_url;   /* NULL: derived from each request */
    sp->signed_parts = sc->signed_parts;
    sp->clock_skew = sc->clock_skew;
    sp->max_assertion_age = sc->max_assertion_age;
    sp->max_response_bytes = sc->max_response_size;
    sp->max_depth = WCS_XML_MAX_DEPTH_DEFAULT;
    sp->email_attr = sc->email_attribute;
    sp->attr_map = sc->attr_map;
    sp->session_lifetime = sc->session_lifetime;
    sp->site_id = site_id(s, sc, p);
    sp->session_keys = session_keys;
    sc->sp = sp;
    sc->acs_path = apr_pstrcat(p, sc->endpoint_path, "/acs", NULL);
    return APR_SUCCESS;
}

/* Without WebcastSAMLSessionKeyFile: one random key, made once per httpd
 * start and kept in the process pool, so that sessions outlive graceful
 * restarts as the cache does.  Several servers sharing a cache need a key
 * file: each would otherwise refuse the others' sessions. */
#define RANDOM_KEY_NOTE "webcast-saml-random-session-key"

static const apr_array_header_t *session_keys(server_rec *s)
{
    wcs_srv_conf_t *top = ap_get_module_config(s->module_config,
                                                &webcast_saml_module);
    apr_pool_t *pproc = s->process->pool;
    apr_array_header_t *keys = NULL;
    unsigned char secret[WCS_SESSION_KEY_MIN];
    wcs_session_key_t *key;

    if (top->session_keys_set) {
        return top->session_keys;
    }
    apr_pool_userdata_get((void **)&keys, RANDOM_KEY_NOTE, pproc);
    if (keys) {
        return keys;
    }
    if (wcs_store_sessions_shared()) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, WCS_LOG_TAG "01005: "
                     "the session cache can be shared by several servers, "
                     "but %s is not set: each server seals sessions with a "
                     "random key of its own and refuses the others'",
                     WCS_CMD_SESSION_KEY_FILE);
    }
    if (apr_generate_random_bytes(secret, sizeof(secret)) != APR_SUCCESS
        || wcs_session_key_make(&key, secret, sizeof(secret), "random",
                                pproc) != APR_SUCCESS) {
        return NULL;
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    keys = apr_array_make(pproc, 1, sizeof(wcs_session_key_t *));
    APR_ARRAY_PUSH(keys, wcs_session_key_t *) = key;
    apr_pool_userdata_set(keys, RANDOM_KEY_NOTE, apr_pool_cleanup_null,
                          pproc);
    return keys;
}

int wcs_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                     server_rec *s)
{
    const apr_array_header_t *keys = session_keys(s);
    server_rec *vs;
    const wcs_srv_conf_t *main_sc = ap_get_module_config(s->module_config,
                                                         &webcast_saml_module);
    const char *err;

    if (!keys) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, WCS_LOG_TAG "01004: "
                     "no randomness for the session record key");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (check_idp_names(s, &err, ptemp) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, WCS_LOG_TAG "01003: %s",
                     err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    for (vs = s; vs; vs = vs->next) {
        wcs_srv_conf_t *sc = ap_get_module_config(vs->module_config,
                                                  &webcast_saml_module);

        sc->sp = NULL;
        if (!in_use(sc)) {
            continue;
        }
        if (build_sp(vs, sc, keys, &err, pconf) != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, vs,
                         WCS_LOG_TAG "01002: vhost %s:%u: %s",
                         vs->server_hostname ? vs->server_hostname : "*",
                         vs->port, err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        warn_unbound_idps(vs, sc, main_sc, ptemp);
    }
    return OK;
}
