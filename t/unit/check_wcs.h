/*
 * The core's unit suites (Check), linked against src/libwcs.la and APR
 * only: no httpd.  Each test_*.c file provides one suite; test_helpers.c
 * provides what several share (fixtures, signed responses, a store).
 */
#ifndef CHECK_WCS_H
#define CHECK_WCS_H

#include <string.h>

#include <check.h>
#include <apr_hash.h>
#include <apr_pools.h>

#include "wcs_response.h"
#include "wcs_sp.h"
#include "wcs_store.h"
#include "wcs_store_mem.h"

/* A pool for the running test, destroyed by the fixture after it. */
extern apr_pool_t *wcs_test_pool;
void wcs_test_setup(void);
void wcs_test_teardown(void);

/* rv is a refusal with code want and a reason containing text. */
#define wcs_assert_refused(rv, res, want, text) do { \
    ck_assert_int_eq((rv), WCS_EREFUSED); \
    ck_assert_msg((res).code == (want), "code %s (%s), not %s", \
                  wcs_code_str((res).code), (res).reason, \
                  wcs_code_str(want)); \
    ck_assert_msg((res).reason && strstr((res).reason, (text)) != NULL, \
                  "reason \"%s\" lacks \"%s\"", (res).reason, (text)); \
} while (0)

/* What the test SP is and where test responses are addressed. */
#define WCS_TEST_SP "https://sp.example.test/"
#define WCS_TEST_ACS "https://sp.example.test/saml/acs"
#define WCS_TEST_IDP "https://idp.example.test/"
#define WCS_TEST_ENTRA "https://sts.windows.net/wcs-unit-tenant/"
#define WCS_TEST_OKTA "http://www.okta.com/exkwcsunit"
#define WCS_TEST_EC "https://ec.example.test/"
#define WCS_TEST_SHA1 "https://sha1.example.test/"
#define WCS_TEST_SHA1_OK "https://sha1-allowed.example.test/"
#define WCS_TEST_ROLLOVER "https://rollover.example.test/"

/* Keys, certificates and metadata made by t/make-fixtures.sh into a
 * temporary directory, once per run (in the runner process, so that the
 * forked tests share it) and removed when the runner exits.  Use
 * wcs_test_fixtures_setup as an unchecked fixture of every TCase that
 * needs them; wcs_test_fixture_dir aborts the test when they cannot be
 * made. */
void wcs_test_fixtures_setup(void);
const char *wcs_test_fixture_dir(void);

/* The path of fixture file name, from p. */
const char *wcs_test_file(const char *name, apr_pool_t *p);

/* Write content into a new fixture file name; returns its path. */
const char *wcs_test_write_file(const char *name, const char *content,
                                apr_pool_t *p);

/* Run t/tools/wcs_mkresponse in the fixture directory with the test SP's
 * ACS URL and audience, the idp key and certificate, then args (later
 * options win).  Returns its output (base64, or XML with --xml) without
 * the final newline, from p; fails the test when the tool fails. */
const char *wcs_test_mkresponse(const char *args, apr_pool_t *p);

/* The test SP: entity ID and ACS URL above, the default policies and
 * limits, and the IdPs named above with their fixture keys. */
wcs_sp_t *wcs_test_sp(apr_pool_t *p);

/* An in-memory store with expiry, and switches to make it fail. */
/* wcs_store_key() as a pointer from p, for lookups in tests. */
const wcs_store_key_t *wcs_test_key(const char *kind, const char *part1,
                                    const char *part2, apr_pool_t *p);

/* The core's in-memory store (wcs_store_mem), with switches to make it
 * fail and counts of its calls. */
typedef struct wcs_test_store_t {
    wcs_store_t *inner;          /* where the entries are */
    apr_hash_t *entries;         /* inner's: key -> wcs_test_entry_t * */
    apr_status_t get_rv;         /* when not APR_SUCCESS, get returns it */
    apr_status_t put_rv;         /* likewise for put */
    apr_status_t add_rv;         /* likewise for add (which also gets and
                                  * puts, and fails as they do) */
    apr_time_t now;              /* the store's clock; 0: the real one */
    int gets, puts, adds;
} wcs_test_store_t;

typedef wcs_store_mem_entry_t wcs_test_entry_t;

wcs_store_t *wcs_test_store_make(apr_pool_t *p);

/* A browser's sign-in token, for outstanding requests. */
#define WCS_TEST_BROWSER "0123456789abcdef0123456789abcdef"

/* Remember request id in store as sent to the test IdP by
 * WCS_TEST_BROWSER at now, outstanding until expires, with an opaque
 * RelayState and a URL to return to (or NULL); fails the test when the
 * store refuses it. */
void wcs_test_remember_request(const wcs_store_t *store, const char *id,
                               const char *relay_ref, const char *return_to,
                               apr_time_t now, apr_time_t expires);
wcs_test_store_t *wcs_test_store_of(const wcs_store_t *store);

/* How many entries have not expired by the store's clock. */
int wcs_test_store_count(const wcs_store_t *store);

Suite *wcs_suite_result(void);
Suite *wcs_suite_log(void);
Suite *wcs_suite_time_url(void);
Suite *wcs_suite_str(void);
Suite *wcs_suite_xml(void);
Suite *wcs_suite_idp(void);
Suite *wcs_suite_sig(void);
Suite *wcs_suite_sp(void);
Suite *wcs_suite_response(void);
Suite *wcs_suite_identity(void);
Suite *wcs_suite_store(void);
Suite *wcs_suite_session(void);
Suite *wcs_suite_session_memo(void);
Suite *wcs_suite_acs(void);
Suite *wcs_suite_event(void);
Suite *wcs_suite_account(void);
Suite *wcs_suite_authnreq(void);

#endif
