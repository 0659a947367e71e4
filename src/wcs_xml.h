/*
 * wcs_xml: the one door through which untrusted XML enters, strict base64,
 * and small DOM helpers that read SAML elements by namespace and name.
 * libxml2 and xmlsec are initialised once per process and never shut down
 * (other modules in the same httpd share them).
 */
#ifndef WCS_XML_H
#define WCS_XML_H

#include <apr_pools.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "wcs_result.h"

#define WCS_NS_SAMLP "urn:oasis:names:tc:SAML:2.0:protocol"
#define WCS_NS_SAML  "urn:oasis:names:tc:SAML:2.0:assertion"
#define WCS_NS_DSIG  "http://www.w3.org/2000/09/xmldsig#"
#define WCS_NS_MD    "urn:oasis:names:tc:SAML:2.0:metadata"

/* Depth no SAML response or metadata document legitimately reaches. */
#define WCS_XML_MAX_DEPTH_DEFAULT 40

/* Initialise libxml2, xmlsec and its OpenSSL engine once per process.
 * Returns APR_SUCCESS, or APR_EGENERAL with *err set (static string). */
apr_status_t wcs_xml_init(const char **err);

/* The first xmlsec error this thread met since the last clear, for
 * refusal reasons; "unknown error" when xmlsec reported none.  The
 * callback behind it is installed by wcs_xml_init. */
const char *wcs_xml_xmlsec_error(void);
void wcs_xml_xmlsec_error_clear(void);

/* libxml2's own errors on this thread (C14N, run by xmlsec while it
 * verifies) go by default to the process's stderr.  Between begin and end
 * they are kept in the same first-error slot as xmlsec's instead; end
 * gives back whatever handler the thread had (other modules share
 * libxml2, so nothing is changed for good). */
typedef struct wcs_xml_errors_t {
    xmlStructuredErrorFunc handler;
    void *ctx;
} wcs_xml_errors_t;
void wcs_xml_lib_errors_begin(wcs_xml_errors_t *saved);
void wcs_xml_lib_errors_end(const wcs_xml_errors_t *saved);

/* Parse untrusted XML: at most max_bytes, no DOCTYPE at all (so no
 * entities), no network, no XInclude, depth at most max_depth.  The
 * document is freed when p is cleared.  Refuses with code 0a. */
apr_status_t wcs_xml_parse(xmlDocPtr *pdoc, wcs_result_t *res,
                           const char *buf, apr_size_t len,
                           apr_size_t max_bytes, int max_depth,
                           apr_pool_t *p);

/* Is node the element {ns}name? */
int wcs_xml_is(const xmlNode *node, const char *ns, const char *name);

/* The first element child of parent that is {ns}name, after 'after' when
 * that is given; NULL when there is none. */
xmlNodePtr wcs_xml_child(const xmlNode *parent, const char *ns,
                         const char *name, const xmlNode *after);

/* How many element children of parent are {ns}name. */
int wcs_xml_count_children(const xmlNode *parent, const char *ns,
                           const char *name);

/* How many elements {ns}name there are in the whole subtree of top. */
int wcs_xml_count_descendants(const xmlNode *top, const char *ns,
                              const char *name);

/* The text of node when it holds one text node or one CDATA section,
 * copied into p; "" for an empty element.  NULL when it holds anything
 * else (an element, a comment, a processing instruction, text split over
 * several nodes): exclusive c14n ignores comments, so a signed value that
 * reads differently from what was signed is never half-read. */
const char *wcs_xml_text(const xmlNode *node, apr_pool_t *p);

/* What makes node's content more than wcs_xml_text accepts, for refusal
 * reasons: "a comment", "a processing instruction", "an element",
 * "text split by CDATA" or "markup" (a static string; a comment or
 * instruction is named before an element, an element before a split);
 * NULL when wcs_xml_text would read it. */
const char *wcs_xml_markup(const xmlNode *node);

/* The value of node's attribute name in no namespace, copied into p, or
 * NULL when absent. */
const char *wcs_xml_attr(const xmlNode *node, const char *name,
                         apr_pool_t *p);

#endif
