/*
 * wcs_conf: the module's directives read without httpd.  A vhost's
 * WebcastSAML* lines (from a file, or one at a time) become the
 * description of its SP (wcs_sp_desc_t), checked by the same core parsers
 * the module's setters use (events, IdP metadata and certificates, email
 * domains, URLs).  webcast-saml-check reads its configuration here; the
 * module's setters can be made to call wcs_conf_directive too.
 */
#ifndef WCS_CONF_H
#define WCS_CONF_H

#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "wcs_event.h"
#include "wcs_sp.h"

/* One vhost's directives, as far as they decide a verdict. */
typedef struct wcs_conf_t {
    apr_pool_t *pool;            /* everything read lives here */
    /* Relative file paths are taken from here (httpd's ServerRoot), or
     * NULL: from the working directory. */
    const char *server_root;
    const char *sp_entity_id;    /* or NULL */
    const char *acs_url;         /* or NULL */
    apr_hash_t *idps;            /* entity ID -> wcs_idp_t * */
    apr_array_header_t *sha1_idps;       /* of const char * */
    apr_hash_t *idp_domains;     /* entity ID -> array of const char * */
    wcs_signed_parts_t signed_parts;
    apr_interval_time_t clock_skew;
    apr_interval_time_t max_assertion_age;
    apr_size_t max_response_size;
    apr_interval_time_t session_lifetime;
    const char *email_attr;      /* or NULL: the NameID */
    apr_array_header_t *attr_map;        /* of wcs_attr_map_t */
    wcs_events_t *events;        /* NULL: no event directive */
    const char *default_relay_state;
    /* Per-location directives, as the ACS's location has them. */
    const char *default_target;  /* WebcastSAMLDefaultTarget ("/") */
    int unsolicited;             /* WebcastSAMLUnsolicited (on) */
    /* What is configured but cannot be consulted offline. */
    const char *directory;       /* WebcastSAMLDirectory, or NULL */
    apr_interval_time_t login_timeout;
} wcs_conf_t;

/* The documented default of every directive, from p. */
wcs_conf_t *wcs_conf_make(apr_pool_t *p);

/* The words of a configuration line as httpd reads them: separated by
 * white space, a word in double or single quotes keeps its spaces and
 * loses its quotes (a backslash before the quote keeps that quote).  From
 * p; none is an empty array. */
apr_array_header_t *wcs_conf_words(const char *line, apr_pool_t *p);

/* Apply one directive: argv[0] its name (any case), then its arguments.
 * APR_SUCCESS, also for a directive of the module that decides no verdict
 * (cookies, caches, sign-in, pages: accepted and ignored); APR_ENOTIMPL
 * when argv[0] is no directive of the module; APR_EINVAL for a bad value
 * or a wrong number of arguments.  Both with *err (from p) saying why,
 * starting with the directive's name, as httpd would. */
apr_status_t wcs_conf_directive(wcs_conf_t *c, const char **err, int argc,
                                const char *const *argv, const char *where);

/* Apply the WebcastSAML* lines of the file at path (others, and
 * comments, are skipped; a line ending in a backslash continues on the
 * next).  On failure APR_EINVAL and *err "path:line: why". */
apr_status_t wcs_conf_read_file(wcs_conf_t *c, const char **err,
                                const char *path);

/* The description of the SP c configures, for wcs_sp_build; name says
 * how reasons name it.  Session keys are the caller's to set. */
void wcs_conf_sp_desc(wcs_sp_desc_t *desc, const wcs_conf_t *c,
                      const char *name);

#endif
