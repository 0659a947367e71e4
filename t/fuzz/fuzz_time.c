/*
 * Fuzz target: the xs:dateTime parser behind every time check.  Beyond
 * "no crash": a time it reads, formatted again, reads back as the same
 * second.
 */
#include "fuzz.h"
#include "wcs_time.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    wcs_fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    apr_time_t t = 0, back = 0;
    const char *s;

    apr_pool_create(&p, wcs_fuzz_global_pool());
    if (wcs_time_parse(&t, wcs_fuzz_cstr(data, size, p)) == APR_SUCCESS
        && t >= 0 && apr_time_sec(t) < apr_time_sec(253402300800LL
                                                     * APR_USEC_PER_SEC)) {
        /* From 1970 to the end of year 9999, the range formatting keeps
         * to four-digit years. */
        s = wcs_time_format(t, p);
        WCS_FUZZ_CHECK(wcs_time_parse(&back, s) == APR_SUCCESS);
        WCS_FUZZ_CHECK(back == apr_time_from_sec(apr_time_sec(t)));
    }
    apr_pool_destroy(p);
    return 0;
}
