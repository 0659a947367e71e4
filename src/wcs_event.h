/*
 * wcs_event: webcast events and the RelayState that names one.  An event
 * is a decimal ID and, usually, its security key (the "TP key"): the IdP
 * posts RelayState "1234567-ab177c1f4e", or "1234567" for an event that
 * does not enforce its key.  Events come from directives and map files,
 * one a line, into a hash: a lookup costs the same for ten events or a
 * hundred thousand.  Nothing of a RelayState is ever used as a URL: an
 * event's target is what its configuration line says.
 */
#ifndef WCS_EVENT_H
#define WCS_EVENT_H

#include <apr_hash.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "wcs_result.h"

/* An event ID has at most this many digits (its value fits 64 bits). */
#define WCS_EVENT_ID_DIGITS 18
/* A security key is 4 to 64 hex digits. */
#define WCS_EVENT_KEY_MIN 4
#define WCS_EVENT_KEY_MAX 64
/* A map file is read whole; this bounds it (about a million events). */
#define WCS_EVENT_MAP_MAX (256 * 1024 * 1024)

typedef struct wcs_event_t {
    const char *id;              /* decimal, without leading zeros */
    const char *key;             /* lower-case hex, or NULL: none */
    int key_optional;            /* key=optional: a RelayState may omit it */
    const char *target;          /* local path or absolute http(s) URL */
    const apr_array_header_t *idps;      /* entity IDs; NULL: any */
    const apr_array_header_t *domains;   /* email domain patterns; NULL:
                                          * any */
    apr_time_t opens, closes;    /* 0: no bound */
    const char *error_url;       /* its invalid-request page, or NULL */
    const char *message;         /* for 3c on the built-in page, or NULL */
    const char *template_name;   /* its registration template, or NULL */
    /* What it asks of accounts (a user directory), or as the site does:
     * the licence its attendees' accounts must be under (NULL: the
     * site's), whether it provisions attendees (-1: as the site). */
    const char *license;
    int provision;
    const char *where;           /* "file:line" or the directive's place */
} wcs_event_t;

typedef struct wcs_events_t {
    apr_hash_t *by_id;           /* id -> wcs_event_t * */
    /* RelayStates that name an application by URL (Entra's gallery
     * apps): normalised URL -> target. */
    apr_hash_t *app_urls;
    /* Registration templates: name -> apr_array_header_t * of
     * wcs_attr_map_t (wcs_identity.h). */
    apr_hash_t *templates;
    /* Events by their target, where it is a local path: the event of a
     * protected URL an anonymous person opens (SP-initiated sign-in).
     * A path that several events share names none of them. */
    apr_hash_t *by_target;
} wcs_events_t;

/* What a RelayState says. */
typedef enum {
    WCS_RELAY_NONE = 0,          /* absent or empty */
    WCS_RELAY_EVENT,             /* an event ID, perhaps with a key */
    WCS_RELAY_NOT_NUMBER,        /* its event ID part is not a number */
    /* The opaque reference this SP sends with a sign-in it starts for a
     * URL of no event (WCS_RELAY_REF_PREFIX and 32 hex digits): where it
     * leads is the outstanding request's to say (wcs_authnreq.h). */
    WCS_RELAY_REF
} wcs_relay_kind_t;

/* An opaque RelayState reference: never an event ID, which is digits. */
#define WCS_RELAY_REF_PREFIX "sp-"
#define WCS_RELAY_REF_HEX 32

typedef struct wcs_relay_t {
    wcs_relay_kind_t kind;
    const char *event_id;        /* canonical decimal (EVENT) */
    /* What follows the first '-' (EVENT), as posted, or NULL when there is
     * no '-': checked against the event's key by wcs_event_admit. */
    const char *key;
} wcs_relay_t;

/* Read RelayState rs (NULL: absent).  Never fails: what it is not is a
 * kind. */
void wcs_relay_parse(wcs_relay_t *out, const char *rs, apr_pool_t *p);

/* An empty table, from p. */
wcs_events_t *wcs_events_make(apr_pool_t *p);

/* Parse one event from its words: ID KEY TARGET [option ...], KEY being
 * hex or "-" for none, options key=optional, idps=ID[,ID...],
 * domains=D[,D...], opens=TIME, closes=TIME (xs:dateTime, e.g.
 * 2026-12-01T18:00:00Z), error=URL, message=TEXT (quoted when it has
 * spaces), template=NAME, license=NAME and provision=on|off.  where names it in messages.  On
 * failure APR_EINVAL and *err (from p) says why, without where. */
apr_status_t wcs_event_parse(wcs_event_t **pe, const char **err, int argc,
                             const char *const *argv, const char *where,
                             apr_pool_t *p);

/* Add e to events; a second event with e's ID is refused (APR_EEXIST,
 * *err naming where the first one is). */
apr_status_t wcs_events_add(wcs_events_t *events, wcs_event_t *e,
                            const char **err, apr_pool_t *p);

/* Add every event of the map file at path: one event a line as for
 * wcs_event_parse, blank lines and '#' comments skipped.  Every line is
 * read; on failure APR_EINVAL and *err lists each bad line as
 * "path:line: reason" (at most a few, then how many more). */
apr_status_t wcs_events_load_file(wcs_events_t *events, const char **err,
                                  const char *path, apr_pool_t *p);

/* Let RelayState url (an absolute http(s) URL, compared after RFC 3986
 * normalisation) land on target.  APR_EINVAL (*err says why) for a URL
 * that is none, a target that is neither a local path nor a URL, or a
 * URL mapped twice. */
apr_status_t wcs_events_add_app_url(wcs_events_t *events, const char **err,
                                    const char *url, const char *target,
                                    apr_pool_t *p);

/* Add to registration template name the mapping of SAML attribute saml
 * to variable env (a WEBCAST_* name the module does not set itself).
 * APR_EINVAL (*err says why) otherwise. */
apr_status_t wcs_events_add_template_field(wcs_events_t *events,
                                           const char **err,
                                           const char *name, const char *saml,
                                           const char *env, apr_pool_t *p);

/* The mappings (of wcs_attr_map_t) of template name, or NULL. */
const apr_array_header_t *wcs_events_template(const wcs_events_t *events,
                                              const char *name);

/* Does every event's template= name a template?  APR_EINVAL and *err
 * (naming the event's place) otherwise. */
apr_status_t wcs_events_check(const wcs_events_t *events, const char **err,
                              apr_pool_t *p);

/* The event id (canonical decimal), or NULL. */
const wcs_event_t *wcs_events_find(const wcs_events_t *events,
                                   const char *id);

/* How many events. */
unsigned int wcs_events_count(const wcs_events_t *events);

/* Where RelayState rs (relay, as wcs_relay_parse read it) leads.  Where
 * application URLs are configured, an http(s) URL leads to the target of
 * the one it equals (*app_target), or is refused with 3b.  Where events
 * are configured, *pe is the event: refuses 1a for no RelayState, 3a for
 * an ID that is not a number, 3b for an unknown event.  Both NULL with
 * APR_SUCCESS when neither applies (no events, or rs is default_rs, the
 * default RelayState): the default target. */
apr_status_t wcs_event_route(const wcs_event_t **pe, const char **app_target,
                             wcs_result_t *res, const wcs_events_t *events,
                             const char *default_rs, const char *rs,
                             const wcs_relay_t *relay, apr_pool_t *p);

/* The event whose target is local path path (a URL's path, without its
 * query), or the nearest one above it: "/webcast/1/slides" is event 1's
 * when its target is "/webcast/1/".  NULL: none. */
const wcs_event_t *wcs_events_for_path(const wcs_events_t *events,
                                       const char *path, apr_pool_t *p);

/* Is key (NULL: none) what e asks for?  Refuses 3c for a key e does not
 * have, a missing key e enforces, or a wrong or malformed one (compared
 * in constant time; never logged); the reason says that what ("RelayState",
 * "the link") carried it. */
apr_status_t wcs_event_check_key(wcs_result_t *res, const wcs_event_t *e,
                                 const char *key, const char *what,
                                 apr_pool_t *p);

/* May the person with email, signed in by IdP idp at now, join e with the
 * key relay carried?  Refuses 3c: a wrong, malformed or missing key
 * (compared in constant time), an IdP or email domain the event does not
 * allow, before it opens or after it closes. */
apr_status_t wcs_event_admit(wcs_result_t *res, const wcs_event_t *e,
                             const wcs_relay_t *relay, const char *idp,
                             const char *email, apr_time_t now,
                             apr_pool_t *p);

/* The same rules without a key, for a session extended to e: refuses 3c
 * also when e enforces its key. */
apr_status_t wcs_event_admit_session(wcs_result_t *res, const wcs_event_t *e,
                                     const char *idp, const char *email,
                                     apr_time_t now, apr_pool_t *p);

#endif
