/*
 * Fuzz target: the hardened parse every untrusted document goes through,
 * and the DOM helpers that read it.  Beyond "no crash": a parsed document
 * has a root, no DTD, no entity reference and no element deeper than the
 * limit.
 */
#include <string.h>

#include <apr_strings.h>

#include "fuzz.h"
#include "wcs_str.h"
#include "wcs_xml.h"

#define FUZZ_XML_MAX_BYTES (256 * 1024)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    wcs_fuzz_init();
    return 0;
}

/* Read every element the way the validator does, and check the limits
 * the parse promises; an iterative walk, as the core's own. */
static void walk(const xmlNode *root, apr_pool_t *p)
{
    const xmlNode *n = root;
    int depth = 1;
    const char *text;

    while (n) {
        WCS_FUZZ_CHECK(n->type != XML_ENTITY_REF_NODE
                       && n->type != XML_ENTITY_NODE
                       && n->type != XML_DTD_NODE);
        if (n->type == XML_ELEMENT_NODE) {
            WCS_FUZZ_CHECK(depth <= WCS_XML_MAX_DEPTH_DEFAULT);
            text = wcs_xml_text(n, p);
            if (text) {
                wcs_str_trim(apr_pstrdup(p, text));
            }
            wcs_xml_attr(n, "ID", p);
            wcs_xml_count_children(n, WCS_NS_SAML, "Assertion");
        }
        if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            depth++;
            continue;
        }
        while (n && n != root && !n->next) {
            n = n->parent;
            depth--;
        }
        n = (n && n != root) ? n->next : NULL;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    xmlDocPtr doc = NULL;
    apr_status_t rv;

    apr_pool_create(&p, wcs_fuzz_global_pool());
    rv = wcs_xml_parse(&doc, &res, (const char *)data, size,
                       FUZZ_XML_MAX_BYTES, WCS_XML_MAX_DEPTH_DEFAULT, p);
    if (rv == APR_SUCCESS) {
        xmlNodePtr root = xmlDocGetRootElement(doc);

        WCS_FUZZ_CHECK(root != NULL);
        WCS_FUZZ_CHECK(doc->intSubset == NULL && doc->extSubset == NULL);
        walk(root, p);
        wcs_xml_count_descendants(root, WCS_NS_DSIG, "Signature");
    }
    else {
        WCS_FUZZ_CHECK(rv == WCS_EREFUSED && doc == NULL);
        WCS_FUZZ_CHECK(res.code == WCS_CODE_GENERAL && res.reason != NULL);
    }
    apr_pool_destroy(p);
    return 0;
}
