/*
 * mod_wcs_status: counters in shared memory, the status page and the
 * certificate expiry checks (see mod_wcs_status.h).
 */
#include <apr_atomic.h>
#include <apr_optional.h>
#include <apr_shm.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_main.h>
#include <http_protocol.h>
#include <mod_watchdog.h>

#include "mod_wcs.h"
#include "mod_wcs_config.h"
#include "mod_wcs_log.h"
#include "mod_wcs_status.h"
#include "mod_wcs_store.h"
#include "wcs_idp.h"
#include "wcs_time.h"

APLOG_USE_MODULE(webcast_saml);

/* --- the counters ---------------------------------------------------------- */

#define LAST_REFUSALS 32
#define REASON_MAX 480
#define DAY apr_time_from_sec(24 * 3600)

typedef struct {
    /* The refusal's number + 1 once it is written, 0 while it is being
     * written: a reader copies a slot and keeps it only when this is the
     * number it expected before and after the copy. */
    volatile apr_uint32_t seq;
    apr_time_t when;
    char ref[16];
    char code[4];
    char reason[REASON_MAX];
} refusal_t;

/* Fixed size, no pointers: it lives in shared memory. */
typedef struct {
    apr_time_t started;
    volatile apr_uint32_t logins;
    volatile apr_uint32_t started_signins;
    volatile apr_uint32_t refused[WCS_CODE_COUNT];
    volatile apr_uint32_t next;  /* refusals recorded, ever */
    refusal_t last[LAST_REFUSALS];
} counters_t;

#define KEPT_KEY "webcast-saml-status"

/* In shared memory made in the process pool: a graceful restart keeps
 * the counts, "since start" is since httpd started. */
static counters_t *counters;

void wcs_status_login(void)
{
    if (counters) {
        apr_atomic_inc32(&counters->logins);
    }
}

void wcs_status_started(void)
{
    if (counters) {
        apr_atomic_inc32(&counters->started_signins);
    }
}

void wcs_status_refused(request_rec *r, wcs_code_t code, const char *reason)
{
    apr_uint32_t n;
    refusal_t *slot;

    if (!counters || code <= WCS_CODE_NONE || code >= WCS_CODE_COUNT) {
        return;
    }
    apr_atomic_inc32(&counters->refused[code]);
    n = apr_atomic_inc32(&counters->next);
    slot = &counters->last[n % LAST_REFUSALS];
    apr_atomic_set32(&slot->seq, 0);
    slot->when = apr_time_now();
    apr_cpystrn(slot->ref, wcs_req(r)->ref, sizeof(slot->ref));
    apr_cpystrn(slot->code, wcs_code_str(code), sizeof(slot->code));
    apr_cpystrn(slot->reason, reason ? reason : "", sizeof(slot->reason));
    apr_atomic_set32(&slot->seq, n + 1);
}

/* The last refusals, newest first, copied out of shared memory. */
static apr_array_header_t *last_refusals(apr_pool_t *p)
{
    apr_array_header_t *out = apr_array_make(p, LAST_REFUSALS,
                                             sizeof(refusal_t));
    apr_uint32_t next = apr_atomic_read32(&counters->next), n, i;

    for (i = 0; i < LAST_REFUSALS && i < next; i++) {
        refusal_t copy;

        n = next - 1 - i;
        memcpy(&copy, &counters->last[n % LAST_REFUSALS], sizeof(copy));
        if (copy.seq == n + 1
            && apr_atomic_read32(&counters->last[n % LAST_REFUSALS].seq)
               == n + 1) {
            copy.reason[REASON_MAX - 1] = '\0';
            APR_ARRAY_PUSH(out, refusal_t) = copy;
        }
    }
    return out;
}

static apr_status_t make_counters(counters_t **pc, apr_pool_t *pproc)
{
    apr_shm_t *shm;
    const char *file;
    apr_status_t rv;

    rv = apr_shm_create(&shm, sizeof(counters_t), NULL, pproc);
    if (APR_STATUS_IS_ENOTIMPL(rv)) {
        file = ap_runtime_dir_relative(pproc, "webcast_saml_status.shm");
        apr_shm_remove(file, pproc);
        rv = apr_shm_create(&shm, sizeof(counters_t), file, pproc);
    }
    if (rv == APR_SUCCESS) {
        *pc = apr_shm_baseaddr_get(shm);
        memset(*pc, 0, sizeof(**pc));
        (*pc)->started = apr_time_now();
    }
    return rv;
}

/* --- certificate expiry ---------------------------------------------------- */

/* Call fn for every certificate of every IdP of every SP vhost from s. */
typedef void cert_fn(void *baton, server_rec *vs, const wcs_idp_t *idp,
                     const wcs_idp_key_t *key);

static void each_cert(server_rec *s, cert_fn *fn, void *baton, apr_pool_t *p)
{
    server_rec *vs;

    for (vs = s; vs; vs = vs->next) {
        wcs_srv_conf_t *sc = ap_get_module_config(vs->module_config,
                                                  &webcast_saml_module);
        apr_hash_index_t *hi;
        int k;

        if (!sc->sp) {
            continue;
        }
        for (hi = apr_hash_first(p, sc->sp->idps); hi; hi = apr_hash_next(hi)) {
            const wcs_idp_t *idp = apr_hash_this_val(hi);

            for (k = 0; k < idp->keys->nelts; k++) {
                fn(baton, vs, idp, APR_ARRAY_IDX(idp->keys, k,
                                                 const wcs_idp_key_t *));
            }
        }
    }
}

typedef struct {
    apr_hash_t *seen;
    apr_time_t now;
    apr_pool_t *p;
} expiry_t;

static void check_cert(void *baton, server_rec *vs, const wcs_idp_t *idp,
                       const wcs_idp_key_t *k)
{
    expiry_t *x = baton;
    apr_pool_t *p = x->p;
    apr_time_t now = x->now;
    const char *id = apr_pstrcat(p, idp->entity_id, " ", k->sha256, NULL);

    if (!k->not_after || apr_hash_get(x->seen, id, APR_HASH_KEY_STRING)) {
        return;
    }
    apr_hash_set(x->seen, id, APR_HASH_KEY_STRING, id);
    if (k->not_after <= now) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, vs,
                     WCS_LOG_TAG "01013: the certificate of IdP %s (%s, "
                     "SHA-256 %s, from %s) expired at %s: SAML ignores "
                     "expiry, so its signatures still verify, but the IdP "
                     "has most likely moved to a new key: get its current "
                     "metadata", idp->entity_id, k->subject, k->sha256,
                     k->source, wcs_time_format(k->not_after, p));
    }
    else if (k->not_after - now
             <= apr_time_from_sec(WCS_CERT_WARN_DAYS * 86400)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, vs,
                     WCS_LOG_TAG "01012: the certificate of IdP %s (%s, "
                     "SHA-256 %s, from %s) expires at %s, in %"
                     APR_TIME_T_FMT " days: add the IdP's next certificate "
                     "beside it before then", idp->entity_id, k->subject,
                     k->sha256, k->source,
                     wcs_time_format(k->not_after, p),
                     (k->not_after - now) / DAY);
    }
}

void wcs_status_check_certs(server_rec *s, apr_pool_t *p)
{
    expiry_t x;

    x.seen = apr_hash_make(p);
    x.now = apr_time_now();
    x.p = p;
    each_cert(s, check_cert, &x, p);
}

static APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *wd_get_instance;
static APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *wd_register;

static apr_status_t daily_check(int state, void *data, apr_pool_t *pool)
{
    if (state == AP_WATCHDOG_STATE_RUNNING) {
        wcs_status_check_certs(data, pool);
    }
    return APR_SUCCESS;
}

int wcs_status_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp, server_rec *s)
{
    apr_pool_t *pproc = s->process->pool;
    ap_watchdog_t *wd;
    counters_t *kept = NULL;
    apr_status_t rv;

    apr_pool_userdata_get((void **)&kept, KEPT_KEY, pproc);
    if (!kept) {
        rv = make_counters(&kept, pproc);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, WCS_LOG_TAG "01014: "
                         "cannot make the shared memory of the status "
                         "counters");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        apr_pool_userdata_set(kept, KEPT_KEY, apr_pool_cleanup_null, pproc);
    }
    counters = kept;
    /* Once a day in one child (the check at start is check_config's). */
    wd_get_instance = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    wd_register = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    if (wd_get_instance && wd_register
        && wd_get_instance(&wd, "webcast-saml", 0, 1, pconf) == APR_SUCCESS) {
        wd_register(wd, DAY, s, daily_check);
    }
    return OK;
}

/* --- the page -------------------------------------------------------------- */

typedef enum { AS_HTML, AS_JSON, AS_PROMETHEUS } format_t;

/* The length of the valid UTF-8 sequence at s, or 0. */
static int utf8_len(const unsigned char *s)
{
    int n, i;

    if (s[0] < 0x80) {
        return 1;
    }
    n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 && s[0] < 0xF0 ? 3
        : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return n;
}

/* s as a JSON string: quotes, backslashes and control characters escaped,
 * a byte that is not UTF-8 replaced (U+FFFD), so that the output is JSON
 * whatever a reason quotes. */
static const char *json_str(const char *s, apr_pool_t *p)
{
    const unsigned char *c = (const unsigned char *)(s ? s : "");
    char *out = apr_palloc(p, 6 * strlen((const char *)c) + 3), *o = out;
    int n;

    *o++ = '"';
    while (*c) {
        if (*c == '"' || *c == '\\') {
            *o++ = '\\';
            *o++ = (char)*c++;
        }
        else if (*c < 0x20 || *c == 0x7F) {
            o += apr_snprintf(o, 7, "\\u%04x", *c++);
        }
        else if ((n = utf8_len(c)) > 0) {
            memcpy(o, c, (apr_size_t)n);
            o += n;
            c += n;
        }
        else {
            memcpy(o, "\\ufffd", 6);
            o += 6;
            c++;
        }
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static const char *prom_label(const char *s, apr_pool_t *p)
{
    apr_size_t n = 0;
    const char *c;
    char *out, *o;

    for (c = s; *c; c++) {
        n += (*c == '\\' || *c == '"' || *c == '\n') ? 2 : 1;
    }
    o = out = apr_palloc(p, n + 1);
    for (c = s; *c; c++) {
        if (*c == '\\' || *c == '"') {
            *o++ = '\\';
            *o++ = *c;
        }
        else if (*c == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        }
        else {
            *o++ = *c;
        }
    }
    *o = '\0';
    return out;
}

static const char *vhost_label(const server_rec *vs, apr_pool_t *p)
{
    return apr_psprintf(p, "%s:%u", vs->server_hostname ? vs->server_hostname
                                                        : "*", vs->port);
}

static void page_json(request_rec *r, const wcs_store_desc_t *st,
                      apr_time_t now)
{
    apr_array_header_t *last = last_refusals(r->pool);
    server_rec *vs;
    int i, first;
    wcs_code_t c;

    ap_rprintf(r, "{\"started\":%s,\"uptime_seconds\":%" APR_TIME_T_FMT
               ",\"logins\":%u,\"sign_ins_started\":%u,\"refusals\":{",
               json_str(wcs_time_format(counters->started, r->pool), r->pool),
               apr_time_sec(now - counters->started),
               apr_atomic_read32(&counters->logins),
               apr_atomic_read32(&counters->started_signins));
    for (c = WCS_CODE_NONE + 1; c < WCS_CODE_COUNT; c++) {
        ap_rprintf(r, "%s\"%s\":%u", c == WCS_CODE_NONE + 1 ? "" : ",",
                   wcs_code_str(c), apr_atomic_read32(&counters->refused[c]));
    }
    ap_rputs("},\"last_refusals\":[", r);
    for (i = 0; i < last->nelts; i++) {
        const refusal_t *f = &APR_ARRAY_IDX(last, i, refusal_t);

        ap_rprintf(r, "%s{\"time\":%s,\"ref\":%s,\"code\":%s,\"reason\":%s}",
                   i ? "," : "",
                   json_str(wcs_time_format(f->when, r->pool), r->pool),
                   json_str(f->ref, r->pool), json_str(f->code, r->pool),
                   json_str(f->reason, r->pool));
    }
    ap_rputs("],\"sites\":[", r);
    first = 1;
    for (vs = ap_server_conf; vs; vs = vs->next) {
        wcs_srv_conf_t *sc = ap_get_module_config(vs->module_config,
                                                  &webcast_saml_module);
        apr_hash_index_t *hi;
        int n = 0;

        if (!sc->sp) {
            continue;
        }
        ap_rprintf(r, "%s{\"vhost\":%s,\"entity_id\":%s,\"idps\":[",
                   first ? "" : ",", json_str(vhost_label(vs, r->pool),
                                              r->pool),
                   json_str(sc->sp->entity_id, r->pool));
        first = 0;
        for (hi = apr_hash_first(r->pool, sc->sp->idps); hi;
             hi = apr_hash_next(hi), n++) {
            const wcs_idp_t *idp = apr_hash_this_val(hi);
            int k;

            ap_rprintf(r, "%s{\"entity_id\":%s,\"source\":%s,"
                       "\"certificates\":[", n ? "," : "",
                       json_str(idp->entity_id, r->pool),
                       json_str(idp->source, r->pool));
            for (k = 0; k < idp->keys->nelts; k++) {
                const wcs_idp_key_t *key = APR_ARRAY_IDX(idp->keys, k,
                                                         const wcs_idp_key_t *);

                ap_rprintf(r, "%s{\"subject\":%s,\"sha256\":%s,"
                           "\"not_after\":%s,\"days_left\":%" APR_TIME_T_FMT
                           "}", k ? "," : "",
                           json_str(key->subject, r->pool),
                           json_str(key->sha256, r->pool),
                           key->not_after
                           ? json_str(wcs_time_format(key->not_after,
                                                      r->pool), r->pool)
                           : "null",
                           key->not_after ? (key->not_after - now) / DAY : 0);
            }
            ap_rputs("]}", r);
        }
        ap_rputs("]}", r);
    }
    ap_rprintf(r, "],\"caches\":{\"sessions\":%s,\"sign_ins\":%s,"
               "\"replay\":{\"provider\":%s",
               json_str(st->sessions, r->pool), json_str(st->logins, r->pool),
               json_str(st->replay, r->pool));
    if (st->replay_counted) {
        ap_rprintf(r, ",\"capacity\":%" APR_UINT64_T_FMT ",\"used\":%"
                   APR_UINT64_T_FMT, st->replay_capacity, st->replay_used);
    }
    ap_rputs("}}}\n", r);
}

static void prom_cert(void *baton, server_rec *vs, const wcs_idp_t *idp,
                      const wcs_idp_key_t *key)
{
    request_rec *r = baton;

    if (key->not_after) {
        ap_rprintf(r, "webcast_saml_idp_certificate_not_after_seconds"
                   "{vhost=\"%s\",idp=\"%s\",sha256=\"%s\"} %"
                   APR_TIME_T_FMT "\n",
                   prom_label(vhost_label(vs, r->pool), r->pool),
                   prom_label(idp->entity_id, r->pool), key->sha256,
                   apr_time_sec(key->not_after));
    }
}

static void html_cert(void *baton, server_rec *vs, const wcs_idp_t *idp,
                      const wcs_idp_key_t *key)
{
    request_rec *r = baton;

    ap_rprintf(r, "<tr><td>%s</td><td>%s</td><td>%s</td>"
               "<td><code>%s</code></td><td>%s</td></tr>",
               ap_escape_html(r->pool, vhost_label(vs, r->pool)),
               ap_escape_html(r->pool, idp->entity_id),
               ap_escape_html(r->pool, key->subject), key->sha256,
               key->not_after ? wcs_time_format(key->not_after, r->pool)
                              : "-");
}

static void page_prometheus(request_rec *r, const wcs_store_desc_t *st)
{
    wcs_code_t c;

    ap_rprintf(r,
        "# HELP webcast_saml_logins_total Sign-ins accepted since httpd "
        "started.\n# TYPE webcast_saml_logins_total counter\n"
        "webcast_saml_logins_total %u\n"
        "# HELP webcast_saml_sign_ins_started_total SP-initiated sign-ins "
        "sent to an IdP since httpd started.\n"
        "# TYPE webcast_saml_sign_ins_started_total counter\n"
        "webcast_saml_sign_ins_started_total %u\n"
        "# HELP webcast_saml_refusals_total Sign-ins refused since httpd "
        "started, by code.\n# TYPE webcast_saml_refusals_total counter\n",
        apr_atomic_read32(&counters->logins),
        apr_atomic_read32(&counters->started_signins));
    for (c = WCS_CODE_NONE + 1; c < WCS_CODE_COUNT; c++) {
        ap_rprintf(r, "webcast_saml_refusals_total{code=\"%s\"} %u\n",
                   wcs_code_str(c), apr_atomic_read32(&counters->refused[c]));
    }
    ap_rprintf(r, "# HELP webcast_saml_start_time_seconds When httpd "
               "started (Unix time).\n"
               "# TYPE webcast_saml_start_time_seconds gauge\n"
               "webcast_saml_start_time_seconds %" APR_TIME_T_FMT "\n",
               apr_time_sec(counters->started));
    ap_rputs("# HELP webcast_saml_idp_certificate_not_after_seconds When "
             "an IdP's signing certificate expires (Unix time).\n"
             "# TYPE webcast_saml_idp_certificate_not_after_seconds gauge\n",
             r);
    each_cert(ap_server_conf, prom_cert, r, r->pool);
    if (st->replay_counted) {
        ap_rprintf(r, "# HELP webcast_saml_replay_cache_entries Entries the "
                   "replay cache counts against its capacity.\n"
                   "# TYPE webcast_saml_replay_cache_entries gauge\n"
                   "webcast_saml_replay_cache_entries %" APR_UINT64_T_FMT "\n"
                   "# HELP webcast_saml_replay_cache_capacity Entries the "
                   "replay cache keeps without refusing (4l).\n"
                   "# TYPE webcast_saml_replay_cache_capacity gauge\n"
                   "webcast_saml_replay_cache_capacity %" APR_UINT64_T_FMT
                   "\n", st->replay_used, st->replay_capacity);
    }
}

static void page_html(request_rec *r, const wcs_store_desc_t *st,
                      apr_time_t now)
{
    apr_array_header_t *last = last_refusals(r->pool);
    wcs_code_t c;
    int i;

    ap_rprintf(r, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
               "charset=\"utf-8\"><title>mod_webcast_saml status</title>"
               "</head><body><h1>mod_webcast_saml status</h1>"
               "<p>Since %s (%" APR_TIME_T_FMT " s): <strong>%u</strong> "
               "sign-ins, %u sign-ins started at an IdP.</p>"
               "<h2>Refusals by code</h2><table><tr><th>code</th>"
               "<th>count</th><th>meaning</th></tr>",
               wcs_time_format(counters->started, r->pool),
               apr_time_sec(now - counters->started),
               apr_atomic_read32(&counters->logins),
               apr_atomic_read32(&counters->started_signins));
    for (c = WCS_CODE_NONE + 1; c < WCS_CODE_COUNT; c++) {
        ap_rprintf(r, "<tr><td>%s</td><td>%u</td><td>%s</td></tr>",
                   wcs_code_str(c), apr_atomic_read32(&counters->refused[c]),
                   ap_escape_html(r->pool, wcs_code_text(c)));
    }
    ap_rputs("</table><h2>Last refusals</h2><table><tr><th>time</th>"
             "<th>ref</th><th>code</th><th>reason</th></tr>", r);
    for (i = 0; i < last->nelts; i++) {
        const refusal_t *f = &APR_ARRAY_IDX(last, i, refusal_t);

        ap_rprintf(r, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                   "</tr>", wcs_time_format(f->when, r->pool),
                   ap_escape_html(r->pool, f->ref),
                   ap_escape_html(r->pool, f->code),
                   ap_escape_html(r->pool, f->reason));
    }
    ap_rputs("</table><h2>IdP certificates</h2><table><tr><th>site</th>"
             "<th>IdP</th><th>subject</th><th>SHA-256</th><th>expires</th>"
             "</tr>", r);
    each_cert(ap_server_conf, html_cert, r, r->pool);
    ap_rprintf(r, "</table><h2>Caches</h2><ul><li>sessions: %s</li>"
               "<li>sign-ins in progress: %s</li><li>replay: %s",
               ap_escape_html(r->pool, st->sessions ? st->sessions : "-"),
               ap_escape_html(r->pool, st->logins ? st->logins : "-"),
               ap_escape_html(r->pool, st->replay ? st->replay : "-"));
    if (st->replay_counted) {
        ap_rprintf(r, " (%" APR_UINT64_T_FMT " of %" APR_UINT64_T_FMT
                   " entries)", st->replay_used, st->replay_capacity);
    }
    ap_rputs("</li></ul></body></html>\n", r);
}

int wcs_status_handler(request_rec *r)
{
    wcs_store_desc_t st;
    format_t as = AS_HTML;
    apr_time_t now = apr_time_now();

    if (!r->handler || strcmp(r->handler, WCS_STATUS_HANDLER)) {
        return DECLINED;
    }
    r->allowed |= (AP_METHOD_BIT << M_GET);
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (!counters) {
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (r->args && !strcmp(r->args, "json")) {
        as = AS_JSON;
    }
    else if (r->args && !strcmp(r->args, "prometheus")) {
        as = AS_PROMETHEUS;
    }
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    ap_set_content_type(r, as == AS_JSON ? "application/json"
                        : as == AS_PROMETHEUS
                        ? "text/plain; version=0.0.4; charset=utf-8"
                        : "text/html; charset=utf-8");
    if (r->header_only) {
        return OK;
    }
    wcs_store_describe(&st, now);
    switch (as) {
    case AS_JSON:
        page_json(r, &st, now);
        break;
    case AS_PROMETHEUS:
        page_prometheus(r, &st);
        break;
    default:
        page_html(r, &st, now);
    }
    return OK;
}
