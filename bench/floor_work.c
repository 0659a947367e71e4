/* floor_work: see floor_work.h. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

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

#include "floor_work.h"

#define NS_SAMLP "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_SAML "urn:oasis:names:tc:SAML:2.0:assertion"

/* The certificate's public key as a bare xmlsec key: no X.509 data, so
 * nothing but the EVP_PKEY is touched per signature. */
xmlSecKeyPtr floor_load_key(const char *path)
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
    if (key && xmlSecKeySetValue(key, value) < 0) {
        xmlSecKeyDestroy(key);
        key = NULL;
    }
    return key;
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
const char *floor_one(long *sigs, const char *b64, size_t b64_len,
                      unsigned char *buf, xmlSecKeyPtr key)
{
    xmlDocPtr doc;
    xmlNodePtr root, c;
    int len, n = 0, m = 0;

    len = b64_len < 4 || b64_len % 4 || b64_len > INT_MAX ? -1
          : EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)b64_len);
    if (len < 0) {
        return "not base64";
    }
    /* EVP_DecodeBlock counts the bytes the padding stands for. */
    len -= (b64[b64_len - 1] == '=') + (b64[b64_len - 2] == '=');
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
