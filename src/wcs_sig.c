#include <string.h>

#include <apr_strings.h>

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/crypto.h>

#include <openssl/err.h>

#include "wcs_sig.h"
#include "wcs_xml.h"

/* --- IDs ------------------------------------------------------------- */

static apr_status_t register_id(wcs_result_t *res, xmlDocPtr doc,
                                xmlNodePtr elem, xmlAttrPtr attr,
                                apr_pool_t *p)
{
    xmlChar *value = xmlNodeListGetString(doc, attr->children, 1);
    apr_status_t rv = APR_SUCCESS;

    if (!value || !*value) {
        rv = wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                        "element %s (line %ld) has an empty ID",
                        (const char *)elem->name, xmlGetLineNo(elem));
    }
    else if (xmlGetID(doc, value)) {
        rv = wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                        "ID \"%s\" occurs more than once (element %s, line "
                        "%ld): signature wrapping refused",
                        (const char *)value, (const char *)elem->name,
                        xmlGetLineNo(elem));
    }
    else if (!xmlAddID(NULL, doc, value, attr)) {
        rv = wcs_refuse(res, p, WCS_CODE_GENERAL,
                        "cannot register ID \"%s\"", (const char *)value);
    }
    xmlFree(value);
    return rv;
}

apr_status_t wcs_sig_register_ids(wcs_result_t *res, xmlDocPtr doc,
                                  apr_pool_t *p)
{
    xmlNodePtr top = xmlDocGetRootElement(doc), n = top;
    apr_status_t rv;

    while (n) {
        if (n->type == XML_ELEMENT_NODE) {
            xmlAttrPtr a;

            for (a = n->properties; a; a = a->next) {
                if (!a->ns && !strcmp((const char *)a->name, "ID")) {
                    rv = register_id(res, doc, n, a, p);
                    if (rv != APR_SUCCESS) {
                        return rv;
                    }
                }
            }
            if (n->children) {
                n = n->children;
                continue;
            }
        }
        while (n != top && !n->next) {
            n = n->parent;
        }
        if (n == top) {
            break;
        }
        n = n->next;
    }
    return APR_SUCCESS;
}

apr_status_t wcs_sig_find(xmlNodePtr *sig, wcs_result_t *res,
                          const xmlNode *elem, apr_pool_t *p)
{
    int n = wcs_xml_count_children(elem, WCS_NS_DSIG, "Signature");

    *sig = NULL;
    if (n > 1) {
        return wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                          "%s carries %d Signature elements; one is allowed",
                          (const char *)elem->name, n);
    }
    *sig = wcs_xml_child(elem, WCS_NS_DSIG, "Signature", NULL);
    return APR_SUCCESS;
}

/* --- algorithm allowlists --------------------------------------------- */

typedef struct {
    xmlSecTransformId (*id)(void);
    int sha1;                    /* needs allow_sha1 */
    xmlSecKeyDataId (*key)(void);    /* signatures: the key type needed */
} alg_t;

#define ALG(getter, sha1) { getter, sha1, NULL }
#define RSA(getter, sha1) { getter, sha1, xmlSecOpenSSLKeyDataRsaGetKlass }
#define EC(getter, sha1) { getter, sha1, xmlSecOpenSSLKeyDataEcdsaGetKlass }

static const alg_t c14n_algs[] = {
    ALG(xmlSecTransformExclC14NGetKlass, 0),
    ALG(xmlSecTransformExclC14NWithCommentsGetKlass, 0),
    ALG(xmlSecTransformInclC14NGetKlass, 0),
    ALG(xmlSecTransformInclC14NWithCommentsGetKlass, 0),
    { NULL, 0, NULL }
};

static const alg_t signature_algs[] = {
    RSA(xmlSecOpenSSLTransformRsaSha256GetKlass, 0),
    RSA(xmlSecOpenSSLTransformRsaSha384GetKlass, 0),
    RSA(xmlSecOpenSSLTransformRsaSha512GetKlass, 0),
    EC(xmlSecOpenSSLTransformEcdsaSha256GetKlass, 0),
    EC(xmlSecOpenSSLTransformEcdsaSha384GetKlass, 0),
    EC(xmlSecOpenSSLTransformEcdsaSha512GetKlass, 0),
    RSA(xmlSecOpenSSLTransformRsaSha1GetKlass, 1),
    EC(xmlSecOpenSSLTransformEcdsaSha1GetKlass, 1),
    { NULL, 0, NULL }
};

static const alg_t digest_algs[] = {
    ALG(xmlSecOpenSSLTransformSha256GetKlass, 0),
    ALG(xmlSecOpenSSLTransformSha384GetKlass, 0),
    ALG(xmlSecOpenSSLTransformSha512GetKlass, 0),
    ALG(xmlSecOpenSSLTransformSha1GetKlass, 1),
    { NULL, 0, NULL }
};

static const alg_t reference_transforms[] = {
    ALG(xmlSecTransformEnvelopedGetKlass, 0),
    ALG(xmlSecTransformExclC14NGetKlass, 0),
    ALG(xmlSecTransformExclC14NWithCommentsGetKlass, 0),
    ALG(xmlSecTransformInclC14NGetKlass, 0),
    ALG(xmlSecTransformInclC14NWithCommentsGetKlass, 0),
    { NULL, 0, NULL }
};

/* The entry of algs for uri; NULL when uri is not one of them. */
static const alg_t *alg_find(const alg_t *algs, const char *uri)
{
    for (; algs->id; algs++) {
        xmlSecTransformId id = algs->id();

        if (uri && id->href && !strcmp(uri, (const char *)id->href)) {
            return algs;
        }
    }
    return NULL;
}

/* Is uri one of algs?  *sha1 tells whether the match is a SHA-1 one. */
static int alg_allowed(const alg_t *algs, const char *uri, int *sha1)
{
    const alg_t *alg = alg_find(algs, uri);

    if (alg) {
        *sha1 = alg->sha1;
    }
    return alg != NULL;
}

static void enable_algs(xmlSecDSigCtxPtr ctx, const alg_t *algs,
                        int allow_sha1, int for_reference)
{
    for (; algs->id; algs++) {
        if (algs->sha1 && !allow_sha1) {
            continue;
        }
        if (for_reference) {
            xmlSecDSigCtxEnableReferenceTransform(ctx, algs->id());
        }
        else {
            xmlSecDSigCtxEnableSignatureTransform(ctx, algs->id());
        }
    }
}

/* Check one Algorithm attribute of node against algs, with a reason that
 * names the algorithm and the element. */
static apr_status_t check_alg(wcs_result_t *res, const xmlNode *node,
                              const alg_t *algs, const wcs_idp_t *idp,
                              apr_pool_t *p)
{
    const char *uri = node ? wcs_xml_attr(node, "Algorithm", p) : NULL;
    int sha1 = 0;

    if (!node) {
        return wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                          "Signature is incomplete (no algorithm element)");
    }
    if (!alg_allowed(algs, uri, &sha1)) {
        return wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                          "%s algorithm \"%s\" is not allowed",
                          (const char *)node->name, uri ? uri : "(none)");
    }
    if (sha1 && !idp->allow_sha1) {
        return wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                          "%s is SHA-1 (%s), refused: SHA-1 is accepted only "
                          "for IdPs named by " WCS_CMD_ALLOW_SHA1,
                          (const char *)node->name, uri);
    }
    return APR_SUCCESS;
}

/* --- structure before cryptography ----------------------------------- */

/* Everything that can be refused without a key is refused here, so that
 * a wrapped or foreign signature costs no cryptography and gets a reason
 * that names what is wrong. */
static apr_status_t check_structure(wcs_result_t *res, const xmlNode *elem,
                                    const xmlNode *sig, const wcs_idp_t *idp,
                                    apr_pool_t *p)
{
    const char *id = wcs_xml_attr(elem, "ID", p), *uri;
    xmlNodePtr si, ref, transforms, t;
    xmlAttrPtr target;
    apr_status_t rv;

    si = wcs_xml_child(sig, WCS_NS_DSIG, "SignedInfo", NULL);
    if (!si || wcs_xml_count_children(sig, WCS_NS_DSIG, "SignedInfo") != 1
        || !wcs_xml_child(sig, WCS_NS_DSIG, "SignatureValue", NULL)) {
        return wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                          "Signature of %s is malformed (SignedInfo or "
                          "SignatureValue missing)", (const char *)elem->name);
    }
    if (wcs_xml_count_children(si, WCS_NS_DSIG, "Reference") != 1) {
        return wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                          "Signature of %s has %d References; exactly one is "
                          "allowed", (const char *)elem->name,
                          wcs_xml_count_children(si, WCS_NS_DSIG, "Reference"));
    }
    ref = wcs_xml_child(si, WCS_NS_DSIG, "Reference", NULL);
    uri = wcs_xml_attr(ref, "URI", p);
    if (!id || !uri || uri[0] != '#' || strcmp(uri + 1, id)) {
        return wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                          "Signature of %s references \"%s\", not the %s itself "
                          "(#%s)", (const char *)elem->name,
                          uri ? uri : "(no URI)", (const char *)elem->name,
                          id ? id : "");
    }
    target = xmlGetID(elem->doc, (const xmlChar *)id);
    if (!target || target->parent != elem) {
        return wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                          "reference #%s does not resolve to the signed %s",
                          id, (const char *)elem->name);
    }
    rv = check_alg(res, wcs_xml_child(si, WCS_NS_DSIG, "CanonicalizationMethod",
                                      NULL), c14n_algs, idp, p);
    if (rv == APR_SUCCESS) {
        rv = check_alg(res, wcs_xml_child(si, WCS_NS_DSIG, "SignatureMethod",
                                          NULL), signature_algs, idp, p);
    }
    if (rv == APR_SUCCESS) {
        rv = check_alg(res, wcs_xml_child(ref, WCS_NS_DSIG, "DigestMethod",
                                          NULL), digest_algs, idp, p);
    }
    transforms = wcs_xml_child(ref, WCS_NS_DSIG, "Transforms", NULL);
    for (t = wcs_xml_child(transforms, WCS_NS_DSIG, "Transform", NULL);
         t && rv == APR_SUCCESS;
         t = wcs_xml_child(transforms, WCS_NS_DSIG, "Transform", t)) {
        rv = check_alg(res, t, reference_transforms, idp, p);
    }
    return rv;
}

/* --- cryptography ------------------------------------------------------ */

/* The configured key that KeyInfo's certificate names, if any.  *foreign
 * is set when KeyInfo carries certificates none of which is configured. */
static const wcs_idp_key_t *keyinfo_hint(const char **foreign,
                                         const xmlNode *sig,
                                         const wcs_idp_t *idp, apr_pool_t *p)
{
    apr_array_header_t *certs;
    int i;

    *foreign = NULL;
    certs = wcs_idp_keyinfo_certs(wcs_xml_child(sig, WCS_NS_DSIG, "KeyInfo",
                                                NULL), p);
    for (i = 0; i < certs->nelts; i++) {
        wcs_keyinfo_cert_t *c = &APR_ARRAY_IDX(certs, i, wcs_keyinfo_cert_t);
        const wcs_idp_key_t *k;

        if (!c->der) {
            continue;
        }
        k = wcs_idp_key_by_der(idp, c->der, c->len);
        if (k) {
            return k;
        }
        if (!*foreign) {
            *foreign = wcs_idp_describe_der(c->der, c->len, p);
        }
    }
    return NULL;
}

typedef enum { TRY_VERIFIED, TRY_INVALID, TRY_ERROR } try_t;

/* xmlSecDSigCtxVerify with libxml2's errors (C14N of a hostile document)
 * captured for the reason rather than printed to stderr. */
static int verify_ctx(xmlSecDSigCtxPtr ctx, xmlNodePtr sig)
{
    wcs_xml_errors_t saved;
    int rc;

    wcs_xml_lib_errors_begin(&saved);
    rc = xmlSecDSigCtxVerify(ctx, sig);
    wcs_xml_lib_errors_end(&saved);
    return rc;
}

static try_t try_key(const char **why, xmlNodePtr sig,
                     const wcs_idp_key_t *k, const wcs_idp_t *idp,
                     apr_pool_t *p)
{
    xmlSecDSigCtxPtr ctx;
    xmlSecDSigReferenceCtxPtr ref;
    try_t outcome = TRY_ERROR;

    wcs_xml_xmlsec_error_clear();
    ctx = xmlSecDSigCtxCreate(NULL);
    if (!ctx) {
        *why = "xmlsec cannot create a signature context";
        return TRY_ERROR;
    }
    /* signKey set and no keys manager: xmlsec reads no key from KeyInfo.
     * The configured key is lent, not copied: verification only reads it
     * (its type and value; the signature transform takes a reference to
     * its EVP_PKEY), so threads share it, and it is taken back before the
     * context is destroyed. */
    ctx->signKey = k->key;
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    enable_algs(ctx, c14n_algs, idp->allow_sha1, 0);
    enable_algs(ctx, signature_algs, idp->allow_sha1, 0);
    enable_algs(ctx, reference_transforms, idp->allow_sha1, 1);
    enable_algs(ctx, digest_algs, idp->allow_sha1, 1);

    if (verify_ctx(ctx, sig) < 0) {
        *why = apr_psprintf(p, "xmlsec refused the signature: %s",
                            wcs_xml_xmlsec_error());
    }
    else if (ctx->status != xmlSecDSigStatusSucceeded) {
        ref = xmlSecPtrListGetSize(&ctx->signedInfoReferences) == 1
              ? xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0) : NULL;
        *why = ref && ref->status != xmlSecDSigStatusSucceeded
               ? "the digest does not match: the signed element was changed "
                 "after signing"
               : "the signature value does not verify with the configured key";
        outcome = TRY_INVALID;
    }
    else if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1
             || !(ref = xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0))
             || ref->status != xmlSecDSigStatusSucceeded) {
        *why = "xmlsec verified a reference set other than the one checked";
    }
    else {
        outcome = TRY_VERIFIED;
    }
    ctx->signKey = NULL;
    xmlSecDSigCtxDestroy(ctx);
    /* A failed verification leaves its errors in OpenSSL's per-thread
     * queue, where the next key, or another module's next TLS call on
     * this thread, would read them as its own. */
    ERR_clear_error();
    return outcome;
}

/* The key type sig's SignatureMethod needs (RSA or EC), from the
 * allowlist; check_structure has refused any other method. */
static xmlSecKeyDataId signature_key_type(const xmlNode *sig, apr_pool_t *p)
{
    const xmlNode *si = wcs_xml_child(sig, WCS_NS_DSIG, "SignedInfo", NULL);
    const xmlNode *method = wcs_xml_child(si, WCS_NS_DSIG, "SignatureMethod",
                                          NULL);
    const alg_t *alg = method ? alg_find(signature_algs,
                                         wcs_xml_attr(method, "Algorithm", p))
                              : NULL;

    return alg && alg->key ? alg->key() : xmlSecKeyDataIdUnknown;
}

static int key_fits(const wcs_idp_key_t *k, xmlSecKeyDataId type)
{
    xmlSecKeyDataPtr value = xmlSecKeyGetValue(k->key);

    return type == xmlSecKeyDataIdUnknown
           || (value && xmlSecKeyDataCheckId(value, type));
}

apr_status_t wcs_sig_verify(const wcs_idp_key_t **used, wcs_result_t *res,
                            xmlNodePtr elem, xmlNodePtr sig,
                            const wcs_idp_t *idp, const wcs_logger_t *lg,
                            apr_pool_t *p)
{
    const wcs_idp_key_t *hint, *k;
    const char *foreign, *why, *invalid = NULL, *error = NULL;
    xmlSecKeyDataId type;
    apr_status_t rv;
    int i, tried = 0;
    try_t outcome;

    *used = NULL;
    rv = check_structure(res, elem, sig, idp, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    type = signature_key_type(sig, p);
    hint = keyinfo_hint(&foreign, sig, idp, p);
    /* KeyInfo is only a hint, tried first: every configured key of the
     * type the algorithm needs is tried, so a message without KeyInfo (or
     * with a stale one) still verifies, and an error with one key does not
     * end the search (an IdP rolling from RSA to EC holds both). */
    for (i = -1; i < idp->keys->nelts; i++) {
        k = i < 0 ? hint : APR_ARRAY_IDX(idp->keys, i, const wcs_idp_key_t *);
        if (!k || (i >= 0 && k == hint) || !key_fits(k, type)) {
            continue;
        }
        tried++;
        outcome = try_key(&why, sig, k, idp, p);
        if (outcome == TRY_VERIFIED) {
            wcs_log_printf(lg, WCS_LOG_MARK, WCS_LOG_DEBUG, p,
                           "%s signature verified with %s (%s)",
                           (const char *)elem->name, k->subject, k->source);
            *used = k;
            return APR_SUCCESS;
        }
        /* A key that the signature does not verify with says more than
         * one that xmlsec could not use at all. */
        if (outcome == TRY_INVALID && !invalid) {
            invalid = why;
        }
        else if (outcome == TRY_ERROR && !error) {
            error = why;
        }
    }
    if (foreign && !hint) {
        return wcs_refuse(res, p, WCS_CODE_MISCONFIG,
                          "%s is signed with certificate %s, which is not "
                          "among the %d configured for IdP %s, and no "
                          "configured key verifies it: has the IdP rolled its "
                          "signing key? Update its metadata or certificate "
                          "file", (const char *)elem->name, foreign,
                          idp->keys->nelts, idp->entity_id);
    }
    if (!tried) {
        return wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                          "%s signature is invalid: its algorithm needs %s "
                          "key, and none of the %d keys configured for IdP %s "
                          "is one", (const char *)elem->name,
                          type == xmlSecOpenSSLKeyDataEcdsaId ? "an EC"
                                                             : "an RSA",
                          idp->keys->nelts, idp->entity_id);
    }
    if (invalid) {
        return wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                          "%s signature is invalid: %s",
                          (const char *)elem->name, invalid);
    }
    return wcs_refuse(res, p, WCS_CODE_SIGNATURE, "%s signature: %s",
                      (const char *)elem->name, error);
}
