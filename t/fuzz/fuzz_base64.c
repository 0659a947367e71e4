/*
 * Fuzz target: the strict base64 decoder the SAMLResponse goes through.
 * Beyond "no crash": what it accepts is canonical, so encoding the result
 * again gives back the input without its white space, and the size limit
 * holds to the byte.
 */
#include <string.h>

#include <apr_base64.h>

#include "fuzz.h"
#include "wcs_str.h"

#define FUZZ_B64_MAX (1024 * 1024)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    wcs_fuzz_init();
    return 0;
}

static char *without_space(const uint8_t *data, size_t size, apr_pool_t *p)
{
    char *s = apr_palloc(p, size + 1);
    size_t i, n = 0;

    for (i = 0; i < size; i++) {
        if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r'
            && data[i] != '\n') {
            s[n++] = (char)data[i];
        }
    }
    s[n] = '\0';
    return s;
}

static void check_accepted(const uint8_t *data, size_t size, const char *out,
                           apr_size_t out_len, apr_pool_t *p)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    char *again, *out2;
    apr_size_t len2;

    WCS_FUZZ_CHECK(out_len <= FUZZ_B64_MAX);
    WCS_FUZZ_CHECK(out[out_len] == '\0');
    again = apr_palloc(p, apr_base64_encode_len((int)out_len));
    apr_base64_encode_binary(again, (const unsigned char *)out, (int)out_len);
    WCS_FUZZ_CHECK(strcmp(again, without_space(data, size, p)) == 0);
    /* One byte less of room must be a refusal, never a cut. */
    WCS_FUZZ_CHECK(wcs_str_base64_decode(&out2, &len2, &res, "SAMLResponse",
                                         (const char *)data, size,
                                         out_len - 1, p) == WCS_EREFUSED);
    WCS_FUZZ_CHECK(res.code == WCS_CODE_GENERAL && res.reason != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    char *out = NULL;
    apr_size_t out_len = 0;
    apr_status_t rv;

    apr_pool_create(&p, wcs_fuzz_global_pool());
    rv = wcs_str_base64_decode(&out, &out_len, &res, "SAMLResponse",
                               (const char *)data, size, FUZZ_B64_MAX, p);
    if (rv == APR_SUCCESS) {
        /* The decoder refuses empty input, so out_len - 1 cannot wrap. */
        WCS_FUZZ_CHECK(out_len > 0);
        check_accepted(data, size, out, out_len, p);
    }
    else {
        WCS_FUZZ_CHECK(rv == WCS_EREFUSED);
        WCS_FUZZ_CHECK(res.code == WCS_CODE_GENERAL && res.reason != NULL);
    }
    apr_pool_destroy(p);
    return 0;
}
