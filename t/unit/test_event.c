#include <stdio.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "check_wcs.h"
#include "wcs_event.h"

#define T0 apr_time_from_sec(1800000000)      /* 2027-01-15T08:00:00Z */

static wcs_event_t *event_of(const char *line)
{
    char **argv;
    int argc;
    wcs_event_t *e = NULL;
    const char *err = NULL;

    ck_assert_int_eq(apr_tokenize_to_argv(line, &argv, wcs_test_pool),
                     APR_SUCCESS);
    for (argc = 0; argv[argc]; argc++) {
    }
    ck_assert_msg(wcs_event_parse(&e, &err, argc, (const char *const *)argv,
                                  "test:1", wcs_test_pool) == APR_SUCCESS,
                  "\"%s\" refused: %s", line, err);
    return e;
}

static const char *event_error(const char *line)
{
    char **argv;
    int argc;
    wcs_event_t *e = (wcs_event_t *)1;
    const char *err = NULL;

    ck_assert_int_eq(apr_tokenize_to_argv(line, &argv, wcs_test_pool),
                     APR_SUCCESS);
    for (argc = 0; argv[argc]; argc++) {
    }
    ck_assert_msg(wcs_event_parse(&e, &err, argc, (const char *const *)argv,
                                  "test:1", wcs_test_pool) == APR_EINVAL,
                  "\"%s\" accepted", line);
    ck_assert_ptr_null(e);
    ck_assert_ptr_nonnull(err);
    return err;
}

START_TEST(relay_parse)
{
    static const struct {
        const char *rs;
        wcs_relay_kind_t kind;
        const char *id, *key;
    } cases[] = {
        { NULL, WCS_RELAY_NONE, NULL, NULL },
        { "", WCS_RELAY_NONE, NULL, NULL },
        { "1234567-ab177c1f4e", WCS_RELAY_EVENT, "1234567", "ab177c1f4e" },
        { "1234567", WCS_RELAY_EVENT, "1234567", NULL },
        { "0001234567", WCS_RELAY_EVENT, "1234567", NULL },
        { "0", WCS_RELAY_EVENT, "0", NULL },
        { "1234567-", WCS_RELAY_EVENT, "1234567", "" },
        { "1234567-AB177C1F4E", WCS_RELAY_EVENT, "1234567", "AB177C1F4E" },
        /* What follows the first '-' is the key, checked later. */
        { "1234567-ab-cd", WCS_RELAY_EVENT, "1234567", "ab-cd" },
        { "1234567-zz\r\nX: y", WCS_RELAY_EVENT, "1234567", "zz\r\nX: y" },
        { "abc-123", WCS_RELAY_NOT_NUMBER, NULL, NULL },
        { "-123", WCS_RELAY_NOT_NUMBER, NULL, NULL },
        { "12 34", WCS_RELAY_NOT_NUMBER, NULL, NULL },
        { "+1234", WCS_RELAY_NOT_NUMBER, NULL, NULL },
        { "1234567\r\n", WCS_RELAY_NOT_NUMBER, NULL, NULL },
        { "https://global.gotomeeting.com", WCS_RELAY_NOT_NUMBER, NULL,
          NULL },
        { "1234567890123456789", WCS_RELAY_NOT_NUMBER, NULL, NULL },
        { "123456789012345678", WCS_RELAY_EVENT, "123456789012345678",
          NULL },
        { "\xd9\xa1\xd9\xa2", WCS_RELAY_NOT_NUMBER, NULL, NULL },
    };
    wcs_relay_t r;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wcs_relay_parse(&r, cases[i].rs, wcs_test_pool);
        ck_assert_msg(r.kind == cases[i].kind, "case %zu: kind %d", i,
                      (int)r.kind);
        if (cases[i].id) {
            ck_assert_str_eq(r.event_id, cases[i].id);
        }
        if (cases[i].key) {
            ck_assert_str_eq(r.key, cases[i].key);
        }
        else {
            ck_assert_ptr_null(r.key);
        }
    }
    /* 2 KB of digits is no event ID. */
    wcs_relay_parse(&r, apr_pstrcat(wcs_test_pool,
                                    apr_psprintf(wcs_test_pool, "%02048d", 7),
                                    NULL), wcs_test_pool);
    ck_assert_int_eq(r.kind, WCS_RELAY_NOT_NUMBER);
}
END_TEST

START_TEST(event_parse_lines)
{
    wcs_event_t *e;

    e = event_of("1234567 AB177C1F4E /webcast/1234567/");
    ck_assert_str_eq(e->id, "1234567");
    ck_assert_str_eq(e->key, "ab177c1f4e");
    ck_assert_int_eq(e->key_optional, 0);
    ck_assert_str_eq(e->target, "/webcast/1234567/");
    ck_assert_ptr_null(e->idps);
    ck_assert_ptr_null(e->domains);
    ck_assert_str_eq(e->where, "test:1");

    e = event_of("007 - https://webcast.example.test/live?e=7 "
                 "idps=https://idp.example.test/,http://www.okta.com/x "
                 "domains=Example.COM,*.example.org "
                 "opens=2027-01-15T07:00:00Z closes=2027-01-15T09:00:00Z "
                 "error=/invalid \"message=Only Example staff may join\"");
    ck_assert_str_eq(e->id, "7");
    ck_assert_ptr_null(e->key);
    ck_assert_int_eq(e->idps->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(e->idps, 1, const char *),
                     "http://www.okta.com/x");
    ck_assert_str_eq(APR_ARRAY_IDX(e->domains, 0, const char *),
                     "example.com");
    ck_assert_int_eq(e->opens, T0 - apr_time_from_sec(3600));
    ck_assert_int_eq(e->closes, T0 + apr_time_from_sec(3600));
    ck_assert_str_eq(e->error_url, "/invalid");
    ck_assert_str_eq(e->message, "Only Example staff may join");

    e = event_of("9 abcd /x key=optional");
    ck_assert_int_eq(e->key_optional, 1);
    ck_assert_ptr_null(e->license);
    ck_assert_int_eq(e->provision, -1);
    e = event_of("10 - /x license=ENTERPRISE-1 provision=OFF");
    ck_assert_str_eq(e->license, "ENTERPRISE-1");
    ck_assert_int_eq(e->provision, 0);
    ck_assert_int_eq(event_of("11 - /x provision=on")->provision, 1);
    ck_assert_ptr_nonnull(strstr(event_error("12 - /x provision=maybe"),
                                 "provision=maybe: on or off"));

    ck_assert_ptr_nonnull(strstr(event_error("1234567 abcd"), "ID KEY "
                                             "TARGET"));
    ck_assert_ptr_nonnull(strstr(event_error("12a4 abcd /x"),
                                 "not an event ID"));
    ck_assert_ptr_nonnull(strstr(event_error("1234567890123456789 abcd /x"),
                                 "not an event ID"));
    ck_assert_ptr_nonnull(strstr(event_error("1 xyz1 /x"), "hex digits"));
    ck_assert_ptr_nonnull(strstr(event_error("1 abc /x"), "4 to 64"));
    ck_assert_ptr_nonnull(strstr(event_error("1 abcd //evil.example/"),
                                 "neither a local path"));
    ck_assert_ptr_nonnull(strstr(event_error("1 abcd /a\\\\b"),
                                 "neither a local path"));
    ck_assert_ptr_nonnull(strstr(event_error("1 abcd javascript:alert(1)"),
                                 "neither a local path"));
    ck_assert_ptr_nonnull(strstr(event_error("1 abcd /x color=red"),
                                 "unknown option \"color\""));
    ck_assert_ptr_nonnull(strstr(event_error("1 abcd /x opens=tomorrow"),
                                 "not a time"));
    ck_assert_ptr_nonnull(strstr(event_error("1 abcd /x domains=a..b"),
                                 "not an email domain"));
    ck_assert_ptr_nonnull(strstr(event_error("1 abcd /x idps="),
                                 "not an option=value"));
    ck_assert_ptr_nonnull(strstr(event_error("1 - /x key=optional"),
                                 "it has no key"));
    ck_assert_ptr_nonnull(strstr(event_error("1 abcd /x key=maybe"),
                                 "required"));
    ck_assert_ptr_nonnull(strstr(event_error(
        "1 abcd /x opens=2027-01-15T09:00:00Z closes=2027-01-15T08:00:00Z"),
        "closes before it opens"));
    ck_assert_ptr_nonnull(strstr(event_error("1 abcd /x error=//evil"),
                                 "error=//evil"));
}
END_TEST

static const char *write_map(const char *text)
{
    static int n;

    return wcs_test_write_file(apr_psprintf(wcs_test_pool, "events-%d.map",
                                            ++n), text, wcs_test_pool);
}

START_TEST(event_map_file)
{
    wcs_events_t *events = wcs_events_make(wcs_test_pool);
    const char *path, *err = NULL;
    const wcs_event_t *e;
    char *big;
    int i;

    path = write_map("# events of the test\n\n"
                     "1234567 ab177c1f4e /webcast/1234567/\n"
                     "   # indented comment\n"
                     "42 - /webcast/42/ domains=example.com\r\n"
                     "\t43   beef  /webcast/43/\t\n");
    ck_assert_int_eq(wcs_events_load_file(events, &err, path, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_uint_eq(wcs_events_count(events), 3);
    e = wcs_events_find(events, "1234567");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->where, apr_psprintf(wcs_test_pool, "%s:3", path));
    ck_assert_str_eq(wcs_events_find(events, "42")->target, "/webcast/42/");
    ck_assert_str_eq(wcs_events_find(events, "43")->key, "beef");
    ck_assert_ptr_null(wcs_events_find(events, "44"));
    ck_assert_ptr_null(wcs_events_find(NULL, "42"));

    /* Every bad line is reported with its number; a duplicate names the
     * first definition. */
    events = wcs_events_make(wcs_test_pool);
    path = write_map("1 abcd /one/\n"
                     "2 abcd\n"
                     "x abcd /x/\n"
                     "1 beef /again/\n");
    ck_assert_int_eq(wcs_events_load_file(events, &err, path, wcs_test_pool),
                     APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, apr_psprintf(wcs_test_pool,
                                                   "%s:2: an event is", path)));
    ck_assert_ptr_nonnull(strstr(err, apr_psprintf(wcs_test_pool,
        "%s:3: \"x\" is not an event ID", path)));
    ck_assert_ptr_nonnull(strstr(err, apr_psprintf(wcs_test_pool,
        "%s:4: event 1 is defined twice (first at %s:1)", path, path)));

    /* Many bad lines: the first ten, then a count. */
    big = "";
    for (i = 0; i < 25; i++) {
        big = apr_pstrcat(wcs_test_pool, big, "bad\n", NULL);
    }
    events = wcs_events_make(wcs_test_pool);
    path = write_map(big);
    ck_assert_int_eq(wcs_events_load_file(events, &err, path, wcs_test_pool),
                     APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "and 15 more bad lines"));

    /* A missing file, and a binary one. */
    ck_assert_int_eq(wcs_events_load_file(events, &err, "/nonexistent/x.map",
                                          wcs_test_pool), APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.map"));
    path = write_map("1 abcd /x\n");
    {
        FILE *f = fopen(path, "ab");

        fputc(0, f);
        fclose(f);
    }
    ck_assert_int_eq(wcs_events_load_file(wcs_events_make(wcs_test_pool),
                                          &err, path, wcs_test_pool),
                     APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "NUL"));
}
END_TEST

/* Ten thousand events from one file: each is found by its ID. */
START_TEST(event_map_many)
{
    wcs_events_t *events = wcs_events_make(wcs_test_pool);
    apr_array_header_t *lines = apr_array_make(wcs_test_pool, 10000,
                                               sizeof(const char *));
    const char *path, *err = NULL;
    int i;

    for (i = 1; i <= 10000; i++) {
        APR_ARRAY_PUSH(lines, const char *) =
            apr_psprintf(wcs_test_pool, "%d %08x /webcast/%d/\n",
                         1000000 + i, (unsigned)i * 7919, i);
    }
    path = write_map(apr_array_pstrcat(wcs_test_pool, lines, 0));
    ck_assert_int_eq(wcs_events_load_file(events, &err, path, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_uint_eq(wcs_events_count(events), 10000);
    for (i = 1; i <= 10000; i += 997) {
        const wcs_event_t *e = wcs_events_find(
            events, apr_psprintf(wcs_test_pool, "%d", 1000000 + i));

        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e->target, apr_psprintf(wcs_test_pool,
                                                 "/webcast/%d/", i));
    }
}
END_TEST

static apr_status_t route(const wcs_event_t **e, wcs_result_t *res,
                          const wcs_events_t *events, const char *def,
                          const char *rs)
{
    wcs_relay_t relay;

    const char *app = NULL;

    res->code = WCS_CODE_NONE;
    res->reason = NULL;
    wcs_relay_parse(&relay, rs, wcs_test_pool);
    return wcs_event_route(e, &app, res, events, def, rs, &relay,
                           wcs_test_pool);
}

/* The application target RelayState rs leads to, or NULL (refused:
 * res says why). */
static const char *app_route(wcs_result_t *res, const wcs_events_t *events,
                             const char *rs)
{
    wcs_relay_t relay;
    const wcs_event_t *e = NULL;
    const char *app = NULL;

    res->code = WCS_CODE_NONE;
    res->reason = NULL;
    wcs_relay_parse(&relay, rs, wcs_test_pool);
    if (wcs_event_route(&e, &app, res, events, NULL, rs, &relay,
                        wcs_test_pool) != APR_SUCCESS) {
        ck_assert_int_eq(res->code, WCS_CODE_EVENT_UNKNOWN);
        return NULL;
    }
    ck_assert_ptr_null(e);
    return app;
}

#define GTM "https://global.gotomeeting.com"

START_TEST(event_app_urls)
{
    wcs_events_t *events = wcs_events_make(wcs_test_pool);
    wcs_result_t res;
    const char *err = NULL;
    const wcs_event_t *e;

    ck_assert_int_eq(wcs_events_add_app_url(events, &err, GTM, "/meeting/",
                                            wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(wcs_events_add_app_url(events, &err,
                                            "https://global.gotowebinar.com",
                                            "https://webinar.example.test/",
                                            wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(wcs_events_add_app_url(events, &err, GTM "/",
                                            "/again/", wcs_test_pool),
                     APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "mapped twice"));
    ck_assert_int_eq(wcs_events_add_app_url(events, &err, "global.x.com",
                                            "/x/", wcs_test_pool),
                     APR_EINVAL);
    ck_assert_int_eq(wcs_events_add_app_url(events, &err, GTM ".",
                                            "//evil/", wcs_test_pool),
                     APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "neither a local path"));

    ck_assert_str_eq(app_route(&res, events, GTM), "/meeting/");
    ck_assert_str_eq(app_route(&res, events, GTM "/"), "/meeting/");
    ck_assert_str_eq(app_route(&res, events, "HTTPS://Global.GoToMeeting.COM:443"),
                     "/meeting/");
    ck_assert_str_eq(app_route(&res, events, "https://global.gotowebinar.com"),
                     "https://webinar.example.test/");
    ck_assert_ptr_null(app_route(&res, events, GTM ".evil.example"));
    ck_assert_ptr_nonnull(strstr(res.reason, "names no configured "
                                 "application URL"));
    ck_assert_ptr_null(app_route(&res, events, GTM "."));
    ck_assert_ptr_null(app_route(&res, events, GTM "/x"));
    ck_assert_ptr_null(app_route(&res, events, GTM "?next=//evil"));
    ck_assert_ptr_null(app_route(&res, events, "http://global.gotomeeting.com"));
    ck_assert_ptr_null(app_route(&res, events, "https://global.gotomeeting.com\\@evil"));
    ck_assert_ptr_null(app_route(&res, events, "https://evil.example/" GTM));
    ck_assert_ptr_null(app_route(&res, events, "https://global.gotomeeting.com\r\nX: y"));
    ck_assert_ptr_null(strpbrk(res.reason, "\r\n"));
    /* Without events, anything else lands on the default target. */
    ck_assert_int_eq(route(&e, &res, events, NULL, "1234567"), APR_SUCCESS);
    ck_assert_ptr_null(e);
    ck_assert_int_eq(route(&e, &res, events, NULL, NULL), APR_SUCCESS);
}
END_TEST

START_TEST(event_templates)
{
    wcs_events_t *events = wcs_events_make(wcs_test_pool);
    const apr_array_header_t *t;
    const char *err = NULL;
    wcs_event_t *e;

    ck_assert_int_eq(wcs_events_add_template_field(events, &err, "reg",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department",
        "WEBCAST_DEPARTMENT", wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(wcs_events_add_template_field(events, &err, "reg",
        "company", "WEBCAST_COMPANY", wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(wcs_events_add_template_field(events, &err, "reg",
        "mail", "WEBCAST_EMAIL", wcs_test_pool), APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "not a variable name"));
    ck_assert_int_eq(wcs_events_add_template_field(events, &err, "reg",
        "x", "WEBCAST_EVENT_ID", wcs_test_pool), APR_EINVAL);
    ck_assert_int_eq(wcs_events_add_template_field(events, &err, "reg",
        "x", "HOME", wcs_test_pool), APR_EINVAL);
    t = wcs_events_template(events, "reg");
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->nelts, 2);
    ck_assert_ptr_null(wcs_events_template(events, "other"));

    e = event_of("1 - /x template=reg");
    ck_assert_str_eq(e->template_name, "reg");
    ck_assert_int_eq(wcs_events_add(events, e, &err, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_int_eq(wcs_events_check(events, &err, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_int_eq(wcs_events_add(events, event_of("2 - /y template=nope"),
                                    &err, wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(wcs_events_check(events, &err, wcs_test_pool),
                     APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "test:1: event 2 names template "
                                 "\"nope\", which is not defined"));
}
END_TEST

START_TEST(event_routing)
{
    wcs_events_t *events = wcs_events_make(wcs_test_pool);
    wcs_result_t res;
    const wcs_event_t *e;
    const char *err;

    /* No events: any RelayState lands on the default target. */
    ck_assert_int_eq(route(&e, &res, NULL, NULL, "whatever"), APR_SUCCESS);
    ck_assert_ptr_null(e);
    ck_assert_int_eq(route(&e, &res, events, NULL, "1234567"), APR_SUCCESS);
    ck_assert_ptr_null(e);

    ck_assert_int_eq(wcs_events_add(events, event_of("1234567 ab177c1f4e "
                                                     "/webcast/"), &err,
                                    wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(route(&e, &res, events, NULL, "1234567-ab177c1f4e"),
                     APR_SUCCESS);
    ck_assert_str_eq(e->id, "1234567");
    wcs_assert_refused(route(&e, &res, events, NULL, NULL), res,
                       WCS_CODE_NO_EVENT, "no RelayState");
    wcs_assert_refused(route(&e, &res, events, NULL, ""), res,
                       WCS_CODE_NO_EVENT, "1 events are configured");
    wcs_assert_refused(route(&e, &res, events, NULL, "abc"), res,
                       WCS_CODE_EVENT_NOT_NUMBER, "\"abc\" is not a number");
    /* Control bytes are escaped in the reason. */
    wcs_assert_refused(route(&e, &res, events, NULL, "x\r\ny"), res,
                       WCS_CODE_EVENT_NOT_NUMBER, "is not a number");
    ck_assert_ptr_null(strpbrk(res.reason, "\r\n"));
    wcs_assert_refused(route(&e, &res, events, NULL, "7654321-ab177c1f4e"),
                       res, WCS_CODE_EVENT_UNKNOWN,
                       "event 7654321 (RelayState) is not configured");
    /* The default RelayState of an admin console: the default target. */
    ck_assert_int_eq(route(&e, &res, events, "admin", "admin"), APR_SUCCESS);
    ck_assert_ptr_null(e);
    wcs_assert_refused(route(&e, &res, events, "admin", NULL), res,
                       WCS_CODE_NO_EVENT, "default RelayState was not sent");
    wcs_assert_refused(route(&e, &res, events, "admin", "Admin"), res,
                       WCS_CODE_EVENT_NOT_NUMBER, "not a number");
}
END_TEST

static apr_status_t admit(wcs_result_t *res, const wcs_event_t *e,
                          const char *rs, const char *idp, const char *email,
                          apr_time_t now)
{
    wcs_relay_t relay;

    res->code = WCS_CODE_NONE;
    res->reason = NULL;
    wcs_relay_parse(&relay, rs, wcs_test_pool);
    return wcs_event_admit(res, e, &relay, idp, email, now, wcs_test_pool);
}

#define IDP "https://idp.example.test/"

START_TEST(event_admission)
{
    wcs_event_t *e = event_of(
        "1234567 ab177c1f4e /webcast/ idps=" IDP ",https://other.test/ "
        "domains=example.com,*.example.org "
        "opens=2027-01-15T07:00:00Z closes=2027-01-15T09:00:00Z");
    wcs_event_t *open = event_of("42 - /open/");
    wcs_event_t *optional = event_of("43 beef /opt/ key=optional");
    wcs_result_t res;

    ck_assert_int_eq(admit(&res, e, "1234567-ab177c1f4e", IDP,
                           "a@example.com", T0), APR_SUCCESS);
    ck_assert_int_eq(admit(&res, e, "1234567-AB177C1F4E", IDP,
                           "a@sub.example.org", T0), APR_SUCCESS);
    /* The key. */
    wcs_assert_refused(admit(&res, e, "1234567", IDP, "a@example.com", T0),
                       res, WCS_CODE_EVENT_DENIED, "carries no key");
    wcs_assert_refused(admit(&res, e, "1234567-ab177c1f4f", IDP,
                             "a@example.com", T0), res,
                       WCS_CODE_EVENT_DENIED, "wrong key for event 1234567");
    /* The wrong key is not in the log line. */
    ck_assert_ptr_null(strstr(res.reason, "ab177c1f4f"));
    wcs_assert_refused(admit(&res, e, "1234567-ab177c1f4e00", IDP,
                             "a@example.com", T0), res,
                       WCS_CODE_EVENT_DENIED, "wrong key");
    wcs_assert_refused(admit(&res, e, "1234567-", IDP, "a@example.com", T0),
                       res, WCS_CODE_EVENT_DENIED, "wrong key");
    wcs_assert_refused(admit(&res, e, "1234567-zz\r\nX", IDP,
                             "a@example.com", T0), res,
                       WCS_CODE_EVENT_DENIED, "wrong key");
    /* IdP, domain, window. */
    wcs_assert_refused(admit(&res, e, "1234567-ab177c1f4e",
                             "https://third.test/", "a@example.com", T0),
                       res, WCS_CODE_EVENT_DENIED,
                       "does not admit IdP https://third.test/");
    wcs_assert_refused(admit(&res, e, "1234567-ab177c1f4e", IDP,
                             "a@example.org", T0), res,
                       WCS_CODE_EVENT_DENIED, "domain \"example.org\"");
    wcs_assert_refused(admit(&res, e, "1234567-ab177c1f4e", IDP,
                             "a@evil-example.com", T0), res,
                       WCS_CODE_EVENT_DENIED, "is not in domains=");
    wcs_assert_refused(admit(&res, e, "1234567-ab177c1f4e", IDP,
                             "a@example.com",
                             T0 - apr_time_from_sec(3601)), res,
                       WCS_CODE_EVENT_DENIED,
                       "opens at 2027-01-15T07:00:00Z");
    wcs_assert_refused(admit(&res, e, "1234567-ab177c1f4e", IDP,
                             "a@example.com", T0 + apr_time_from_sec(3600)),
                       res, WCS_CODE_EVENT_DENIED,
                       "closed at 2027-01-15T09:00:00Z");
    ck_assert_int_eq(admit(&res, e, "1234567-ab177c1f4e", IDP,
                           "a@example.com",
                           T0 + apr_time_from_sec(3599)), APR_SUCCESS);
    /* An event without a key takes none. */
    ck_assert_int_eq(admit(&res, open, "42", IDP, "a@x.test", T0),
                     APR_SUCCESS);
    wcs_assert_refused(admit(&res, open, "42-beef", IDP, "a@x.test", T0),
                       res, WCS_CODE_EVENT_DENIED, "which has none");
    /* key=optional: absent is fine, wrong is not. */
    ck_assert_int_eq(admit(&res, optional, "43", IDP, "a@x.test", T0),
                     APR_SUCCESS);
    ck_assert_int_eq(admit(&res, optional, "43-BEEF", IDP, "a@x.test", T0),
                     APR_SUCCESS);
    wcs_assert_refused(admit(&res, optional, "43-beee", IDP, "a@x.test",
                             T0), res, WCS_CODE_EVENT_DENIED, "wrong key");
    /* A session is extended only to events that do not enforce a key. */
    ck_assert_int_eq(wcs_event_admit_session(&res, open, IDP, "a@x.test", T0,
                                             wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(wcs_event_admit_session(&res, optional, IDP, "a@x.test",
                                             T0, wcs_test_pool),
                     APR_SUCCESS);
    wcs_assert_refused(wcs_event_admit_session(&res, e, IDP, "a@example.com",
                                               T0, wcs_test_pool),
                       res, WCS_CODE_EVENT_DENIED, "enforces its key");
}
END_TEST

/* The event of a URL an anonymous person opens: its target, or the
 * nearest one above; a target two events share names neither. */
START_TEST(event_for_path)
{
    wcs_events_t *events = wcs_events_make(wcs_test_pool);
    const char *err = NULL;
    wcs_result_t res;
    const wcs_event_t *e;

    ck_assert_ptr_null(wcs_events_for_path(events, "/webcast/1/",
                                           wcs_test_pool));
    ck_assert_int_eq(wcs_events_add(events, event_of("1 abcd /webcast/1/"),
                                    &err, wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(wcs_events_add(events, event_of("2 - /webcast/2"),
                                    &err, wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(wcs_events_add(events, event_of("3 - /shared/"),
                                    &err, wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(wcs_events_add(events, event_of("4 - /shared/"),
                                    &err, wcs_test_pool), APR_SUCCESS);
    ck_assert_int_eq(wcs_events_add(events, event_of(
                         "5 - https://other.example.test/5/"), &err,
                                    wcs_test_pool), APR_SUCCESS);
    e = wcs_events_for_path(events, "/webcast/1/", wcs_test_pool);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->id, "1");
    e = wcs_events_for_path(events, "/webcast/1/slides/a.html",
                            wcs_test_pool);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->id, "1");
    e = wcs_events_for_path(events, "/webcast/1", wcs_test_pool);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->id, "1");
    e = wcs_events_for_path(events, "/webcast/2/", wcs_test_pool);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->id, "2");
    ck_assert_ptr_null(wcs_events_for_path(events, "/webcast/12/",
                                           wcs_test_pool));
    ck_assert_ptr_null(wcs_events_for_path(events, "/webcast/",
                                           wcs_test_pool));
    ck_assert_ptr_null(wcs_events_for_path(events, "/shared/x",
                                           wcs_test_pool));
    ck_assert_ptr_null(wcs_events_for_path(events, "/5/", wcs_test_pool));
    ck_assert_ptr_null(wcs_events_for_path(events, "relative",
                                           wcs_test_pool));
    /* The key of a link: what the RelayState's would be. */
    e = wcs_events_find(events, "1");
    ck_assert_int_eq(wcs_event_check_key(&res, e, "ABCD", "the link",
                                         wcs_test_pool), APR_SUCCESS);
    wcs_assert_refused(wcs_event_check_key(&res, e, NULL, "the link",
                                           wcs_test_pool),
                       res, WCS_CODE_EVENT_DENIED, "the link carries no key");
    wcs_assert_refused(wcs_event_check_key(&res, e, "abce", "the link",
                                           wcs_test_pool),
                       res, WCS_CODE_EVENT_DENIED, "wrong key");
    wcs_assert_refused(wcs_event_check_key(&res, wcs_events_find(events, "2"),
                                           "abcd", "the link", wcs_test_pool),
                       res, WCS_CODE_EVENT_DENIED, "which has none");
}
END_TEST

Suite *wcs_suite_event(void)
{
    Suite *s = suite_create("event");
    TCase *tc = tcase_create("core");

    tcase_add_unchecked_fixture(tc, wcs_test_fixtures_setup, NULL);
    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, relay_parse);
    tcase_add_test(tc, event_parse_lines);
    tcase_add_test(tc, event_map_file);
    tcase_add_test(tc, event_map_many);
    tcase_add_test(tc, event_routing);
    tcase_add_test(tc, event_admission);
    tcase_add_test(tc, event_for_path);
    tcase_add_test(tc, event_app_urls);
    tcase_add_test(tc, event_templates);
    suite_add_tcase(s, tc);
    return s;
}
