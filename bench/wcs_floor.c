/* wcs_floor: the in-process floor of the benchmark.
 *
 * What a SAML login costs with no HTTP and no module around it: base64
 * decode, parse, ID registration and XML-DSig verification of every
 * Signature of the Response and of its Assertion, done straight with
 * libxml2, xmlsec1 (OpenSSL) and OpenSSL, never with src/wcs_*.  The
 * module's time per sign-in is compared against this physical limit.
 * It is the floor of the work, not of the checks: conditions, audience,
 * the number of Assertions and such are the module's business.
 *
 * Usage: wcs_floor [-r REPEATS] IDP_CERT.pem RESPONSES_FILE
 * RESPONSES_FILE holds one base64 SAMLResponse per line, as
 * t/tools/wcs_mkresponse prints them.  Exit 1 if any response fails
 * (a floor that skips work is worthless), 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>

#define NS_SAMLP "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_SAML "urn:oasis:names:tc:SAML:2.0:assertion"

typedef struct {
    char *b64;
    size_t len;
    long line;                   /* in RESPONSES_FILE, for messages */
} response_t;

static void die(int code, const char *msg, const char *arg)
{
    fprintf(stderr, "wcs_floor: %s%s%s\n", msg, arg ? ": " : "",
            arg ? arg : "");
    exit(code);
}

/* The certificate's public key as a bare xmlsec key: no X.509 data, so
 * nothing but the EVP_PKEY is touched per signature. */
static xmlSecKeyPtr load_key(const char *path)
{
    FILE *f = fopen(path, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    EVP_PKEY *pkey = x ? X509_get_pubkey(x) : NULL;
    xmlSecKeyDataPtr value = pkey ? xmlSecOpenSSLEvpKeyAdopt(pkey) : NULL;
    xmlSecKeyPtr key = value ? xmlSecKeyCreate() : NULL;

    if (f) {
        fclose(f);
    }
    X509_free(x);
    if (!key || xmlSecKeySetValue(key, value) < 0) {
        die(1, "cannot load a public key from the certificate", path);
    }
    return key;
}

/* Every non-empty line of path, in memory (*text, to free) before anything
 * is timed. */
static response_t *read_responses(size_t *count, char **text,
                                  const char *path)
{
    FILE *f = fopen(path, "rb");
    long size = f && !fseek(f, 0, SEEK_END) ? ftell(f) : -1;
    char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL, *s, *nl;
    response_t *r = NULL;
    size_t n = 0;
    long line = 0;

    if (!buf || fseek(f, 0, SEEK_SET)
        || fread(buf, 1, (size_t)size, f) != (size_t)size
        || !(r = malloc(((size_t)size / 2 + 1) * sizeof(*r)))) {
        die(1, "cannot read", path);
    }
    fclose(f);
    buf[size] = '\0';
    for (s = buf; s < buf + size; s = nl + 1) {
        nl = strchr(s, '\n');
        nl = nl ? nl : buf + size;
        *nl = '\0';
        line++;
        if (nl > s && nl[-1] == '\r') {
            nl[-1] = '\0';
        }
        if (*s) {
            r[n].b64 = s;
            r[n].len = strlen(s);
            r[n++].line = line;
        }
    }
    if (n == 0) {
        die(1, "no responses in", path);
    }
    *count = n;
    *text = buf;
    return r;
}

static int is_elem(const xmlNode *n, const char *ns, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns
           && !strcmp((const char *)n->ns->href, ns)
           && !strcmp((const char *)n->name, name);
}

/* Register elem's ID attribute so that xmlsec resolves "#id"; the ID is
 * its only text child (no entity is substituted, so there is no other). */
static int add_id(xmlDocPtr doc, xmlNodePtr elem, const char **id)
{
    xmlAttrPtr a = xmlHasNsProp(elem, BAD_CAST "ID", NULL);
    xmlNodePtr t = a ? a->children : NULL;

    if (!t || t->type != XML_TEXT_NODE || t->next || !t->content
        || !*t->content) {
        return -1;
    }
    *id = (const char *)t->content;
    return xmlAddID(NULL, doc, t->content, a) ? 0 : -1;
}

/* Verify sig, a child of the element whose ID is id, with the lent key.
 * The context allows only what a SAML SP needs, resolves same-document
 * references only, and has no keys manager: KeyInfo is never read. */
static int verify(xmlNodePtr sig, const char *id, xmlSecKeyPtr key)
{
    xmlSecDSigCtx ctx;
    xmlSecDSigReferenceCtxPtr ref;
    int ok;

    if (xmlSecDSigCtxInitialize(&ctx, NULL) < 0) {
        return 0;
    }
    ctx.enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    xmlSecDSigCtxEnableSignatureTransform(&ctx, xmlSecTransformExclC14NId);
    xmlSecDSigCtxEnableSignatureTransform(&ctx, xmlSecTransformRsaSha256Id);
    xmlSecDSigCtxEnableReferenceTransform(&ctx, xmlSecTransformEnvelopedId);
    xmlSecDSigCtxEnableReferenceTransform(&ctx, xmlSecTransformExclC14NId);
    xmlSecDSigCtxEnableReferenceTransform(&ctx, xmlSecTransformSha256Id);
    /* Lent, not duplicated: taken back before Finalize destroys it. */
    ctx.signKey = key;
    ok = xmlSecDSigCtxVerify(&ctx, sig) == 0
         && ctx.status == xmlSecDSigStatusSucceeded
         && xmlSecPtrListGetSize(&ctx.signedInfoReferences) == 1
         && (ref = xmlSecPtrListGetItem(&ctx.signedInfoReferences, 0))
         && ref->uri && ref->uri[0] == '#'
         && !strcmp((const char *)ref->uri + 1, id);
    ctx.signKey = NULL;
    xmlSecDSigCtxFinalize(&ctx);
    return ok;
}

/* Register elem's ID and verify the Signatures that are its direct
 * children: their number, or -1. */
static int verify_element(xmlDocPtr doc, xmlNodePtr elem, xmlSecKeyPtr key)
{
    const char *id;
    xmlNodePtr c;
    int n = 0;

    if (add_id(doc, elem, &id) < 0) {
        return -1;
    }
    for (c = elem->children; c; c = c->next) {
        if (is_elem(c, (const char *)xmlSecDSigNs,
                    (const char *)xmlSecNodeSignature)) {
            if (!verify(c, id, key)) {
                return -1;
            }
            n++;
        }
    }
    return n;
}

/* The whole work of one login into buf (large enough for any response):
 * NULL, with the signatures verified added to *sigs, or the reason. */
static const char *one_response(long *sigs, const response_t *r,
                                unsigned char *buf, xmlSecKeyPtr key)
{
    xmlDocPtr doc;
    xmlNodePtr root, c;
    int len, n = 0, m = 0;

    len = r->len % 4 ? -1 : EVP_DecodeBlock(buf, (unsigned char *)r->b64,
                                            (int)r->len);
    if (len < 0) {
        return "not base64";
    }
    /* EVP_DecodeBlock counts the bytes the padding stands for. */
    len -= (r->b64[r->len - 1] == '=') + (r->b64[r->len - 2] == '=');
    doc = xmlReadMemory((const char *)buf, len, NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR
                        | XML_PARSE_NOWARNING);
    if (!doc) {
        return "not well-formed XML";
    }
    root = xmlDocGetRootElement(doc);
    if (!root || doc->intSubset || !is_elem(root, NS_SAMLP, "Response")) {
        xmlFreeDoc(doc);
        return "not a Response without DTD";
    }
    n = verify_element(doc, root, key);
    for (c = root->children; c && n >= 0 && m >= 0; c = c->next) {
        if (is_elem(c, NS_SAML, "Assertion")) {
            m = verify_element(doc, c, key);
            n += m;
        }
    }
    xmlFreeDoc(doc);
    if (n < 0 || m < 0) {
        return "bad ID or signature (Response or Assertion)";
    }
    *sigs += n;
    return n ? NULL : "no signature";
}

static double seconds(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long repeats = 1, pass;
    size_t i, count, max = 0;
    response_t *r;
    xmlSecKeyPtr key;
    unsigned char *buf;
    double cpu, wall, per;
    const char *why;
    char *end, *text;
    long sigs = 0;
    int a = 1;

    if (argc == 5 && !strcmp(argv[1], "-r")) {
        repeats = strtol(argv[2], &end, 10);
        a = 3;
        if (*end || repeats < 1) {
            die(2, "REPEATS must be a positive integer", argv[2]);
        }
    }
    if (argc - a != 2) {
        die(2, "usage: wcs_floor [-r REPEATS] IDP_CERT.pem RESPONSES_FILE",
            NULL);
    }
    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1
        || xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0) {
        die(1, "xmlsec initialisation failed", NULL);
    }
    key = load_key(argv[a]);
    r = read_responses(&count, &text, argv[a + 1]);
    for (i = 0; i < count; i++) {
        max = r[i].len > max ? r[i].len : max;
    }
    if (!(buf = malloc(max / 4 * 3 + 1))) {
        die(1, "out of memory", NULL);
    }

    cpu = seconds(CLOCK_PROCESS_CPUTIME_ID);
    wall = seconds(CLOCK_MONOTONIC);
    for (pass = 0; pass < repeats; pass++) {
        for (i = 0; i < count; i++) {
            if ((why = one_response(&sigs, &r[i], buf, key))) {
                fprintf(stderr, "wcs_floor: %s line %ld: %s\n", argv[a + 1],
                        r[i].line, why);
                return 1;
            }
        }
    }
    cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
    wall = seconds(CLOCK_MONOTONIC) - wall;

    per = cpu * 1e3 / ((double)count * repeats);
    printf("floor: %lu responses, %ld signatures verified, %.3f s CPU "
           "(%.3f s wall), %.3f ms CPU per response\n",
           (unsigned long)(count * repeats), sigs, cpu, wall, per);
    printf("floor-ms-per-response %.3f\n", per);
    free(buf);
    free(r);
    free(text);
    xmlSecKeyDestroy(key);
    xmlSecCryptoShutdown();
    xmlSecCryptoAppShutdown();
    xmlSecShutdown();
    xmlCleanupParser();
    return 0;
}
