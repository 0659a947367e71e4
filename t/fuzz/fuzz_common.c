/*
 * Process set-up shared by every fuzz target (see fuzz.h).
 */
#include <string.h>

#include <apr_general.h>

#include "fuzz.h"
#include "wcs_xml.h"

static apr_pool_t *global_pool;

/* Weak, so that the replay build (no sanitizer) links without them. */
void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));

void wcs_fuzz_lsan_off(void)
{
    if (__lsan_disable) {
        __lsan_disable();
    }
}

void wcs_fuzz_lsan_on(void)
{
    if (__lsan_enable) {
        __lsan_enable();
    }
}

void wcs_fuzz_init(void)
{
    const char *err = NULL;

    if (global_pool) {
        return;
    }
    wcs_fuzz_lsan_off();
    if (apr_initialize() != APR_SUCCESS
        || apr_pool_create(&global_pool, NULL) != APR_SUCCESS) {
        fprintf(stderr, "fuzz: cannot initialise APR\n");
        exit(2);
    }
    if (wcs_xml_init(&err) != APR_SUCCESS) {
        fprintf(stderr, "fuzz: %s\n", err);
        exit(2);
    }
    wcs_fuzz_lsan_on();
}

apr_pool_t *wcs_fuzz_global_pool(void)
{
    wcs_fuzz_init();
    return global_pool;
}

char *wcs_fuzz_cstr(const uint8_t *data, size_t size, apr_pool_t *p)
{
    char *s = apr_palloc(p, size + 1);

    if (size > 0) {
        memcpy(s, data, size);
    }
    s[size] = '\0';
    return s;
}
