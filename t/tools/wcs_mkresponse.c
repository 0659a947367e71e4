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
 * Build:
 *   gcc -std=c99 -D_GNU_SOURCE -Wall -Wextra -Werror -o wcs_mkresponse \
 *       wcs_mkresponse.c $(pkg-config --cflags --libs xmlsec1-openssl)
 *
 * Exit status: 0 success, 1 failure, 2 usage error.
 */

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <libxml/xmlsave.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/base64.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>

#define PROG "wcs_mkresponse"

#define NS_PROTO  "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_SAML   "urn:oasis:names:tc:SAML:2.0:assertion"
#define NS_DSIG   "http://www.w3.org/2000/09/xmldsig#"
#define NS_XENC   "http://www.w3.org/2001/04/xmlenc#"
#define NS_XS     "http://www.w3.org/2001/XMLSchema"
#define NS_XSI    "http://www.w3.org/2001/XMLSchema-instance"
#define NS_DEEP   "urn:example:wcs:deep"

#define STATUS_SUCCESS "urn:oasis:names:tc:SAML:2.0:status:Success"
#define NIDF_EMAIL "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
#define CM_BEARER  "urn:oasis:names:tc:SAML:2.0:cm:bearer"
#define AC_CLASS   "urn:oasis:names:tc:SAML:2.0:ac:classes:"
#define ANF    "urn:oasis:names:tc:SAML:2.0:attrname-format:"
#define CLAIMS "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
#define MSCLAIMS "http://schemas.microsoft.com/identity/claims/"

#define DEF_ISSUER   "https://idp.example.test/"
#define DEF_AUDIENCE "https://sp.example.test/"
#define DEF_ACS      "http://127.0.0.1/saml/acs"
#define DEF_NAMEID   "alice@example.test"
#define DEF_EVIL     "mallory@evil.test"
#define BOB_NAMEID   "bob@example.test"

#define MAX_ATTRS 64
#define ID_LEN    128
#define TIME_LEN  40
#define URI_LEN   (ID_LEN + 2)

#define SIGN_ASSERTION 1
#define SIGN_RESPONSE  2

enum { KI_X509, KI_KEYVALUE, KI_NONE };
enum { ALG_SHA256, ALG_SHA384, ALG_SHA512, ALG_SHA1 };
enum { PHASE_NONE, PHASE_PRE, PHASE_MID, PHASE_POST };
enum { NF_URI, NF_BASIC, NF_UNSPECIFIED, NF_NONE };

typedef struct {
    const char *name;
    const char *value;          /* NULL in profile tables: the NameID */
} kv_t;

/* How a given IdP lays out its XML. */
typedef struct {
    const char *name;
    const char *proto_prefix;   /* NULL: default namespace */
    const char *saml_prefix;
    const char *dsig_prefix;
    int saml_ns_on_root;        /* else declared on Issuer and Assertion */
    int xml_decl;
    int xsi_type;               /* xsi:type="xs:string" on AttributeValue */
    int sign;                   /* default for --sign */
    int nameformat;             /* default for --attr-nameformat */
    const kv_t *attrs;          /* used when no --attr is given */
} profile_t;

struct gen;
typedef int (*attack_fn)(struct gen *g);

typedef struct {
    const char *name;
    int phase;                  /* when it runs, see run() */
    int needs;                  /* SIGN_* bits one of which must be set */
    attack_fn fn;
} attack_t;

typedef struct {
    const char *key_file, *cert_file;
    int sign, alg, c14n_incl, keyinfo, sig_after_assertion;
    const char *issuer, *response_issuer, *audience;
    const char *destination, *recipient;
    const char *nameid, *nameid_format, *sc_method;
    const char *status, *status_message, *sub_status;
    const char *in_response_to, *assertion_id, *response_id, *version;
    long issue_instant, not_before, not_on_or_after, scd_not_on_or_after;
    long session_not_on_or_after;
    int have_scd_noa, have_session_noa;
    int no_conditions, no_sc, no_authn;
    kv_t attrs[MAX_ATTRS];
    int nattrs;
    kv_t friendly[MAX_ATTRS];
    int nfriendly;
    int nameformat;             /* index into nameformats[], -1: default */
    const profile_t *profile;
    const attack_t *attack;
    const char *evil_nameid;
    long deep_levels;
    int xml_out, wrap, millis;
} opts_t;

typedef struct gen {
    const opts_t *o;
    xmlDocPtr doc;
    xmlNodePtr response;
    xmlNodePtr assertion;
    xmlNsPtr proto_ns;
    xmlNsPtr saml_ns;           /* on the root, or NULL */
    xmlSecKeyPtr key;
    int key_is_ec;
    xmlChar *cert_b64;
    time_t now;
    long now_ms;
    char response_id[ID_LEN];
    char assertion_id[ID_LEN];
} gen_t;

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

static const char *const nameformat_names[] = {
    "uri", "basic", "unspecified", "none", NULL
};
static const char *const nameformats[] = {    /* NF_NONE: omitted */
    ANF "uri", ANF "basic", ANF "unspecified", NULL
};

static const profile_t profiles[] = {
    { "plain", "samlp", "saml", "ds", 1, 0, 1, SIGN_ASSERTION, NF_URI, NULL },
    { "entra", NULL, NULL, NULL, 0, 1, 0, SIGN_ASSERTION, NF_NONE,
      entra_attrs },
    { "okta", "saml2p", "saml2", "ds", 0, 0, 1,
      SIGN_ASSERTION | SIGN_RESPONSE, NF_BASIC, okta_attrs },
    { NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, NULL }
};

static int fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static void fmt_time(const gen_t *g, long offset, char *buf, size_t len)
{
    time_t t = g->now + (time_t)offset;
    struct tm tm;
    size_t n;

    gmtime_r(&t, &tm);
    n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    if (g->o->millis) {
        snprintf(buf + n, len - n, ".%03ldZ", g->now_ms);
    }
    else {
        snprintf(buf + n, len - n, "Z");
    }
}

static int random_id(char *buf, size_t len, const char *prefix)
{
    unsigned char rnd[16];
    size_t i, n;

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        return fail("RAND_bytes failed");
    }
    n = (size_t)snprintf(buf, len, "%s", prefix);
    for (i = 0; i < sizeof(rnd) && n + 3 <= len; i++) {
        n += (size_t)snprintf(buf + n, len - n, "%02x", rnd[i]);
    }
    return 0;
}

/* A child element; a NULL ns inherits the parent's namespace. */
static xmlNodePtr add_el(xmlNodePtr parent, xmlNsPtr ns, const char *name,
                         const char *text)
{
    return xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text);
}

static void add_prop(xmlNodePtr node, const char *name, const char *value)
{
    xmlNewProp(node, BAD_CAST name, BAD_CAST value);
}

static void add_time(const gen_t *g, xmlNodePtr node, const char *name,
                     long offset)
{
    char buf[TIME_LEN];

    fmt_time(g, offset, buf, sizeof(buf));
    add_prop(node, name, buf);
}

/*
 * An element of the assertion namespace directly below the Response
 * (Issuer, Assertion, EncryptedAssertion): uses the root's declaration, or
 * declares the namespace on the element itself as Okta and Entra do.
 */
static xmlNodePtr add_saml_el(gen_t *g, xmlNodePtr parent, const char *name,
                              const char *text)
{
    xmlNodePtr node = add_el(parent, g->saml_ns, name, text);

    if (node != NULL && g->saml_ns == NULL) {
        xmlSetNs(node, xmlNewNs(node, BAD_CAST NS_SAML,
                                BAD_CAST g->o->profile->saml_prefix));
    }
    return node;
}

/* Set the ID attribute and register it so "#ID" references resolve. */
static void set_id(gen_t *g, xmlNodePtr node, const char *id)
{
    xmlAttrPtr attr = xmlSetProp(node, BAD_CAST "ID", BAD_CAST id);

    if (attr != NULL && xmlGetID(g->doc, BAD_CAST id) == NULL) {
        xmlAddID(NULL, g->doc, BAD_CAST id, attr);
    }
}

static void set_text(xmlNodePtr node, const char *text)
{
    xmlNodeSetContent(node, NULL);
    xmlAddChild(node, xmlNewDocText(node->doc, BAD_CAST text));
}

static xmlNodePtr find_child(xmlNodePtr parent, const char *name,
                             const char *ns)
{
    if (parent == NULL) {
        return NULL;
    }
    return xmlSecFindChild(parent, BAD_CAST name, BAD_CAST ns);
}

static xmlNodePtr nameid_of(xmlNodePtr assertion)
{
    return find_child(find_child(assertion, "Subject", NS_SAML),
                      "NameID", NS_SAML);
}

static void remove_node(xmlNodePtr node)
{
    if (node != NULL) {
        xmlUnlinkNode(node);
        xmlFreeNode(node);
    }
}

/* Base64 of len random bytes, for ciphertext placeholders. */
static xmlChar *random_b64(size_t len)
{
    unsigned char buf[256];

    if (len > sizeof(buf) || RAND_bytes(buf, (int)len) != 1) {
        return NULL;
    }
    return xmlSecBase64Encode(buf, (xmlSecSize)len, 0);
}

/* ------------------------------------------------------------------ */
/* Building the Response                                               */
/* ------------------------------------------------------------------ */

static void build_status(gen_t *g)
{
    const opts_t *o = g->o;
    xmlNodePtr status, code, sub;

    status = add_el(g->response, g->proto_ns, "Status", NULL);
    code = add_el(status, g->proto_ns, "StatusCode", NULL);
    add_prop(code, "Value", o->status);
    if (o->sub_status != NULL) {
        sub = add_el(code, g->proto_ns, "StatusCode", NULL);
        add_prop(sub, "Value", o->sub_status);
    }
    if (o->status_message != NULL) {
        add_el(status, g->proto_ns, "StatusMessage", o->status_message);
    }
}

static void build_subject(gen_t *g, xmlNodePtr assertion, const char *nameid)
{
    const opts_t *o = g->o;
    xmlNodePtr subject, nid, sc, scd;

    subject = add_el(assertion, NULL, "Subject", NULL);
    nid = add_el(subject, NULL, "NameID", nameid);
    if (o->nameid_format != NULL) {
        add_prop(nid, "Format", o->nameid_format);
    }
    if (o->no_sc) {
        return;
    }
    sc = add_el(subject, NULL, "SubjectConfirmation", NULL);
    add_prop(sc, "Method", o->sc_method);
    scd = add_el(sc, NULL, "SubjectConfirmationData", NULL);
    if (o->in_response_to != NULL) {
        add_prop(scd, "InResponseTo", o->in_response_to);
    }
    add_time(g, scd, "NotOnOrAfter", o->scd_not_on_or_after);
    add_prop(scd, "Recipient", o->recipient);
}

static void build_conditions(gen_t *g, xmlNodePtr assertion)
{
    const opts_t *o = g->o;
    xmlNodePtr cond, restriction;

    if (o->no_conditions) {
        return;
    }
    cond = add_el(assertion, NULL, "Conditions", NULL);
    add_time(g, cond, "NotBefore", o->not_before);
    add_time(g, cond, "NotOnOrAfter", o->not_on_or_after);
    if (o->audience != NULL) {
        restriction = add_el(cond, NULL, "AudienceRestriction", NULL);
        add_el(restriction, NULL, "Audience", o->audience);
    }
}

static int build_authn_statement(gen_t *g, xmlNodePtr assertion)
{
    const opts_t *o = g->o;
    char session[ID_LEN];
    xmlNodePtr stmt, ctx;

    if (o->no_authn) {
        return 0;
    }
    if (random_id(session, sizeof(session), "_s") < 0) {
        return -1;
    }
    stmt = add_el(assertion, NULL, "AuthnStatement", NULL);
    add_time(g, stmt, "AuthnInstant", 0);
    add_prop(stmt, "SessionIndex", session);
    if (o->have_session_noa) {
        add_time(g, stmt, "SessionNotOnOrAfter", o->session_not_on_or_after);
    }
    ctx = add_el(stmt, NULL, "AuthnContext", NULL);
    add_el(ctx, NULL, "AuthnContextClassRef",
           AC_CLASS "PasswordProtectedTransport");
    return 0;
}

static void add_attribute_value(gen_t *g, xmlNodePtr attr, const char *value)
{
    xmlNodePtr v = add_el(attr, NULL, "AttributeValue", value);
    xmlNsPtr xsi;

    if (g->o->profile->xsi_type) {
        xmlNewNs(v, BAD_CAST NS_XS, BAD_CAST "xs");
        xsi = xmlNewNs(v, BAD_CAST NS_XSI, BAD_CAST "xsi");
        xmlNewNsProp(v, xsi, BAD_CAST "type", BAD_CAST "xs:string");
    }
}

/* One saml:Attribute carrying every value given for attrs[first].name. */
static void add_attribute(gen_t *g, xmlNodePtr stmt, int first)
{
    const opts_t *o = g->o;
    const char *name = o->attrs[first].name;
    xmlNodePtr attr;
    int i;

    attr = add_el(stmt, NULL, "Attribute", NULL);
    add_prop(attr, "Name", name);
    if (nameformats[o->nameformat] != NULL) {
        add_prop(attr, "NameFormat", nameformats[o->nameformat]);
    }
    for (i = 0; i < o->nfriendly; i++) {
        if (strcmp(o->friendly[i].name, name) == 0) {
            add_prop(attr, "FriendlyName", o->friendly[i].value);
            break;
        }
    }
    for (i = first; i < o->nattrs; i++) {
        if (strcmp(o->attrs[i].name, name) == 0) {
            add_attribute_value(g, attr, o->attrs[i].value);
        }
    }
}

static void build_attribute_statement(gen_t *g, xmlNodePtr assertion)
{
    const opts_t *o = g->o;
    xmlNodePtr stmt;
    int i, j;

    if (o->nattrs == 0) {
        return;
    }
    stmt = add_el(assertion, NULL, "AttributeStatement", NULL);
    for (i = 0; i < o->nattrs; i++) {
        for (j = 0; j < i; j++) {
            if (strcmp(o->attrs[j].name, o->attrs[i].name) == 0) {
                break;
            }
        }
        if (j == i) {
            add_attribute(g, stmt, i);
        }
    }
}

/* Appends a complete saml:Assertion to the Response. */
static xmlNodePtr build_assertion(gen_t *g, const char *id,
                                  const char *nameid)
{
    xmlNodePtr a = add_saml_el(g, g->response, "Assertion", NULL);

    if (a == NULL) {
        return NULL;
    }
    set_id(g, a, id);
    add_prop(a, "Version", "2.0");
    add_time(g, a, "IssueInstant", g->o->issue_instant);
    add_el(a, NULL, "Issuer", g->o->issuer);
    build_subject(g, a, nameid);
    build_conditions(g, a);
    if (build_authn_statement(g, a) < 0) {
        return NULL;
    }
    build_attribute_statement(g, a);
    return a;
}

static int build_response(gen_t *g)
{
    const opts_t *o = g->o;
    const profile_t *p = o->profile;
    xmlNodePtr root;

    g->doc = xmlNewDoc(BAD_CAST "1.0");
    root = xmlNewDocNode(g->doc, NULL, BAD_CAST "Response", NULL);
    if (g->doc == NULL || root == NULL) {
        return fail("out of memory");
    }
    xmlDocSetRootElement(g->doc, root);
    g->response = root;
    g->proto_ns = xmlNewNs(root, BAD_CAST NS_PROTO, BAD_CAST p->proto_prefix);
    xmlSetNs(root, g->proto_ns);
    if (p->saml_ns_on_root) {
        g->saml_ns = xmlNewNs(root, BAD_CAST NS_SAML, BAD_CAST p->saml_prefix);
    }

    set_id(g, root, g->response_id);
    add_prop(root, "Version", o->version);
    add_time(g, root, "IssueInstant", o->issue_instant);
    if (o->destination != NULL) {
        add_prop(root, "Destination", o->destination);
    }
    if (o->in_response_to != NULL) {
        add_prop(root, "InResponseTo", o->in_response_to);
    }
    if (o->response_issuer != NULL) {
        add_saml_el(g, root, "Issuer", o->response_issuer);
    }
    build_status(g);
    g->assertion = build_assertion(g, g->assertion_id, o->nameid);
    return g->assertion != NULL ? 0 : fail("cannot build the assertion");
}

/* ------------------------------------------------------------------ */
/* Signing                                                             */
/* ------------------------------------------------------------------ */

static int load_cert(gen_t *g, const char *file)
{
    unsigned char *der = NULL;
    X509 *cert;
    BIO *bio;
    int len;

    bio = BIO_new_file(file, "r");
    if (bio == NULL) {
        return fail("cannot open certificate %s", file);
    }
    cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (cert == NULL) {
        return fail("no PEM certificate in %s", file);
    }
    len = i2d_X509(cert, &der);
    X509_free(cert);
    if (len <= 0) {
        return fail("cannot encode certificate %s", file);
    }
    g->cert_b64 = xmlSecBase64Encode(der, (xmlSecSize)len, 0);
    OPENSSL_free(der);
    return g->cert_b64 != NULL ? 0 : fail("out of memory");
}

static int load_credentials(gen_t *g)
{
    const opts_t *o = g->o;
    xmlSecKeyDataPtr value;

    if (o->key_file != NULL) {
        g->key = xmlSecOpenSSLAppKeyLoad(o->key_file, xmlSecKeyDataFormatPem,
                                         NULL, NULL, NULL);
        if (g->key == NULL) {
            return fail("cannot load private key %s", o->key_file);
        }
        value = xmlSecKeyGetValue(g->key);
        g->key_is_ec = xmlSecKeyDataCheckId(value,
                                            xmlSecOpenSSLKeyDataEcdsaId);
        if (g->key_is_ec && o->keyinfo == KI_KEYVALUE) {
            return fail("--keyinfo keyvalue needs an RSA key "
                        "(xmlsec 1.2 cannot write an EC KeyValue)");
        }
    }
    if (o->cert_file != NULL && o->keyinfo == KI_X509) {
        return load_cert(g, o->cert_file);
    }
    return 0;
}

static xmlSecTransformId sign_method(const gen_t *g)
{
    switch (g->o->alg) {
    case ALG_SHA1:
        return g->key_is_ec ? xmlSecOpenSSLTransformEcdsaSha1Id
                            : xmlSecOpenSSLTransformRsaSha1Id;
    case ALG_SHA384:
        return g->key_is_ec ? xmlSecOpenSSLTransformEcdsaSha384Id
                            : xmlSecOpenSSLTransformRsaSha384Id;
    case ALG_SHA512:
        return g->key_is_ec ? xmlSecOpenSSLTransformEcdsaSha512Id
                            : xmlSecOpenSSLTransformRsaSha512Id;
    default:
        return g->key_is_ec ? xmlSecOpenSSLTransformEcdsaSha256Id
                            : xmlSecOpenSSLTransformRsaSha256Id;
    }
}

static xmlSecTransformId digest_method(const gen_t *g)
{
    switch (g->o->alg) {
    case ALG_SHA1:
        return xmlSecOpenSSLTransformSha1Id;
    case ALG_SHA384:
        return xmlSecOpenSSLTransformSha384Id;
    case ALG_SHA512:
        return xmlSecOpenSSLTransformSha512Id;
    default:
        return xmlSecOpenSSLTransformSha256Id;
    }
}

static int is_attack(const gen_t *g, const char *name)
{
    return g->o->attack != NULL && strcmp(g->o->attack->name, name) == 0;
}

/* The element whose signature the signature attacks tamper with. */
static xmlNodePtr primary_signed(const gen_t *g)
{
    return (g->o->sign & SIGN_ASSERTION) ? g->assertion : g->response;
}

/*
 * "#ID" normally.  empty-ref signs the primary signature over URI=""
 * (the whole document); foreign-ref over the ID of the other element
 * (Response <-> Assertion).  Both stay cryptographically valid, so only
 * an SP that checks what the Reference points at rejects them.
 */
static void reference_uri(const gen_t *g, xmlNodePtr elem, const char *id,
                          char *buf, size_t len)
{
    if (elem == primary_signed(g) && is_attack(g, "empty-ref")) {
        buf[0] = '\0';
        return;
    }
    if (elem == primary_signed(g) && is_attack(g, "foreign-ref")) {
        id = (elem == g->response) ? g->assertion_id : g->response_id;
    }
    snprintf(buf, len, "#%s", id);
}

/* SAML puts Signature right after Issuer (or first if there is none). */
static void place_signature(gen_t *g, xmlNodePtr elem, xmlNodePtr sig)
{
    xmlNodePtr issuer = find_child(elem, "Issuer", NS_SAML);

    if (elem == g->response && g->o->sig_after_assertion) {
        xmlAddChild(elem, sig);
    }
    else if (issuer != NULL) {
        xmlAddNextSibling(issuer, sig);
    }
    else if (elem->children != NULL) {
        xmlAddPrevSibling(elem->children, sig);
    }
    else {
        xmlAddChild(elem, sig);
    }
}

/* KeyInfo/X509Data/X509Certificate of --cert, appended after signing. */
static void add_x509_keyinfo(gen_t *g, xmlNodePtr sig)
{
    xmlNodePtr keyinfo, data;

    keyinfo = add_el(sig, sig->ns, "KeyInfo", NULL);
    data = add_el(keyinfo, sig->ns, "X509Data", NULL);
    add_el(data, sig->ns, "X509Certificate", (const char *)g->cert_b64);
}

static int sign_element(gen_t *g, xmlNodePtr elem, const char *id)
{
    const opts_t *o = g->o;
    xmlSecTransformId c14n = o->c14n_incl ? xmlSecTransformInclC14NId
                                          : xmlSecTransformExclC14NId;
    char uri[URI_LEN];
    xmlNodePtr sig, ref, keyinfo;
    xmlSecDSigCtxPtr ctx;
    int rv;

    sig = xmlSecTmplSignatureCreateNsPref(g->doc, c14n, sign_method(g), NULL,
                                          BAD_CAST o->profile->dsig_prefix);
    if (sig == NULL) {
        return fail("cannot create signature template");
    }
    place_signature(g, elem, sig);
    reference_uri(g, elem, id, uri, sizeof(uri));
    ref = xmlSecTmplSignatureAddReference(sig, digest_method(g), NULL,
                                          BAD_CAST uri, NULL);
    if (ref == NULL
        || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId)
           == NULL
        || xmlSecTmplReferenceAddTransform(ref, c14n) == NULL) {
        return fail("cannot create signature reference");
    }
    if (o->keyinfo == KI_KEYVALUE) {
        keyinfo = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
        if (keyinfo == NULL || xmlSecTmplKeyInfoAddKeyValue(keyinfo) == NULL) {
            return fail("cannot create KeyInfo template");
        }
    }

    ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) {
        return fail("cannot create signature context");
    }
    ctx->signKey = xmlSecKeyDuplicate(g->key);
    rv = ctx->signKey != NULL ? xmlSecDSigCtxSign(ctx, sig) : -1;
    xmlSecDSigCtxDestroy(ctx);
    if (rv < 0) {
        return fail("signing %s %s failed", (const char *)elem->name, id);
    }
    if (o->keyinfo == KI_X509) {
        add_x509_keyinfo(g, sig);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* XML Signature Wrapping (Somorovsky et al. 2012; SAML Raider XSW1-8) */
/* ------------------------------------------------------------------ */

/*
 * Each attack keeps the original SignatureValue, whose Reference "#ID"
 * now resolves to an untouched copy of the signed element, and adds an
 * "evil" element (fresh "_evil_" ID, NameID --evil-nameid) where an SP
 * looks for the data.  Unlike SAML Raider the evil element always gets a
 * new ID (Raider keeps it in XSW7/XSW8), XSW7 hides the signed original
 * in Extensions (Raider hides the evil copy there) and the wrappers are
 * in the SAML/XML-DSig namespaces.  Where the copy sits
 * inside the Signature (XSW1, XSW6, XSW8) the enveloped-signature
 * transform removes it again, so a conforming verifier fails there.
 */

/* A deep copy of a signed element without its own (direct) Signature. */
static xmlNodePtr copy_unsigned(gen_t *g, xmlNodePtr elem)
{
    xmlNodePtr copy = xmlDocCopyNode(elem, g->doc, 1);

    if (copy != NULL) {
        remove_node(find_child(copy, "Signature", NS_DSIG));
    }
    return copy;
}

/* Give elem a fresh "_evil_" ID and assertion's NameID the evil value. */
static int make_evil(gen_t *g, xmlNodePtr elem, xmlNodePtr assertion)
{
    char id[ID_LEN];
    xmlNodePtr nameid = nameid_of(assertion);

    if (nameid == NULL || random_id(id, sizeof(id), "_evil_") < 0) {
        return fail("xsw: no NameID to modify");
    }
    xmlSetProp(elem, BAD_CAST "ID", BAD_CAST id);
    set_text(nameid, g->o->evil_nameid);
    return 0;
}

/* An unsigned, evil copy of the (signed) assertion. */
static xmlNodePtr evil_assertion(gen_t *g)
{
    xmlNodePtr evil = copy_unsigned(g, g->assertion);

    if (evil != NULL && make_evil(g, evil, evil) < 0) {
        xmlFreeNode(evil);
        return NULL;
    }
    return evil;
}

/*
 * XSW1/XSW2: the root becomes the evil Response (new ID, evil NameID) that
 * keeps the original Signature; an unsigned copy of the original Response,
 * which the Signature's "#ID" still resolves to, goes inside that Signature
 * (XSW1) or just before it (XSW2).
 */
static int wrap_response(gen_t *g, int before_signature)
{
    xmlNodePtr sig = find_child(g->response, "Signature", NS_DSIG);
    xmlNodePtr orig = copy_unsigned(g, g->response);
    xmlNodePtr assertion = find_child(g->response, "Assertion", NS_SAML);

    if (sig == NULL || orig == NULL
        || make_evil(g, g->response, assertion) < 0) {
        return fail("xsw: no signed Response");
    }
    if (before_signature) {
        xmlAddPrevSibling(sig, orig);
    }
    else {
        xmlAddChild(sig, orig);
    }
    return 0;
}

static int attack_xsw1(gen_t *g)
{
    return wrap_response(g, 0);
}

static int attack_xsw2(gen_t *g)
{
    return wrap_response(g, 1);
}

/* XSW3: unsigned evil Assertion inserted before the signed original. */
static int attack_xsw3(gen_t *g)
{
    xmlNodePtr evil = evil_assertion(g);

    if (evil == NULL) {
        return -1;
    }
    xmlAddPrevSibling(g->assertion, evil);
    return 0;
}

/*
 * XSW4: unsigned evil Assertion appended to the Response; the signed
 * original is moved inside it as its last child.
 */
static int attack_xsw4(gen_t *g)
{
    xmlNodePtr evil = evil_assertion(g);

    if (evil == NULL) {
        return -1;
    }
    xmlAddChild(g->response, evil);
    xmlUnlinkNode(g->assertion);
    xmlAddChild(evil, g->assertion);
    return 0;
}

/*
 * XSW5: the signed Assertion itself is made evil and keeps the original
 * Signature; an unsigned copy of the original is appended to the Response.
 */
static int attack_xsw5(gen_t *g)
{
    xmlNodePtr orig = copy_unsigned(g, g->assertion);

    if (orig == NULL || make_evil(g, g->assertion, g->assertion) < 0) {
        return -1;
    }
    xmlAddChild(g->response, orig);
    return 0;
}

/* XSW6: as XSW5, but the unsigned original goes inside the Signature. */
static int attack_xsw6(gen_t *g)
{
    xmlNodePtr sig = find_child(g->assertion, "Signature", NS_DSIG);
    xmlNodePtr orig = copy_unsigned(g, g->assertion);

    if (sig == NULL || orig == NULL
        || make_evil(g, g->assertion, g->assertion) < 0) {
        return -1;
    }
    xmlAddChild(sig, orig);
    return 0;
}

/*
 * XSW7: the signed original (with its Signature) is hidden inside a
 * samlp:Extensions element, whose content the schema does not check, and
 * an unsigned evil Assertion follows it.
 */
static int attack_xsw7(gen_t *g)
{
    xmlNodePtr evil = evil_assertion(g);
    xmlNodePtr ext;

    if (evil == NULL) {
        return -1;
    }
    ext = xmlNewDocNode(g->doc, g->proto_ns, BAD_CAST "Extensions", NULL);
    xmlAddPrevSibling(g->assertion, ext);
    xmlUnlinkNode(g->assertion);
    xmlAddChild(ext, g->assertion);
    xmlAddNextSibling(ext, evil);
    return 0;
}

/*
 * XSW8: the signed Assertion is made evil and keeps its Signature; an
 * unsigned copy of the original goes into a ds:Object in that Signature.
 */
static int attack_xsw8(gen_t *g)
{
    xmlNodePtr sig = find_child(g->assertion, "Signature", NS_DSIG);
    xmlNodePtr orig = copy_unsigned(g, g->assertion);
    xmlNodePtr object;

    if (sig == NULL || orig == NULL
        || make_evil(g, g->assertion, g->assertion) < 0) {
        return -1;
    }
    object = add_el(sig, sig->ns, "Object", NULL);
    xmlAddChild(object, orig);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Other attacks                                                       */
/* ------------------------------------------------------------------ */

/*
 * comment-nameid (before signing): NameID text "alice@example.test",
 * a comment, then ".evil.test".  The signature covers the comment-free
 * value; an SP reading only the first text node sees "alice@example.test".
 */
static int attack_comment_nameid(gen_t *g)
{
    xmlNodePtr nameid = nameid_of(g->assertion);

    if (nameid == NULL) {
        return fail("comment-nameid: no NameID");
    }
    xmlAddChild(nameid, xmlNewDocComment(g->doc, BAD_CAST ""));
    xmlAddChild(nameid, xmlNewDocText(g->doc, BAD_CAST ".evil.test"));
    return 0;
}

/* deep (before signing): an AttributeValue nesting --deep-levels elements. */
static int attack_deep(gen_t *g)
{
    xmlNodePtr stmt, attr, cur;
    xmlNsPtr ns;
    long i;

    stmt = find_child(g->assertion, "AttributeStatement", NS_SAML);
    if (stmt == NULL) {
        stmt = add_el(g->assertion, NULL, "AttributeStatement", NULL);
    }
    attr = add_el(stmt, NULL, "Attribute", NULL);
    add_prop(attr, "Name", "deep");
    cur = add_el(attr, NULL, "AttributeValue", NULL);
    ns = xmlNewNs(cur, BAD_CAST NS_DEEP, BAD_CAST "d");
    for (i = 0; i < g->o->deep_levels && cur != NULL; i++) {
        cur = add_el(cur, ns, "n", NULL);
    }
    return cur != NULL ? 0 : fail("deep: out of memory");
}

/* two-assertions: a second assertion for bob, signed like the first. */
static int attack_two_assertions(gen_t *g)
{
    char id[ID_LEN];
    xmlNodePtr second;

    if (random_id(id, sizeof(id), "_a") < 0) {
        return -1;
    }
    second = build_assertion(g, id, BOB_NAMEID);
    if (second == NULL) {
        return fail("two-assertions: cannot build assertion");
    }
    if (g->o->sign & SIGN_ASSERTION) {
        return sign_element(g, second, id);
    }
    return 0;
}

/* dup-id: samlp:Status gets the Assertion's ID as well. */
static int attack_dup_id(gen_t *g)
{
    xmlNodePtr status = find_child(g->response, "Status", NS_PROTO);

    if (status == NULL) {
        return fail("dup-id: no Status");
    }
    xmlSetProp(status, BAD_CAST "ID", BAD_CAST g->assertion_id);
    return 0;
}

static void add_cipher_data(xmlNodePtr parent, xmlNsPtr xenc, size_t len)
{
    xmlChar *b64 = random_b64(len);
    xmlNodePtr data = add_el(parent, xenc, "CipherData", NULL);

    add_el(data, xenc, "CipherValue", (const char *)b64);
    xmlFree(b64);
}

static void add_encryption_method(xmlNodePtr parent, xmlNsPtr xenc,
                                  const char *alg)
{
    xmlNodePtr method = add_el(parent, xenc, "EncryptionMethod", NULL);

    add_prop(method, "Algorithm", alg);
}

/*
 * encrypted: the Assertion is replaced by an EncryptedAssertion holding an
 * xenc:EncryptedData skeleton with random "ciphertext".
 */
static int attack_encrypted(gen_t *g)
{
    xmlNodePtr ea, data, keyinfo, key;
    xmlNsPtr xenc;

    ea = add_saml_el(g, g->response, "EncryptedAssertion", NULL);
    data = add_el(ea, NULL, "EncryptedData", NULL);
    xenc = xmlNewNs(data, BAD_CAST NS_XENC, BAD_CAST "xenc");
    xmlSetNs(data, xenc);
    add_prop(data, "Type", NS_XENC "Element");
    add_encryption_method(data, xenc, NS_XENC "aes256-cbc");
    keyinfo = add_el(data, NULL, "KeyInfo", NULL);
    xmlSetNs(keyinfo, xmlNewNs(keyinfo, BAD_CAST NS_DSIG, BAD_CAST "ds"));
    key = add_el(keyinfo, xenc, "EncryptedKey", NULL);
    add_encryption_method(key, xenc, NS_XENC "rsa-oaep-mgf1p");
    add_cipher_data(key, xenc, 256);
    add_cipher_data(data, xenc, 128);

    xmlReplaceNode(g->assertion, ea);
    xmlFreeNode(g->assertion);
    g->assertion = NULL;
    return 0;
}

/* unsigned-modify: NameID changed after signing; the digest breaks. */
static int attack_unsigned_modify(gen_t *g)
{
    xmlNodePtr nameid = nameid_of(g->assertion);

    if (nameid == NULL) {
        return fail("unsigned-modify: no NameID");
    }
    set_text(nameid, g->o->evil_nameid);
    return 0;
}

/* strip-signature: the (assertion's) Signature is removed after signing. */
static int attack_strip_signature(gen_t *g)
{
    remove_node(find_child(primary_signed(g), "Signature", NS_DSIG));
    return 0;
}

/* doctype: <!DOCTYPE Response [<!ENTITY e "x">]> before the root. */
static int attack_doctype(gen_t *g)
{
    xmlNodePtr root = g->response;
    char qname[64];

    snprintf(qname, sizeof(qname), "%s%s%s",
             root->ns && root->ns->prefix ? (const char *)root->ns->prefix : "",
             root->ns && root->ns->prefix ? ":" : "",
             (const char *)root->name);
    if (xmlCreateIntSubset(g->doc, BAD_CAST qname, NULL, NULL) == NULL
        || xmlAddDocEntity(g->doc, BAD_CAST "e", XML_INTERNAL_GENERAL_ENTITY,
                           NULL, NULL, BAD_CAST "x") == NULL) {
        return fail("doctype: cannot add DTD");
    }
    return 0;
}

/*
 * entity: doctype, and the first "x" of the NameID text is written as &e;
 * (which expands to "x"), so "alice@example.test" becomes
 * "alice@e&e;ample.test" and the signature still holds after expansion.
 * Without an "x" the reference is appended (signature then breaks).
 */
static int attack_entity(gen_t *g)
{
    xmlNodePtr nameid = nameid_of(g->assertion);
    xmlChar *text;
    char *x;

    if (nameid == NULL) {
        return fail("entity: no NameID");
    }
    if (attack_doctype(g) < 0) {
        return -1;
    }
    text = xmlNodeGetContent(nameid);
    x = strchr((char *)text, 'x');
    xmlNodeSetContent(nameid, NULL);
    xmlAddChild(nameid, xmlNewDocTextLen(g->doc, text,
                                         x ? (int)(x - (char *)text)
                                           : xmlStrlen(text)));
    xmlAddChild(nameid, xmlNewReference(g->doc, BAD_CAST "e"));
    if (x != NULL) {
        xmlAddChild(nameid, xmlNewDocText(g->doc, BAD_CAST (x + 1)));
    }
    xmlFree(text);
    return 0;
}

#define BOTH (SIGN_ASSERTION | SIGN_RESPONSE)

static const attack_t attacks[] = {
    { "xsw1", PHASE_POST, SIGN_RESPONSE, attack_xsw1 },
    { "xsw2", PHASE_POST, SIGN_RESPONSE, attack_xsw2 },
    { "xsw3", PHASE_POST, SIGN_ASSERTION, attack_xsw3 },
    { "xsw4", PHASE_POST, SIGN_ASSERTION, attack_xsw4 },
    { "xsw5", PHASE_POST, SIGN_ASSERTION, attack_xsw5 },
    { "xsw6", PHASE_POST, SIGN_ASSERTION, attack_xsw6 },
    { "xsw7", PHASE_POST, SIGN_ASSERTION, attack_xsw7 },
    { "xsw8", PHASE_POST, SIGN_ASSERTION, attack_xsw8 },
    { "comment-nameid", PHASE_PRE, 0, attack_comment_nameid },
    { "deep", PHASE_PRE, 0, attack_deep },
    { "two-assertions", PHASE_MID, 0, attack_two_assertions },
    { "dup-id", PHASE_MID, 0, attack_dup_id },
    { "encrypted", PHASE_MID, 0, attack_encrypted },
    { "empty-ref", PHASE_NONE, BOTH, NULL },
    { "foreign-ref", PHASE_NONE, BOTH, NULL },
    { "unsigned-modify", PHASE_POST, BOTH, attack_unsigned_modify },
    { "strip-signature", PHASE_POST, BOTH, attack_strip_signature },
    { "doctype", PHASE_POST, 0, attack_doctype },
    { "entity", PHASE_POST, 0, attack_entity },
    { NULL, PHASE_NONE, 0, NULL }
};

static int apply_attack(gen_t *g, int phase)
{
    const attack_t *a = g->o->attack;

    if (a == NULL || a->phase != phase || a->fn == NULL) {
        return 0;
    }
    return a->fn(g);
}

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
    g->now = ts.tv_sec;
    g->now_ms = ts.tv_nsec / 1000000;
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
"  --session-not-on-or-after N (omitted unless given)\n"
"  --millis              timestamps with milliseconds\n"
"  --attack NAME         xsw1..xsw8 comment-nameid deep two-assertions\n"
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
    OPT_EVIL, OPT_DEEP, OPT_XML, OPT_WRAP
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

static const attack_t *find_attack(const char *name)
{
    const attack_t *a;

    for (a = attacks; a->name != NULL; a++) {
        if (strcmp(a->name, name) == 0) {
            return a;
        }
    }
    usage_error("unknown attack '%s'", name);
    return NULL;
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
    o->not_before = -60;
    o->not_on_or_after = 300;
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
        case OPT_II: o->issue_instant = parse_long(optarg, name); break;
        case OPT_NB: o->not_before = parse_long(optarg, name); break;
        case OPT_NOA: o->not_on_or_after = parse_long(optarg, name); break;
        case OPT_SCD_NOA:
            o->scd_not_on_or_after = parse_long(optarg, name);
            o->have_scd_noa = 1;
            break;
        case OPT_SESSION_NOA:
            o->session_not_on_or_after = parse_long(optarg, name);
            o->have_session_noa = 1;
            break;
        case OPT_MILLIS: o->millis = 1; break;
        case OPT_ATTACK: o->attack = find_attack(optarg); break;
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
