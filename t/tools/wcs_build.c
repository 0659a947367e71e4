/*
 * wcs_build.c - building and signing the samlp:Response of wcs_mkresponse,
 * and the small XML helpers the attacks use as well.
 *
 * The Response gets fresh timestamps and the layout of the chosen IdP
 * profile; the Assertion and/or the Response are signed with an enveloped
 * XML-DSig made from xmlsec templates.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <libxml/tree.h>
#include <libxml/valid.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/base64.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>

#include "wcs_mkresponse.h"

#define AC_CLASS   "urn:oasis:names:tc:SAML:2.0:ac:classes:"
#define ANF    "urn:oasis:names:tc:SAML:2.0:attrname-format:"

/* Indexed by NF_*, as nameformat_names[] in wcs_mkresponse.c. */
static const char *const nameformats[] = {    /* NF_NONE: omitted */
    ANF "uri", ANF "basic", ANF "unspecified", NULL
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

int fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    return -1;
}

static void fmt_time(const gen_t *g, when_t w, char *buf, size_t len)
{
    time_t t = w.absolute ? (time_t)w.v : g->now + (time_t)w.v;
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

int random_id(char *buf, size_t len, const char *prefix)
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
xmlNodePtr add_el(xmlNodePtr parent, xmlNsPtr ns, const char *name,
                  const char *text)
{
    return xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text);
}

void add_prop(xmlNodePtr node, const char *name, const char *value)
{
    xmlNewProp(node, BAD_CAST name, BAD_CAST value);
}

static void add_time(const gen_t *g, xmlNodePtr node, const char *name,
                     when_t w)
{
    char buf[TIME_LEN];

    fmt_time(g, w, buf, sizeof(buf));
    add_prop(node, name, buf);
}

/*
 * An element of the assertion namespace directly below the Response
 * (Issuer, Assertion, EncryptedAssertion): uses the root's declaration, or
 * declares the namespace on the element itself as Okta and Entra do.
 */
xmlNodePtr add_saml_el(gen_t *g, xmlNodePtr parent, const char *name,
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

xmlNodePtr find_child(xmlNodePtr parent, const char *name, const char *ns)
{
    if (parent == NULL) {
        return NULL;
    }
    return xmlSecFindChild(parent, BAD_CAST name, BAD_CAST ns);
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
    add_time(g, stmt, "AuthnInstant", (when_t){ 0, 0 });
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
xmlNodePtr build_assertion(gen_t *g, const char *id, const char *nameid)
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

int build_response(gen_t *g)
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

int load_credentials(gen_t *g)
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
xmlNodePtr primary_signed(const gen_t *g)
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

int sign_element(gen_t *g, xmlNodePtr elem, const char *id)
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
