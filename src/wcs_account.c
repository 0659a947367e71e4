#include <string.h>

#include <apr_escape.h>
#include <apr_strings.h>

#include "wcs_account.h"

static apr_status_t failed(wcs_result_t *res, const wcs_directory_t *dir,
                           const char *what, const char *err, apr_pool_t *p)
{
    return wcs_refuse(res, p, WCS_CODE_DIRECTORY,
                      "user directory %s failed to %s: %s", dir->name, what,
                      err ? err : "no reason given");
}

static const char *roles_of(const apr_array_header_t *accounts,
                            apr_pool_t *p)
{
    apr_array_header_t *roles = apr_array_make(p, accounts->nelts,
                                               sizeof(const char *));
    int i;

    for (i = 0; i < accounts->nelts; i++) {
        const wcs_account_t *a = APR_ARRAY_IDX(accounts, i,
                                               const wcs_account_t *);

        APR_ARRAY_PUSH(roles, const char *) =
            apr_psprintf(p, "%s #%s", a->role, a->id);
    }
    return apr_array_pstrcat(p, roles, ',');
}

/* The one account of accounts that signs in, or NULL: the only one, or
 * the one Admin beside Guest Admins. */
static const wcs_account_t *the_one(const apr_array_header_t *accounts)
{
    const wcs_account_t *admin = NULL;
    int i;

    if (accounts->nelts == 1) {
        return APR_ARRAY_IDX(accounts, 0, const wcs_account_t *);
    }
    for (i = 0; i < accounts->nelts; i++) {
        const wcs_account_t *a = APR_ARRAY_IDX(accounts, i,
                                               const wcs_account_t *);

        if (!strcmp(a->role, WCS_ROLE_ADMIN) && !admin) {
            admin = a;
        }
        else if (strcmp(a->role, WCS_ROLE_GUEST_ADMIN)) {
            return NULL;         /* a second Admin, or another role */
        }
    }
    return admin;
}

/* A registration field: a WEBCAST_* variable that says something of the
 * person beyond who they are (not the email, IdP, NameID, event...). */
static int add_field(void *rec, const char *key, const char *value)
{
    apr_array_header_t *pairs = rec;

    if (strcmp(key, WCS_ENV_EMAIL) && strcmp(key, WCS_ENV_IDP)
        && strcmp(key, WCS_ENV_NAMEID) && strcmp(key, WCS_ENV_AUTHN_CONTEXT)
        && strcmp(key, WCS_ENV_EVENT_ID) && strcmp(key, WCS_ENV_ROLE)
        && strcmp(key, WCS_ENV_LICENSE)) {
        APR_ARRAY_PUSH(pairs, const char *) =
            apr_pstrcat(pairs->pool, apr_pescape_urlencoded(pairs->pool, key),
                        "=", apr_pescape_urlencoded(pairs->pool, value),
                        NULL);
    }
    return 1;
}

static const char *fields_of(const apr_table_t *env, apr_pool_t *p)
{
    apr_array_header_t *pairs = apr_array_make(p, 8, sizeof(const char *));

    if (env) {
        apr_table_do(add_field, pairs, env, NULL);
    }
    return pairs->nelts ? apr_array_pstrcat(p, pairs, '&') : NULL;
}

apr_status_t wcs_account_resolve(const wcs_account_t **pa,
                                 wcs_result_t *res,
                                 const wcs_directory_t *dir,
                                 const wcs_account_policy_t *pol,
                                 const char *email, const apr_table_t *env,
                                 apr_time_t now, apr_pool_t *p)
{
    apr_array_header_t *accounts = NULL;
    const wcs_account_t *a;
    wcs_account_t fresh;
    const char *err = NULL;
    apr_status_t rv;
    int created = 0;

    *pa = NULL;
    if (dir->find(dir->baton, email, &accounts, &err, p) != APR_SUCCESS) {
        return failed(res, dir, "look up an account", err, p);
    }
    if (accounts->nelts == 0) {
        if (!pol->provision) {
            return wcs_refuse(res, p, WCS_CODE_NO_ACCOUNT,
                              "no account for %s in %s, and attendees are "
                              "not provisioned here", email, dir->name);
        }
        memset(&fresh, 0, sizeof(fresh));
        fresh.email = email;
        fresh.role = WCS_ROLE_ATTENDEE;
        fresh.license = pol->license;
        fresh.display_name = env ? apr_table_get(env, WCS_ENV_DISPLAY_NAME)
                                 : NULL;
        fresh.fields = fields_of(env, p);
        fresh.active = 1;
        rv = dir->create(dir->baton, &fresh, now, &err, p);
        if (rv != APR_SUCCESS && !APR_STATUS_IS_EEXIST(rv)) {
            return failed(res, dir, "create an account", err, p);
        }
        created = rv == APR_SUCCESS;
        /* Made now, or by a sign-in of the same person a moment ago: read
         * back what the directory holds. */
        if (dir->find(dir->baton, email, &accounts, &err, p)
            != APR_SUCCESS) {
            return failed(res, dir, "look up an account", err, p);
        }
        if (accounts->nelts == 0) {
            return failed(res, dir, "create an account",
                          "the new account cannot be read back", p);
        }
    }
    a = the_one(accounts);
    if (!a) {
        return wcs_refuse(res, p, WCS_CODE_ACCOUNTS,
                          "%d accounts share the email %s (%s): an email "
                          "must identify one account", accounts->nelts,
                          email, roles_of(accounts, p));
    }
    if (!a->active) {
        return wcs_refuse(res, p, WCS_CODE_INACTIVE,
                          "the %s account #%s of %s is inactive", a->role,
                          a->id, email);
    }
    if (!pol->guests && !strcmp(a->role, WCS_ROLE_GUEST)) {
        return wcs_refuse(res, p, WCS_CODE_GUEST,
                          "account #%s of %s is a guest account, and this "
                          "site admits no guests", a->id, email);
    }
    if (pol->license && (!a->license || strcmp(a->license, pol->license))) {
        return wcs_refuse(res, p, WCS_CODE_LICENSE,
                          "the %s account #%s of %s is under licence %s%s%s, "
                          "not %s as this site requires", a->role, a->id,
                          email, a->license ? "\"" : "",
                          a->license ? a->license : "(none)",
                          a->license ? "\"" : "", pol->license);
    }
    /* An account made by this login has the login recorded already
     * (the directory's order puts the new row last, after any other). */
    if ((!created || accounts->nelts != 1)
        && dir->touch(dir->baton, a, now, &err, p) != APR_SUCCESS) {
        return failed(res, dir, "record the login", err, p);
    }
    *pa = a;
    return APR_SUCCESS;
}
