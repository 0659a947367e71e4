/*
 * wcs_mkresponse.c - make SAML 2.0 samlp:Response messages for the
 * mod_webcast_saml integration tests.
 *
 * Builds a Response with fresh timestamps, signs the Assertion and/or the
 * Response with an enveloped XML-DSig (xmlsec templates), optionally
 * applies one attack (XML Signature Wrapping, comment injection, DTDs, ...)
 * and prints the result base64-encoded, as an IdP would put it in the
 * SAMLResponse form field, or as XML with --xml.
 *
 * This file has the command line, the main flow and the output; building
 * and signing are in wcs_build.c, the attacks in wcs_attacks.c.
 *
 * Build:
 *   gcc -std=c99 -D_GNU_SOURCE -Wall -Wextra -Werror -o wcs_mkresponse \
 *       wcs_mkresponse.c wcs_build.c wcs_attacks.c \
 *       $(pkg-config --cflags --libs xmlsec1-openssl)
 *
 * Exit status: 0 success, 1 failure, 2 usage error.
 */

#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/base64.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>

#include "wcs_mkresponse.h"

#define STATUS_SUCCESS "urn:oasis:names:tc:SAML:2.0:status:Success"
#define NIDF_EMAIL "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
#define CM_BEARER  "urn:oasis:names:tc:SAML:2.0:cm:bearer"
#define CLAIMS "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
#define MSCLAIMS "http://schemas.microsoft.com/identity/claims/"

#define DEF_ISSUER   "https://idp.example.test/"
#define DEF_AUDIENCE "https://sp.example.test/"
#define DEF_ACS      "http://127.0.0.1/saml/acs"
#define DEF_NAMEID   "alice@example.test"
#define DEF_EVIL     "mallory@evil.test"

static const kv_t entra_attrs[] = {
    { CLAIMS "emailaddress", NULL },
    { CLAIMS "givenname", "Alice" },
    { CLAIMS "surname", "Example" },
    { MSCLAIMS "tenantid", "0b2c1f3e-5d4a-4e6f-9a8b-7c6d5e4f3a2b" },
    { NULL, NULL }
};

static const kv_t okta_attrs[] = {
    { "email", NULL },
    { "firstName", "Alice" },
    { "lastName", "Example" },
    { NULL, NULL }
};

/* Indexed by the SIGN_* bits. */
static const char *const sign_names[] = {
    "none", "assertion", "response", "both", NULL
};

/* Indexed by NF_*, as nameformats[] in wcs_build.c. */
static const char *const nameformat_names[] = {
    "uri", "basic", "unspecified", "none", NULL
};

static const profile_t profiles[] = {
    { "plain", "samlp", "saml", "ds", 1, 0, 1, SIGN_ASSERTION, NF_URI, NULL },
    { "entra", NULL, NULL, NULL, 0, 1, 0, SIGN_ASSERTION, NF_NONE,
      entra_attrs },
    { "okta", "saml2p", "saml2", "ds", 0, 0, 1,
      SIGN_ASSERTION | SIGN_RESPONSE, NF_BASIC, okta_attrs },
    { NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, NULL }
};

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

static int print_base64(const xmlChar *data, int len, int wrap)
{
    xmlChar *b64 = xmlSecBase64Encode(data, (xmlSecSize)len, 0);
    size_t n, i, chunk;

    if (b64 == NULL) {
        return fail("base64 encoding failed");
    }
    n = strlen((const char *)b64);
    if (!wrap) {
        printf("%s\n", (const char *)b64);
    }
    for (i = 0; wrap && i < n; i += chunk) {
        chunk = n - i < 76 ? n - i : 76;
        printf("%.*s\r\n", (int)chunk, (const char *)b64 + i);
    }
    xmlFree(b64);
    return 0;
}

static int write_output(gen_t *g)
{
    int opts = g->o->profile->xml_decl ? 0 : XML_SAVE_NO_DECL;
    xmlBufferPtr buf = xmlBufferCreate();
    xmlSaveCtxtPtr save;
    const xmlChar *data;
    int rv = 0, len;

    save = buf != NULL ? xmlSaveToBuffer(buf, "UTF-8", opts) : NULL;
    if (save == NULL) {
        xmlBufferFree(buf);
        return fail("cannot serialize");
    }
    if (xmlSaveDoc(save, g->doc) < 0) {
        rv = fail("cannot serialize");
    }
    xmlSaveClose(save);
    data = xmlBufferContent(buf);
    len = xmlBufferLength(buf);
    if (rv == 0 && g->o->xml_out) {
        fwrite(data, 1, (size_t)len, stdout);
    }
    else if (rv == 0) {
        rv = print_base64(data, len, g->o->wrap);
    }
    xmlBufferFree(buf);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        rv = fail("cannot write output");
    }
    return rv;
}

/* ------------------------------------------------------------------ */
/* Main flow                                                           */
/* ------------------------------------------------------------------ */

/* The ID given on the command line, or a random one. */
static int choose_id(char *buf, const char *given, const char *prefix)
{
    if (given != NULL) {
        snprintf(buf, ID_LEN, "%s", given);
        return 0;
    }
    return random_id(buf, ID_LEN, prefix);
}

static int run(gen_t *g)
{
    const opts_t *o = g->o;
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    g->now = o->have_now ? (time_t)o->now : ts.tv_sec;
    g->now_ms = o->have_now ? 0 : ts.tv_nsec / 1000000;
    if (choose_id(g->response_id, o->response_id, "_r") < 0
        || choose_id(g->assertion_id, o->assertion_id, "_a") < 0) {
        return -1;
    }

    /* Attacks by phase: PRE before signing, MID between the assertion's
     * and the Response's signature (so the latter covers them), POST
     * after all signing. */
    if (load_credentials(g) < 0 || build_response(g) < 0
        || apply_attack(g, PHASE_PRE) < 0) {
        return -1;
    }
    if ((o->sign & SIGN_ASSERTION)
        && sign_element(g, g->assertion, g->assertion_id) < 0) {
        return -1;
    }
    if (apply_attack(g, PHASE_MID) < 0) {
        return -1;
    }
    if ((o->sign & SIGN_RESPONSE)
        && sign_element(g, g->response, g->response_id) < 0) {
        return -1;
    }
    if (apply_attack(g, PHASE_POST) < 0) {
        return -1;
    }
    return write_output(g);
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */
/* ------------------------------------------------------------------ */

static void usage_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see --help)\n");
    va_end(ap);
    exit(2);
}

static int pick(const char *arg, const char *const *names, const char *opt)
{
    int i;

    for (i = 0; names[i] != NULL; i++) {
        if (strcmp(arg, names[i]) == 0) {
            return i;
        }
    }
    usage_error("bad value '%s' for --%s", arg, opt);
    return -1;
}

static long parse_long(const char *arg, const char *opt)
{
    char *end;
    long v = strtol(arg, &end, 10);

    if (*arg == '\0' || *end != '\0') {
        usage_error("--%s needs a number, not '%s'", opt, arg);
    }
    return v;
}

/* N (seconds from now) or @N (seconds since the epoch). */
static when_t parse_when(const char *arg, const char *opt)
{
    when_t w;

    w.absolute = arg[0] == '@';
    w.v = parse_long(arg + w.absolute, opt);
    return w;
}

/* "none" means "omit" for several options. */
static const char *or_none(const char *arg)
{
    return strcmp(arg, "none") == 0 ? NULL : arg;
}

static void add_pair(kv_t *list, int *n, char *arg, const char *opt)
{
    char *eq = strchr(arg, '=');

    if (eq == NULL || eq == arg) {
        usage_error("--%s needs NAME=VALUE, not '%s'", opt, arg);
    }
    if (*n >= MAX_ATTRS) {
        usage_error("too many --%s options", opt);
    }
    *eq = '\0';
    list[*n].name = arg;
    list[*n].value = eq + 1;
    (*n)++;
}

static const profile_t *find_profile(const char *name)
{
    const profile_t *p;

    for (p = profiles; p->name != NULL; p++) {
        if (strcmp(p->name, name) == 0) {
            return p;
        }
    }
    usage_error("unknown profile '%s'", name);
    return NULL;
}

/*
 * The options are one table, cli_opts[] below: getopt_long's options and
 * --help are both made from it, so an option cannot be parsed and left
 * out of --help or the other way round.  Each row names the setter that
 * stores its argument; the generic setters write the opts_t field at the
 * row's offset (a field of the setter's type), the others do what their
 * option needs beyond one field.
 */
typedef struct cli_opt cli_opt_t;
typedef void (*cli_set_fn)(opts_t *o, const cli_opt_t *c, char *arg);

struct cli_opt {
    const char *name;           /* long name; NULL: a row of help text */
    int short_name;             /* also -X; 0: none */
    const char *arg;            /* its argument in --help; NULL: a flag */
    cli_set_fn set;
    size_t field;               /* offsetof(opts_t, ...), generic setters */
    const char *const *values;  /* the values opt_pick accepts */
    const char *help;           /* a description, or SAME_LINE, IN_TEXT */
};

/* help: named after the option before it on that option's line. */
#define SAME_LINE NULL
/* help: named in the row of help text before it, not on a line of its
 * own. */
static const char in_text[] = "";
#define IN_TEXT in_text

/* The column of the descriptions in --help, and the one for options too
 * long for it. */
#define HELP_COL      24
#define HELP_WIDE_COL 34

#define FIELD(o, c, type) ((type *)(void *)((char *)(o) + (c)->field))

static void opt_str(opts_t *o, const cli_opt_t *c, char *arg)
{
    *FIELD(o, c, const char *) = arg;
}

static void opt_str_or_none(opts_t *o, const cli_opt_t *c, char *arg)
{
    *FIELD(o, c, const char *) = or_none(arg);
}

static void opt_flag(opts_t *o, const cli_opt_t *c, char *arg)
{
    *FIELD(o, c, int) = 1;
}

static void opt_pick(opts_t *o, const cli_opt_t *c, char *arg)
{
    *FIELD(o, c, int) = pick(arg, c->values, c->name);
}

static void opt_long(opts_t *o, const cli_opt_t *c, char *arg)
{
    *FIELD(o, c, long) = parse_long(arg, c->name);
}

static void opt_when(opts_t *o, const cli_opt_t *c, char *arg)
{
    *FIELD(o, c, when_t) = parse_when(arg, c->name);
}

static void opt_response_issuer(opts_t *o, const cli_opt_t *c, char *arg)
{
    o->response_issuer = or_none(arg);
    o->have_response_issuer = 1;
}

static void opt_acs(opts_t *o, const cli_opt_t *c, char *arg)
{
    o->destination = o->recipient = arg;
}

static void opt_profile(opts_t *o, const cli_opt_t *c, char *arg)
{
    o->profile = find_profile(arg);
}

static void opt_attr(opts_t *o, const cli_opt_t *c, char *arg)
{
    add_pair(o->attrs, &o->nattrs, arg, c->name);
}

static void opt_attr_friendly(opts_t *o, const cli_opt_t *c, char *arg)
{
    add_pair(o->friendly, &o->nfriendly, arg, c->name);
}

static void opt_scd_noa(opts_t *o, const cli_opt_t *c, char *arg)
{
    o->scd_not_on_or_after = parse_when(arg, c->name);
    o->have_scd_noa = 1;
}

static void opt_session_noa(opts_t *o, const cli_opt_t *c, char *arg)
{
    o->session_not_on_or_after = parse_when(arg, c->name);
    o->have_session_noa = 1;
}

static void opt_now(opts_t *o, const cli_opt_t *c, char *arg)
{
    o->now = parse_long(arg, c->name);
    o->have_now = 1;
}

static void opt_attack(opts_t *o, const cli_opt_t *c, char *arg)
{
    o->attack = find_attack(arg);
    if (o->attack == NULL) {
        usage_error("unknown attack '%s'", arg);
    }
}

static void print_usage(FILE *out);

static void opt_help(opts_t *o, const cli_opt_t *c, char *arg)
{
    print_usage(stdout);
    exit(0);
}

static const char *const alg_names[] = {
    "sha256", "sha384", "sha512", "sha1", NULL
};
static const char *const c14n_names[] = { "exc", "inclusive", NULL };
static const char *const keyinfo_names[] = {
    "x509", "keyvalue", "none", NULL
};

#define OPT(name, arg, set, field, help) \
    { name, 0, arg, set, offsetof(opts_t, field), NULL, help }
#define PICK(name, arg, field, values, help) \
    { name, 0, arg, opt_pick, offsetof(opts_t, field), values, help }
#define CALL(name, arg, set, help) { name, 0, arg, set, 0, NULL, help }
#define TEXT(help) { NULL, 0, NULL, NULL, 0, NULL, help }

/* In the order of --help. */
static const cli_opt_t cli_opts[] = {
    OPT("key", "FILE", opt_str, key_file,
        "PEM private key (RSA or EC) to sign with"),
    OPT("cert", "FILE", opt_str, cert_file,
        "PEM certificate for KeyInfo (may not match --key)"),
    PICK("sign", "WHAT", sign, sign_names,
         "assertion|response|both|none (default assertion)"),
    PICK("alg", "ALG", alg, alg_names,
         "sha256|sha384|sha512|sha1 (ecdsa-* for EC keys)"),
    PICK("c14n", "C", c14n_incl, c14n_names, "exc|inclusive (default exc)"),
    PICK("keyinfo", "KI", keyinfo, keyinfo_names,
         "x509|keyvalue|none (default x509)"),
    OPT("response-sig-after-assertion", NULL, opt_flag, sig_after_assertion,
        "Response Signature as its last child"),
    CALL("profile", "P", opt_profile, "plain|entra|okta (default plain)"),
    OPT("issuer", "URI", opt_str, issuer, "(default " DEF_ISSUER ")"),
    CALL("response-issuer", "URI|none", opt_response_issuer,
         "(default: --issuer)"),
    OPT("audience", "URI|none", opt_str_or_none, audience,
        "(default " DEF_AUDIENCE ")"),
    OPT("destination", "URL|none", opt_str_or_none, destination,
        "(default " DEF_ACS ")"),
    OPT("recipient", "URL", opt_str, recipient, "(default: destination)"),
    CALL("acs", "URL", opt_acs, "set destination and recipient"),
    OPT("nameid", "V", opt_str, nameid, "(default " DEF_NAMEID ")"),
    OPT("nameid-format", "URI|none", opt_str_or_none, nameid_format,
        "(default emailAddress)"),
    OPT("status", "URI", opt_str, status, ""),
    OPT("sub-status", "URI", opt_str, sub_status, SAME_LINE),
    OPT("status-message", "TEXT", opt_str, status_message, SAME_LINE),
    OPT("in-response-to", "ID", opt_str, in_response_to,
        "on Response and SubjectConfirmationData"),
    CALL("attr", "NAME=VALUE", opt_attr,
         "repeatable; repeat NAME for several values"),
    PICK("attr-nameformat", "F", nameformat, nameformat_names,
         "uri|basic|unspecified|none (default uri)"),
    CALL("attr-friendly", "NAME=FRIENDLY", opt_attr_friendly, ""),
    OPT("sc-method", "URI", opt_str, sc_method, "(default bearer)"),
    OPT("no-subject-confirmation", NULL, opt_flag, no_sc, ""),
    OPT("no-authn-statement", NULL, opt_flag, no_authn, SAME_LINE),
    OPT("no-conditions", NULL, opt_flag, no_conditions, SAME_LINE),
    OPT("assertion-id", "ID", opt_str, assertion_id, ""),
    OPT("response-id", "ID", opt_str, response_id, SAME_LINE),
    OPT("version", "X", opt_str, version, SAME_LINE),
    TEXT("  Offsets in seconds from now: --issue-instant N (0), --not-before N\n"
         "  (-60), --not-on-or-after N (300), --scd-not-on-or-after N (same),\n"
         "  --session-not-on-or-after N (omitted unless given); @N: N seconds\n"
         "  since 1970-01-01T00:00:00Z instead of from now\n"),
    OPT("issue-instant", "N", opt_when, issue_instant, IN_TEXT),
    OPT("not-before", "N", opt_when, not_before, IN_TEXT),
    OPT("not-on-or-after", "N", opt_when, not_on_or_after, IN_TEXT),
    CALL("scd-not-on-or-after", "N", opt_scd_noa, IN_TEXT),
    CALL("session-not-on-or-after", "N", opt_session_noa, IN_TEXT),
    CALL("now", "EPOCH", opt_now,
         "take EPOCH (seconds) as now, for reproducible\n"
         "responses such as the fuzz corpus"),
    OPT("millis", NULL, opt_flag, millis, "timestamps with milliseconds"),
    CALL("attack", "NAME", opt_attack,
         "xsw1..xsw8 comment-nameid comment-attr\n"
         "cdata-attr structured-attr deep two-assertions\n"
         "dup-id encrypted empty-ref foreign-ref\n"
         "unsigned-modify strip-signature doctype entity"),
    OPT("evil-nameid", "V", opt_str, evil_nameid,
        "for xsw*/unsigned-modify (default " DEF_EVIL ")"),
    OPT("deep-levels", "N", opt_long, deep_levels,
        "nesting depth for --attack deep (default 200)"),
    OPT("count", "N", opt_long, count,
        "N responses, one a line, each with its own IDs;\n"
        "{n} in --nameid becomes 1..N (for benchmarks)"),
    OPT("xml", NULL, opt_flag, xml_out, "print XML instead of base64"),
    OPT("wrap", NULL, opt_flag, wrap, "wrap base64 at 76 columns with CRLF"),
    { "help", 'h', NULL, opt_help, 0, NULL, "" }
};

#define N_CLI_OPTS (sizeof(cli_opts) / sizeof(cli_opts[0]))

/* Appends sep and "--name ARG" (-X before it if any) to the len
 * characters in buf; the new length. */
static size_t help_label(char *buf, size_t size, size_t len, const char *sep,
                         const cli_opt_t *c)
{
    int n;

    n = snprintf(buf + len, size - len, "%s", sep);
    len += n > 0 ? (size_t)n : 0;
    if (c->short_name != 0 && len < size) {
        n = snprintf(buf + len, size - len, "-%c, ", c->short_name);
        len += n > 0 ? (size_t)n : 0;
    }
    if (len >= size) {
        return size - 1;
    }
    n = snprintf(buf + len, size - len, "--%s%s%s", c->name,
                 c->arg != NULL ? " " : "", c->arg != NULL ? c->arg : "");
    len += n > 0 ? (size_t)n : 0;
    return len < size ? len : size - 1;
}

/* A line "  LABEL  DESCRIPTION", each further line of the description
 * under the first. */
static void help_line(FILE *out, const char *label, size_t len,
                      const char *desc)
{
    size_t col = len < HELP_COL ? HELP_COL : HELP_WIDE_COL;
    const char *nl;

    if (*desc == '\0') {
        fprintf(out, "%s\n", label);
        return;
    }
    fprintf(out, "%s%*s", label, (int)(col > len ? col - len : 2), "");
    while ((nl = strchr(desc, '\n')) != NULL) {
        fprintf(out, "%.*s\n%*s", (int)(nl - desc), desc, HELP_COL, "");
        desc = nl + 1;
    }
    fprintf(out, "%s\n", desc);
}

static void print_usage(FILE *out)
{
    char label[160];
    size_t i, len;
    const cli_opt_t *c;

    fputs("Usage: " PROG " [options]\n"
          "Make a SAML 2.0 Response; print it base64-encoded"
          " (SAMLResponse value).\n", out);
    for (i = 0; i < N_CLI_OPTS; i++) {
        c = &cli_opts[i];
        if (c->name == NULL) {
            fputs(c->help, out);
            continue;
        }
        if (c->help == IN_TEXT || c->help == SAME_LINE) {
            continue;
        }
        len = help_label(label, sizeof(label), 0, "  ", c);
        while (i + 1 < N_CLI_OPTS && cli_opts[i + 1].name != NULL
               && cli_opts[i + 1].help == SAME_LINE) {
            i++;
            len = help_label(label, sizeof(label), len, ", ", &cli_opts[i]);
        }
        help_line(out, label, len, c->help);
    }
}

static void set_defaults(opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->sign = -1;
    o->nameformat = -1;
    o->keyinfo = KI_X509;
    o->issuer = DEF_ISSUER;
    o->audience = DEF_AUDIENCE;
    o->destination = DEF_ACS;
    o->nameid = DEF_NAMEID;
    o->nameid_format = NIDF_EMAIL;
    o->sc_method = CM_BEARER;
    o->status = STATUS_SUCCESS;
    o->version = "2.0";
    o->not_before.v = -60;
    o->not_on_or_after.v = 300;
    o->profile = &profiles[0];
    o->evil_nameid = DEF_EVIL;
    o->deep_levels = 200;
}

/* Fill in what depends on other options, and check combinations. */
static void finish_options(opts_t *o)
{
    const kv_t *kv;

    if (o->sign < 0) {
        o->sign = o->profile->sign;
    }
    if (o->nameformat < 0) {
        o->nameformat = o->profile->nameformat;
    }
    if (!o->have_response_issuer) {
        o->response_issuer = o->issuer;
    }
    if (o->recipient == NULL) {
        o->recipient = o->destination != NULL ? o->destination : DEF_ACS;
    }
    if (!o->have_scd_noa) {
        o->scd_not_on_or_after = o->not_on_or_after;
    }
    kv = (o->nattrs == 0) ? o->profile->attrs : NULL;
    for (; kv != NULL && kv->name != NULL; kv++) {
        o->attrs[o->nattrs].name = kv->name;
        o->attrs[o->nattrs].value = kv->value ? kv->value : o->nameid;
        o->nattrs++;
    }
    if (o->attack != NULL && o->attack->needs != 0
        && (o->sign & o->attack->needs) == 0) {
        usage_error("--attack %s does not work with --sign %s",
                    o->attack->name, sign_names[o->sign]);
    }
    if (o->sign != 0 && o->key_file == NULL) {
        usage_error("signing needs --key (or use --sign none)");
    }
    if (o->sign != 0 && o->keyinfo == KI_X509 && o->cert_file == NULL) {
        usage_error("--keyinfo x509 needs --cert (or use --keyinfo none)");
    }
    if ((o->response_id && strlen(o->response_id) >= ID_LEN)
        || (o->assertion_id && strlen(o->assertion_id) >= ID_LEN)) {
        usage_error("IDs are limited to %d characters", ID_LEN - 1);
    }
    if (o->deep_levels < 0) {
        usage_error("--deep-levels must not be negative");
    }
    if (o->count < 0 || (o->count > 0 && (o->xml_out || o->wrap
                                          || o->response_id
                                          || o->assertion_id))) {
        usage_error("--count needs N >= 0, base64 on one line and "
                    "generated IDs");
    }
}

/* getopt_long's value for cli_opts[i]: past every short option's. */
#define CLI_VAL_BASE 256

/* getopt_long's options and short option string, from cli_opts[]. */
static void cli_getopt_tables(struct option *longs, char *shorts)
{
    size_t i, n = 0, ns = 0;

    for (i = 0; i < N_CLI_OPTS; i++) {
        if (cli_opts[i].name == NULL) {
            continue;
        }
        longs[n].name = cli_opts[i].name;
        longs[n].has_arg = cli_opts[i].arg != NULL ? required_argument
                                                   : no_argument;
        longs[n].flag = NULL;
        longs[n].val = CLI_VAL_BASE + (int)i;
        n++;
        if (cli_opts[i].short_name != 0) {
            shorts[ns++] = (char)cli_opts[i].short_name;
        }
    }
    memset(&longs[n], 0, sizeof(longs[n]));
    shorts[ns] = '\0';
}

/* The row of what getopt_long returned; NULL for an error it has
 * reported. */
static const cli_opt_t *cli_row(int val)
{
    size_t i;

    if (val >= CLI_VAL_BASE && (size_t)(val - CLI_VAL_BASE) < N_CLI_OPTS) {
        return &cli_opts[val - CLI_VAL_BASE];
    }
    for (i = 0; i < N_CLI_OPTS; i++) {
        if (val != 0 && cli_opts[i].short_name == val) {
            return &cli_opts[i];
        }
    }
    return NULL;
}

static void parse_args(int argc, char **argv, opts_t *o)
{
    struct option longs[N_CLI_OPTS + 1];
    char shorts[N_CLI_OPTS + 1];
    const cli_opt_t *c;
    int val;

    set_defaults(o);
    cli_getopt_tables(longs, shorts);
    while ((val = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        c = cli_row(val);
        if (c == NULL) {
            /* getopt_long has already printed the reason */
            exit(2);
        }
        c->set(o, c, optarg);
    }
    if (optind < argc) {
        usage_error("unexpected argument '%s'", argv[optind]);
    }
    finish_options(o);
}

/* ------------------------------------------------------------------ */

static int crypto_init(void)
{
    xmlInitParser();
    LIBXML_TEST_VERSION
    if (xmlSecInit() < 0) {
        return fail("xmlsec initialization failed");
    }
    if (xmlSecCheckVersion() != 1) {
        return fail("loaded xmlsec library version is not compatible");
    }
    if (xmlSecOpenSSLAppInit(NULL) < 0 || xmlSecOpenSSLInit() < 0) {
        return fail("xmlsec-openssl initialization failed");
    }
    return 0;
}

static void crypto_shutdown(void)
{
    xmlSecOpenSSLShutdown();
    xmlSecOpenSSLAppShutdown();
    xmlSecShutdown();
    xmlCleanupParser();
}

/* One response from o, everything it made freed afterwards. */
static int run_one(const opts_t *o)
{
    gen_t gen;
    int rv;

    memset(&gen, 0, sizeof(gen));
    gen.o = o;
    rv = run(&gen);
    if (gen.key != NULL) {
        xmlSecKeyDestroy(gen.key);
    }
    xmlFree(gen.cert_b64);
    xmlFreeDoc(gen.doc);
    return rv;
}

/* --count N: response i names "{n}" of --nameid as i, in the NameID and
 * in the attributes that carry it. */
static int run_count(const opts_t *o)
{
    const char *mark = strstr(o->nameid, "{n}");
    char nameid[512];
    opts_t one;
    long i;
    int k;

    for (i = 1; i <= o->count; i++) {
        one = *o;
        if (mark != NULL) {
            snprintf(nameid, sizeof(nameid), "%.*s%ld%s",
                     (int)(mark - o->nameid), o->nameid, i, mark + 3);
            one.nameid = nameid;
        }
        for (k = 0; k < one.nattrs; k++) {
            if (o->attrs[k].value == o->nameid) {
                one.attrs[k].value = one.nameid;
            }
        }
        if (run_one(&one) < 0) {
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    opts_t opts;
    int rv;

    parse_args(argc, argv, &opts);
    rv = crypto_init();
    if (rv == 0) {
        rv = opts.count > 0 ? run_count(&opts) : run_one(&opts);
    }
    crypto_shutdown();
    return rv == 0 ? 0 : 1;
}
