/*
 * What the session suites share (test_session.c, test_session_memo.c):
 * IDs, times, keys, and sessions of the test SP made in the test store.
 */
#ifndef TEST_SESSION_H
#define TEST_SESSION_H

#include "check_wcs.h"
#include "wcs_session.h"

#define ID_A "0123456789abcdef0123456789abcdef" \
             "0123456789abcdef0123456789abcdef"
#define T0 apr_time_from_sec(1800000000)
#define HOUR apr_time_from_sec(3600)
#define SECRET_A "secret-a-secret-a-secret-a-secret-a-0123"
#define SECRET_B "secret-b-secret-b-secret-b-secret-b-4567"

/* Variables of every kind a record must carry unchanged. */
apr_table_t *ts_sample_env(void);
/* want and got hold the same variables. */
void ts_assert_env_equal(const apr_table_t *want, const apr_table_t *got);
/* The fields of a session of user made on sp through the test IdP with
 * its first key, created at T0 for an hour. */
wcs_session_t ts_fields_of(const wcs_sp_t *sp, const char *user,
                           apr_table_t *env);
/* Store such a session of user. */
apr_status_t ts_create(wcs_session_t **s, wcs_result_t *res,
                       const wcs_store_t *store, const wcs_sp_t *sp,
                       const char *user, apr_table_t *env);
/* Session keys of the secrets a and b (b may be NULL). */
apr_array_header_t *ts_keys_of(const char *a, const char *b);

#endif
