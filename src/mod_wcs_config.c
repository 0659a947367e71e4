/*
 * mod_wcs_config: configuration records, their merge, and the directive
 * setters (each named after its field, checking its own context).  What
 * is made of them at start-up is in mod_wcs_startup.c.
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

const char *wcs_set_attr_map(cmd_parms *cmd, void *dc, const char *saml,
                             const char *env)
{
    wcs_srv_conf_t *sc = srv_conf(cmd);
    wcs_attr_map_t *m;

    if (!wcs_env_name_valid(env) || wcs_env_reserved(env)) {
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
