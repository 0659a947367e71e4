/*
 * wcs_sig: XML-DSig verification of one SAML element with the keys an
 * IdP is configured with, never with a key carried in the message, and
 * proof that what was signed is exactly the element the caller then reads.
 */
#ifndef WCS_SIG_H
#define WCS_SIG_H

#include <libxml/tree.h>

#include "wcs_idp.h"
#include "wcs_log.h"
#include "wcs_result.h"

/* Register every unqualified ID attribute of doc as an XML ID so that
 * "#ID" references resolve to exactly one element.  Refuses (2a) a
 * document in which an ID value occurs twice (also against xml:id) or is
 * empty: such a document can make a reference point elsewhere. */
apr_status_t wcs_sig_register_ids(wcs_result_t *res, xmlDocPtr doc,
                                  apr_pool_t *p);

/* The ds:Signature that is a direct child of elem, wherever it stands
 * among the children; *sig is NULL when elem has none.  Refuses (2a) an
 * element with several. */
apr_status_t wcs_sig_find(xmlNodePtr *sig, wcs_result_t *res,
                          const xmlNode *elem, apr_pool_t *p);

/* Verify sig, an enveloped signature that is a child of elem, with the
 * keys of idp only.  Succeeds only when the signature has exactly one
 * Reference, its URI is "#" + elem's ID and resolves to elem itself, every
 * algorithm is on the allowlist (SHA-1 only when idp->allow_sha1), and the
 * signature value verifies with one configured key.  Refuses with 2a, or
 * 1c when KeyInfo carries a certificate that matches no configured key
 * and none verifies (the IdP has probably rolled its key).  *used is the
 * key that verified (NULL on refusal). */
apr_status_t wcs_sig_verify(const wcs_idp_key_t **used, wcs_result_t *res,
                            xmlNodePtr elem,
                            xmlNodePtr sig, const wcs_idp_t *idp,
                            const wcs_logger_t *lg, apr_pool_t *p);

#endif
