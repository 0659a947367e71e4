#include <apr_file_io.h>
#include <apr_strings.h>

#include "wcs_str.h"

apr_status_t wcs_file_read(char **buf, apr_size_t *len, const char **err,
                           const char *path, apr_size_t max, apr_pool_t *p)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    char ebuf[120];

    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, p);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
        if (rv == APR_SUCCESS && (apr_size_t)fi.size > max) {
            apr_file_close(f);
            *err = apr_psprintf(p, "%s: %" APR_OFF_T_FMT " bytes, over the "
                                "limit of %" APR_SIZE_T_FMT, path, fi.size, max);
            return APR_EINVAL;
        }
    }
    if (rv == APR_SUCCESS) {
        *buf = apr_palloc(p, (apr_size_t)fi.size + 1);
        rv = apr_file_read_full(f, *buf, (apr_size_t)fi.size, len);
        (*buf)[*len] = '\0';
        apr_file_close(f);
    }
    if (rv != APR_SUCCESS) {
        *err = apr_psprintf(p, "cannot read %s: %s", path,
                            apr_strerror(rv, ebuf, sizeof(ebuf)));
    }
    return rv;
}
