/*
 * wcs_response_int: what the validator's two files share (wcs_response.c
 * runs the checks; wcs_conditions.c holds those on time, audience and
 * subject confirmation).  Private to them: callers use wcs_response.h.
 */
#ifndef WCS_RESPONSE_INT_H
#define WCS_RESPONSE_INT_H

#include <libxml/tree.h>

#include "wcs_response.h"

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

/* The checks of wcs_conditions.c, in the order wcs_response.c runs them;
 * each refuses with its own code and reason in v->res. */
apr_status_t wcs_check_issue_instant(vctx_t *v);
apr_status_t wcs_check_conditions(vctx_t *v);
apr_status_t wcs_check_authn_statement(vctx_t *v);

/* Any one bearer SubjectConfirmation of subject that passes is enough. */
apr_status_t wcs_check_subject_confirmation(vctx_t *v,
                                            const xmlNode *subject);

#endif
