#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "wcs_response.h"
#include "wcs_sig.h"
#include "wcs_time.h"
#include "wcs_url.h"
#include "wcs_xml.h"

/* One validation in progress.  Values that outlive it go to p; the
 * document and everything read only to be checked live in ptmp. */
typedef struct {
    const wcs_sp_t *sp;
    apr_time_t now;
    const wcs_logger_t *lg;
    wcs_result_t *res;
    apr_pool_t *p;
    apr_pool_t *ptmp;
    xmlDocPtr doc;
    xmlNodePtr response;
    xmlNodePtr assertion;
    wcs_assertion_t *a;
} vctx_t;

#define NODE_NAME(n) ((const char *)(n)->name)

/* A time attribute: absent is fine (*present = 0, *t = 0), unparsable is
 * refused.  Presence is told apart from the value: 1970-01-01T00:00:00Z
 * is time 0 and must count as the time it is, not as "no limit". */
static apr_status_t time_attr(vctx_t *v, apr_time_t *t, int *present,
                              const xmlNode *n, const char *name)
{
    const char *s = wcs_xml_attr(n, name, v->ptmp);

    *t = 0;
    *present = s != NULL;
    if (s && wcs_time_parse(t, s) != APR_SUCCESS) {
        return wcs_refuse(v->res, v->p, WCS_CODE_GENERAL,
                          "%s/@%s \"%s\" is not an xs:dateTime", NODE_NAME(n),
                          name, s);
    }
    return APR_SUCCESS;
}

static const char *fmt_time(vctx_t *v, apr_time_t t)
{
    return wcs_time_format(t, v->ptmp);
}

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

static apr_status_t check_audience(vctx_t *v, const xmlNode *conditions)
{
    xmlNodePtr ar, aud;
    int restrictions = 0;

    for (ar = wcs_xml_child(conditions, WCS_NS_SAML, "AudienceRestriction",
                            NULL);
         ar; ar = wcs_xml_child(conditions, WCS_NS_SAML,
                                "AudienceRestriction", ar)) {
        int ours = 0;
        const char *first = NULL;

        restrictions++;
        for (aud = wcs_xml_child(ar, WCS_NS_SAML, "Audience", NULL); aud;
             aud = wcs_xml_child(ar, WCS_NS_SAML, "Audience", aud)) {
            const char *text = wcs_xml_text(aud, v->ptmp);

            if (!first) {
                first = text;
            }
            if (text && !strcmp(wcs_str_trim((char *)text),
                                v->sp->entity_id)) {
                ours = 1;
            }
        }
        /* Each AudienceRestriction must be met on its own (core 2.5.1.4). */
        if (!ours) {
            return wcs_refuse(v->res, v->p, WCS_CODE_AUDIENCE,
                              "the assertion is for audience \"%s\", not this "
                              "SP's entity ID \"%s\"",
                              first ? first : "(none)", v->sp->entity_id);
        }
    }
    if (restrictions == 0) {
        return wcs_refuse(v->res, v->p, WCS_CODE_AUDIENCE,
                          "the assertion has no AudienceRestriction (the web "
                          "browser SSO profile requires one naming this SP)");
    }
    return APR_SUCCESS;
}

static apr_status_t check_conditions(vctx_t *v)
{
    xmlNodePtr conditions;
    apr_time_t nb, noa;
    int has_nb, has_noa;
    apr_status_t rv;

    if (wcs_xml_count_children(v->assertion, WCS_NS_SAML, "Conditions") > 1) {
        return wcs_refuse(v->res, v->p, WCS_CODE_PROFILE,
                          "the assertion has more than one Conditions");
    }
    conditions = wcs_xml_child(v->assertion, WCS_NS_SAML, "Conditions", NULL);
    if (conditions) {
        rv = time_attr(v, &nb, &has_nb, conditions, "NotBefore");
        if (rv == APR_SUCCESS) {
            rv = time_attr(v, &noa, &has_noa, conditions, "NotOnOrAfter");
        }
        if (rv != APR_SUCCESS) {
            return rv;
        }
        if (has_nb && v->now + v->sp->clock_skew < nb) {
            return wcs_refuse(v->res, v->p, WCS_CODE_NOT_YET_VALID,
                              "the assertion is valid from %s only (now %s, "
                              "clock skew %" APR_TIME_T_FMT "s)",
                              fmt_time(v, nb), fmt_time(v, v->now),
                              apr_time_sec(v->sp->clock_skew));
        }
        if (has_noa && v->now - v->sp->clock_skew >= noa) {
            return wcs_refuse(v->res, v->p, WCS_CODE_EXPIRED,
                              "the assertion expired at %s (now %s, clock "
                              "skew %" APR_TIME_T_FMT "s)", fmt_time(v, noa),
                              fmt_time(v, v->now),
                              apr_time_sec(v->sp->clock_skew));
        }
        if (has_noa && noa > v->a->expires) {
            v->a->expires = noa;
        }
    }
    return check_audience(v, conditions);
}

/* SubjectConfirmationData/@InResponseTo must agree with the Response's;
 * when only it is present, it is the one that counts. */
static apr_status_t check_scd_in_response_to(vctx_t *v, const xmlNode *scd)
{
    const char *irt = wcs_xml_attr(scd, "InResponseTo", v->p);

    if (!irt) {
        return APR_SUCCESS;
    }
    if (v->a->in_response_to && strcmp(irt, v->a->in_response_to)) {
        return wcs_refuse(v->res, v->p, WCS_CODE_IN_RESPONSE_TO,
                          "SubjectConfirmationData InResponseTo \"%s\" differs "
                          "from the Response's \"%s\"", irt,
                          v->a->in_response_to);
    }
    v->a->in_response_to = irt;
    return APR_SUCCESS;
}

/* Check one bearer SubjectConfirmationData; refusal reasons say which. */
static apr_status_t check_bearer(vctx_t *v, const xmlNode *scd)
{
    const char *recipient;
    apr_time_t nb, noa;
    int has_nb, has_noa;
    apr_status_t rv;

    if (!scd) {
        return wcs_refuse(v->res, v->p, WCS_CODE_PROFILE,
                          "bearer SubjectConfirmation has no "
                          "SubjectConfirmationData");
    }
    rv = check_scd_in_response_to(v, scd);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    recipient = wcs_xml_attr(scd, "Recipient", v->ptmp);
    if (!recipient || !wcs_url_equal(recipient, v->sp->acs_url, v->ptmp)) {
        return wcs_refuse(v->res, v->p, WCS_CODE_RECIPIENT,
                          "SubjectConfirmationData Recipient \"%s\" is not "
                          "this SP's ACS URL \"%s\"%s%s%s",
                          recipient ? recipient : "(none)", v->sp->acs_url,
                          v->sp->acs_url_hint ? " (" : "",
                          v->sp->acs_url_hint ? v->sp->acs_url_hint : "",
                          v->sp->acs_url_hint ? ")" : "");
    }
    rv = time_attr(v, &nb, &has_nb, scd, "NotBefore");
    if (rv == APR_SUCCESS) {
        rv = time_attr(v, &noa, &has_noa, scd, "NotOnOrAfter");
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (!has_noa) {
        return wcs_refuse(v->res, v->p, WCS_CODE_PROFILE,
                          "bearer SubjectConfirmationData has no "
                          "NotOnOrAfter");
    }
    if (v->now - v->sp->clock_skew >= noa) {
        return wcs_refuse(v->res, v->p, WCS_CODE_EXPIRED,
                          "the subject confirmation expired at %s (now %s)",
                          fmt_time(v, noa), fmt_time(v, v->now));
    }
    if (has_nb && v->now + v->sp->clock_skew < nb) {
        return wcs_refuse(v->res, v->p, WCS_CODE_NOT_YET_VALID,
                          "the subject confirmation is valid from %s only "
                          "(now %s)", fmt_time(v, nb), fmt_time(v, v->now));
    }
    if (noa > v->a->expires) {
        v->a->expires = noa;
    }
    return APR_SUCCESS;
}

static apr_status_t check_subject_confirmation(vctx_t *v,
                                               const xmlNode *subject)
{
    xmlNodePtr sc;
    wcs_result_t first = { WCS_CODE_NONE, NULL };

    /* Any one bearer confirmation that passes is enough (profiles
     * 4.1.4.2); when none does, the first one's reason is given. */
    for (sc = wcs_xml_child(subject, WCS_NS_SAML, "SubjectConfirmation", NULL);
         sc; sc = wcs_xml_child(subject, WCS_NS_SAML, "SubjectConfirmation",
                                sc)) {
        const char *method = wcs_xml_attr(sc, "Method", v->ptmp);

        if (!method || strcmp(method, WCS_CM_BEARER)) {
            continue;
        }
        if (check_bearer(v, wcs_xml_child(sc, WCS_NS_SAML,
                                          "SubjectConfirmationData", NULL))
            == APR_SUCCESS) {
            return APR_SUCCESS;
        }
        if (first.code == WCS_CODE_NONE) {
            first = *v->res;
        }
    }
    if (first.code != WCS_CODE_NONE) {
        *v->res = first;
        return WCS_EREFUSED;
    }
    return wcs_refuse(v->res, v->p, WCS_CODE_PROFILE,
                      "the assertion has no bearer SubjectConfirmation");
}

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
        rv = check_subject_confirmation(v, subject);
    }
    return rv;
}

static apr_status_t check_authn_statement(vctx_t *v)
{
    xmlNodePtr st, ctx, ref;
    int has_instant, has_snoa;
    apr_status_t rv;

    st = wcs_xml_child(v->assertion, WCS_NS_SAML, "AuthnStatement", NULL);
    if (!st) {
        return wcs_refuse(v->res, v->p, WCS_CODE_PROFILE,
                          "the assertion has no AuthnStatement");
    }
    rv = time_attr(v, &v->a->authn_instant, &has_instant, st, "AuthnInstant");
    if (rv == APR_SUCCESS) {
        rv = time_attr(v, &v->a->session_not_on_or_after, &has_snoa, st,
                       "SessionNotOnOrAfter");
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (has_snoa
        && v->a->session_not_on_or_after <= v->now - v->sp->clock_skew) {
        return wcs_refuse(v->res, v->p, WCS_CODE_EXPIRED,
                          "the IdP session ended at %s (SessionNotOnOrAfter)",
                          fmt_time(v, v->a->session_not_on_or_after));
    }
    v->a->session_index = wcs_xml_attr(st, "SessionIndex", v->p);
    ctx = wcs_xml_child(st, WCS_NS_SAML, "AuthnContext", NULL);
    ref = wcs_xml_child(ctx, WCS_NS_SAML, "AuthnContextClassRef", NULL);
    if (ref) {
        v->a->authn_context = wcs_xml_text(ref, v->p);
    }
    return APR_SUCCESS;
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

/* The Response and the Assertion were issued no longer ago than
 * WebcastSAMLMaxAssertionAge (and not later than now), give or take the
 * clock skew.  Whatever its NotOnOrAfter says, an assertion is then dead
 * to this SP at IssueInstant + age + skew, which bounds how long the
 * replay cache must remember it, and so how large it must be. */
static apr_status_t check_issue_instant(vctx_t *v)
{
    xmlNodePtr n[2];
    apr_time_t t = 0;
    apr_status_t rv;
    int i, present;

    n[0] = v->response;
    n[1] = v->assertion;
    for (i = 0; i < 2; i++) {
        rv = time_attr(v, &t, &present, n[i], "IssueInstant");
        if (rv != APR_SUCCESS) {
            return rv;
        }
        if (!present) {
            return wcs_refuse(v->res, v->p, WCS_CODE_GENERAL,
                              "%s has no IssueInstant", NODE_NAME(n[i]));
        }
        if (t < v->now - v->sp->max_assertion_age - v->sp->clock_skew) {
            return wcs_refuse(v->res, v->p, WCS_CODE_EXPIRED,
                              "the %s was issued at %s, more than %"
                              APR_TIME_T_FMT "s ago (" WCS_CMD_MAX_ASSERTION_AGE
                              " %" APR_TIME_T_FMT "s, clock skew %"
                              APR_TIME_T_FMT "s; now %s)", NODE_NAME(n[i]),
                              fmt_time(v, t),
                              apr_time_sec(v->sp->max_assertion_age
                                           + v->sp->clock_skew),
                              apr_time_sec(v->sp->max_assertion_age),
                              apr_time_sec(v->sp->clock_skew),
                              fmt_time(v, v->now));
        }
        if (t > v->now + v->sp->clock_skew) {
            return wcs_refuse(v->res, v->p, WCS_CODE_NOT_YET_VALID,
                              "the %s was issued at %s, in the future (now "
                              "%s, clock skew %" APR_TIME_T_FMT "s)",
                              NODE_NAME(n[i]), fmt_time(v, t),
                              fmt_time(v, v->now),
                              apr_time_sec(v->sp->clock_skew));
        }
    }
    v->a->issue_instant = t;
    return APR_SUCCESS;
}

/* A response that answers an AuthnRequest must answer one this SP sent.
 * This version sends none (IdP-initiated only), so any InResponseTo is a
 * response meant for another login: fail closed. */
static apr_status_t check_in_response_to(vctx_t *v)
{
    if (v->a->in_response_to) {
        return wcs_refuse(v->res, v->p, WCS_CODE_IN_RESPONSE_TO,
                          "the response answers request \"%s\", but this SP "
                          "sent no AuthnRequest (an IdP-initiated response "
                          "carries no InResponseTo)", v->a->in_response_to);
    }
    return APR_SUCCESS;
}

/* --- the whole ------------------------------------------------------- */

typedef apr_status_t check_fn(vctx_t *v);

/* The order matters: nothing is read from the assertion before the
 * signature that covers it has been verified (check_signatures), and
 * what can be refused without cryptography is refused first. */
static check_fn *const checks[] = {
    check_root,
    check_status,
    find_assertion,
    check_issuer,
    check_signatures,
    check_destination,
    check_assertion_version,
    check_issue_instant,
    check_conditions,
    check_subject,
    check_authn_statement,
    check_in_response_to,
    NULL
};

apr_status_t wcs_response_validate(wcs_assertion_t **pa, wcs_result_t *res,
                                   const wcs_sp_t *sp, const char *b64,
                                   apr_size_t b64_len, apr_time_t now,
                                   const wcs_logger_t *lg, apr_pool_t *p)
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

    rv = wcs_base64_decode(&xml, &xml_len, res, b64, b64_len,
                           sp->max_response_bytes, v.ptmp);
    if (rv == APR_SUCCESS) {
        rv = wcs_xml_parse(&v.doc, res, xml, xml_len, sp->max_response_bytes,
                           sp->max_depth, v.ptmp);
    }
    if (rv == APR_SUCCESS) {
        rv = wcs_sig_register_ids(res, v.doc, v.ptmp);
    }
    for (i = 0; rv == APR_SUCCESS && checks[i]; i++) {
        rv = checks[i](&v);
    }
    if (rv == APR_SUCCESS) {
        rv = read_attributes(&v);
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
