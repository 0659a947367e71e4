/*
 * mod_wcs_directory: the user directory as httpd configures it.  The
 * rules (wcs_account.c) and the SQL (wcs_dbd.c) are the core's; this file
 * gives them a connection:
 *
 *   WebcastSAMLDirectory sqlite3:/var/lib/webcast/accounts.db [schema=create]
 *       an SQLite file through APR DBD, a connection per process, opened
 *       when first needed, again after a failure or when the file was
 *       replaced, moved or made read-only (so that the next sign-in
 *       sees what the admin did, and works when the file is back,
 *       without a restart);
 *   WebcastSAMLDirectory dbd
 *       httpd's mod_dbd (DBDriver pgsql, mysql, sqlite3 ...): statements
 *       prepared at configuration time, a connection from its pool per
 *       request.
 */
#include <apr_dbd.h>
#include <apr_file_info.h>
#include <apr_optional.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_request.h>
#include <mod_auth.h>
#include <mod_dbd.h>

#include "mod_wcs.h"
#include "mod_wcs_config.h"
#include "mod_wcs_directory.h"
#include "mod_wcs_log.h"
#include "wcs_dbd.h"
#include "wcs_session.h"

APLOG_USE_MODULE(webcast_saml);

typedef enum { DIR_SQLITE, DIR_MOD_DBD } dir_kind_t;

/* One configured directory (shared by the vhosts that inherit it). */
typedef struct wcs_directory_conf_t {
    dir_kind_t kind;
    const char *spec;            /* as configured, for log lines */
    const char *path;            /* DIR_SQLITE: the file */
    int schema_create;
    /* DIR_SQLITE, per process: the connection (NULL until opened, and
     * after a failure) under a mutex, in a pool of its own. */
#if APR_HAS_THREADS
    apr_thread_mutex_t *mutex;
#endif
    apr_pool_t *conn_pool;
    wcs_dbd_conn_t *conn;
    /* The file the connection was opened on: another inode, device or
     * mode (the file replaced, moved away, made read-only) opens it
     * again, so that what the admin did to it counts at once. */
    apr_ino_t inode;
    apr_dev_t device;
    apr_fileperms_t mode;
    /* The file could be opened for writing: in WAL mode SQLite would
     * still write to a file made read-only, through its -wal file,
     * against the admin's intent. */
    int writable;
} wcs_directory_conf_t;

/* mod_dbd's functions, when it is loaded. */
static APR_OPTIONAL_FN_TYPE(ap_dbd_prepare) *dbd_prepare;
static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *dbd_acquire;

/* --- directives ---------------------------------------------------------- */

const char *wcs_set_directory(cmd_parms *cmd, void *dc, const char *spec,
                              const char *option)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);
    wcs_directory_conf_t *d;
    int i;

    if (!strcasecmp(spec, "off")) {
        if (option) {
            return apr_psprintf(cmd->pool, "%s off takes no option",
                                cmd->cmd->name);
        }
        sc->directory = NULL;
        sc->directory_set = 1;
        return NULL;
    }
    d = apr_pcalloc(cmd->pool, sizeof(*d));
    d->spec = spec;
    if (option) {
        if (strcmp(option, "schema=create")) {
            return apr_psprintf(cmd->pool, "%s: \"%s\" is not schema=create",
                                cmd->cmd->name, option);
        }
        d->schema_create = 1;
    }
    if (!strncmp(spec, "sqlite3:", 8) && spec[8]) {
        d->kind = DIR_SQLITE;
        d->path = ap_server_root_relative(cmd->pool, spec + 8);
        if (!d->path) {
            return apr_psprintf(cmd->pool, "%s: invalid file path \"%s\"",
                                cmd->cmd->name, spec + 8);
        }
    }
    else if (!strcmp(spec, "dbd")) {
        d->kind = DIR_MOD_DBD;
        if (d->schema_create) {
            /* mod_dbd prepares the statements as it connects, before
             * anything of this module could make the table. */
            return apr_psprintf(cmd->pool, "%s dbd: schema=create is for "
                                "SQLite files; create the table with "
                                "conf/schema-postgresql.sql", cmd->cmd->name);
        }
        dbd_prepare = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_prepare);
        dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
        if (!dbd_prepare || !dbd_acquire) {
            return apr_psprintf(cmd->pool, "%s dbd: mod_dbd is not loaded "
                                "(LoadModule dbd_module before this line, "
                                "and DBDriver/DBDParams)", cmd->cmd->name);
        }
        /* Prepared by mod_dbd on each connection of this vhost's pool. */
        for (i = 0; i < WCS_DBD_COUNT; i++) {
            dbd_prepare(cmd->server, wcs_dbd_sql(i), wcs_dbd_label(i));
        }
    }
    else {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is neither "
                            "sqlite3:/path/to/file.db nor dbd (mod_dbd) nor "
                            "off", cmd->cmd->name, spec);
    }
    sc->directory = d;
    sc->directory_set = 1;
    return NULL;
}

const char *wcs_set_provision(cmd_parms *cmd, void *dc, int flag)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);

    sc->provision = flag;
    sc->provision_set = 1;
    return NULL;
}

const char *wcs_set_license(cmd_parms *cmd, void *dc, const char *arg)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);

    if (!*arg || strpbrk(arg, "\r\n")) {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not a licence name",
                            cmd->cmd->name, arg);
    }
    sc->license = strcasecmp(arg, "any") ? arg : NULL;
    sc->license_set = 1;
    return NULL;
}

const char *wcs_set_guests(cmd_parms *cmd, void *dc, int flag)
{
    wcs_srv_conf_t *sc = wcs_cfg_srv(cmd);

    sc->guests = flag;
    sc->guests_set = 1;
    return NULL;
}

/* --- per process --------------------------------------------------------- */

void wcs_directory_pre_config(apr_pool_t *pconf)
{
    /* What mod_dbd does in its own pre_config: without mod_dbd loaded,
     * nobody else would, and APR's driver table would not exist. */
    apr_dbd_init(pconf);
}

void wcs_directory_child_init(apr_pool_t *p, server_rec *s)
{
    server_rec *vs;

    for (vs = s; vs; vs = vs->next) {
        wcs_srv_conf_t *sc = ap_get_module_config(vs->module_config,
                                                  &webcast_saml_module);
        wcs_directory_conf_t *d = sc->directory;

        if (!d || d->kind != DIR_SQLITE || d->conn_pool) {
            continue;            /* none, mod_dbd's, or done (inherited) */
        }
        apr_pool_create(&d->conn_pool, p);
#if APR_HAS_THREADS
        apr_thread_mutex_create(&d->mutex, APR_THREAD_MUTEX_DEFAULT, p);
#endif
    }
}

#define SQLITE_WAIT_MS 100

/* The first column of the first row of query on c, or NULL. */
static const char *sqlite_value(wcs_dbd_conn_t *c, const char *query,
                                int *rc, apr_pool_t *p)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    const char *v = NULL;

    *rc = apr_dbd_select(c->driver, p, c->handle, &res, query, 0);
    while (!*rc && apr_dbd_get_row(c->driver, p, res, &row, -1) == 0) {
        if (!v) {
            v = apr_pstrdup(p, apr_dbd_get_entry(c->driver, row, 0));
        }
    }
    return v;
}

/* The busy timeout, and, for a file the admin put in write-ahead-log
 * mode, synchronous NORMAL (safe there: one sync at a checkpoint, not two
 * at every commit).  The module leaves the journal mode as it finds it:
 * a WAL file's -wal and -shm files belong to whoever opened it first,
 * and a tool run as root beside httpd would lock httpd out of them. */
static apr_status_t sqlite_pragmas(wcs_dbd_conn_t *c, apr_pool_t *p)
{
    const char *mode;
    int rc;

    sqlite_value(c, apr_psprintf(p, "PRAGMA busy_timeout = %d",
                                 SQLITE_WAIT_MS), &rc, p);
    if (rc) {
        return APR_EGENERAL;
    }
    mode = sqlite_value(c, "PRAGMA journal_mode", &rc, p);
    if (!rc && mode && !strcasecmp(mode, "wal")) {
        sqlite_value(c, "PRAGMA synchronous = NORMAL", &rc, p);
    }
    return APR_SUCCESS;
}

/* Open d's SQLite file and prepare the statements; NULL and *err. */
static wcs_dbd_conn_t *sqlite_open(wcs_directory_conf_t *d, const char **err,
                                   apr_pool_t *ptemp)
{
    wcs_dbd_conn_t *c = apr_pcalloc(d->conn_pool, sizeof(*c));
    apr_finfo_t fi;
    apr_file_t *f;
    apr_status_t rv;

    /* SQLite would make an empty file where there is none, and every
     * query would then fail on the missing table: say what is wrong. */
    if (!d->schema_create
        && apr_stat(&fi, d->path, APR_FINFO_TYPE, ptemp) != APR_SUCCESS) {
        *err = apr_psprintf(ptemp, "%s does not exist (create it with "
                            "conf/schema-sqlite.sql, or add schema=create)",
                            d->path);
        return NULL;
    }
    rv = apr_dbd_get_driver(d->conn_pool, "sqlite3", &c->driver);
    if (rv != APR_SUCCESS) {
        *err = "APR's sqlite3 DBD driver is not installed "
               "(libaprutil1-dbd-sqlite3)";
        return NULL;
    }
    rv = apr_dbd_open_ex(c->driver, d->conn_pool, d->path, &c->handle, err);
    if (rv != APR_SUCCESS || !c->handle) {
        *err = apr_psprintf(ptemp, "cannot open %s: %s", d->path,
                            *err ? *err : "no reason given");
        return NULL;
    }
    /* Processes writing at once wait for each other's locks: SQLite up
     * to SQLITE_WAIT_MS at each step (a statement's preparation too),
     * and APR's driver retries a busy step 15 times after 100 ms: about
     * 3 s in all before a sign-in is refused (5f). */
    if (sqlite_pragmas(c, ptemp) != APR_SUCCESS) {
        *err = apr_psprintf(ptemp, "%s: cannot set the busy timeout: %s",
                            d->path, apr_dbd_error(c->driver, c->handle, 1));
        apr_dbd_close(c->driver, c->handle);
        return NULL;
    }
    if (apr_stat(&fi, d->path, APR_FINFO_INODE | APR_FINFO_DEV
                 | APR_FINFO_PROT, ptemp) == APR_SUCCESS) {
        d->inode = fi.inode;
        d->device = fi.device;
        d->mode = fi.protection;
    }
    d->writable = apr_file_open(&f, d->path, APR_FOPEN_WRITE, 0, ptemp)
                  == APR_SUCCESS;
    if (d->writable) {
        apr_file_close(f);
    }
    if ((d->schema_create && wcs_dbd_apply_schema(c, err, ptemp)
         != APR_SUCCESS)
        || wcs_dbd_prepare(c, err, ptemp) != APR_SUCCESS) {
        *err = apr_psprintf(ptemp, "%s: %s", d->path, *err);
        apr_dbd_close(c->driver, c->handle);
        return NULL;
    }
    return c;
}

/* Is d's file still the one its connection was opened on? */
static int same_file(const wcs_directory_conf_t *d, apr_pool_t *p)
{
    apr_finfo_t fi;

    return apr_stat(&fi, d->path, APR_FINFO_INODE | APR_FINFO_DEV
                    | APR_FINFO_PROT, p) == APR_SUCCESS
           && fi.inode == d->inode && fi.device == d->device
           && fi.protection == d->mode;
}

static void drop(wcs_directory_conf_t *d)
{
    apr_dbd_close(d->conn->driver, d->conn->handle);
    d->conn = NULL;
    apr_pool_clear(d->conn_pool);
}

/* A request's directory: the configured one, and mod_dbd's connection
 * once acquired. */
typedef struct {
    wcs_directory_conf_t *d;
    request_rec *r;
    wcs_dbd_conn_t *conn;        /* DIR_MOD_DBD */
} dir_baton_t;

typedef enum { OP_FIND, OP_CREATE, OP_TOUCH } op_t;

/* One call on a connection. */
static apr_status_t run(wcs_dbd_conn_t *c, op_t op, const char *email,
                        const wcs_account_t *a, apr_time_t now,
                        apr_array_header_t **accounts, const char **err,
                        apr_pool_t *p)
{
    return op == OP_FIND ? wcs_dbd_find(c, email, accounts, err, p)
         : op == OP_CREATE ? wcs_dbd_create(c, a, now, err, p)
         : wcs_dbd_touch(c, a, now, err, p);
}

/* The calls on SQLite: the process's connection under its mutex, opened
 * when needed, again when the file changed, and dropped after any
 * failure. */
static apr_status_t sqlite_op(dir_baton_t *b, op_t op, const char *email,
                              const wcs_account_t *a, apr_time_t now,
                              apr_array_header_t **accounts,
                              const char **err, apr_pool_t *p)
{
    wcs_directory_conf_t *d = b->d;
    apr_status_t rv;

#if APR_HAS_THREADS
    apr_thread_mutex_lock(d->mutex);
#endif
    if (d->conn && !same_file(d, p)) {
        drop(d);
    }
    if (!d->conn) {
        d->conn = sqlite_open(d, err, p);
        if (!d->conn) {
            apr_pool_clear(d->conn_pool);
        }
    }
    if (!d->conn) {
        rv = APR_EGENERAL;
    }
    else if (op != OP_FIND && !d->writable) {
        *err = apr_psprintf(p, "%s is read-only (its permissions): no "
                            "account can be made and no login recorded",
                            d->path);
        rv = APR_EGENERAL;
    }
    else {
        rv = run(d->conn, op, email, a, now, accounts, err, p);
        if (rv != APR_SUCCESS && !APR_STATUS_IS_EEXIST(rv)) {
            /* Opened again for the next sign-in: the file may have been
             * replaced, unlocked or made writable meanwhile. */
            *err = apr_pstrdup(p, *err);
            drop(d);
        }
    }
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(d->mutex);
#endif
    return rv;
}

/* The calls through mod_dbd: the request's connection, acquired once. */
static apr_status_t dbd_conn(dir_baton_t *b, const char **err)
{
    ap_dbd_t *dbd;
    int i;

    if (b->conn) {
        return APR_SUCCESS;
    }
    dbd = dbd_acquire(b->r);
    if (!dbd) {
        *err = "mod_dbd has no connection (is the database up? mod_dbd "
               "logs why)";
        return APR_EGENERAL;
    }
    b->conn = apr_pcalloc(b->r->pool, sizeof(*b->conn));
    b->conn->driver = dbd->driver;
    b->conn->handle = dbd->handle;
    for (i = 0; i < WCS_DBD_COUNT; i++) {
        b->conn->stmt[i] = apr_hash_get(dbd->prepared, wcs_dbd_label(i),
                                        APR_HASH_KEY_STRING);
        if (!b->conn->stmt[i]) {
            *err = apr_psprintf(b->r->pool, "mod_dbd did not prepare %s "
                                "(its log says why: is the table there?)",
                                wcs_dbd_label(i));
            b->conn = NULL;
            return APR_EGENERAL;
        }
    }
    return APR_SUCCESS;
}

/* One directory call on the request's connection.  A failed call is
 * tried once more after the statements are prepared again on it: mod_dbd
 * reconnects a connection that the database dropped (a restart) without
 * preparing them again, and a database that is back must serve the next
 * sign-in. */
static apr_status_t dbd_op(dir_baton_t *b, op_t op, const char *email,
                           const wcs_account_t *a, apr_time_t now,
                           apr_array_header_t **accounts, const char **err,
                           apr_pool_t *p)
{
    const char *again;
    apr_status_t rv;
    int tries;

    if (dbd_conn(b, err) != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    for (tries = 0; ; tries++) {
        rv = run(b->conn, op, email, a, now, accounts, err, p);
        if (rv == APR_SUCCESS || APR_STATUS_IS_EEXIST(rv) || tries
            || wcs_dbd_prepare(b->conn, &again, p) != APR_SUCCESS) {
            return rv;
        }
    }
}

static apr_status_t dir_op(dir_baton_t *b, op_t op, const char *email,
                           const wcs_account_t *a, apr_time_t now,
                           apr_array_header_t **accounts, const char **err,
                           apr_pool_t *p)
{
    return b->d->kind == DIR_SQLITE
           ? sqlite_op(b, op, email, a, now, accounts, err, p)
           : dbd_op(b, op, email, a, now, accounts, err, p);
}

static apr_status_t dir_find(void *baton, const char *email,
                             apr_array_header_t **accounts, const char **err,
                             apr_pool_t *p)
{
    return dir_op(baton, OP_FIND, email, NULL, 0, accounts, err, p);
}

static apr_status_t dir_create(void *baton, const wcs_account_t *a,
                               apr_time_t now, const char **err,
                               apr_pool_t *p)
{
    return dir_op(baton, OP_CREATE, NULL, a, now, NULL, err, p);
}

static apr_status_t dir_touch(void *baton, const wcs_account_t *a,
                              apr_time_t now, const char **err,
                              apr_pool_t *p)
{
    return dir_op(baton, OP_TOUCH, NULL, a, now, NULL, err, p);
}

const wcs_directory_t *wcs_directory_for(request_rec *r,
                                         const wcs_srv_conf_t *sc)
{
    wcs_directory_conf_t *d = sc->directory;
    wcs_directory_t *dir;
    dir_baton_t *b;

    if (!d) {
        return NULL;
    }
    dir = apr_pcalloc(r->pool, sizeof(*dir));
    b = apr_pcalloc(r->pool, sizeof(*b));
    b->d = d;
    b->r = r;
    dir->name = d->spec;
    dir->baton = b;
    dir->find = dir_find;
    dir->create = dir_create;
    dir->touch = dir_touch;
    return dir;
}

const wcs_account_policy_t *wcs_account_policy_for(request_rec *r,
                                                   const wcs_srv_conf_t *sc)
{
    wcs_account_policy_t *pol = apr_pcalloc(r->pool, sizeof(*pol));

    pol->provision = sc->provision;
    pol->license = sc->license;
    pol->guests = sc->guests;
    return pol;
}

/* --- Require webcast-role ROLE [ROLE ...] ---------------------------- */

static const char *role_parse_require(cmd_parms *cmd,
                                      const char *require_line,
                                      const void **parsed)
{
    apr_array_header_t *roles = wcs_cfg_words(cmd, require_line);

    if (roles->nelts == 0) {
        return "Require webcast-role takes the account roles admitted "
               "(admin, guest_admin, attendee, guest)";
    }
    *parsed = roles;
    return NULL;
}

static authz_status role_check(request_rec *r, const char *require_line,
                               const void *parsed)
{
    const apr_array_header_t *roles = parsed;
    const wcs_session_t *s = wcs_req(r)->session;
    const char *role;
    int i;

    if (!r->user || !s) {
        return AUTHZ_DENIED_NO_USER;
    }
    role = apr_table_get(s->env, WCS_ENV_ROLE);
    for (i = 0; role && i < roles->nelts; i++) {
        if (!strcmp(role, APR_ARRAY_IDX(roles, i, const char *))) {
            return AUTHZ_GRANTED;
        }
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, WCS_LOG_TAG "05002: "
                  "[ref %s] %s (role %s) may not open %s: Require "
                  "webcast-role %s", wcs_req(r)->ref, r->user,
                  role ? role : "none: no user directory", r->uri,
                  apr_array_pstrcat(r->pool, roles, ' '));
    return AUTHZ_DENIED;
}

static const authz_provider role_provider = {
    role_check,
    role_parse_require
};

void wcs_directory_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "webcast-role",
                              AUTHZ_PROVIDER_VERSION, &role_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}
