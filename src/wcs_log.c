#include <apr_strings.h>

#include "wcs_log.h"

static wcs_log_print_cb *log_print;
static wcs_log_level_cb *log_is_level;

void wcs_log_set(wcs_log_print_cb *print, wcs_log_level_cb *is_level)
{
    log_print = print;
    log_is_level = is_level;
}

int wcs_log_is_level(const wcs_logger_t *lg, wcs_log_level_t level)
{
    if (!log_print || !lg) {
        return 0;
    }
    return !log_is_level || log_is_level(lg->baton, level);
}

void wcs_log_printf(const wcs_logger_t *lg, const char *file, int line,
                    wcs_log_level_t level, apr_pool_t *p,
                    const char *fmt, ...)
{
    va_list ap;
    const char *msg;

    if (!wcs_log_is_level(lg, level)) {
        return;
    }
    va_start(ap, fmt);
    msg = apr_pvsprintf(p, fmt, ap);
    va_end(ap);
    if (lg->ref) {
        msg = apr_psprintf(p, "[ref %s] %s", lg->ref, msg);
    }
    log_print(lg->baton, file, line, level, msg);
}
