/*
 * wcs_account: who may sign in, by the platform's account rules.  The
 * email identifies a person; the user directory (an interface with an
 * SQL implementation over APR DBD, wcs_dbd.c) holds their accounts.  No
 * account: one is made just in time where attendees are provisioned, else
 * refused.  Several accounts with the email: refused, except that one
 * Admin beside Guest Admin accounts signs in as the Admin.  An inactive
 * account, a guest where no guests are allowed, an account under another
 * licence: refused.  Any directory failure refuses (fails closed).
 */
#ifndef WCS_ACCOUNT_H
#define WCS_ACCOUNT_H

#include <apr_tables.h>
#include <apr_time.h>

#include "wcs_result.h"

/* Account roles as the directory stores them. */
#define WCS_ROLE_ADMIN       "admin"
#define WCS_ROLE_GUEST_ADMIN "guest_admin"
#define WCS_ROLE_ATTENDEE    "attendee"
#define WCS_ROLE_GUEST       "guest"

typedef struct wcs_account_t {
    const char *id;              /* the directory's, as text */
    const char *email;
    const char *role;            /* one of WCS_ROLE_*, or another word */
    const char *license;         /* or NULL */
    const char *display_name;    /* or NULL */
    /* The registration fields it was made with (WEBCAST_* variables of
     * the sign-in that made it, application/x-www-form-urlencoded), or
     * NULL; written, never read. */
    const char *fields;
    int active;
} wcs_account_t;

/* A user directory.  Each call gives a reason in *err when it fails. */
typedef struct wcs_directory_t {
    void *baton;
    const char *name;            /* for log lines ("sqlite3:/path") */
    /* Every account whose email is email (lower case, trimmed), as
     * wcs_account_t * in *accounts (from p), in the directory's order. */
    apr_status_t (*find)(void *baton, const char *email,
                         apr_array_header_t **accounts, const char **err,
                         apr_pool_t *p);
    /* Add account a (email, role, license, display_name) at now, active,
     * its login at now recorded; APR_EEXIST when an account of that email
     * and role exists (a unique index decides, so that of two concurrent
     * first logins one adds). */
    apr_status_t (*create)(void *baton, const wcs_account_t *a,
                           apr_time_t now, const char **err, apr_pool_t *p);
    /* Record a's login at now. */
    apr_status_t (*touch)(void *baton, const wcs_account_t *a, apr_time_t now,
                          const char **err, apr_pool_t *p);
} wcs_directory_t;

/* What a site asks of accounts. */
typedef struct wcs_account_policy_t {
    int provision;               /* make attendees just in time */
    const char *license;         /* required licence, or NULL: any */
    int guests;                  /* guest accounts may sign in */
} wcs_account_policy_t;

/* The account the person with email (validated, lower case) signs in
 * with, by the rules above; an account made just in time gets the
 * display name and the registration fields of env (the sign-in's
 * WEBCAST_* variables, NULL for none).  Refuses 5a no account, 5b several accounts, 5c
 * another licence, 5d inactive, 5e a guest, 5f a directory failure.
 * *pa from p. */
apr_status_t wcs_account_resolve(const wcs_account_t **pa,
                                 wcs_result_t *res,
                                 const wcs_directory_t *dir,
                                 const wcs_account_policy_t *pol,
                                 const char *email, const apr_table_t *env,
                                 apr_time_t now, apr_pool_t *p);

#endif
