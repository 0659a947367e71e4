#include <stdlib.h>
#include <string.h>

#include <apr_dbd.h>
#include <apr_strings.h>

#include "check_wcs.h"
#include "wcs_account.h"
#include "wcs_dbd.h"
#include "wcs_str.h"

#define T0 apr_time_from_sec(1800000000)

/* --- the rules over a directory in memory -------------------------------- */

typedef struct {
    apr_array_header_t *rows;    /* of wcs_account_t * */
    int fail_find, fail_create, fail_touch;
    /* create: another sign-in adds the account first (the race). */
    int race;
    int creates, touches;
    const char *last_fields, *last_name;
} mem_dir_t;

static apr_status_t mem_find(void *baton, const char *email,
                             apr_array_header_t **accounts, const char **err,
                             apr_pool_t *p)
{
    mem_dir_t *m = baton;
    int i;

    if (m->fail_find) {
        *err = "database is locked";
        return APR_EGENERAL;
    }
    *accounts = apr_array_make(p, 2, sizeof(wcs_account_t *));
    for (i = 0; i < m->rows->nelts; i++) {
        wcs_account_t *a = APR_ARRAY_IDX(m->rows, i, wcs_account_t *);

        if (!strcasecmp(a->email, email)) {
            APR_ARRAY_PUSH(*accounts, wcs_account_t *) = a;
        }
    }
    return APR_SUCCESS;
}

static void mem_add(mem_dir_t *m, const char *email, const char *role,
                    const char *license, int active)
{
    wcs_account_t *a = apr_pcalloc(wcs_test_pool, sizeof(*a));

    a->id = apr_psprintf(wcs_test_pool, "%d", m->rows->nelts + 1);
    a->email = email;
    a->role = role;
    a->license = license;
    a->active = active;
    APR_ARRAY_PUSH(m->rows, wcs_account_t *) = a;
}

static apr_status_t mem_create(void *baton, const wcs_account_t *a,
                               apr_time_t now, const char **err,
                               apr_pool_t *p)
{
    mem_dir_t *m = baton;

    m->creates++;
    if (m->fail_create) {
        *err = "attempt to write a readonly database";
        return APR_EGENERAL;
    }
    mem_add(m, a->email, a->role, a->license, 1);
    m->last_fields = a->fields;
    m->last_name = a->display_name;
    return m->race ? APR_EEXIST : APR_SUCCESS;
}

static apr_status_t mem_touch(void *baton, const wcs_account_t *a,
                              apr_time_t now, const char **err, apr_pool_t *p)
{
    mem_dir_t *m = baton;

    m->touches++;
    if (m->fail_touch) {
        *err = "disk I/O error";
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

static mem_dir_t mem;
static wcs_directory_t dir;

static void mem_setup(void)
{
    memset(&mem, 0, sizeof(mem));
    mem.rows = apr_array_make(wcs_test_pool, 4, sizeof(wcs_account_t *));
    dir.baton = &mem;
    dir.name = "mem:test";
    dir.find = mem_find;
    dir.create = mem_create;
    dir.touch = mem_touch;
}

static apr_status_t resolve(const wcs_account_t **a, wcs_result_t *res,
                            int provision, const char *license, int guests,
                            const char *email)
{
    wcs_account_policy_t pol = { provision, license, guests };
    apr_table_t *env = apr_table_make(wcs_test_pool, 4);

    apr_table_set(env, "WEBCAST_EMAIL", email);
    apr_table_set(env, "WEBCAST_DISPLAY_NAME", "Alice A");
    apr_table_set(env, "WEBCAST_COMPANY", "A & B Ltd");
    res->code = WCS_CODE_NONE;
    res->reason = NULL;
    return wcs_account_resolve(a, res, &dir, &pol, email, env, T0,
                               wcs_test_pool);
}

START_TEST(account_rules)
{
    const wcs_account_t *a;
    wcs_result_t res;

    mem_setup();
    /* No account: refused, or made just in time as an attendee. */
    wcs_assert_refused(resolve(&a, &res, 0, NULL, 1, "new@example.test"),
                       res, WCS_CODE_NO_ACCOUNT,
                       "no account for new@example.test in mem:test, and "
                       "attendees are not provisioned here");
    ck_assert_int_eq(mem.creates, 0);
    ck_assert_int_eq(resolve(&a, &res, 1, "LIC-1", 1, "new@example.test"),
                     APR_SUCCESS);
    ck_assert_str_eq(a->role, WCS_ROLE_ATTENDEE);
    ck_assert_str_eq(a->license, "LIC-1");
    ck_assert_int_eq(mem.creates, 1);
    /* Made with the display name and the registration fields. */
    ck_assert_str_eq(mem.last_name, "Alice A");
    ck_assert_str_eq(mem.last_fields, "WEBCAST_DISPLAY_NAME=Alice+A&"
                     "WEBCAST_COMPANY=A+%26+B+Ltd");
    /* Its creation recorded the login. */
    ck_assert_int_eq(mem.touches, 0);
    /* The next time it is found, and the login recorded. */
    ck_assert_int_eq(resolve(&a, &res, 1, "LIC-1", 1, "new@example.test"),
                     APR_SUCCESS);
    ck_assert_int_eq(mem.creates, 1);
    ck_assert_int_eq(mem.touches, 1);

    /* Admin beside Guest Admins: the Admin. */
    mem_add(&mem, "boss@example.test", WCS_ROLE_GUEST_ADMIN, NULL, 1);
    mem_add(&mem, "boss@example.test", WCS_ROLE_ADMIN, NULL, 1);
    mem_add(&mem, "boss@example.test", WCS_ROLE_GUEST_ADMIN, NULL, 1);
    ck_assert_int_eq(resolve(&a, &res, 1, NULL, 1, "boss@example.test"),
                     APR_SUCCESS);
    ck_assert_str_eq(a->role, WCS_ROLE_ADMIN);
    ck_assert_str_eq(a->id, "3");

    /* Other duplicates: refused, never one picked. */
    mem_add(&mem, "twice@example.test", WCS_ROLE_ATTENDEE, NULL, 1);
    mem_add(&mem, "twice@example.test", WCS_ROLE_GUEST, NULL, 1);
    wcs_assert_refused(resolve(&a, &res, 1, NULL, 1, "twice@example.test"),
                       res, WCS_CODE_ACCOUNTS,
                       "2 accounts share the email twice@example.test "
                       "(attendee #5,guest #6)");
    mem_add(&mem, "admins@example.test", WCS_ROLE_ADMIN, NULL, 1);
    mem_add(&mem, "admins@example.test", WCS_ROLE_ADMIN, NULL, 1);
    wcs_assert_refused(resolve(&a, &res, 1, NULL, 1, "admins@example.test"),
                       res, WCS_CODE_ACCOUNTS, "2 accounts share");
    mem_add(&mem, "ga@example.test", WCS_ROLE_GUEST_ADMIN, NULL, 1);
    mem_add(&mem, "ga@example.test", WCS_ROLE_GUEST_ADMIN, NULL, 1);
    wcs_assert_refused(resolve(&a, &res, 1, NULL, 1, "ga@example.test"),
                       res, WCS_CODE_ACCOUNTS, "2 accounts share");
    mem_add(&mem, "mixed@example.test", WCS_ROLE_ADMIN, NULL, 1);
    mem_add(&mem, "mixed@example.test", WCS_ROLE_ATTENDEE, NULL, 1);
    wcs_assert_refused(resolve(&a, &res, 1, NULL, 1, "mixed@example.test"),
                       res, WCS_CODE_ACCOUNTS, "2 accounts share");

    /* Inactive, guest, licence. */
    mem_add(&mem, "gone@example.test", WCS_ROLE_ATTENDEE, NULL, 0);
    wcs_assert_refused(resolve(&a, &res, 1, NULL, 1, "gone@example.test"),
                       res, WCS_CODE_INACTIVE,
                       "the attendee account #13 of gone@example.test is "
                       "inactive");
    mem_add(&mem, "guest@example.test", WCS_ROLE_GUEST, NULL, 1);
    ck_assert_int_eq(resolve(&a, &res, 1, NULL, 1, "guest@example.test"),
                     APR_SUCCESS);
    wcs_assert_refused(resolve(&a, &res, 1, NULL, 0, "guest@example.test"),
                       res, WCS_CODE_GUEST, "admits no guests");
    mem_add(&mem, "lic@example.test", WCS_ROLE_ADMIN, "LIC-2", 1);
    ck_assert_int_eq(resolve(&a, &res, 0, "LIC-2", 0, "lic@example.test"),
                     APR_SUCCESS);
    wcs_assert_refused(resolve(&a, &res, 0, "LIC-1", 0, "lic@example.test"),
                       res, WCS_CODE_LICENSE,
                       "under licence \"LIC-2\", not LIC-1");
    mem_add(&mem, "nolic@example.test", WCS_ROLE_ADMIN, NULL, 1);
    wcs_assert_refused(resolve(&a, &res, 0, "LIC-1", 0, "nolic@example.test"),
                       res, WCS_CODE_LICENSE, "under licence (none)");
}
END_TEST

START_TEST(account_directory_failures)
{
    const wcs_account_t *a;
    wcs_result_t res;

    mem_setup();
    mem.fail_find = 1;
    wcs_assert_refused(resolve(&a, &res, 1, NULL, 1, "a@example.test"), res,
                       WCS_CODE_DIRECTORY,
                       "user directory mem:test failed to look up an "
                       "account: database is locked");
    ck_assert_ptr_null(a);
    mem.fail_find = 0;
    mem.fail_create = 1;
    wcs_assert_refused(resolve(&a, &res, 1, NULL, 1, "a@example.test"), res,
                       WCS_CODE_DIRECTORY,
                       "failed to create an account: attempt to write a "
                       "readonly database");
    ck_assert_int_eq(mem.rows->nelts, 0);
    mem.fail_create = 0;
    mem_add(&mem, "old@example.test", WCS_ROLE_ATTENDEE, NULL, 1);
    mem.fail_touch = 1;
    wcs_assert_refused(resolve(&a, &res, 1, NULL, 1, "old@example.test"),
                       res, WCS_CODE_DIRECTORY,
                       "failed to record the login: disk I/O error");
    /* Back: the next sign-in works. */
    mem.fail_touch = 0;
    ck_assert_int_eq(resolve(&a, &res, 1, NULL, 1, "old@example.test"),
                     APR_SUCCESS);
    ck_assert_int_eq(resolve(&a, &res, 1, NULL, 1, "a@example.test"),
                     APR_SUCCESS);
    /* Two first logins at once: the second finds the first's account. */
    mem.race = 1;
    ck_assert_int_eq(resolve(&a, &res, 1, NULL, 1, "b@example.test"),
                     APR_SUCCESS);
    ck_assert_str_eq(a->email, "b@example.test");
}
END_TEST

/* --- the SQL on a real SQLite file ------------------------------------- */

static wcs_dbd_conn_t *sqlite_conn(const char *path, int schema)
{
    wcs_dbd_conn_t *c = apr_pcalloc(wcs_test_pool, sizeof(*c));
    const char *err = NULL;

    ck_assert_int_eq(apr_dbd_init(wcs_test_pool), APR_SUCCESS);
    ck_assert_msg(apr_dbd_get_driver(wcs_test_pool, "sqlite3", &c->driver)
                  == APR_SUCCESS,
                  "APR's sqlite3 DBD driver is missing "
                  "(libaprutil1-dbd-sqlite3)");
    ck_assert_int_eq(apr_dbd_open_ex(c->driver, wcs_test_pool, path,
                                     &c->handle, &err), APR_SUCCESS);
    if (schema) {
        ck_assert_msg(wcs_dbd_apply_schema(c, &err, wcs_test_pool)
                      == APR_SUCCESS, "schema: %s", err);
    }
    ck_assert_msg(wcs_dbd_prepare(c, &err, wcs_test_pool) == APR_SUCCESS,
                  "prepare: %s", err);
    return c;
}

START_TEST(dbd_sqlite)
{
    static int n;
    const char *path = wcs_test_file(apr_psprintf(wcs_test_pool,
                                                  "accounts-%d.db", ++n),
                                     wcs_test_pool);
    wcs_dbd_conn_t *c = sqlite_conn(path, 1);
    apr_array_header_t *found;
    wcs_account_t acct, *a;
    const char *err = NULL;
    int rows;

    memset(&acct, 0, sizeof(acct));
    acct.email = "new@example.test";
    acct.role = WCS_ROLE_ATTENDEE;
    acct.license = "LIC-1";
    acct.display_name = "N'ew \"Person\"";
    acct.fields = "WEBCAST_COMPANY=X";
    ck_assert_int_eq(wcs_dbd_create(c, &acct, T0, &err, wcs_test_pool),
                     APR_SUCCESS);
    /* The unique index: a second account of that email and role is not
     * made. */
    ck_assert_int_eq(wcs_dbd_create(c, &acct, T0, &err, wcs_test_pool),
                     APR_EEXIST);
    /* Emails compared in lower case, trimmed, as an admin may load them. */
    ck_assert_int_eq(apr_dbd_query(c->driver, c->handle, &rows,
        "INSERT INTO webcast_accounts (email, role, license, active, created)"
        " VALUES ('  Boss@Example.TEST ', 'admin', NULL, 1, 'x'),"
        " ('boss@example.test', 'guest_admin', '', 0, 'x')"), 0);
    ck_assert_int_eq(wcs_dbd_create(c, &(wcs_account_t){ NULL,
                     "boss@example.test", "admin", NULL, NULL, NULL, 1 }, T0,
                                    &err, wcs_test_pool), APR_EEXIST);
    ck_assert_int_eq(wcs_dbd_find(c, "new@example.test", &found, &err,
                                  wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(found->nelts, 1);
    a = APR_ARRAY_IDX(found, 0, wcs_account_t *);
    ck_assert_str_eq(a->id, "1");
    ck_assert_str_eq(a->role, "attendee");
    ck_assert_str_eq(a->license, "LIC-1");
    ck_assert_str_eq(a->display_name, "N'ew \"Person\"");
    ck_assert_int_eq(a->active, 1);
    ck_assert_int_eq(wcs_dbd_find(c, "boss@example.test", &found, &err,
                                  wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(found->nelts, 2);
    a = APR_ARRAY_IDX(found, 1, wcs_account_t *);
    ck_assert_str_eq(a->role, "guest_admin");
    ck_assert_ptr_null(a->license);        /* empty is none */
    ck_assert_int_eq(a->active, 0);
    ck_assert_int_eq(wcs_dbd_find(c, "nobody@example.test", &found, &err,
                                  wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(found->nelts, 0);
    /* An address that quotes SQL is only a value. */
    ck_assert_int_eq(wcs_dbd_find(c, "x' OR '1'='1", &found, &err,
                                  wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(found->nelts, 0);

    ck_assert_int_eq(wcs_dbd_find(c, "new@example.test", &found, &err,
                                  wcs_test_pool), APR_SUCCESS);
    a = APR_ARRAY_IDX(found, 0, wcs_account_t *);
    ck_assert_int_eq(wcs_dbd_touch(c, a, T0 + apr_time_from_sec(60), &err,
                                   wcs_test_pool), APR_SUCCESS);
    a->id = "999";
    ck_assert_int_eq(wcs_dbd_touch(c, a, T0, &err, wcs_test_pool),
                     APR_EGENERAL);
    ck_assert_ptr_nonnull(strstr(err, "account #999 is gone"));
    /* The schema again changes nothing. */
    ck_assert_int_eq(wcs_dbd_apply_schema(c, &err, wcs_test_pool),
                     APR_SUCCESS);
    apr_dbd_close(c->driver, c->handle);

    /* A file without the table: preparing fails with the driver's word. */
    c = apr_pcalloc(wcs_test_pool, sizeof(*c));
    ck_assert_int_eq(apr_dbd_get_driver(wcs_test_pool, "sqlite3",
                                        &c->driver), APR_SUCCESS);
    ck_assert_int_eq(apr_dbd_open_ex(c->driver, wcs_test_pool,
                                     wcs_test_file("empty.db", wcs_test_pool),
                                     &c->handle, &err), APR_SUCCESS);
    ck_assert_int_eq(wcs_dbd_prepare(c, &err, wcs_test_pool), APR_EGENERAL);
    ck_assert_ptr_nonnull(strstr(err, "no such table"));
    apr_dbd_close(c->driver, c->handle);
}
END_TEST

/* conf/schema-sqlite.sql is what the module applies (schema=create). */
START_TEST(dbd_schema_file)
{
    const char *src = getenv("WCS_TOP_SRCDIR");
    char *text = NULL, *out, *line, *last;
    const char *err = NULL;
    apr_size_t len;
    apr_array_header_t *lines = apr_array_make(wcs_test_pool, 16,
                                               sizeof(char *));

    ck_assert_msg(wcs_file_read(&text, &len, &err, apr_pstrcat(
        wcs_test_pool, src && *src ? src : ".", "/conf/schema-sqlite.sql",
        NULL), 65536, wcs_test_pool) == APR_SUCCESS, "%s", err);
    for (line = apr_strtok(text, "\n", &last); line;
         line = apr_strtok(NULL, "\n", &last)) {
        if (strncmp(line, "--", 2)) {
            APR_ARRAY_PUSH(lines, char *) = line;
        }
    }
    out = apr_array_pstrcat(wcs_test_pool, lines, '\n');
    ck_assert_int_eq(out[strlen(out) - 1], ';');
    out[strlen(out) - 1] = '\0';
    ck_assert_str_eq(out, wcs_dbd_schema("sqlite3"));
    ck_assert_ptr_null(wcs_dbd_schema("odbc"));
}
END_TEST

Suite *wcs_suite_account(void)
{
    Suite *s = suite_create("account");
    TCase *tc = tcase_create("core");

    tcase_add_unchecked_fixture(tc, wcs_test_fixtures_setup, NULL);
    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, account_rules);
    tcase_add_test(tc, account_directory_failures);
    tcase_add_test(tc, dbd_sqlite);
    tcase_add_test(tc, dbd_schema_file);
    suite_add_tcase(s, tc);
    return s;
}
