/*
 * The core's unit suites (Check), linked against src/libwcs.la and APR
 * only: no httpd.  Each test_*.c file provides one suite.
 */
#ifndef CHECK_WCS_H
#define CHECK_WCS_H

#include <check.h>
#include <apr_pools.h>

/* A pool for the running test, destroyed by the fixture after it. */
extern apr_pool_t *wcs_test_pool;
void wcs_test_setup(void);
void wcs_test_teardown(void);

Suite *wcs_suite_time_url(void);
Suite *wcs_suite_xml(void);

#endif
