/*
 * wcs_log: how the core writes to the error log without knowing httpd.
 * The glue installs one callback per process; each call carries a baton
 * (the glue passes its request_rec or server_rec) so that lines land in
 * the right vhost's log with the request's correlation ref.
 */
#ifndef WCS_LOG_H
#define WCS_LOG_H

#include <apr_pools.h>

typedef enum {
    WCS_LOG_ERR = 3,
    WCS_LOG_WARNING = 4,
    WCS_LOG_NOTICE = 5,
    WCS_LOG_INFO = 6,
    WCS_LOG_DEBUG = 7,
    WCS_LOG_TRACE1 = 8
} wcs_log_level_t;

typedef void wcs_log_print_cb(void *baton, const char *file, int line,
                              wcs_log_level_t level, const char *msg);
typedef int wcs_log_level_cb(void *baton, wcs_log_level_t level);

/* Who a core call logs for: the glue fills one per request or server. */
typedef struct wcs_logger_t {
    void *baton;
    const char *ref;             /* correlation ref, or NULL */
} wcs_logger_t;

/* Install the process-wide printer and level test (NULL: log nothing). */
void wcs_log_set(wcs_log_print_cb *print, wcs_log_level_cb *is_level);

/* Is level enabled for lg?  Lets callers skip building costly messages. */
int wcs_log_is_level(const wcs_logger_t *lg, wcs_log_level_t level);

void wcs_log_printf(const wcs_logger_t *lg, const char *file, int line,
                    wcs_log_level_t level, apr_pool_t *p,
                    const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#define WCS_LOG_MARK __FILE__, __LINE__

#endif
