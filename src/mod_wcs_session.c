/*
 * mod_wcs_session: the session as httpd carries it, the cookie written
 * at sign-in and taken out of each request, and the directives of
 * sessions and their cookie.  The records themselves are made and
 * checked by the core (wcs_session.c) in the store (mod_wcs_store.c).
 */
#include <apr_strings.h>
#include <apr_lib.h>
#include <openssl/crypto.h>

#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <util_cookies.h>

#include "mod_wcs.h"
#include "mod_wcs_config.h"
#include "mod_wcs_log.h"
#include "mod_wcs_session.h"
#include "wcs_session.h"
#include "wcs_str.h"

/* r->notes: the session cookie's value once the cookie is out of the
 * request's headers. */
#define NOTE_COOKIE "webcast-saml-cookie"
/* The sign-in cookie's, likewise ("" when there was none). */
#define NOTE_LOGIN_COOKIE "webcast-saml-login-cookie"

static int cookie_secure(request_rec *r, const wcs_srv_conf_t *sc,
                         const char *acs_url)
{
    if (!strcmp(sc->cookie_samesite, "None")
        || sc->cookie_secure == WCS_SECURE_ON) {
        return 1;
    }
    if (sc->cookie_secure == WCS_SECURE_OFF) {
        return 0;
    }
    return !strcasecmp(ap_http_scheme(r), "https")
           || !strncasecmp(acs_url, "https:", 6);
}

void wcs_cookie_set(request_rec *r, const wcs_srv_conf_t *sc,
                    const char *acs_url, const char *id)
{
    const char *attrs = apr_pstrcat(r->pool, "Path=/;HttpOnly;SameSite=",
                                    sc->cookie_samesite,
                                    cookie_secure(r, sc, acs_url)
                                    ? ";Secure" : "", NULL);

    /* err_headers_out: the redirect is sent as an error response, which
     * keeps only those. */
    ap_cookie_write(r, sc->cookie_name, id, attrs, 0, r->err_headers_out,
                    NULL);
}

/* The sign-in cookie: the vhost's cookie name and this. */
#define LOGIN_COOKIE_SUFFIX "_login"

void wcs_login_cookie_set(request_rec *r, const wcs_srv_conf_t *sc,
                          const char *acs_url, const char *token)
{
    /* The IdP posts to the ACS cross-site.  Over https the cookie goes
     * with that POST (SameSite=None needs Secure); over http a browser
     * keeps a Lax one from it, and the ACS has the browser post again
     * from this site (WCS_ERESUBMIT), which sends it. */
    int secure = cookie_secure(r, sc, acs_url);
    const char *attrs = apr_psprintf(r->pool, "Path=/;HttpOnly;Max-Age=%"
                                     APR_TIME_T_FMT ";SameSite=%s",
                                     apr_time_sec(sc->login_timeout),
                                     secure ? "None;Secure" : "Lax");

    ap_cookie_write(r, apr_pstrcat(r->pool, sc->cookie_name,
                                   LOGIN_COOKIE_SUFFIX, NULL),
                    token, attrs, 0, r->err_headers_out, NULL);
}

const char *wcs_login_cookie_take(request_rec *r, const wcs_srv_conf_t *sc)
{
    const char *token = apr_table_get(r->notes, NOTE_LOGIN_COOKIE);

    if (token) {
        return *token ? token : NULL;    /* taken out already */
    }
    ap_cookie_read(r, apr_pstrcat(r->pool, sc->cookie_name,
                                  LOGIN_COOKIE_SUFFIX, NULL), &token, 1);
    apr_table_setn(r->notes, NOTE_LOGIN_COOKIE, token ? token : "");
    return token;
}

const char *wcs_cookie_take(request_rec *r)
{
    wcs_srv_conf_t *sc = ap_get_module_config(r->server->module_config,
                                              &webcast_saml_module);
    const request_rec *q;
    const char *id = apr_table_get(r->notes, NOTE_COOKIE);

    if (id) {
        return id;               /* taken out of this request already */
    }
    ap_cookie_read(r, sc->cookie_name, &id, 1);
    if (id) {
        apr_table_setn(r->notes, NOTE_COOKIE, id);
        return id;
    }
    for (q = r; q; q = wcs_req_parent(q)) {
        id = apr_table_get(q->notes, NOTE_COOKIE);
        if (id) {
            return id;
        }
    }
    return NULL;
}

/* --- directives ---------------------------------------------------------- */

const char *wcs_set_session_lifetime(cmd_parms *cmd, void *dc,
                                     const char *arg)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    apr_int64_t n;
    const char *err = wcs_cfg_number(cmd, arg,
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
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
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
    static const wcs_cfg_enum_t values[] = {
        { "Lax", 0 }, { "Strict", 1 }, { "None", 2 }, { NULL, 0 }
    };
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    int v;
    const char *err = wcs_cfg_enum(cmd, values, arg, &v);

    if (!err) {
        sc->cookie_samesite = values[v].name;
        sc->cookie_samesite_set = 1;
    }
    return err;
}

const char *wcs_set_cookie_secure(cmd_parms *cmd, void *dc, const char *arg)
{
    static const wcs_cfg_enum_t values[] = {
        { "auto", WCS_SECURE_AUTO }, { "on", WCS_SECURE_ON },
        { "off", WCS_SECURE_OFF }, { NULL, 0 }
    };
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    const char *err = wcs_cfg_enum(cmd, values, arg, &sc->cookie_secure);

    sc->cookie_secure_set = !err;
    return err;
}

const char *wcs_set_session_keys(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
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
