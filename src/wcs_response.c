#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "wcs_response.h"
#include "wcs_response_int.h"
#include "wcs_sig.h"
#include "wcs_str.h"
#include "wcs_url.h"
#include "wcs_xml.h"

/* --- the response ---------------------------------------------------- */

static apr_status_t check_root(vctx_t *v)
{
    const char *version;

    v->response = xmlDocGetRootElement(v->doc);
    if (!wcs_xml_is(v->response, WCS_NS_SAMLP, "Response")) {
        return wcs_refuse(v->res, v->p, WCS_CODE_GENERAL,
                          "root element is %s, not samlp:Response",
                          NODE_NAME(v->response));
    }
    if (wcs_xml_count_descendants(v->response, WCS_NS_SAMLP, "Response") != 1) {
        return wcs_refuse(v->res, v->p, WCS_CODE_SIGNATURE,
                          "the document holds more than one Response: "
                          "signature wrapping refused");
    }
    version = wcs_xml_attr(v->response, "Version", v->ptmp);
    if (!version || strcmp(version, "2.0")) {
        return wcs_refuse(v->res, v->p, WCS_CODE_GENERAL,
                          "Response Version is \"%s\", not 2.0",
                          version ? version : "(none)");
    }
    v->a->response_id = wcs_xml_attr(v->response, "ID", v->p);
    v->a->in_response_to = wcs_xml_attr(v->response, "InResponseTo", v->p);
    if (!v->a->response_id) {
        return wcs_refuse(v->res, v->p, WCS_CODE_GENERAL, "Response has no ID");
    }
    return APR_SUCCESS;
}

static apr_status_t check_status(vctx_t *v)
{
    xmlNodePtr status, code, sub, msg;
    const char *value, *sub_value = NULL, *text = NULL;

    status = wcs_xml_child(v->response, WCS_NS_SAMLP, "Status", NULL);
    code = wcs_xml_child(status, WCS_NS_SAMLP, "StatusCode", NULL);
    value = code ? wcs_xml_attr(code, "Value", v->ptmp) : NULL;
    if (value && !strcmp(value, WCS_STATUS_SUCCESS)) {
        return APR_SUCCESS;
    }
    sub = wcs_xml_child(code, WCS_NS_SAMLP, "StatusCode", NULL);
    if (sub) {
        sub_value = wcs_xml_attr(sub, "Value", v->ptmp);
    }
    msg = wcs_xml_child(status, WCS_NS_SAMLP, "StatusMessage", NULL);
    if (msg) {
        text = wcs_xml_text(msg, v->ptmp);
    }
    return wcs_refuse(v->res, v->p, WCS_CODE_GENERAL,
                      "the IdP answered with status %s%s%s%s%s%s",
                      value ? value : "(none)",
                      sub_value ? " / " : "", sub_value ? sub_value : "",
                      text ? " (\"" : "", text ? text : "",
                      text ? "\")" : "");
}

static apr_status_t find_assertion(vctx_t *v)
{
    int direct, total;

    if (wcs_xml_child(v->response, WCS_NS_SAML, "EncryptedAssertion", NULL)) {
        return wcs_refuse(v->res, v->p, WCS_CODE_ENCRYPTED,
                          "the response carries an EncryptedAssertion; this "
                          "SP accepts plain signed assertions only (turn off "
                          "assertion encryption at the IdP)");
    }
    direct = wcs_xml_count_children(v->response, WCS_NS_SAML, "Assertion");
    total = wcs_xml_count_descendants(v->response, WCS_NS_SAML, "Assertion");
    if (total == 0) {
        return wcs_refuse(v->res, v->p, WCS_CODE_GENERAL,
                          "the Success response carries no Assertion");
    }
    if (total != 1 || direct != 1) {
        return wcs_refuse(v->res, v->p, WCS_CODE_SIGNATURE,
                          "the response holds %d Assertion elements (%d at the "
                          "top); exactly one is accepted: signature wrapping "
                          "refused", total, direct);
    }
    v->assertion = wcs_xml_child(v->response, WCS_NS_SAML, "Assertion", NULL);
    v->a->assertion_id = wcs_xml_attr(v->assertion, "ID", v->p);
    if (!v->a->assertion_id) {
        return wcs_refuse(v->res, v->p, WCS_CODE_GENERAL,
                          "Assertion has no ID");
    }
    return APR_SUCCESS;
}

/* The text of the Issuer child of elem; NULL when elem has none.  An
 * Issuer with a Format other than entity is refused. */
static apr_status_t read_issuer(vctx_t *v, const char **issuer,
                                const xmlNode *elem)
{
    xmlNodePtr n = wcs_xml_child(elem, WCS_NS_SAML, "Issuer", NULL);
    const char *format;

    *issuer = NULL;
    if (!n) {
        return APR_SUCCESS;
    }
    format = wcs_xml_attr(n, "Format", v->ptmp);
    if (format && strcmp(format, WCS_NAMEID_ENTITY)) {
        return wcs_refuse(v->res, v->p, WCS_CODE_PROFILE,
                          "%s Issuer has Format %s, not entity",
                          NODE_NAME(elem), format);
    }
    *issuer = wcs_xml_text(n, v->ptmp);
    if (!*issuer) {
        return wcs_refuse(v->res, v->p, WCS_CODE_GENERAL,
                          "%s Issuer holds markup, not a plain entity ID",
                          NODE_NAME(elem));
    }
    *issuer = wcs_str_trim(apr_pstrdup(v->ptmp, *issuer));
    return APR_SUCCESS;
}

static apr_status_t check_issuer(vctx_t *v)
{
    const char *r_issuer, *a_issuer;
    apr_status_t rv;

    rv = read_issuer(v, &r_issuer, v->response);
    if (rv == APR_SUCCESS) {
        rv = read_issuer(v, &a_issuer, v->assertion);
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (!a_issuer || !*a_issuer) {
        return wcs_refuse(v->res, v->p, WCS_CODE_MISCONFIG,
                          "Assertion has no Issuer");
    }
    if (r_issuer && strcmp(r_issuer, a_issuer)) {
        return wcs_refuse(v->res, v->p, WCS_CODE_MISCONFIG,
                          "Response Issuer \"%s\" differs from Assertion "
                          "Issuer \"%s\"", r_issuer, a_issuer);
    }
    v->a->idp = apr_hash_get(v->sp->idps, a_issuer, APR_HASH_KEY_STRING);
    if (!v->a->idp) {
        return wcs_refuse(v->res, v->p, WCS_CODE_MISCONFIG,
                          "Issuer \"%s\" is not a configured IdP (add its "
                          "metadata with " WCS_CMD_IDP_METADATA " or "
                          WCS_CMD_IDP ")", a_issuer);
    }
    return APR_SUCCESS;
}

static apr_status_t verify_element(vctx_t *v, int *is_signed,
                                   const wcs_idp_key_t **key,
                                   xmlNodePtr elem)
{
    xmlNodePtr sig;
    apr_status_t rv;

    *is_signed = 0;
    *key = NULL;
    rv = wcs_sig_find(&sig, v->res, elem, v->p);
    if (rv != APR_SUCCESS || !sig) {
        return rv;
    }
    /* A signature that is present must verify, even when the policy would
     * be satisfied without it: a broken signature is never ignored. */
    rv = wcs_sig_verify(key, v->res, elem, sig, v->a->idp, v->lg, v->p);
    if (rv == APR_SUCCESS) {
        *is_signed = 1;
    }
    return rv;
}

static apr_status_t check_signatures(vctx_t *v)
{
    wcs_assertion_t *a = v->a;
    const wcs_idp_key_t *response_key, *assertion_key;
    apr_status_t rv;
    const char *missing = NULL;

    rv = verify_element(v, &a->response_signed, &response_key, v->response);
    if (rv == APR_SUCCESS) {
        rv = verify_element(v, &a->assertion_signed, &assertion_key,
                            v->assertion);
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    a->key = assertion_key ? assertion_key : response_key;
    switch (v->sp->signed_parts) {
    case WCS_SIGNED_ASSERTION:
        missing = a->assertion_signed ? NULL : "the Assertion";
        break;
    case WCS_SIGNED_RESPONSE:
        missing = a->response_signed ? NULL : "the Response";
        break;
    case WCS_SIGNED_BOTH:
        missing = !a->response_signed ? "the Response"
                  : !a->assertion_signed ? "the Assertion" : NULL;
        break;
    default:
        missing = a->response_signed || a->assertion_signed
                  ? NULL : "the Assertion or the Response";
        break;
    }
    if (missing) {
        return wcs_refuse(v->res, v->p, WCS_CODE_SIGNATURE,
                          "%s is not signed, as " WCS_CMD_SIGNED_PARTS
                          " requires", missing);
    }
    return APR_SUCCESS;
}

static apr_status_t check_destination(vctx_t *v)
{
    const char *dest = wcs_xml_attr(v->response, "Destination", v->ptmp);

    if (!dest) {
        /* SAML bindings 3.5.5.2: a signed message MUST name its
         * Destination; an unsigned one may leave it to Recipient. */
        if (v->a->response_signed) {
            return wcs_refuse(v->res, v->p, WCS_CODE_DESTINATION,
                              "the signed Response has no Destination");
        }
        return APR_SUCCESS;
    }
    if (!wcs_url_equal(dest, v->sp->acs_url, v->ptmp)) {
        return wcs_refuse(v->res, v->p, WCS_CODE_DESTINATION,
                          "Response Destination \"%s\" is not this SP's ACS "
                          "URL \"%s\"%s%s%s", dest, v->sp->acs_url,
                          v->sp->acs_url_hint ? " (" : "",
                          v->sp->acs_url_hint ? v->sp->acs_url_hint : "",
                          v->sp->acs_url_hint ? ")" : "");
    }
    return APR_SUCCESS;
}

/* --- the assertion --------------------------------------------------- */

static apr_status_t read_name_id(vctx_t *v, const xmlNode *subject)
{
    xmlNodePtr name_id;
    const char *text;

    if (wcs_xml_child(subject, WCS_NS_SAML, "EncryptedID", NULL)) {
        return wcs_refuse(v->res, v->p, WCS_CODE_ENCRYPTED,
                          "the NameID is encrypted (EncryptedID); this SP "
                          "accepts plain NameIDs only");
    }
    name_id = wcs_xml_child(subject, WCS_NS_SAML, "NameID", NULL);
    if (!name_id) {
        return APR_SUCCESS;     /* the email may come from an attribute */
    }
    text = wcs_xml_text(name_id, v->p);
    if (!text) {
        /* A comment or element inside NameID is how one value is made to
         * read as another (CVE-2017-11427 and kin): never read it. */
        return wcs_refuse(v->res, v->p, WCS_CODE_NO_EMAIL,
                          "NameID holds %s, not plain text",
                          wcs_xml_markup(name_id));
    }
    v->a->name_id = wcs_str_trim((char *)text);
    v->a->name_id_format = wcs_xml_attr(name_id, "Format", v->p);
    return APR_SUCCESS;
}

static apr_status_t check_subject(vctx_t *v)
{
    xmlNodePtr subject;
    apr_status_t rv;

    if (wcs_xml_count_children(v->assertion, WCS_NS_SAML, "Subject") != 1) {
        return wcs_refuse(v->res, v->p, WCS_CODE_PROFILE,
                          "the assertion has no Subject (or several)");
    }
    subject = wcs_xml_child(v->assertion, WCS_NS_SAML, "Subject", NULL);
    rv = read_name_id(v, subject);
    if (rv == APR_SUCCESS) {
        rv = wcs_check_subject_confirmation(v, subject);
    }
    return rv;
}

static int is_nil(const xmlNode *value)
{
    xmlChar *nil = xmlGetNsProp(value, (const xmlChar *)"nil",
                   (const xmlChar *)"http://www.w3.org/2001/XMLSchema-instance");
    int yes = nil && (!strcmp((char *)nil, "true") || !strcmp((char *)nil, "1"));

    xmlFree(nil);
    return yes;
}

/* One AttributeValue into out.  A comment, instruction or CDATA split
 * is refused: c14n ignores comments, so "suspended<!---->" verifies and
 * a reader that skipped it would silently lose the value.  A value with
 * elements (eduPersonTargetedID holds a NameID) is real structure, not a
 * string: it is left out, never flattened, and counted so that wcs_identity
 * can refuse it where it would read the attribute. */
static apr_status_t read_value(vctx_t *v, wcs_attr_t *out, const xmlNode *val)
{
    const char *text, *markup;

    if (is_nil(val)) {
        return APR_SUCCESS;
    }
    text = wcs_xml_text(val, v->p);
    if (text) {
        APR_ARRAY_PUSH(out->values, const char *) = text;
        return APR_SUCCESS;
    }
    markup = wcs_xml_markup(val);
    if (!strcmp(markup, "an element")) {
        out->structured++;
        return APR_SUCCESS;
    }
    return wcs_refuse(v->res, v->p, WCS_CODE_SIGNATURE,
                      "attribute \"%s\" has a value holding %s (line %ld); "
                      "a value must be plain text, as signed",
                      out->name, markup, xmlGetLineNo(val));
}

static apr_status_t read_attribute(vctx_t *v, const xmlNode *attr)
{
    wcs_attr_t *out;
    xmlNodePtr val;
    apr_status_t rv;

    out = apr_array_push(v->a->attrs);
    out->name = wcs_xml_attr(attr, "Name", v->p);
    out->friendly_name = wcs_xml_attr(attr, "FriendlyName", v->p);
    out->values = apr_array_make(v->p, 1, sizeof(const char *));
    out->structured = 0;
    for (val = wcs_xml_child(attr, WCS_NS_SAML, "AttributeValue", NULL); val;
         val = wcs_xml_child(attr, WCS_NS_SAML, "AttributeValue", val)) {
        rv = read_value(v, out, val);
        if (rv != APR_SUCCESS) {
            return rv;
        }
    }
    return APR_SUCCESS;
}

static apr_status_t read_attributes(vctx_t *v)
{
    xmlNodePtr st, attr;
    apr_status_t rv;

    for (st = wcs_xml_child(v->assertion, WCS_NS_SAML, "AttributeStatement",
                            NULL);
         st; st = wcs_xml_child(v->assertion, WCS_NS_SAML,
                                "AttributeStatement", st)) {
        for (attr = wcs_xml_child(st, WCS_NS_SAML, "Attribute", NULL); attr;
             attr = wcs_xml_child(st, WCS_NS_SAML, "Attribute", attr)) {
            if (wcs_xml_attr(attr, "Name", v->ptmp)) {
                rv = read_attribute(v, attr);
                if (rv != APR_SUCCESS) {
                    return rv;
                }
            }
        }
    }
    return APR_SUCCESS;
}

static apr_status_t check_assertion_version(vctx_t *v)
{
    const char *version = wcs_xml_attr(v->assertion, "Version", v->ptmp);

    if (!version || strcmp(version, "2.0")) {
        return wcs_refuse(v->res, v->p, WCS_CODE_GENERAL,
                          "Assertion Version is \"%s\", not 2.0",
                          version ? version : "(none)");
    }
    return APR_SUCCESS;
}

/* --- the whole ------------------------------------------------------- */

typedef apr_status_t check_fn(vctx_t *v);

/* The steps before the checks: each a name only. */
#define STEP_BASE64 "base64"
#define STEP_XML "xml"
#define STEP_IDS "ids"
#define STEP_ATTRIBUTES "attributes"

/* The order matters: nothing is read from the assertion before the
 * signature that covers it has been verified (check_signatures), and
 * what can be refused without cryptography is refused first.  The names
 * are what a trace reports (wcs_response_steps). */
static const struct {
    const char *name;
    check_fn *fn;
} checks[] = {
    { "root", check_root },
    { "status", check_status },
    { "assertion", find_assertion },
    { "issuer", check_issuer },
    { "signatures", check_signatures },
    { "destination", check_destination },
    { "assertion-version", check_assertion_version },
    { "issue-instant", wcs_check_issue_instant },
    { "conditions", wcs_check_conditions },
    { "subject", check_subject },
    { "authn-statement", wcs_check_authn_statement },
    { NULL, NULL }
};

/* Every step's name: the three before the checks, the checks, and the
 * attributes read after them. */
apr_array_header_t *wcs_response_steps(apr_pool_t *p)
{
    apr_array_header_t *names = apr_array_make(p, 16, sizeof(const char *));
    int i;

    APR_ARRAY_PUSH(names, const char *) = STEP_BASE64;
    APR_ARRAY_PUSH(names, const char *) = STEP_XML;
    APR_ARRAY_PUSH(names, const char *) = STEP_IDS;
    for (i = 0; checks[i].fn; i++) {
        APR_ARRAY_PUSH(names, const char *) = checks[i].name;
    }
    APR_ARRAY_PUSH(names, const char *) = STEP_ATTRIBUTES;
    return names;
}

apr_status_t wcs_trace_step(const wcs_trace_t *trace, const char *step,
                            apr_status_t rv, const wcs_result_t *res)
{
    if (trace && trace->fn) {
        trace->fn(trace->baton, step, rv, res);
    }
    return rv;
}

apr_status_t wcs_response_validate(wcs_assertion_t **pa, wcs_result_t *res,
                                   const wcs_sp_t *sp, const char *b64,
                                   apr_size_t b64_len, apr_time_t now,
                                   const wcs_logger_t *lg, apr_pool_t *p)
{
    return wcs_response_validate_traced(pa, res, sp, b64, b64_len, now, lg,
                                        NULL, p);
}

apr_status_t wcs_response_validate_traced(wcs_assertion_t **pa,
                                          wcs_result_t *res,
                                          const wcs_sp_t *sp,
                                          const char *b64,
                                          apr_size_t b64_len, apr_time_t now,
                                          const wcs_logger_t *lg,
                                          const wcs_trace_t *trace,
                                          apr_pool_t *p)
{
    vctx_t v;
    char *xml;
    apr_size_t xml_len;
    apr_status_t rv;
    int i;

    *pa = NULL;
    memset(&v, 0, sizeof(v));
    v.sp = sp;
    v.now = now;
    v.lg = lg;
    v.res = res;
    v.p = p;
    apr_pool_create(&v.ptmp, p);
    v.a = apr_pcalloc(p, sizeof(*v.a));
    v.a->attrs = apr_array_make(p, 4, sizeof(wcs_attr_t));

    rv = wcs_str_base64_decode(&xml, &xml_len, res, "SAMLResponse", b64,
                               b64_len, sp->max_response_bytes, v.ptmp);
    rv = wcs_trace_step(trace, STEP_BASE64, rv, res);
    if (rv == APR_SUCCESS) {
        rv = wcs_xml_parse(&v.doc, res, xml, xml_len, sp->max_response_bytes,
                           sp->max_depth, v.ptmp);
        rv = wcs_trace_step(trace, STEP_XML, rv, res);
    }
    if (rv == APR_SUCCESS) {
        rv = wcs_sig_register_ids(res, v.doc, v.ptmp);
        rv = wcs_trace_step(trace, STEP_IDS, rv, res);
    }
    for (i = 0; rv == APR_SUCCESS && checks[i].fn; i++) {
        rv = wcs_trace_step(trace, checks[i].name, checks[i].fn(&v), res);
    }
    if (rv == APR_SUCCESS) {
        rv = wcs_trace_step(trace, STEP_ATTRIBUTES, read_attributes(&v),
                            res);
    }
    if (rv == APR_SUCCESS) {
        *pa = v.a;
    }
    else if (res->reason) {
        /* Early steps allocate their reason from the doomed sub-pool. */
        res->reason = apr_pstrdup(p, res->reason);
    }
    apr_pool_destroy(v.ptmp);
    return rv;
}

const wcs_attr_t *wcs_assertion_attr(const wcs_assertion_t *a,
                                     const char *name)
{
    int i;

    for (i = 0; i < a->attrs->nelts; i++) {
        const wcs_attr_t *at = &APR_ARRAY_IDX(a->attrs, i, wcs_attr_t);

        if ((at->name && !strcasecmp(at->name, name))
            || (at->friendly_name && !strcasecmp(at->friendly_name, name))) {
            return at;
        }
    }
    return NULL;
}
