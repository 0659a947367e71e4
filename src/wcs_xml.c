#include <string.h>

#include <apr_strings.h>
#include <apr_thread_mutex.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/errors.h>
#include <xmlsec/crypto.h>

#include "wcs_xml.h"

static int xml_initialised;

/* --- xmlsec errors, per thread --------------------------------------- */

static __thread char xmlsec_error[256];

/* The text of an xmlsec reason code (XMLSEC_ERRORS_R_*): the library's
 * table is indexed by position, not by code. */
static const char *xmlsec_reason_text(int reason)
{
    xmlSecSize i;
    const char *text;

    for (i = 0; i < XMLSEC_ERRORS_MAX_NUMBER; i++) {
        text = xmlSecErrorsGetMsg(i);
        if (!text) {
            break;
        }
        if (xmlSecErrorsGetCode(i) == reason) {
            return text;
        }
    }
    return "error";
}

static void xmlsec_error_cb(const char *file, int line, const char *func,
                            const char *error_object,
                            const char *error_subject, int reason,
                            const char *msg)
{
    /* Keep the first error of a failing call: it is the cause; later ones
     * are the callers unwinding. */
    if (xmlsec_error[0]) {
        return;
    }
    /* The first error has no subject (that is the failing callee of the
     * ones that follow); its msg is often only "details=NULL". */
    if (msg && (!*msg || !strcmp(msg, "details=NULL"))) {
        msg = NULL;
    }
    apr_snprintf(xmlsec_error, sizeof(xmlsec_error), "%s%s%s%s%s",
                 xmlsec_reason_text(reason), msg ? ": " : "",
                 msg ? msg : "", error_object ? " in " : "",
                 error_object ? error_object : "");
}

const char *wcs_xml_xmlsec_error(void)
{
    return xmlsec_error[0] ? xmlsec_error : "unknown error";
}

void wcs_xml_xmlsec_error_clear(void)
{
    xmlsec_error[0] = '\0';
}

static void lib_error_cb(void *ctx, xmlErrorPtr e)
{
    apr_size_t len;

    if (xmlsec_error[0] || !e) {
        return;
    }
    apr_snprintf(xmlsec_error, sizeof(xmlsec_error), "libxml2: %s",
                 e->message ? e->message : "unknown libxml2 error");
    len = strlen(xmlsec_error);
    while (len > 0 && (xmlsec_error[len - 1] == '\n'
                       || xmlsec_error[len - 1] == ' ')) {
        xmlsec_error[--len] = '\0';
    }
}

void wcs_xml_lib_errors_begin(wcs_xml_errors_t *saved)
{
    /* xmlStructuredError is per thread when libxml2 has threads, as
     * Debian's has; a structured handler takes precedence over the
     * generic one that prints. */
    saved->handler = xmlStructuredError;
    saved->ctx = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(NULL, lib_error_cb);
}

void wcs_xml_lib_errors_end(const wcs_xml_errors_t *saved)
{
    xmlSetStructuredErrorFunc(saved->ctx, saved->handler);
}

apr_status_t wcs_xml_init(const char **err)
{
    /* Called from the single-threaded config phase; a plain flag is
     * enough.  Nothing global of libxml2 is changed (entity substitution,
     * DTD loading): other modules share the library. */
    if (xml_initialised) {
        return APR_SUCCESS;
    }
    xmlInitParser();
    if (xmlSecInit() < 0) {
        *err = "xmlSecInit failed";
        return APR_EGENERAL;
    }
    if (xmlSecCheckVersion() != 1) {
        *err = "the loaded xmlsec library is not compatible with the one "
               "this module was built against";
        return APR_EGENERAL;
    }
    /* xmlsec's default error callback prints to stderr; the core reports
     * failures through wcs_result instead, with the cause captured here. */
    xmlSecErrorsDefaultCallbackEnableOutput(0);
    if (xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0) {
        *err = "xmlsec-openssl initialisation failed";
        return APR_EGENERAL;
    }
    /* Installed after xmlSecCryptoInit(): xmlsec-openssl sets its own
     * callback there, which would silently replace ours and leave every
     * refusal from xmlsec without its cause. */
    xmlSecErrorsSetCallback(xmlsec_error_cb);
    xml_initialised = 1;
    return APR_SUCCESS;
}

/* --- hardened parse ------------------------------------------------- */

typedef struct {
    int max_depth;
    const char *refused;         /* why the guard stopped the parser */
    startElementNsSAX2Func start_element;
} parse_guard_t;

static void guard_doctype(void *ctx, const xmlChar *name,
                          const xmlChar *external_id,
                          const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = ctx;
    parse_guard_t *guard = ctxt->_private;

    /* Stop at "<!DOCTYPE" itself: no internal subset is read, so no
     * entity is ever declared, expanded or fetched. */
    guard->refused = "it has a DOCTYPE declaration (DTDs and entities are "
                     "refused)";
    xmlStopParser(ctxt);
}

static void guard_start(void *ctx, const xmlChar *localname,
                        const xmlChar *prefix, const xmlChar *uri,
                        int nb_namespaces, const xmlChar **namespaces,
                        int nb_attributes, int nb_defaulted,
                        const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    parse_guard_t *guard = ctxt->_private;

    if (ctxt->nodeNr >= guard->max_depth) {
        guard->refused = "it is nested deeper than the limit";
        xmlStopParser(ctxt);
        return;
    }
    guard->start_element(ctx, localname, prefix, uri, nb_namespaces,
                         namespaces, nb_attributes, nb_defaulted,
                         attributes);
}

static apr_status_t doc_cleanup(void *data)
{
    xmlFreeDoc(data);
    return APR_SUCCESS;
}

#define WCS_XML_PARSE_OPTIONS \
    (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

apr_status_t wcs_xml_parse(xmlDocPtr *pdoc, wcs_result_t *res,
                           const char *buf, apr_size_t len,
                           apr_size_t max_bytes, int max_depth,
                           apr_pool_t *p)
{
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;
    parse_guard_t guard;
    const char *lib_error = NULL;

    *pdoc = NULL;
    if (len > max_bytes) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL,
                          "XML is %" APR_SIZE_T_FMT " bytes, over the limit of %"
                          APR_SIZE_T_FMT, len, max_bytes);
    }
    if (len == 0 || len > INT_MAX) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL, "XML is empty");
    }
    ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL,
                          "out of memory creating an XML parser");
    }
    memset(&guard, 0, sizeof(guard));
    guard.max_depth = max_depth;
    guard.start_element = ctxt->sax->startElementNs;
    ctxt->sax->internalSubset = guard_doctype;
    ctxt->sax->externalSubset = NULL;
    ctxt->sax->entityDecl = NULL;
    ctxt->sax->startElementNs = guard_start;
    ctxt->_private = &guard;

    doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
                            WCS_XML_PARSE_OPTIONS);
    if (!doc && ctxt->lastError.message) {
        char *e = apr_pstrdup(p, ctxt->lastError.message);
        apr_size_t l = strlen(e);

        while (l > 0 && (e[l - 1] == '\n' || e[l - 1] == ' ')) {
            e[--l] = '\0';
        }
        lib_error = apr_psprintf(p, "%s (line %d)", e, ctxt->lastError.line);
    }
    xmlFreeParserCtxt(ctxt);

    if (doc && (guard.refused || doc->intSubset || doc->extSubset)) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    if (guard.refused) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL, "XML refused: %s",
                          guard.refused);
    }
    if (!doc) {
        return wcs_refuse(res, p, WCS_CODE_GENERAL,
                          "XML is not well-formed: %s",
                          lib_error ? lib_error : "no document");
    }
    if (!xmlDocGetRootElement(doc)) {
        xmlFreeDoc(doc);
        return wcs_refuse(res, p, WCS_CODE_GENERAL, "XML has no root element");
    }
    apr_pool_cleanup_register(p, doc, doc_cleanup, apr_pool_cleanup_null);
    *pdoc = doc;
    return APR_SUCCESS;
}

/* --- DOM helpers ---------------------------------------------------- */

int wcs_xml_is(const xmlNode *node, const char *ns, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && node->ns
           && node->ns->href
           && !strcmp((const char *)node->ns->href, ns)
           && !strcmp((const char *)node->name, name);
}

xmlNodePtr wcs_xml_child(const xmlNode *parent, const char *ns,
                         const char *name, const xmlNode *after)
{
    xmlNodePtr n;

    if (!parent) {
        return NULL;
    }
    n = after ? after->next : parent->children;
    for (; n; n = n->next) {
        if (wcs_xml_is(n, ns, name)) {
            return n;
        }
    }
    return NULL;
}

int wcs_xml_count_children(const xmlNode *parent, const char *ns,
                           const char *name)
{
    int count = 0;
    xmlNodePtr n = wcs_xml_child(parent, ns, name, NULL);

    while (n) {
        count++;
        n = wcs_xml_child(parent, ns, name, n);
    }
    return count;
}

int wcs_xml_count_descendants(const xmlNode *top, const char *ns,
                              const char *name)
{
    const xmlNode *n = top;
    int count = 0;

    /* Iterative pre-order walk: depth is bounded by the parse, but no
     * recursion is needed at all. */
    while (n) {
        if (wcs_xml_is(n, ns, name)) {
            count++;
        }
        if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            continue;
        }
        while (n && n != top && !n->next) {
            n = n->parent;
        }
        if (!n || n == top) {
            break;
        }
        n = n->next;
    }
    return count;
}

const char *wcs_xml_markup(const xmlNode *node)
{
    const xmlNode *c;
    int texts = 0, element = 0;

    for (c = node->children; c; c = c->next) {
        switch (c->type) {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            texts++;
            break;
        case XML_ELEMENT_NODE:
            element = 1;
            break;
        case XML_COMMENT_NODE:
            return "a comment";
        case XML_PI_NODE:
            return "a processing instruction";
        default:
            return "markup";
        }
    }
    if (element) {
        return "an element";
    }
    return texts > 1 ? "text split by CDATA" : NULL;
}

const char *wcs_xml_text(const xmlNode *node, apr_pool_t *p)
{
    const xmlNode *c = node->children;

    if (!c) {
        return apr_pstrdup(p, "");
    }
    /* One node only: libxml2 joins adjacent text and references into one
     * text node, so several nodes mean CDATA or markup in between. */
    if (c->next || (c->type != XML_TEXT_NODE
                    && c->type != XML_CDATA_SECTION_NODE)) {
        return NULL;
    }
    return apr_pstrdup(p, c->content ? (const char *)c->content : "");
}

const char *wcs_xml_attr(const xmlNode *node, const char *name,
                         apr_pool_t *p)
{
    xmlAttrPtr attr;
    const char *v = NULL;
    xmlChar *s;

    attr = xmlHasNsProp(node, (const xmlChar *)name, NULL);
    if (!attr || attr->type != XML_ATTRIBUTE_NODE) {
        return NULL;
    }
    s = xmlNodeGetContent((xmlNodePtr)attr);
    if (s) {
        v = apr_pstrdup(p, (const char *)s);
        xmlFree(s);
    }
    return v;
}
