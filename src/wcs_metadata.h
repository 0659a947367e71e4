/*
 * wcs_metadata: this SP's SAML 2.0 metadata, for an IdP admin to import
 * (Entra's "Identifier" and "Reply URL", Okta, SimpleSAMLphp): the entity
 * ID, the ACS with the HTTP-POST binding, the NameID format it wants, and
 * what it asks to be signed.  Valid against the OASIS metadata schema
 * (t/data/xsd).
 */
#ifndef WCS_METADATA_H
#define WCS_METADATA_H

#include <apr_pools.h>

#include "wcs_sp.h"

/* The EntityDescriptor of sp with its ACS at acs_url, from p. */
const char *wcs_metadata_sp(const wcs_sp_t *sp, const char *acs_url,
                            apr_pool_t *p);

#endif
