/*
 * mod_wcs_floor: the benchmark's floor inside httpd.  A handler that does
 * the work of a sign-in and nothing else (bench/floor_work.c: base64,
 * parse, XML-DSig verification with the key loaded once) on a POSTed
 * SAMLResponse, then answers as a sign-in does: 303 and a cookie.  No
 * checks, no session, no replay cache: bench/run.sh measures it beside
 * the module in the same httpd, so that the request around a sign-in is
 * counted alike in both.  Never installed; not a SAML SP.
 *
 *   LoadModule wcs_floor_module .../mod_wcs_floor.so   (after the module:
 *                                  mod_webcast_saml initialises libxml2
 *                                  and xmlsec)
 *   WcsFloorCert idp.pem
 *   <Location /floor> SetHandler wcs-floor </Location>
 *
 * The handler wcs-floor-post does the same without the SAML work: the
 * POST is read, its SAMLResponse found and unescaped, and the 303 with a
 * cookie sent.  That is the HTTP part of a sign-in, the one a static page
 * (a small GET) does not have: a body of several kilobytes to receive.
 */
#include <string.h>

#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>

#include <xmlsec/keys.h>

#include "floor_work.h"

module AP_MODULE_DECLARE_DATA wcs_floor_module;

#define FLOOR_BODY_MAX (1024 * 1024)

typedef struct {
    xmlSecKeyPtr key;
} floor_conf_t;

static void *create_conf(apr_pool_t *p, server_rec *s)
{
    return apr_pcalloc(p, sizeof(floor_conf_t));
}

static apr_status_t key_cleanup(void *key)
{
    xmlSecKeyDestroy(key);
    return APR_SUCCESS;
}

static const char *set_cert(cmd_parms *cmd, void *dc, const char *arg)
{
    floor_conf_t *c = ap_get_module_config(cmd->server->module_config,
                                           &wcs_floor_module);
    const char *path = ap_server_root_relative(cmd->temp_pool, arg);

    if (!path || !(c->key = floor_load_key(path))) {
        return apr_psprintf(cmd->pool, "WcsFloorCert: cannot load a public "
                            "key from %s", arg);
    }
    apr_pool_cleanup_register(cmd->pool, c->key, key_cleanup,
                              apr_pool_cleanup_null);
    return NULL;
}

/* The body, NUL-terminated, or NULL (over FLOOR_BODY_MAX, or unread),
 * through httpd's client-block reader. */
static char *read_body(request_rec *r, apr_size_t *len)
{
    char *out = apr_palloc(r->pool, FLOOR_BODY_MAX + 1);
    apr_size_t used = 0;
    long n = 0;

    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK) {
        return NULL;
    }
    if (ap_should_client_block(r)) {
        while (used < FLOOR_BODY_MAX
               && (n = ap_get_client_block(r, out + used,
                                           FLOOR_BODY_MAX - used)) > 0) {
            used += (apr_size_t)n;
        }
    }
    if (n < 0 || used == FLOOR_BODY_MAX) {
        return NULL;
    }
    out[used] = '\0';
    *len = used;
    return out;
}

static int floor_handler(request_rec *r)
{
    floor_conf_t *c = ap_get_module_config(r->server->module_config,
                                           &wcs_floor_module);
    char *body, *field, *next, *value = NULL;
    const char *why;
    apr_size_t len;
    long sigs = 0;
    int work = r->handler && !strcmp(r->handler, "wcs-floor");

    if (!work && (!r->handler || strcmp(r->handler, "wcs-floor-post"))) {
        return DECLINED;
    }
    if (r->method_number != M_POST || !c->key) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (!(body = read_body(r, &len))) {
        return HTTP_BAD_REQUEST;
    }
    for (field = body; field && !value; field = next) {
        next = strchr(field, '&');
        if (next) {
            *next++ = '\0';
        }
        if (!strncmp(field, "SAMLResponse=", 13)) {
            value = field + 13;
        }
    }
    if (!value || ap_unescape_urlencoded(value) != OK) {
        return HTTP_BAD_REQUEST;
    }
    len = strlen(value);
    why = work ? floor_one(&sigs, value, len,
                           apr_palloc(r->pool, len / 4 * 3 + 1), c->key)
               : NULL;
    if (why) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "wcs_floor: %s", why);
        return HTTP_BAD_REQUEST;
    }
    apr_table_setn(r->err_headers_out, "Set-Cookie", "wcs_floor=1; Path=/");
    apr_table_setn(r->headers_out, "Location", "/pub/index.html");
    return HTTP_SEE_OTHER;
}

static const command_rec floor_cmds[] = {
    AP_INIT_TAKE1("WcsFloorCert", set_cert, NULL, RSRC_CONF,
                  "the IdP certificate (PEM) whose key verifies"),
    { NULL }
};

static void register_hooks(apr_pool_t *p)
{
    ap_hook_handler(floor_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(wcs_floor) = {
    STANDARD20_MODULE_STUFF,
    NULL, NULL, create_conf, NULL, floor_cmds, register_hooks,
    AP_MODULE_FLAG_NONE
};
