/* Runs every unit suite of the core; Check prints the summary line. */
#include <stdlib.h>

#include <apr_general.h>

#include "check_wcs.h"
#include "wcs_store.h"
#include "wcs_xml.h"

apr_pool_t *wcs_test_pool;

void wcs_test_setup(void)
{
    apr_pool_create(&wcs_test_pool, NULL);
}

void wcs_test_teardown(void)
{
    apr_pool_destroy(wcs_test_pool);
    wcs_test_pool = NULL;
}

int main(void)
{
    SRunner *sr;
    const char *err = NULL;
    int failed;

    /* Check's default of 4 s a case is a timing test in disguise: cases
     * that sign many responses run far slower under ASan or on a loaded
     * machine.  A hang still ends; the environment can still say. */
    setenv("CK_DEFAULT_TIMEOUT", "120", 0);
    apr_initialize();
    atexit(apr_terminate);
    if (wcs_xml_init(&err) != APR_SUCCESS) {
        fprintf(stderr, "wcs_xml_init: %s\n", err);
        return EXIT_FAILURE;
    }
    wcs_store_init();
    sr = srunner_create(wcs_suite_result());
    srunner_add_suite(sr, wcs_suite_log());
    srunner_add_suite(sr, wcs_suite_time_url());
    srunner_add_suite(sr, wcs_suite_str());
    srunner_add_suite(sr, wcs_suite_xml());
    srunner_add_suite(sr, wcs_suite_idp());
    srunner_add_suite(sr, wcs_suite_sig());
    srunner_add_suite(sr, wcs_suite_sp());
    srunner_add_suite(sr, wcs_suite_response());
    srunner_add_suite(sr, wcs_suite_identity());
    srunner_add_suite(sr, wcs_suite_store());
    srunner_add_suite(sr, wcs_suite_session());
    srunner_add_suite(sr, wcs_suite_session_memo());
    srunner_add_suite(sr, wcs_suite_acs());
    srunner_add_suite(sr, wcs_suite_event());
    srunner_add_suite(sr, wcs_suite_account());
    srunner_add_suite(sr, wcs_suite_authnreq());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
