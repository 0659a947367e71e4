/*
 * wcs_idp: the Identity Providers a vhost trusts and their signing keys,
 * read once at configuration time from SAML metadata or from certificate
 * files.  On the request path nothing here is parsed again: each key is a
 * ready xmlSecKey plus the certificate's DER to recognise it in KeyInfo.
 */
#ifndef WCS_IDP_H
#define WCS_IDP_H

#include <apr_hash.h>
#include <apr_tables.h>
#include <apr_time.h>
#include <libxml/tree.h>
#include <xmlsec/keys.h>

/* Metadata files are written by administrators, yet still parsed by the
 * hardened parser; federation metadata can be large. */
#define WCS_METADATA_MAX_BYTES (64 * 1024 * 1024)

typedef struct wcs_idp_key_t {
    xmlSecKeyPtr key;            /* freed with the pool it was loaded in */
    const unsigned char *der;    /* the certificate, to match KeyInfo */
    apr_size_t der_len;
    const char *subject;         /* for log lines */
    const char *sha256;          /* hex fingerprint, for log lines */
    apr_time_t not_after;        /* informational: SAML ignores expiry */
    const char *source;          /* file it came from */
} wcs_idp_key_t;

typedef struct wcs_idp_t {
    const char *entity_id;
    apr_array_header_t *keys;    /* of wcs_idp_key_t *, in config order */
    const char *sso_redirect;    /* SingleSignOnService, or NULL */
    const char *sso_post;
    const char *source;          /* metadata file or directive */
    int allow_sha1;              /* RSA-SHA1/SHA-1 digests accepted */
    /* Email domains this IdP may assert, as the vhost configured them
     * (lower-case; "*" every domain, "*.d" the subdomains of d); NULL
     * when none are configured: then every domain. */
    apr_array_header_t *email_domains;
    /* Its metadata's WantAuthnRequestsSigned="true": it refuses unsigned
     * requests. */
    int wants_signed_requests;
} wcs_idp_t;

/* Create an IdP with no keys; p owns it. */
wcs_idp_t *wcs_idp_create(const char *entity_id, const char *source,
                          apr_pool_t *p);

/* Add every certificate in the file at path to idp: PEM (one or more
 * CERTIFICATE blocks), bare base64 as Entra's "Certificate (Base64)"
 * download, or DER.  Keys live as long as p.  On failure *err says why
 * (allocated from p) and idp is unchanged. */
apr_status_t wcs_idp_add_cert_file(wcs_idp_t *idp, const char **err,
                                   const char *path, apr_pool_t *p);

/* Add one DER certificate (from metadata or a file) to idp. */
apr_status_t wcs_idp_add_cert_der(wcs_idp_t *idp, const char **err,
                                  const unsigned char *der, apr_size_t len,
                                  const char *source, apr_pool_t *p);

/* Read a metadata file (EntityDescriptor or EntitiesDescriptor, nested)
 * and add every entity with an IDPSSODescriptor to idps (entity ID ->
 * wcs_idp_t *), with its signing certificates (KeyDescriptor use
 * "signing" or no use) and SingleSignOnService locations.  An entity
 * already in idps, an IdP without a signing certificate, or a file that
 * names no IdP is an error.  *count is how many IdPs the file added. */
apr_status_t wcs_idp_load_metadata(apr_hash_t *idps, int *count,
                                   const char **err, const char *path,
                                   apr_pool_t *p, apr_pool_t *ptemp);

/* wcs_idp_load_metadata for a document already in memory (len bytes at
 * buf, not NUL-terminated); source names it in *err.  The fuzz target
 * enters here, so that the file system is not part of every run. */
apr_status_t wcs_idp_load_metadata_buf(apr_hash_t *idps, int *count,
                                       const char **err, const char *buf,
                                       apr_size_t len, const char *source,
                                       apr_pool_t *p, apr_pool_t *ptemp);

/* One ds:X509Certificate of a KeyInfo, decoded; der is NULL when its
 * text is not valid base64 (line says where). */
typedef struct wcs_keyinfo_cert_t {
    const unsigned char *der;
    apr_size_t len;
    long line;
} wcs_keyinfo_cert_t;

/* Every X509Certificate under keyinfo's X509Data, in document order, as
 * wcs_keyinfo_cert_t from p; an empty array when keyinfo is NULL. */
apr_array_header_t *wcs_idp_keyinfo_certs(const xmlNode *keyinfo,
                                          apr_pool_t *p);

/* "subject (SHA-256 fingerprint)" of a DER certificate, for log lines;
 * "an unparsable certificate" when it is not one.  From p. */
const char *wcs_idp_describe_der(const unsigned char *der, apr_size_t len,
                                 apr_pool_t *p);

/* The configured key whose certificate is exactly der, or NULL. */
const wcs_idp_key_t *wcs_idp_key_by_der(const wcs_idp_t *idp,
                                        const unsigned char *der,
                                        apr_size_t len);

#endif
