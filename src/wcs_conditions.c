/*
 * The second half of validating a Response (wcs_response.c runs them in
 * its table of checks): when and for whom the assertion holds.  Its
 * IssueInstant against the accepted age, its Conditions (time window and
 * Audience), its bearer SubjectConfirmation (Recipient, time window,
 * InResponseTo) and its AuthnStatement (SessionNotOnOrAfter).
 */
#include <string.h>

#include "wcs_response.h"
#include "wcs_response_int.h"
#include "wcs_str.h"
#include "wcs_time.h"
#include "wcs_url.h"
#include "wcs_xml.h"

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

/* --- issued, and valid when ------------------------------------------- */

/* The Response and the Assertion were issued no longer ago than
 * WebcastSAMLMaxAssertionAge (and not later than now), give or take the
 * clock skew.  Whatever its NotOnOrAfter says, an assertion is then dead
 * to this SP at IssueInstant + age + skew, which bounds how long the
 * replay cache must remember it, and so how large it must be. */
apr_status_t wcs_check_issue_instant(vctx_t *v)
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
        if (wcs_time_too_old(v->now, t, v->sp->max_assertion_age,
                             v->sp->clock_skew)) {
            return wcs_refuse(v->res, v->p, WCS_CODE_EXPIRED,
                              "the %s was issued at %s, more than %"
                              APR_TIME_T_FMT "s ago ("
                              WCS_CMD_MAX_ASSERTION_AGE " %" APR_TIME_T_FMT
                              "s, clock skew %"
                              APR_TIME_T_FMT "s; now %s)", NODE_NAME(n[i]),
                              fmt_time(v, t),
                              apr_time_sec(v->sp->max_assertion_age
                                           + v->sp->clock_skew),
                              apr_time_sec(v->sp->max_assertion_age),
                              apr_time_sec(v->sp->clock_skew),
                              fmt_time(v, v->now));
        }
        if (wcs_time_not_yet(v->now, t, v->sp->clock_skew)) {
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

apr_status_t wcs_check_conditions(vctx_t *v)
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
        if (has_nb && wcs_time_not_yet(v->now, nb, v->sp->clock_skew)) {
            return wcs_refuse(v->res, v->p, WCS_CODE_NOT_YET_VALID,
                              "the assertion is valid from %s only (now %s, "
                              "clock skew %" APR_TIME_T_FMT "s)",
                              fmt_time(v, nb), fmt_time(v, v->now),
                              apr_time_sec(v->sp->clock_skew));
        }
        if (has_noa && wcs_time_expired(v->now, noa, v->sp->clock_skew)) {
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

/* --- confirmed for whom ---------------------------------------------- */

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
    if (wcs_time_expired(v->now, noa, v->sp->clock_skew)) {
        return wcs_refuse(v->res, v->p, WCS_CODE_EXPIRED,
                          "the subject confirmation expired at %s (now %s)",
                          fmt_time(v, noa), fmt_time(v, v->now));
    }
    if (has_nb && wcs_time_not_yet(v->now, nb, v->sp->clock_skew)) {
        return wcs_refuse(v->res, v->p, WCS_CODE_NOT_YET_VALID,
                          "the subject confirmation is valid from %s only "
                          "(now %s)", fmt_time(v, nb), fmt_time(v, v->now));
    }
    if (noa > v->a->expires) {
        v->a->expires = noa;
    }
    return APR_SUCCESS;
}

apr_status_t wcs_check_subject_confirmation(vctx_t *v,
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

apr_status_t wcs_check_authn_statement(vctx_t *v)
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
    if (has_snoa && wcs_time_expired(v->now, v->a->session_not_on_or_after,
                                     v->sp->clock_skew)) {
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
