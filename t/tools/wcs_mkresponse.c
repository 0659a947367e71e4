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

static const char usage_text[] =
"Usage: " PROG " [options]\n"
"Make a SAML 2.0 Response; print it base64-encoded (SAMLResponse value).\n"
"  --key FILE            PEM private key (RSA or EC) to sign with\n"
"  --cert FILE           PEM certificate for KeyInfo (may not match --key)\n"
"  --sign WHAT           assertion|response|both|none (default assertion)\n"
"  --alg ALG             sha256|sha384|sha512|sha1 (ecdsa-* for EC keys)\n"
"  --c14n C              exc|inclusive (default exc)\n"
"  --keyinfo KI          x509|keyvalue|none (default x509)\n"
"  --response-sig-after-assertion  Response Signature as its last child\n"
"  --profile P           plain|entra|okta (default plain)\n"
"  --issuer URI          (default " DEF_ISSUER ")\n"
"  --response-issuer URI|none      (default: --issuer)\n"
"  --audience URI|none   (default " DEF_AUDIENCE ")\n"
"  --destination URL|none          (default " DEF_ACS ")\n"
"  --recipient URL       (default: destination)\n"
"  --acs URL             set destination and recipient\n"
"  --nameid V            (default " DEF_NAMEID ")\n"
"  --nameid-format URI|none        (default emailAddress)\n"
"  --status URI, --sub-status URI, --status-message TEXT\n"
"  --in-response-to ID   on Response and SubjectConfirmationData\n"
"  --attr NAME=VALUE     repeatable; repeat NAME for several values\n"
"  --attr-nameformat F   uri|basic|unspecified|none (default uri)\n"
"  --attr-friendly NAME=FRIENDLY\n"
"  --sc-method URI       (default bearer)\n"
"  --no-subject-confirmation, --no-authn-statement, --no-conditions\n"
"  --assertion-id ID, --response-id ID, --version X\n"
"  Offsets in seconds from now: --issue-instant N (0), --not-before N\n"
"  (-60), --not-on-or-after N (300), --scd-not-on-or-after N (same),\n"
"  --session-not-on-or-after N (omitted unless given); @N: N seconds\n"
"  since 1970-01-01T00:00:00Z instead of from now\n"
"  --now EPOCH           take EPOCH (seconds) as now, for reproducible\n"
"                        responses such as the fuzz corpus\n"
"  --millis              timestamps with milliseconds\n"
"  --attack NAME         xsw1..xsw8 comment-nameid comment-attr\n"
"                        cdata-attr structured-attr deep two-assertions\n"
"                        dup-id encrypted empty-ref foreign-ref\n"
"                        unsigned-modify strip-signature doctype entity\n"
"  --evil-nameid V       for xsw*/unsigned-modify (default " DEF_EVIL ")\n"
"  --deep-levels N       nesting depth for --attack deep (default 200)\n"
"  --xml                 print XML instead of base64\n"
"  --wrap                wrap base64 at 76 columns with CRLF\n"
"  -h, --help\n";

enum {
    OPT_KEY = 256, OPT_CERT, OPT_SIGN, OPT_ALG, OPT_C14N, OPT_KEYINFO,
    OPT_SIG_AFTER, OPT_PROFILE, OPT_ISSUER, OPT_RESP_ISSUER, OPT_AUDIENCE,
    OPT_DESTINATION, OPT_RECIPIENT, OPT_ACS, OPT_NAMEID, OPT_NAMEID_FORMAT,
    OPT_STATUS, OPT_SUB_STATUS, OPT_STATUS_MSG, OPT_IRT, OPT_ATTR,
    OPT_ATTR_NF, OPT_ATTR_FRIENDLY, OPT_SC_METHOD, OPT_NO_SC, OPT_NO_AUTHN,
    OPT_NO_COND, OPT_ASSERTION_ID, OPT_RESPONSE_ID, OPT_VERSION, OPT_II,
    OPT_NB, OPT_NOA, OPT_SCD_NOA, OPT_SESSION_NOA, OPT_MILLIS, OPT_ATTACK,
    OPT_EVIL, OPT_DEEP, OPT_XML, OPT_WRAP, OPT_NOW
};

static const struct option long_opts[] = {
    { "key", required_argument, NULL, OPT_KEY },
    { "cert", required_argument, NULL, OPT_CERT },
    { "sign", required_argument, NULL, OPT_SIGN },
    { "alg", required_argument, NULL, OPT_ALG },
    { "c14n", required_argument, NULL, OPT_C14N },
    { "keyinfo", required_argument, NULL, OPT_KEYINFO },
    { "response-sig-after-assertion", no_argument, NULL, OPT_SIG_AFTER },
    { "profile", required_argument, NULL, OPT_PROFILE },
    { "issuer", required_argument, NULL, OPT_ISSUER },
    { "response-issuer", required_argument, NULL, OPT_RESP_ISSUER },
    { "audience", required_argument, NULL, OPT_AUDIENCE },
    { "destination", required_argument, NULL, OPT_DESTINATION },
    { "recipient", required_argument, NULL, OPT_RECIPIENT },
    { "acs", required_argument, NULL, OPT_ACS },
    { "nameid", required_argument, NULL, OPT_NAMEID },
    { "nameid-format", required_argument, NULL, OPT_NAMEID_FORMAT },
    { "status", required_argument, NULL, OPT_STATUS },
    { "sub-status", required_argument, NULL, OPT_SUB_STATUS },
    { "status-message", required_argument, NULL, OPT_STATUS_MSG },
    { "in-response-to", required_argument, NULL, OPT_IRT },
    { "attr", required_argument, NULL, OPT_ATTR },
    { "attr-nameformat", required_argument, NULL, OPT_ATTR_NF },
    { "attr-friendly", required_argument, NULL, OPT_ATTR_FRIENDLY },
    { "sc-method", required_argument, NULL, OPT_SC_METHOD },
    { "no-subject-confirmation", no_argument, NULL, OPT_NO_SC },
    { "no-authn-statement", no_argument, NULL, OPT_NO_AUTHN },
    { "no-conditions", no_argument, NULL, OPT_NO_COND },
    { "assertion-id", required_argument, NULL, OPT_ASSERTION_ID },
    { "response-id", required_argument, NULL, OPT_RESPONSE_ID },
    { "version", required_argument, NULL, OPT_VERSION },
    { "issue-instant", required_argument, NULL, OPT_II },
    { "not-before", required_argument, NULL, OPT_NB },
    { "not-on-or-after", required_argument, NULL, OPT_NOA },
    { "scd-not-on-or-after", required_argument, NULL, OPT_SCD_NOA },
    { "session-not-on-or-after", required_argument, NULL, OPT_SESSION_NOA },
    { "now", required_argument, NULL, OPT_NOW },
    { "millis", no_argument, NULL, OPT_MILLIS },
    { "attack", required_argument, NULL, OPT_ATTACK },
    { "evil-nameid", required_argument, NULL, OPT_EVIL },
    { "deep-levels", required_argument, NULL, OPT_DEEP },
    { "xml", no_argument, NULL, OPT_XML },
    { "wrap", no_argument, NULL, OPT_WRAP },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

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
static void finish_options(opts_t *o, int response_issuer_set)
{
    const kv_t *kv;

    if (o->sign < 0) {
        o->sign = o->profile->sign;
    }
    if (o->nameformat < 0) {
        o->nameformat = o->profile->nameformat;
    }
    if (!response_issuer_set) {
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
}

static void parse_args(int argc, char **argv, opts_t *o)
{
    static const char *const alg_names[] = {
        "sha256", "sha384", "sha512", "sha1", NULL
    };
    static const char *const c14n_names[] = { "exc", "inclusive", NULL };
    static const char *const keyinfo_names[] = {
        "x509", "keyvalue", "none", NULL
    };
    const char *name;
    int c, idx, response_issuer_set = 0;

    set_defaults(o);
    for (;;) {
        idx = 0;
        c = getopt_long(argc, argv, "h", long_opts, &idx);
        if (c == -1) {
            break;
        }
        name = long_opts[idx].name;
        switch (c) {
        case 'h':
            fputs(usage_text, stdout);
            exit(0);
        case OPT_KEY: o->key_file = optarg; break;
        case OPT_CERT: o->cert_file = optarg; break;
        case OPT_SIGN: o->sign = pick(optarg, sign_names, name); break;
        case OPT_ALG: o->alg = pick(optarg, alg_names, name); break;
        case OPT_C14N: o->c14n_incl = pick(optarg, c14n_names, name); break;
        case OPT_KEYINFO: o->keyinfo = pick(optarg, keyinfo_names, name); break;
        case OPT_SIG_AFTER: o->sig_after_assertion = 1; break;
        case OPT_PROFILE: o->profile = find_profile(optarg); break;
        case OPT_ISSUER: o->issuer = optarg; break;
        case OPT_RESP_ISSUER:
            o->response_issuer = or_none(optarg);
            response_issuer_set = 1;
            break;
        case OPT_AUDIENCE: o->audience = or_none(optarg); break;
        case OPT_DESTINATION: o->destination = or_none(optarg); break;
        case OPT_RECIPIENT: o->recipient = optarg; break;
        case OPT_ACS: o->destination = o->recipient = optarg; break;
        case OPT_NAMEID: o->nameid = optarg; break;
        case OPT_NAMEID_FORMAT: o->nameid_format = or_none(optarg); break;
        case OPT_STATUS: o->status = optarg; break;
        case OPT_SUB_STATUS: o->sub_status = optarg; break;
        case OPT_STATUS_MSG: o->status_message = optarg; break;
        case OPT_IRT: o->in_response_to = optarg; break;
        case OPT_ATTR: add_pair(o->attrs, &o->nattrs, optarg, name); break;
        case OPT_ATTR_NF:
            o->nameformat = pick(optarg, nameformat_names, name);
            break;
        case OPT_ATTR_FRIENDLY:
            add_pair(o->friendly, &o->nfriendly, optarg, name);
            break;
        case OPT_SC_METHOD: o->sc_method = optarg; break;
        case OPT_NO_SC: o->no_sc = 1; break;
        case OPT_NO_AUTHN: o->no_authn = 1; break;
        case OPT_NO_COND: o->no_conditions = 1; break;
        case OPT_ASSERTION_ID: o->assertion_id = optarg; break;
        case OPT_RESPONSE_ID: o->response_id = optarg; break;
        case OPT_VERSION: o->version = optarg; break;
        case OPT_II: o->issue_instant = parse_when(optarg, name); break;
        case OPT_NB: o->not_before = parse_when(optarg, name); break;
        case OPT_NOA: o->not_on_or_after = parse_when(optarg, name); break;
        case OPT_SCD_NOA:
            o->scd_not_on_or_after = parse_when(optarg, name);
            o->have_scd_noa = 1;
            break;
        case OPT_SESSION_NOA:
            o->session_not_on_or_after = parse_when(optarg, name);
            o->have_session_noa = 1;
            break;
        case OPT_NOW:
            o->now = parse_long(optarg, name);
            o->have_now = 1;
            break;
        case OPT_MILLIS: o->millis = 1; break;
        case OPT_ATTACK:
            o->attack = find_attack(optarg);
            if (o->attack == NULL) {
                usage_error("unknown attack '%s'", optarg);
            }
            break;
        case OPT_EVIL: o->evil_nameid = optarg; break;
        case OPT_DEEP: o->deep_levels = parse_long(optarg, name); break;
        case OPT_XML: o->xml_out = 1; break;
        case OPT_WRAP: o->wrap = 1; break;
        default:
            /* getopt_long has already printed the reason */
            exit(2);
        }
    }
    if (optind < argc) {
        usage_error("unexpected argument '%s'", argv[optind]);
    }
    finish_options(o, response_issuer_set);
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

int main(int argc, char **argv)
{
    opts_t opts;
    gen_t gen;
    int rv;

    parse_args(argc, argv, &opts);
    memset(&gen, 0, sizeof(gen));
    gen.o = &opts;

    rv = crypto_init();
    if (rv == 0) {
        rv = run(&gen);
    }
    if (gen.key != NULL) {
        xmlSecKeyDestroy(gen.key);
    }
    xmlFree(gen.cert_b64);
    xmlFreeDoc(gen.doc);
    crypto_shutdown();
    return rv == 0 ? 0 : 1;
}
