#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "wcs_dbd.h"
#include "wcs_time.h"

/* Every parameter is text (%s), so that one statement serves every
 * driver: numbers are cast in SQL, times are xs:dateTime text. */
static const struct {
    const char *label;
    const char *sql;
} statements[WCS_DBD_COUNT] = {
    [WCS_DBD_FIND] = { "webcast_saml_find",
        "SELECT id, email, role, license, display_name, active "
        "FROM webcast_accounts WHERE lower(trim(email)) = %s ORDER BY id" },
    /* The unique index on (lower(trim(email)), role) decides between two
     * concurrent first logins: the second inserts nothing. */
    /* Made at its first login: that login is recorded with it. */
    [WCS_DBD_CREATE] = { "webcast_saml_create",
        "INSERT INTO webcast_accounts "
        "(email, role, license, display_name, fields, active, created, "
        "last_login) VALUES (%s, %s, %s, %s, %s, 1, %s, %s) "
        "ON CONFLICT DO NOTHING" },
    [WCS_DBD_TOUCH] = { "webcast_saml_touch",
        "UPDATE webcast_accounts SET last_login = %s "
        "WHERE id = CAST(%s AS BIGINT)" },
};

const char *wcs_dbd_sql(wcs_dbd_stmt_t i)
{
    return statements[i].sql;
}

const char *wcs_dbd_label(wcs_dbd_stmt_t i)
{
    return statements[i].label;
}

/* The same table for SQLite and PostgreSQL but for the key's type. */
#define SCHEMA(ID)                                                         \
    "CREATE TABLE IF NOT EXISTS webcast_accounts (\n"                      \
    "    id " ID ",\n"                                                     \
    "    email TEXT NOT NULL,\n"                                           \
    "    role TEXT NOT NULL DEFAULT 'attendee',\n"                         \
    "    license TEXT,\n"                                                  \
    "    display_name TEXT,\n"                                             \
    "    fields TEXT,\n"                                                   \
    "    active INTEGER NOT NULL DEFAULT 1,\n"                             \
    "    created TEXT NOT NULL,\n"                                         \
    "    last_login TEXT\n"                                                \
    ");\n"                                                                 \
    "CREATE UNIQUE INDEX IF NOT EXISTS webcast_accounts_email_role\n"      \
    "    ON webcast_accounts ((lower(trim(email))), role)"

const char *wcs_dbd_schema(const char *driver)
{
    if (!strcmp(driver, "sqlite3")) {
        return SCHEMA("INTEGER PRIMARY KEY");
    }
    if (!strcmp(driver, "pgsql")) {
        return SCHEMA("BIGSERIAL PRIMARY KEY");
    }
    return NULL;
}

/* The driver's message on one line: PostgreSQL's run over several. */
static const char *dbd_error(const wcs_dbd_conn_t *c, int rc,
                             apr_pool_t *p)
{
    const char *e = apr_dbd_error(c->driver, c->handle, rc);
    char *out, *w;
    int space = 0;

    if (!e || !*e) {
        return "error";
    }
    out = w = apr_palloc(p, strlen(e) + 1);
    for (; *e; e++) {
        if (apr_isspace(*e)) {
            space = w != out;
            continue;
        }
        if (space) {
            *w++ = ' ';
            space = 0;
        }
        *w++ = *e;
    }
    *w = '\0';
    return out;
}

apr_status_t wcs_dbd_prepare(wcs_dbd_conn_t *c, const char **err,
                             apr_pool_t *p)
{
    int i, rc;

    for (i = 0; i < WCS_DBD_COUNT; i++) {
        c->stmt[i] = NULL;
        rc = apr_dbd_prepare(c->driver, p, c->handle, statements[i].sql,
                             statements[i].label, &c->stmt[i]);
        if (rc) {
            *err = apr_psprintf(p, "cannot prepare %s: %s",
                                statements[i].label, dbd_error(c, rc, p));
            return APR_EGENERAL;
        }
    }
    return APR_SUCCESS;
}

apr_status_t wcs_dbd_apply_schema(wcs_dbd_conn_t *c, const char **err,
                                  apr_pool_t *p)
{
    const char *schema = wcs_dbd_schema(apr_dbd_name(c->driver));
    char *copy, *stmt, *last;
    int rc, rows;

    if (!schema) {
        *err = apr_psprintf(p, "no schema for the driver %s: create the "
                            "table by hand (conf/schema-*.sql)",
                            apr_dbd_name(c->driver));
        return APR_ENOTIMPL;
    }
    copy = apr_pstrdup(p, schema);
    for (stmt = apr_strtok(copy, ";", &last); stmt;
         stmt = apr_strtok(NULL, ";", &last)) {
        rc = apr_dbd_query(c->driver, c->handle, &rows, stmt);
        if (rc) {
            *err = apr_psprintf(p, "cannot create the schema: %s",
                                dbd_error(c, rc, p));
            return APR_EGENERAL;
        }
    }
    return APR_SUCCESS;
}

static const char *dup_or_null(const char *s, apr_pool_t *p)
{
    return s ? apr_pstrdup(p, s) : NULL;
}

apr_status_t wcs_dbd_find(void *baton, const char *email,
                          apr_array_header_t **accounts, const char **err,
                          apr_pool_t *p)
{
    wcs_dbd_conn_t *c = baton;
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    const char *args[1];
    const char *active;
    wcs_account_t *a;
    int rc;

    *accounts = apr_array_make(p, 2, sizeof(wcs_account_t *));
    args[0] = email;
    /* Random access: the driver reads every row before it answers, so
     * that a failure (PostgreSQL down, SQLite locked) is its answer.  In
     * sequential access the pgsql driver reports one as the end of the
     * rows: a failure would read as "no account". */
    rc = apr_dbd_pselect(c->driver, p, c->handle, &res, c->stmt[WCS_DBD_FIND],
                         1, 1, args);
    if (rc) {
        *err = dbd_error(c, rc, p);
        return APR_EGENERAL;
    }
    while ((rc = apr_dbd_get_row(c->driver, p, res, &row, -1)) == 0) {
        a = apr_pcalloc(p, sizeof(*a));
        a->id = dup_or_null(apr_dbd_get_entry(c->driver, row, 0), p);
        a->email = dup_or_null(apr_dbd_get_entry(c->driver, row, 1), p);
        a->role = dup_or_null(apr_dbd_get_entry(c->driver, row, 2), p);
        a->license = dup_or_null(apr_dbd_get_entry(c->driver, row, 3), p);
        if (a->license && !*a->license) {
            a->license = NULL;
        }
        a->display_name = dup_or_null(apr_dbd_get_entry(c->driver, row, 4),
                                      p);
        active = apr_dbd_get_entry(c->driver, row, 5);
        /* Only 1 (or true) is active: NULL or anything else is not. */
        a->active = active && (!strcmp(active, "1") || !strcmp(active, "t")
                               || !strcasecmp(active, "true"));
        if (!a->id || !a->role) {
            *err = "a row without id or role";
            return APR_EGENERAL;
        }
        APR_ARRAY_PUSH(*accounts, wcs_account_t *) = a;
    }
    if (rc != -1) {
        *err = dbd_error(c, rc, p);
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

apr_status_t wcs_dbd_create(void *baton, const wcs_account_t *a,
                            apr_time_t now, const char **err, apr_pool_t *p)
{
    wcs_dbd_conn_t *c = baton;
    const char *args[7];
    int rc, rows = 0;

    args[0] = a->email;
    args[1] = a->role;
    args[2] = a->license;
    args[3] = a->display_name;
    args[4] = a->fields;
    args[5] = wcs_time_format(now, p);
    args[6] = args[5];
    rc = apr_dbd_pquery(c->driver, p, c->handle, &rows,
                        c->stmt[WCS_DBD_CREATE], 7, args);
    if (rc) {
        *err = dbd_error(c, rc, p);
        return APR_EGENERAL;
    }
    return rows == 1 ? APR_SUCCESS : APR_EEXIST;
}

apr_status_t wcs_dbd_touch(void *baton, const wcs_account_t *a,
                           apr_time_t now, const char **err, apr_pool_t *p)
{
    wcs_dbd_conn_t *c = baton;
    const char *args[2];
    int rc, rows = 0;

    args[0] = wcs_time_format(now, p);
    args[1] = a->id;
    rc = apr_dbd_pquery(c->driver, p, c->handle, &rows,
                        c->stmt[WCS_DBD_TOUCH], 2, args);
    if (rc) {
        *err = dbd_error(c, rc, p);
        return APR_EGENERAL;
    }
    if (rows != 1) {
        *err = apr_psprintf(p, "account #%s is gone", a->id);
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}
