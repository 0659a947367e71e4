/*
 * wcs_mkresponse.h - shared declarations of the wcs_mkresponse test tool.
 *
 * The tool is three files: wcs_mkresponse.c (command line, main flow,
 * output), wcs_build.c (building and signing the Response, and the small
 * XML helpers everything uses) and wcs_attacks.c (the --attack
 * implementations and their table).  This header holds the options and
 * generator state they share and the functions they call across files.
 */

#ifndef WCS_MKRESPONSE_H
#define WCS_MKRESPONSE_H

#include <stddef.h>
#include <time.h>

#include <libxml/tree.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/keys.h>

#define PROG "wcs_mkresponse"

#define NS_PROTO  "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_SAML   "urn:oasis:names:tc:SAML:2.0:assertion"
#define NS_DSIG   "http://www.w3.org/2000/09/xmldsig#"
#define NS_XENC   "http://www.w3.org/2001/04/xmlenc#"
#define NS_XS     "http://www.w3.org/2001/XMLSchema"
#define NS_XSI    "http://www.w3.org/2001/XMLSchema-instance"
#define NS_DEEP   "urn:example:wcs:deep"

#define MAX_ATTRS 64
#define ID_LEN    128
#define TIME_LEN  40
#define URI_LEN   (ID_LEN + 2)

#define SIGN_ASSERTION 1
#define SIGN_RESPONSE  2

enum { KI_X509, KI_KEYVALUE, KI_NONE };
enum { ALG_SHA256, ALG_SHA384, ALG_SHA512, ALG_SHA1 };
enum { PHASE_NONE, PHASE_PRE, PHASE_MID, PHASE_POST };
enum { NF_URI, NF_BASIC, NF_UNSPECIFIED, NF_NONE };

typedef struct {
    const char *name;
    const char *value;          /* NULL in profile tables: the NameID */
} kv_t;

/* A time option: seconds from now, or (written "@N") seconds since the
 * epoch, so that a test can ask for 1970-01-01T00:00:00Z exactly. */
typedef struct {
    long v;
    int absolute;
} when_t;

/* How a given IdP lays out its XML. */
typedef struct {
    const char *name;
    const char *proto_prefix;   /* NULL: default namespace */
    const char *saml_prefix;
    const char *dsig_prefix;
    int saml_ns_on_root;        /* else declared on Issuer and Assertion */
    int xml_decl;
    int xsi_type;               /* xsi:type="xs:string" on AttributeValue */
    int sign;                   /* default for --sign */
    int nameformat;             /* default for --attr-nameformat */
    const kv_t *attrs;          /* used when no --attr is given */
} profile_t;

struct gen;
typedef int (*attack_fn)(struct gen *g);

typedef struct {
    const char *name;
    int phase;                  /* when it runs, see run() */
    int needs;                  /* SIGN_* bits one of which must be set */
    attack_fn fn;
} attack_t;

typedef struct {
    const char *key_file, *cert_file;
    int sign, alg, c14n_incl, keyinfo, sig_after_assertion;
    const char *issuer, *response_issuer, *audience;
    int have_response_issuer;   /* else response_issuer is --issuer */
    const char *destination, *recipient;
    const char *nameid, *nameid_format, *sc_method;
    const char *status, *status_message, *sub_status;
    const char *in_response_to, *assertion_id, *response_id, *version;
    when_t issue_instant, not_before, not_on_or_after, scd_not_on_or_after;
    when_t session_not_on_or_after;
    int have_scd_noa, have_session_noa;
    int no_conditions, no_sc, no_authn;
    kv_t attrs[MAX_ATTRS];
    int nattrs;
    kv_t friendly[MAX_ATTRS];
    int nfriendly;
    int nameformat;             /* index into nameformats[], -1: default */
    const profile_t *profile;
    const attack_t *attack;
    const char *evil_nameid;
    long deep_levels;
    int xml_out, wrap, millis;
    long now;                   /* --now: a fixed clock, when have_now */
    int have_now;
    long count;                 /* --count: N responses, one a line */
} opts_t;

typedef struct gen {
    const opts_t *o;
    xmlDocPtr doc;
    xmlNodePtr response;
    xmlNodePtr assertion;
    xmlNsPtr proto_ns;
    xmlNsPtr saml_ns;           /* on the root, or NULL */
    xmlSecKeyPtr key;
    int key_is_ec;
    xmlChar *cert_b64;
    time_t now;
    long now_ms;
    char response_id[ID_LEN];
    char assertion_id[ID_LEN];
} gen_t;

/* wcs_build.c: helpers */
int fail(const char *fmt, ...);
int random_id(char *buf, size_t len, const char *prefix);
xmlNodePtr add_el(xmlNodePtr parent, xmlNsPtr ns, const char *name,
                  const char *text);
void add_prop(xmlNodePtr node, const char *name, const char *value);
xmlNodePtr add_saml_el(gen_t *g, xmlNodePtr parent, const char *name,
                       const char *text);
xmlNodePtr find_child(xmlNodePtr parent, const char *name, const char *ns);

/* wcs_build.c: building and signing */
xmlNodePtr build_assertion(gen_t *g, const char *id, const char *nameid);
int build_response(gen_t *g);
int load_credentials(gen_t *g);
xmlNodePtr primary_signed(const gen_t *g);
int sign_element(gen_t *g, xmlNodePtr elem, const char *id);

/* wcs_attacks.c */
const attack_t *find_attack(const char *name);      /* NULL: unknown */
int apply_attack(gen_t *g, int phase);

#endif /* WCS_MKRESPONSE_H */
