/*
 * Fuzz target: the URL normaliser behind Destination/Recipient checks.
 * The input is one URL, or two separated by a newline.  Beyond "no
 * crash": normalising is idempotent, a URL equals itself and its normal
 * form, and equality is symmetric.
 */
#include <string.h>

#include "fuzz.h"
#include "wcs_url.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    wcs_fuzz_init();
    return 0;
}

static void check_one(const char *url, apr_pool_t *p)
{
    const char *norm = NULL, *again = NULL;

    if (wcs_url_normalise(&norm, url, p) != APR_SUCCESS) {
        WCS_FUZZ_CHECK(!wcs_url_equal(url, url, p));
        return;
    }
    WCS_FUZZ_CHECK(norm != NULL);
    WCS_FUZZ_CHECK(wcs_url_normalise(&again, norm, p) == APR_SUCCESS);
    WCS_FUZZ_CHECK(strcmp(again, norm) == 0);
    WCS_FUZZ_CHECK(wcs_url_equal(url, url, p));
    WCS_FUZZ_CHECK(wcs_url_equal(url, norm, p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    char *a, *b;

    apr_pool_create(&p, wcs_fuzz_global_pool());
    a = wcs_fuzz_cstr(data, size, p);
    b = strchr(a, '\n');
    if (b) {
        *b++ = '\0';
        check_one(b, p);
        WCS_FUZZ_CHECK(wcs_url_equal(a, b, p) == wcs_url_equal(b, a, p));
    }
    check_one(a, p);
    apr_pool_destroy(p);
    return 0;
}
