/*
 * wcs_dbd: the user directory in SQL through APR DBD, the same statements
 * for every driver (SQLite, PostgreSQL, MySQL): a table webcast_accounts
 * with a unique index on (lower(trim(email)), role).  Schemas in
 * conf/schema-*.sql.  The connection and its prepared statements come
 * from the caller: a connection of its own (SQLite) or mod_dbd's.
 */
#ifndef WCS_DBD_H
#define WCS_DBD_H

#include <apr_dbd.h>

#include "wcs_account.h"

/* The statements, each with its label (mod_dbd prepares them by label). */
typedef enum {
    WCS_DBD_FIND = 0,
    WCS_DBD_CREATE,
    WCS_DBD_TOUCH,
    WCS_DBD_COUNT
} wcs_dbd_stmt_t;

/* The SQL and the label of statement i. */
const char *wcs_dbd_sql(wcs_dbd_stmt_t i);
const char *wcs_dbd_label(wcs_dbd_stmt_t i);

/* The schema for driver ("sqlite3", "pgsql", ...): statements separated
 * by ";\n", idempotent (CREATE ... IF NOT EXISTS); NULL for a driver
 * without one. */
const char *wcs_dbd_schema(const char *driver);

/* A connection and its prepared statements. */
typedef struct wcs_dbd_conn_t {
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    apr_dbd_prepared_t *stmt[WCS_DBD_COUNT];
} wcs_dbd_conn_t;

/* Prepare the statements on c (driver and handle set), from p. */
apr_status_t wcs_dbd_prepare(wcs_dbd_conn_t *c, const char **err,
                             apr_pool_t *p);

/* Run the schema of c's driver on c. */
apr_status_t wcs_dbd_apply_schema(wcs_dbd_conn_t *c, const char **err,
                                  apr_pool_t *p);

/* The directory operations on a connection (the baton is a
 * wcs_dbd_conn_t *). */
apr_status_t wcs_dbd_find(void *baton, const char *email,
                          apr_array_header_t **accounts, const char **err,
                          apr_pool_t *p);
apr_status_t wcs_dbd_create(void *baton, const wcs_account_t *a,
                            apr_time_t now, const char **err, apr_pool_t *p);
apr_status_t wcs_dbd_touch(void *baton, const wcs_account_t *a,
                           apr_time_t now, const char **err, apr_pool_t *p);

#endif
