/*
 * mod_wcs_startup: what httpd's start-up makes of the directives.  The
 * core is initialised before any directive is read (pre_config), and the
 * check_config pass proves every vhost a complete SP and builds its
 * wcs_sp_t before httpd starts, so that `apachectl configtest` catches
 * what is missing and warns about what is risky.
 */
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

#include "mod_wcs.h"
#include "mod_wcs_config.h"
#include "mod_wcs_directory.h"
#include "mod_wcs_log.h"
#include "mod_wcs_startup.h"
#include "mod_wcs_status.h"
#include "mod_wcs_store.h"
#include "wcs_session.h"
#include "wcs_sp.h"
#include "wcs_xml.h"

APLOG_USE_MODULE(webcast_saml);

int wcs_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    const char *err;

    /* Before any directive is read: the setters parse certificates. */
    if (wcs_xml_init(&err) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, NULL,
                     WCS_LOG_TAG "01001: %s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    wcs_store_init();
    wcs_log_install();
    wcs_directory_pre_config(pconf);
    return wcs_store_pre_config(pconf);
}

static const char *vhost_name(const server_rec *vs, apr_pool_t *p)
{
    return apr_psprintf(p, "%s:%u", vs->server_hostname
                        ? vs->server_hostname : "*", vs->port);
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

/* What the directives of vhost vs say, for the core's builder. */
static void sp_desc(wcs_sp_desc_t *d, const server_rec *vs,
                    const wcs_srv_conf_t *sc,
                    const apr_array_header_t *session_keys, apr_pool_t *p)
{
    wcs_sp_desc_init(d);
    d->name = apr_pstrcat(p, "vhost ", vhost_name(vs, p), NULL);
    d->entity_id = sc->sp_entity_id_set ? sc->sp_entity_id : NULL;
    d->acs_url = sc->acs_url;
    d->idps = sc->idps;
    d->sha1_idps = sc->sha1_idps;
    d->idp_domains = sc->idp_domains;
    d->signed_parts = sc->signed_parts;
    d->clock_skew = sc->clock_skew;
    d->max_assertion_age = sc->max_assertion_age;
    d->max_response_bytes = sc->max_response_size;
    d->email_attr = sc->email_attribute;
    d->attr_map = sc->attr_map;
    d->session_lifetime = sc->session_lifetime;
    d->session_keys = session_keys;
    d->events = sc->events;
    d->default_relay_state = sc->default_relay_state;
    d->sign_key = sc->sign_key;
    if (d->entity_id) {
        d->site_id = site_id(vs, sc, p);
    }
}

/* Every IdP that WebcastSAMLAllowSHA1 or WebcastSAMLIdPEmailDomains names
 * must be one of the vhost's IdPs, in every vhost before any is built. */
static apr_status_t check_idp_names(server_rec *s, const char **err,
                                    apr_pool_t *p)
{
    server_rec *vs;
    wcs_sp_desc_t desc;

    for (vs = s; vs; vs = vs->next) {
        sp_desc(&desc, vs, ap_get_module_config(vs->module_config,
                                                &webcast_saml_module),
                NULL, p);
        if (wcs_sp_check_idp_names(err, &desc, p) != APR_SUCCESS) {
            return APR_EINVAL;
        }
    }
    return APR_SUCCESS;
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

/* An IdP that wants signed AuthnRequests refuses this SP's unsigned ones:
 * say so at configtest (its IdP-initiated sign-ins still work). */
static void warn_unsigned_requests(server_rec *vs, const wcs_srv_conf_t *sc,
                                   apr_pool_t *p)
{
    apr_hash_index_t *hi;

    if (sc->sign_key) {
        return;
    }
    for (hi = apr_hash_first(p, sc->idps); hi; hi = apr_hash_next(hi)) {
        const wcs_idp_t *idp = apr_hash_this_val(hi);

        if (idp->wants_signed_requests && idp->sso_redirect) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, vs,
                         WCS_LOG_TAG "01011: vhost %s: IdP %s wants signed "
                         "AuthnRequests (WantAuthnRequestsSigned), and %s is "
                         "not set: it will refuse the sign-ins this SP "
                         "starts",
                         vhost_name(vs, p), idp->entity_id,
                         WCS_CMD_SIGNING_KEY);
        }
    }
}

static apr_status_t build_sp(wcs_srv_conf_t *sc, const char **err,
                             const wcs_sp_desc_t *desc, apr_pool_t *p)
{
    wcs_sp_t *sp;

    if (wcs_sp_build(&sp, err, desc, p) != APR_SUCCESS) {
        return APR_EINVAL;
    }
    if (!strcmp(sc->cookie_samesite, "None")
        && sc->cookie_secure == WCS_SECURE_OFF) {
        *err = WCS_CMD_COOKIE_SAMESITE " None needs a Secure cookie, but "
               WCS_CMD_COOKIE_SECURE " is off";
        return APR_EINVAL;
    }
    sc->sp = sp;
    sc->acs_path = apr_pstrcat(p, sc->endpoint_path, "/acs", NULL);
    sc->metadata_path = apr_pstrcat(p, sc->endpoint_path, "/metadata",
                                    NULL);
    return APR_SUCCESS;
}

/* Without WebcastSAMLSessionKeyFile: one random secret, made once per
 * httpd start and kept in the process pool, so that sessions outlive
 * graceful restarts as the cache does.  The key made of it lives in pconf,
 * as keys from files do: its HMAC context is freed by code of this module,
 * which is unloaded before the process pool is destroyed.  Several servers
 * sharing a cache need a key file: each would otherwise refuse the others'
 * sessions. */
#define RANDOM_KEY_NOTE "webcast-saml-random-session-key"

static const apr_array_header_t *session_keys(server_rec *s, apr_pool_t *p)
{
    wcs_srv_conf_t *top = ap_get_module_config(s->module_config,
                                                &webcast_saml_module);
    apr_pool_t *pproc = s->process->pool;
    apr_array_header_t *keys;
    unsigned char *secret = NULL;
    wcs_session_key_t *key;

    if (top->session_keys_set) {
        return top->session_keys;
    }
    apr_pool_userdata_get((void **)&secret, RANDOM_KEY_NOTE, pproc);
    if (!secret) {
        if (wcs_store_sessions_shared()) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         WCS_LOG_TAG "01005: the session cache can be shared "
                         "by several servers, but %s is not set: each server "
                         "seals sessions with a random key of its own and "
                         "refuses the others'", WCS_CMD_SESSION_KEY_FILE);
        }
        secret = apr_palloc(pproc, WCS_SESSION_KEY_MIN);
        if (apr_generate_random_bytes(secret, WCS_SESSION_KEY_MIN)
            != APR_SUCCESS) {
            return NULL;
        }
        apr_pool_userdata_set(secret, RANDOM_KEY_NOTE, apr_pool_cleanup_null,
                              pproc);
    }
    if (wcs_session_key_make(&key, secret, WCS_SESSION_KEY_MIN, "random", p)
        != APR_SUCCESS) {
        return NULL;
    }
    keys = apr_array_make(p, 1, sizeof(wcs_session_key_t *));
    APR_ARRAY_PUSH(keys, wcs_session_key_t *) = key;
    return keys;
}

int wcs_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                     server_rec *s)
{
    const apr_array_header_t *keys = session_keys(s, pconf);
    server_rec *vs;
    const wcs_srv_conf_t *main_sc = ap_get_module_config(s->module_config,
                                                         &webcast_saml_module);
    wcs_sp_desc_t desc;
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
        sp_desc(&desc, vs, sc, keys, pconf);
        if (!wcs_sp_desc_in_use(&desc)) {
            continue;
        }
        if (build_sp(sc, &err, &desc, pconf) != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, vs,
                         WCS_LOG_TAG "01002: vhost %s:%u: %s",
                         vs->server_hostname ? vs->server_hostname : "*",
                         vs->port, err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        warn_unbound_idps(vs, sc, main_sc, ptemp);
        warn_unsigned_requests(vs, sc, ptemp);
    }
    /* At every start and configtest; once a day after that
     * (mod_wcs_status.c, with mod_watchdog). */
    wcs_status_check_certs(s, ptemp);
    return OK;
}
