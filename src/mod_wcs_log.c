/*
 * mod_wcs_log: the request context (ref and logger) and the core's log
 * printer.  The core formats "[ref X] message"; the printer puts it in
 * the vhost's error log under this module's LogLevel.
 */
#include <apr_escape.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

#include "mod_wcs.h"
#include "mod_wcs_log.h"

APLOG_USE_MODULE(webcast_saml);

#define REF_BYTES 6

static void log_print(void *baton, const char *file, int line,
                      wcs_log_level_t level, const char *msg)
{
    request_rec *r = baton;

    ap_log_rerror_(file, line, APLOG_MODULE_INDEX, (int)level, 0, r,
                   WCS_LOG_TAG ": %s", msg);
}

static int log_is_level(void *baton, wcs_log_level_t level)
{
    request_rec *r = baton;

    return APLOG_R_MODULE_IS_LEVEL(r, APLOG_MODULE_INDEX, (int)level);
}

void wcs_log_install(void)
{
    wcs_log_set(log_print, log_is_level);
}

static const char *new_ref(apr_pool_t *p)
{
    unsigned char raw[REF_BYTES];
    char *ref = apr_palloc(p, 2 * REF_BYTES + 1);

    /* A correlation ID, not a secret: the fast generator is enough. */
    ap_random_insecure_bytes(raw, sizeof(raw));
    apr_escape_hex(ref, raw, sizeof(raw), 0, NULL);
    return ref;
}

const request_rec *wcs_req_parent(const request_rec *r)
{
    return r->main ? r->main : r->prev;
}

static wcs_req_t *req_make(request_rec *r, const char *ref)
{
    wcs_req_t *req = apr_pcalloc(r->pool, sizeof(*req));

    req->ref = ref ? ref : new_ref(r->pool);
    req->lg = apr_pcalloc(r->pool, sizeof(*req->lg));
    req->lg->baton = r;
    req->lg->ref = req->ref;
    ap_set_module_config(r->request_config, &webcast_saml_module, req);
    return req;
}

/* Made when first asked for (most requests never write a line): one made
 * for a sub-request or an internal redirect is made on the request that
 * started them first, so that all of them share its ref. */
wcs_req_t *wcs_req(request_rec *r)
{
    wcs_req_t *req = ap_get_module_config(r->request_config,
                                          &webcast_saml_module);
    request_rec *q, *root = r;
    const wcs_req_t *parent = NULL;

    if (req) {
        return req;
    }
    for (q = r; q && !parent; q = (request_rec *)wcs_req_parent(q)) {
        parent = ap_get_module_config(q->request_config,
                                      &webcast_saml_module);
        root = q;
    }
    if (!parent && root != r) {
        parent = req_make(root, NULL);
    }
    return req_make(r, parent ? parent->ref : NULL);
}
