/* floor_work: the work of a SAML sign-in and nothing else, shared by the
 * benchmark's two floors: bench/wcs_floor (in-process, a tight loop) and
 * bench/mod_wcs_floor (the same work as an httpd handler).  Base64
 * decode, parse, ID registration and XML-DSig verification of every
 * Signature of the Response and of its Assertion, done straight with
 * libxml2, xmlsec1 (OpenSSL) and OpenSSL, never with src/wcs_*.  It is
 * the floor of the work, not of the checks: conditions, audience, the
 * number of Assertions and such are the module's business.  libxml2 and
 * xmlsec must be initialised by the caller. */
#ifndef FLOOR_WORK_H
#define FLOOR_WORK_H

#include <stddef.h>

#include <xmlsec/keys.h>

/* The certificate's public key (PEM file path) as a bare xmlsec key, or
 * NULL if it cannot be read. */
xmlSecKeyPtr floor_load_key(const char *path);

/* The whole work of one login, b64 (b64_len bytes, one line of base64)
 * decoded into buf (at least b64_len / 4 * 3 + 1 bytes): NULL, with the
 * signatures verified added to *sigs, or the reason it failed.  key is
 * lent to xmlsec, never copied. */
const char *floor_one(long *sigs, const char *b64, size_t b64_len,
                      unsigned char *buf, xmlSecKeyPtr key);

#endif
