/*
 * mod_wcs_idp: the directives that say which IdPs a vhost trusts and
 * what each may do: metadata files or an entity ID with certificates,
 * SHA-1 allowance, email domains.  The IdP records are the core's
 * (wcs_idp.c); a vhost's table is made into its SP at start-up.
 */
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>

#include "mod_wcs.h"
#include "mod_wcs_config.h"
#include "mod_wcs_idp.h"
#include "wcs_identity.h"
#include "wcs_idp.h"
#include "wcs_str.h"

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
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
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
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
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
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);

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
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    apr_array_header_t *list;
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
        APR_ARRAY_PUSH(list, const char *) = wcs_str_lower(argv[i],
                                                            cmd->pool);
    }
    return NULL;
}
