/*
 * webcast-saml-check: judge a captured SAMLResponse offline, as
 * mod_webcast_saml would judge it, with the module's own core
 * (src/libwcs.la) and its own directives; or write a sample response for
 * an IdP's developers.  See webcast-saml-check(1).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "wcs_check.h"
#include "wcs_conf.h"
#include "wcs_log.h"
#include "wcs_names.h"
#include "wcs_result.h"
#include "wcs_store.h"
#include "wcs_time.h"
#include "wcs_xml.h"

#define PROG "webcast-saml-check"

/* Exit statuses: the verdict, or why there is none. */
#define EXIT_ACCEPTED 0
#define EXIT_REFUSED 1
#define EXIT_USAGE 2

/* A capture is a response of at most WebcastSAMLMaxResponseSize's
 * largest value, base64 and form-encoded. */
#define CAPTURE_MAX (3 * 16 * 1024 * 1024)

static void usage(FILE *out)
{
    fputs("Usage: " PROG " [options] [FILE|-]\n"
          "       " PROG " --sample [options]\n"
          "Judge a captured SAMLResponse (base64, form body or XML; FILE or\n"
          "stdin) as mod_webcast_saml would, or write a sample response.\n"
          "  --config FILE          WebcastSAML* directives of the vhost\n"
          "  --server-root DIR      relative paths in FILE are from DIR\n"
          "  --sp-entity-id ID      " WCS_CMD_SP_ENTITY_ID "\n"
          "  --acs-url URL          " WCS_CMD_ACS_URL "\n"
          "  --idp-metadata FILE    " WCS_CMD_IDP_METADATA "\n"
          "  --idp ENTITY CERTFILE  " WCS_CMD_IDP "\n"
          "  --allow-sha1 ENTITY    " WCS_CMD_ALLOW_SHA1 "\n"
          "  --signed-parts WHAT    " WCS_CMD_SIGNED_PARTS "\n"
          "  --email-attribute NAME " WCS_CMD_EMAIL_ATTRIBUTE "\n"
          "  --event-map FILE       " WCS_CMD_EVENT_MAP "\n"
          "  --relay-state RS       the RelayState posted with it\n"
          "  --now TIME             judge at TIME (2026-11-25T08:58:02Z)\n"
          "  --in-response-to ID    as if request ID were outstanding\n"
          "  --json                 the report as JSON\n"
          "  -v, --verbose          the module's WCS: log lines on stderr\n"
          "  --sample               write a sample response (unsigned)\n"
          "  --email ADDR           its NameID (default "
          "alice@example.com)\n"
          "  --attribute NAME=VALUE one of its attributes (repeatable)\n"
          "  --issuer ENTITY        the IdP it is from\n"
          "Exit status: 0 accepted, 1 refused, 2 usage or configuration.\n",
          out);
}

static void log_print(void *baton, const char *file, int line,
                      wcs_log_level_t level, const char *msg)
{
    fprintf(stderr, "WCS: %s\n", msg);
}

/* --- JSON ---------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s, or 0. */
static int utf8_len(const unsigned char *s)
{
    int n, i;

    if (s[0] < 0x80) {
        return 1;
    }
    n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3
        : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    return n;
}

/* s as a JSON string (null for NULL); bytes that are not UTF-8 become
 * U+FFFD. */
static void json_str(FILE *out, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    int n;

    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    while (*u) {
        if (*u == '"' || *u == '\\') {
            fprintf(out, "\\%c", *u++);
        }
        else if (*u == '\n') {
            fputs("\\n", out);
            u++;
        }
        else if (*u < 0x20 || *u == 0x7f) {
            fprintf(out, "\\u%04x", *u++);
        }
        else if ((n = utf8_len(u)) > 0) {
            fwrite(u, 1, n, out);
            u += n;
        }
        else {
            fputs("\\ufffd", out);
            u++;
        }
    }
    fputc('"', out);
}

static void json_member(FILE *out, const char *key, const char *value,
                        int comma)
{
    json_str(out, key);
    fputs(": ", out);
    json_str(out, value);
    fputs(comma ? ",\n  " : "\n", out);
}

static void print_json(FILE *out, const wcs_check_report_t *rep,
                       apr_time_t now, apr_pool_t *p)
{
    int i;

    fputs("{\n  ", out);
    json_member(out, "input", rep->input, 1);
    json_member(out, "relay_state", rep->relay_state, 1);
    json_member(out, "now", wcs_time_format(now, p), 1);
    fputs("\"checks\": [", out);
    for (i = 0; i < rep->steps->nelts; i++) {
        const wcs_check_step_t *s = &APR_ARRAY_IDX(rep->steps, i,
                                                   wcs_check_step_t);

        fputs(i ? ",\n    {" : "\n    {", out);
        fputs("\"name\": ", out);
        json_str(out, s->name);
        fputs(", \"result\": ", out);
        json_str(out, s->state == WCS_STEP_PASS ? "pass"
                 : s->state == WCS_STEP_FAIL ? "fail"
                 : s->state == WCS_STEP_NOT_APPLICABLE ? "n/a" : "not run");
        fputc('}', out);
    }
    fputs("\n  ],\n  ", out);
    json_member(out, "verdict", rep->accepted ? "accepted" : "refused", 1);
    if (!rep->accepted) {
        json_member(out, "code", wcs_code_str(rep->res.code), 1);
        fprintf(out, "\"http_status\": %d,\n  ",
                wcs_code_http_status(rep->res.code));
        json_member(out, "text", wcs_code_text(rep->res.code), 1);
        json_member(out, "reason", rep->res.reason, 0);
        fputs("}\n", out);
        return;
    }
    json_member(out, "REMOTE_USER", rep->user, 1);
    json_member(out, "idp", rep->idp, 1);
    json_member(out, "assertion_id", rep->assertion_id, 1);
    json_member(out, "signed", rep->signed_parts, 1);
    json_member(out, "in_response_to", rep->answers, 1);
    json_member(out, "event_id", rep->event_id, 1);
    json_member(out, "target", rep->target, 1);
    json_member(out, "session_until",
                wcs_time_format(rep->session_expires, p), 1);
    json_member(out, "not_checked", rep->not_checked, 1);
    fputs("\"variables\": {", out);
    for (i = 0; i < rep->env->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(rep->env, i,
                                                    apr_table_entry_t);

        fputs(i ? ",\n    " : "\n    ", out);
        json_str(out, e->key);
        fputs(": ", out);
        json_str(out, e->val);
    }
    fputs("\n  },\n  \"fields\": [", out);
    for (i = 0; i < rep->fields->nelts; i++) {
        const wcs_check_field_t *f = &APR_ARRAY_IDX(rep->fields, i,
                                                    wcs_check_field_t);

        fputs(i ? ",\n    {" : "\n    {", out);
        fputs("\"variable\": ", out);
        json_str(out, f->env_name);
        fputs(", \"attribute\": ", out);
        json_str(out, f->saml_name);
        fputs(", \"template\": ", out);
        json_str(out, f->template_name);
        fputs(", \"value\": ", out);
        json_str(out, f->value);
        fputc('}', out);
    }
    fputs("\n  ]\n}\n", out);
}

/* --- text ---------------------------------------------------------------- */

static void print_text(FILE *out, const wcs_check_report_t *rep,
                       apr_time_t now, apr_pool_t *p)
{
    int i;

    fprintf(out, "%s capture, RelayState %s%s%s, judged at %s\n", rep->input,
            rep->relay_state ? "\"" : "",
            rep->relay_state ? rep->relay_state : "(none)",
            rep->relay_state ? "\"" : "", wcs_time_format(now, p));
    for (i = 0; i < rep->steps->nelts; i++) {
        const wcs_check_step_t *s = &APR_ARRAY_IDX(rep->steps, i,
                                                   wcs_check_step_t);

        fprintf(out, "  %-8s %s\n", wcs_check_state_str(s->state), s->name);
    }
    if (!rep->accepted) {
        /* The module's WCS02001 line, and what the person is shown. */
        fprintf(out, "refused with code %s: %s\n",
                wcs_code_str(rep->res.code), rep->res.reason);
        fprintf(out, "the person sees: HTTP %d, code %s, \"%s\"\n",
                wcs_code_http_status(rep->res.code),
                wcs_code_str(rep->res.code), wcs_code_text(rep->res.code));
        return;
    }
    fprintf(out, "accepted: login of %s via %s (assertion %s, %s-signed%s%s)"
            "%s%s\n", rep->user, rep->idp,
            rep->assertion_id ? rep->assertion_id : "?",
            rep->signed_parts ? rep->signed_parts : "?",
            rep->answers ? ", answering " : "",
            rep->answers ? rep->answers : "",
            rep->event_id ? " to event " : "",
            rep->event_id ? rep->event_id : "");
    fprintf(out, "lands on: %s\nsession until: %s\n", rep->target,
            wcs_time_format(rep->session_expires, p));
    fprintf(out, "the application receives:\n  REMOTE_USER=%s\n", rep->user);
    for (i = 0; i < rep->env->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(rep->env, i,
                                                    apr_table_entry_t);

        fprintf(out, "  %s=%s\n", e->key, e->val);
    }
    for (i = 0; i < rep->fields->nelts; i++) {
        const wcs_check_field_t *f = &APR_ARRAY_IDX(rep->fields, i,
                                                    wcs_check_field_t);

        if (!f->value) {
            fprintf(out, "not sent: %s (attribute \"%s\"%s%s)\n",
                    f->env_name, f->saml_name,
                    f->template_name ? ", template " : "",
                    f->template_name ? f->template_name : "");
        }
    }
    if (rep->not_checked) {
        fprintf(out, "note: %s\n", rep->not_checked);
    }
}

/* --- options ------------------------------------------------------------- */

typedef struct {
    wcs_conf_t *conf;
    const char *input;           /* file, "-" or NULL: stdin */
    const char *relay_state;
    const char *now;
    const char *in_response_to;
    int json, verbose, sample;
    const char *email;
    const char *issuer;
    apr_table_t *attrs;
} opts_t;

/* Options that are directives: option, directive, arguments. */
static const struct {
    const char *opt;
    const char *directive;
    int args;
} directive_opts[] = {
    { "--sp-entity-id", WCS_CMD_SP_ENTITY_ID, 1 },
    { "--acs-url", WCS_CMD_ACS_URL, 1 },
    { "--idp-metadata", WCS_CMD_IDP_METADATA, 1 },
    { "--idp", WCS_CMD_IDP, 2 },
    { "--allow-sha1", WCS_CMD_ALLOW_SHA1, 1 },
    { "--signed-parts", WCS_CMD_SIGNED_PARTS, 1 },
    { "--email-attribute", WCS_CMD_EMAIL_ATTRIBUTE, 1 },
    { "--event-map", WCS_CMD_EVENT_MAP, 1 },
    { NULL, NULL, 0 }
};

static int fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Say why on stderr; the usage status. */
static int fail(const char *fmt, ...)
{
    va_list ap;

    fputs(PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* Read the options; EXIT_USAGE (said why) or -1 to go on. */
static int read_opts(opts_t *o, int argc, const char *const *argv,
                     apr_pool_t *p)
{
    const char *err, *words[3], *eq, *config = NULL;
    apr_array_header_t *later = apr_array_make(p, 4, sizeof(int));
    int i, d, n;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

#define NEED(k) do { \
            if (i + (k) >= argc) { \
                return fail("%s needs %s", a, (k) == 1 ? "a value" \
                            : "two values"); \
            } \
        } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(EXIT_ACCEPTED);
        }
        else if (!strcmp(a, "--json")) {
            o->json = 1;
        }
        else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o->verbose = 1;
        }
        else if (!strcmp(a, "--sample")) {
            o->sample = 1;
        }
        else if (!strcmp(a, "--config")) {
            NEED(1);
            config = argv[++i];
        }
        else if (!strcmp(a, "--server-root")) {
            NEED(1);
            o->conf->server_root = argv[++i];
        }
        else if (!strcmp(a, "--relay-state")) {
            NEED(1);
            o->relay_state = argv[++i];
        }
        else if (!strcmp(a, "--now")) {
            NEED(1);
            o->now = argv[++i];
        }
        else if (!strcmp(a, "--in-response-to")) {
            NEED(1);
            o->in_response_to = argv[++i];
        }
        else if (!strcmp(a, "--email")) {
            NEED(1);
            o->email = argv[++i];
        }
        else if (!strcmp(a, "--issuer")) {
            NEED(1);
            o->issuer = argv[++i];
        }
        else if (!strcmp(a, "--attribute")) {
            NEED(1);
            a = argv[++i];
            eq = strchr(a, '=');
            if (!eq || eq == a) {
                return fail("--attribute %s: not NAME=VALUE", a);
            }
            apr_table_add(o->attrs, apr_pstrmemdup(p, a, eq - a), eq + 1);
        }
        else if (a[0] == '-' && a[1]) {
            for (d = 0; directive_opts[d].opt; d++) {
                if (!strcmp(a, directive_opts[d].opt)) {
                    break;
                }
            }
            if (!directive_opts[d].opt) {
                return fail("unknown option %s (see --help)", a);
            }
            NEED(directive_opts[d].args);
            /* Applied after the file: an option wins. */
            APR_ARRAY_PUSH(later, int) = i;
            i += directive_opts[d].args;
        }
        else if (!o->input) {
            o->input = a;
        }
        else {
            return fail("one capture at a time (%s and %s)", o->input, a);
        }
    }
    if (config && wcs_conf_read_file(o->conf, &err, config) != APR_SUCCESS) {
        return fail("%s", err);
    }
    for (i = 0; i < later->nelts; i++) {
        int at = APR_ARRAY_IDX(later, i, int);

        for (d = 0; strcmp(argv[at], directive_opts[d].opt); d++) {
        }
        words[0] = directive_opts[d].directive;
        for (n = 1; n <= directive_opts[d].args; n++) {
            words[n] = argv[at + n];
        }
        if (wcs_conf_directive(o->conf, &err, n, words, "the command line")
            != APR_SUCCESS) {
            return fail("%s: %s", argv[at], err);
        }
    }
    return -1;
}

/* The capture from file (or stdin for NULL or "-"), whole. */
static apr_status_t read_capture(char **buf, apr_size_t *len,
                                 const char **err, const char *file,
                                 apr_pool_t *p)
{
    apr_file_t *f;
    apr_size_t cap = 64 * 1024, n;
    char *out;
    apr_status_t rv;

    if (!file || !strcmp(file, "-")) {
        rv = apr_file_open_stdin(&f, p);
        file = "stdin";
    }
    else {
        rv = apr_file_open(&f, file, APR_FOPEN_READ | APR_FOPEN_BINARY,
                           APR_OS_DEFAULT, p);
    }
    if (rv != APR_SUCCESS) {
        char msg[256];

        *err = apr_psprintf(p, "%s: %s", file,
                            apr_strerror(rv, msg, sizeof(msg)));
        return rv;
    }
    out = apr_palloc(p, cap + 1);
    *len = 0;
    for (;;) {
        if (*len == cap) {
            char *grown;

            if (cap >= CAPTURE_MAX) {
                *err = apr_psprintf(p, "%s: over %d bytes: no capture",
                                    file, CAPTURE_MAX);
                return APR_EINVAL;
            }
            cap *= 2;
            grown = apr_palloc(p, cap + 1);
            memcpy(grown, out, *len);
            out = grown;
        }
        n = cap - *len;
        rv = apr_file_read(f, out + *len, &n);
        *len += n;
        if (APR_STATUS_IS_EOF(rv)) {
            break;
        }
        if (rv != APR_SUCCESS) {
            *err = apr_psprintf(p, "%s: cannot read", file);
            return rv;
        }
    }
    out[*len] = '\0';
    *buf = out;
    return APR_SUCCESS;
}

static int run_sample(const opts_t *o, const wcs_sp_t *sp, apr_time_t now,
                      apr_pool_t *p)
{
    const char *xml, *err;

    if (wcs_check_sample(&xml, &err, sp, o->conf, o->issuer,
                         o->email ? o->email : "alice@example.com", o->attrs,
                         now, p) != APR_SUCCESS) {
        return fail("--sample: %s", err);
    }
    fputs(xml, stdout);
    return EXIT_ACCEPTED;
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *p;
    opts_t o;
    wcs_sp_t *sp;
    wcs_check_input_t in;
    wcs_check_report_t *rep;
    wcs_logger_t lg = { NULL, NULL };
    const char *err;
    char *buf;
    apr_size_t len;
    int rc;

    apr_app_initialize(&argc, &argv, NULL);
    atexit(apr_terminate);
    apr_pool_create(&p, NULL);
    if (wcs_xml_init(&err) != APR_SUCCESS) {
        return fail("%s", err);
    }
    wcs_store_init();
    memset(&o, 0, sizeof(o));
    o.conf = wcs_conf_make(p);
    o.attrs = apr_table_make(p, 4);
    rc = read_opts(&o, argc, argv, p);
    if (rc >= 0) {
        return rc;
    }
    memset(&in, 0, sizeof(in));
    in.now = apr_time_now();
    if (o.now && wcs_time_parse(&in.now, o.now) != APR_SUCCESS) {
        return fail("--now %s: not an xs:dateTime such as "
                    "2026-11-25T08:58:02Z", o.now);
    }
    if (wcs_check_sp(&sp, &err, o.conf, p) != APR_SUCCESS) {
        return fail("%s", err);
    }
    if (o.sample) {
        return run_sample(&o, sp, in.now, p);
    }
    if (o.verbose) {
        wcs_log_set(log_print, NULL);
        lg.ref = "check";
        in.lg = &lg;
    }
    if (read_capture(&buf, &len, &err, o.input, p) != APR_SUCCESS) {
        return fail("%s", err);
    }
    in.capture = buf;
    in.len = len;
    in.relay_state = o.relay_state;
    in.in_response_to = o.in_response_to;
    if (wcs_check_run(&rep, sp, o.conf, &in, p) != APR_SUCCESS) {
        return fail("the check itself failed (no randomness?)");
    }
    if (o.json) {
        print_json(stdout, rep, in.now, p);
    }
    else {
        print_text(stdout, rep, in.now, p);
    }
    return rep->accepted ? EXIT_ACCEPTED : EXIT_REFUSED;
}
