/*
 * Fuzz target: what arrives as RelayState, and what an event map line
 * holds.  The input is read both ways: as a RelayState, routed among a
 * few events and admitted to one; and as the words of a map line.
 * Beyond "no crash": a RelayState routed to an event names it by its
 * canonical ID; a parsed event has a canonical ID, a lower-case hex key
 * or none, and a target the module may send a person to.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "fuzz.h"
#include "wcs_event.h"
#include "wcs_url.h"

static wcs_events_t *events;

static void add(const char *line, apr_pool_t *p)
{
    char **argv;
    int argc;
    wcs_event_t *e;
    const char *err;

    apr_tokenize_to_argv(line, &argv, p);
    for (argc = 0; argv[argc]; argc++) {
    }
    if (wcs_event_parse(&e, &err, argc, (const char *const *)argv, "fuzz",
                        p) == APR_SUCCESS) {
        wcs_events_add(events, e, &err, p);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    apr_pool_t *p;
    const char *err;

    wcs_fuzz_init();
    p = wcs_fuzz_global_pool();
    events = wcs_events_make(p);
    add("1234567 ab177c1f4e /webcast/1234567/", p);
    add("42 - /open/ domains=example.com,*.example.org", p);
    add("43 beef /opt/ key=optional idps=https://idp.example.test/ "
        "opens=2026-01-01T00:00:00Z closes=2027-01-01T00:00:00Z", p);
    wcs_events_add_app_url(events, &err, "https://global.gotomeeting.com",
                           "/meeting/", p);
    return 0;
}

static int canonical_id(const char *id)
{
    apr_size_t i, n = strlen(id);

    if (n == 0 || n > WCS_EVENT_ID_DIGITS || (n > 1 && id[0] == '0')) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!apr_isdigit(id[i])) {
            return 0;
        }
    }
    return 1;
}

static void as_relay_state(const char *rs, apr_pool_t *p)
{
    wcs_relay_t relay;
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    const wcs_event_t *e = NULL;
    const char *app = NULL;
    apr_status_t rv;

    wcs_relay_parse(&relay, rs, p);
    if (relay.kind == WCS_RELAY_EVENT) {
        WCS_FUZZ_CHECK(canonical_id(relay.event_id));
    }
    rv = wcs_event_route(&e, &app, &res, events, "admin", rs, &relay, p);
    if (rv != APR_SUCCESS) {
        WCS_FUZZ_CHECK(rv == WCS_EREFUSED && res.reason);
        WCS_FUZZ_CHECK(!strpbrk(res.reason, "\r\n"));
        return;
    }
    WCS_FUZZ_CHECK(!(e && app));
    if (e) {
        WCS_FUZZ_CHECK(relay.kind == WCS_RELAY_EVENT);
        WCS_FUZZ_CHECK(!strcmp(e->id, relay.event_id));
        rv = wcs_event_admit(&res, e, &relay, "https://idp.example.test/",
                             "a@example.com",
                             apr_time_from_sec(1767225600), p);
        WCS_FUZZ_CHECK(rv == APR_SUCCESS
                       || (rv == WCS_EREFUSED
                           && res.code == WCS_CODE_EVENT_DENIED));
    }
    if (app) {
        WCS_FUZZ_CHECK(!strcmp(app, "/meeting/"));
    }
}

static void as_map_line(char *line, apr_pool_t *p)
{
    char **argv;
    int argc;
    wcs_event_t *e = NULL;
    const char *err = NULL;
    const char *k;

    if (apr_tokenize_to_argv(line, &argv, p) != APR_SUCCESS) {
        return;
    }
    for (argc = 0; argv[argc]; argc++) {
    }
    if (wcs_event_parse(&e, &err, argc, (const char *const *)argv, "fuzz",
                        p) != APR_SUCCESS) {
        WCS_FUZZ_CHECK(e == NULL && err != NULL);
        return;
    }
    WCS_FUZZ_CHECK(canonical_id(e->id));
    WCS_FUZZ_CHECK(wcs_url_target_valid(e->target, p));
    for (k = e->key; k && *k; k++) {
        WCS_FUZZ_CHECK(apr_isxdigit(*k) && !apr_isupper(*k));
    }
    WCS_FUZZ_CHECK(!e->key_optional || e->key);
    WCS_FUZZ_CHECK(!e->opens || !e->closes || e->opens < e->closes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    char *in;

    apr_pool_create(&p, wcs_fuzz_global_pool());
    in = wcs_fuzz_cstr(data, size, p);
    as_relay_state(in, p);
    as_map_line(apr_pstrdup(p, in), p);
    apr_pool_destroy(p);
    return 0;
}
