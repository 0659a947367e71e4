/*
 * mod_wcs_config: configuration records, their merge, the small parsers
 * all setters share, and the setters of the SP's own definition (each
 * named after its field, checking its own context).  The setters of the
 * IdPs, sessions, caches, refusal pages, ACS and authentication live with
 * their concern; what start-up makes of it all is in mod_wcs_startup.c.
 */
#include <apr_strings.h>
#include <apr_lib.h>
#include <openssl/crypto.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

#include "mod_wcs.h"
#include "mod_wcs_config.h"
#include "wcs_authnreq.h"
#include "wcs_identity.h"
#include "wcs_session.h"
#include "wcs_url.h"

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
    c->provision = 1;
    c->guests = 1;
    c->login_timeout = WCS_LOGIN_TIMEOUT_DEFAULT;
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
    MERGE(events);
    MERGE(default_relay_state);
    MERGE(directory);
    MERGE(provision);
    MERGE(license);
    MERGE(guests);
    MERGE(login_timeout);
    MERGE(sign_key);
    return c;
}

void *wcs_create_dir_conf(apr_pool_t *p, char *dir)
{
    wcs_dir_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->default_target = WCS_DEFAULT_TARGET_DEFAULT;
    c->unsolicited = 1;
    return c;
}

void *wcs_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    wcs_dir_conf_t *base = basev, *add = addv;
    wcs_dir_conf_t *c = apr_pcalloc(p, sizeof(*c));

    MERGE(error_url);
    MERGE(default_target);
    MERGE(export_headers);
    MERGE(login_idp);
    c->login_off = add->login_idp_set ? add->login_off : base->login_off;
    MERGE(unsolicited);
    return c;
}

wcs_srv_conf_t *wcs_cfg_srv(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config,
                                &webcast_saml_module);
}

/* --- small parsers ----------------------------------------------------- */

const char *wcs_cfg_enum(cmd_parms *cmd, const wcs_cfg_enum_t *table,
                              const char *arg, int *out)
{
    const wcs_cfg_enum_t *e;
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
const char *wcs_cfg_number(cmd_parms *cmd, const char *arg,
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

apr_array_header_t *wcs_cfg_words(cmd_parms *cmd, const char *line)
{
    apr_array_header_t *words = apr_array_make(cmd->pool, 2,
                                               sizeof(const char *));
    const char *word;

    while (*(word = ap_getword_conf(cmd->pool, &line))) {
        APR_ARRAY_PUSH(words, const char *) = word;
    }
    return words;
}

int wcs_cfg_local_path(const char *s)
{
    return wcs_url_local_path(s);
}

const char *wcs_cfg_target(cmd_parms *cmd, const char *arg)
{
    if (wcs_url_target_valid(arg, cmd->temp_pool)) {
        return NULL;
    }
    return apr_psprintf(cmd->pool, "%s: \"%s\" is neither a local path "
                        "(/...) nor an absolute http(s) URL",
                        cmd->cmd->name, arg);
}

/* --- per-vhost setters -------------------------------------------------- */

const char *wcs_set_sp_entity_id(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);

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
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
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
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    char *path = apr_pstrdup(cmd->pool, arg);
    apr_size_t len = strlen(path);

    while (len > 1 && path[len - 1] == '/') {
        path[--len] = '\0';
    }
    if (!wcs_cfg_local_path(path) || len < 2 || strpbrk(path, "?#")) {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not a local URL path "
                            "such as /saml", cmd->cmd->name, arg);
    }
    sc->endpoint_path = path;
    sc->endpoint_path_set = 1;
    return NULL;
}

const char *wcs_set_signed_parts(cmd_parms *cmd, void *dc, const char *arg)
{
    static const wcs_cfg_enum_t parts[] = {
        { "either", WCS_SIGNED_EITHER },
        { "assertion", WCS_SIGNED_ASSERTION },
        { "response", WCS_SIGNED_RESPONSE },
        { "both", WCS_SIGNED_BOTH },
        { NULL, 0 }
    };
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    const char *err = wcs_cfg_enum(cmd, parts, arg, &sc->signed_parts);

    sc->signed_parts_set = !err;
    return err;
}

const char *wcs_set_clock_skew(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    apr_int64_t n;
    const char *err = wcs_cfg_number(cmd, arg, 0,
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
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    apr_int64_t n;
    const char *err = wcs_cfg_number(
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
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    apr_int64_t n;
    const char *err = wcs_cfg_number(cmd, arg, WCS_MAX_RESPONSE_MIN,
                                   WCS_MAX_RESPONSE_MAX, &n);

    if (!err) {
        sc->max_response_size = (apr_size_t)n;
        sc->max_response_size_set = 1;
    }
    return err;
}

const char *wcs_set_email_attribute(cmd_parms *cmd, void *dc,
                                    const char *arg)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);

    sc->email_attribute = arg;
    sc->email_attribute_set = 1;
    return NULL;
}

const char *wcs_set_attr_map(cmd_parms *cmd, void *dc, const char *saml,
                             const char *env)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
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
