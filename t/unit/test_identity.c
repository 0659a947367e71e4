#include <stdarg.h>
#include <string.h>

#include <apr_strings.h>

#include "check_wcs.h"
#include "wcs_identity.h"

#define CLAIMS "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
#define NAMEID_TRANSIENT "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
#define NAMEID_PERSISTENT \
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"

/* A string of exactly len bytes: a run of c with a dot every 40. */
static char *dotted(char c, apr_size_t len)
{
    char *s = apr_palloc(wcs_test_pool, len + 1);
    apr_size_t i;

    for (i = 0; i < len; i++) {
        s[i] = (i % 40 == 39 && i + 1 < len) ? '.' : c;
    }
    s[len] = '\0';
    return s;
}

START_TEST(email_valid_table)
{
    static const char *const good[] = {
        "alice@example.test",
        "alice+webcast@example.test",
        "first.last@mail.sub.example.test",
        "o'brien@example.test",
        "ALICE@EXAMPLE.TEST",
        "j\xc3\xbcrgen@b\xc3\xbc" "cher.example",
        "a@b.c",
        "a-b_c@x-y.example.test",
        NULL
    };
    static const char *const bad[] = {
        "", "alice", "alice.example.test", "alice@@example.test",
        "a@b@example.test", "alice@localhost", "@example.test", "alice@",
        ".alice@example.test", "alice.@example.test", "al..ice@example.test",
        "alice@.example.test", "alice@example.test.", "alice@example..test",
        "al ice@example.test", "alice@exa mple.test", " alice@example.test",
        "alice@example.test\n", "alice@exa_mple.test", "alice@[127.0.0.1]",
        "alice_contoso.com#EXT#@tenant.onmicrosoft.com",
        "alice_contoso.com#ext#@tenant.onmicrosoft.com",
        "\"alice\"@example.test", "alice(x)@example.test", "a,b@example.test",
        NULL
    };
    char *s;
    int i;

    for (i = 0; good[i]; i++) {
        ck_assert_msg(wcs_email_valid(good[i]), "refused %s", good[i]);
    }
    for (i = 0; bad[i]; i++) {
        ck_assert_msg(!wcs_email_valid(bad[i]), "accepted %s", bad[i]);
    }
    ck_assert(!wcs_email_valid(NULL));
    /* Local part: 64 bytes at most. */
    s = apr_pstrcat(wcs_test_pool, dotted('a', 64), "@example.test", NULL);
    ck_assert_msg(wcs_email_valid(s), "%s", s);
    s = apr_pstrcat(wcs_test_pool, dotted('a', 65), "@example.test", NULL);
    ck_assert_msg(!wcs_email_valid(s), "%s", s);
    /* The whole address: 254 bytes at most. */
    s = apr_pstrcat(wcs_test_pool, "alice@", dotted('d', 254 - 6 - 5),
                    ".test", NULL);
    ck_assert_int_eq(strlen(s), 254);
    ck_assert_msg(wcs_email_valid(s), "%s", s);
    s = apr_pstrcat(wcs_test_pool, "alice@", dotted('d', 255 - 6 - 5),
                    ".test", NULL);
    ck_assert_int_eq(strlen(s), 255);
    ck_assert_msg(!wcs_email_valid(s), "%s", s);
}
END_TEST

static wcs_idp_t test_idp = { WCS_TEST_IDP, NULL, NULL, NULL, "test", 0 };

static wcs_assertion_t *assertion(const char *name_id, const char *format)
{
    wcs_assertion_t *a = apr_pcalloc(wcs_test_pool, sizeof(*a));

    a->idp = &test_idp;
    a->name_id = name_id;
    a->name_id_format = format;
    a->attrs = apr_array_make(wcs_test_pool, 4, sizeof(wcs_attr_t));
    return a;
}

/* Add attribute name (FriendlyName friendly) with NULL-terminated values. */
static void add_attr(wcs_assertion_t *a, const char *name,
                     const char *friendly, ...)
{
    wcs_attr_t *at = apr_array_push(a->attrs);
    const char *v;
    va_list ap;

    at->name = name;
    at->friendly_name = friendly;
    at->values = apr_array_make(wcs_test_pool, 2, sizeof(const char *));
    va_start(ap, friendly);
    for (v = va_arg(ap, const char *); v; v = va_arg(ap, const char *)) {
        APR_ARRAY_PUSH(at->values, const char *) = v;
    }
    va_end(ap);
}

static apr_status_t email_of(const char **email, wcs_result_t *res,
                             const wcs_assertion_t *a, const char *attr)
{
    res->code = WCS_CODE_NONE;
    res->reason = NULL;
    return wcs_identity_email(email, res, a, attr, wcs_test_pool);
}

START_TEST(identity_email_from_nameid)
{
    wcs_result_t res;
    const char *email;

    ck_assert_int_eq(email_of(&email, &res, assertion("Alice@Example.TEST",
                                                      WCS_NAMEID_EMAIL),
                              NULL), APR_SUCCESS);
    ck_assert_str_eq(email, "alice@example.test");
    ck_assert_int_eq(email_of(&email, &res, assertion("bob@example.test",
                                                      WCS_NAMEID_UNSPECIFIED),
                              NULL), APR_SUCCESS);
    ck_assert_str_eq(email, "bob@example.test");
    ck_assert_int_eq(email_of(&email, &res, assertion("carol@example.test",
                                                      NULL), NULL),
                     APR_SUCCESS);
    ck_assert_str_eq(email, "carol@example.test");

    wcs_assert_refused(email_of(&email, &res,
                                assertion("alice@example.test",
                                          NAMEID_TRANSIENT), NULL),
                       res, WCS_CODE_NO_EMAIL, "transient");
    ck_assert_ptr_null(email);
    /* Persistent IDs are opaque even when they look like an address. */
    wcs_assert_refused(email_of(&email, &res,
                                assertion("alice@example.test",
                                          NAMEID_PERSISTENT), NULL),
                       res, WCS_CODE_NO_EMAIL, "persistent");
    wcs_assert_refused(email_of(&email, &res,
                                assertion("alice@example.test",
                                          WCS_NAMEID_ENTITY), NULL),
                       res, WCS_CODE_NO_EMAIL, "Format");
    wcs_assert_refused(email_of(&email, &res, assertion("alice",
                                                        WCS_NAMEID_UNSPECIFIED),
                                NULL), res, WCS_CODE_NO_EMAIL, "\"alice\"");
    wcs_assert_refused(email_of(&email, &res, assertion(
                                    "alice_contoso.com#EXT#@t.onmicrosoft.com",
                                    WCS_NAMEID_EMAIL), NULL),
                       res, WCS_CODE_NO_EMAIL, "#EXT#");
    wcs_assert_refused(email_of(&email, &res, assertion(NULL, NULL), NULL),
                       res, WCS_CODE_NO_EMAIL, "NameID");
    wcs_assert_refused(email_of(&email, &res, assertion("", WCS_NAMEID_EMAIL),
                                NULL), res, WCS_CODE_NO_EMAIL, "NameID");
}
END_TEST

START_TEST(identity_email_from_attribute)
{
    wcs_result_t res;
    const char *email;
    wcs_assertion_t *a;

    a = assertion("opaque-1234", NAMEID_PERSISTENT);
    add_attr(a, CLAIMS "emailaddress", "mail", " Bob@Example.Test ",
             "other@example.test", NULL);
    ck_assert_int_eq(email_of(&email, &res, a, CLAIMS "emailaddress"),
                     APR_SUCCESS);
    ck_assert_str_eq(email, "bob@example.test");
    /* By FriendlyName, in any case. */
    ck_assert_int_eq(email_of(&email, &res, a, "MAIL"), APR_SUCCESS);
    ck_assert_str_eq(email, "bob@example.test");

    /* Configured but absent: the NameID is not a fallback. */
    a = assertion("alice@example.test", WCS_NAMEID_EMAIL);
    wcs_assert_refused(email_of(&email, &res, a, "email"), res,
                       WCS_CODE_NO_EMAIL, "\"email\"");
    add_attr(a, "email", NULL, NULL);
    wcs_assert_refused(email_of(&email, &res, a, "email"), res,
                       WCS_CODE_NO_EMAIL, "\"email\"");
    a = assertion("alice@example.test", WCS_NAMEID_EMAIL);
    add_attr(a, "email", NULL, "alice", NULL);
    wcs_assert_refused(email_of(&email, &res, a, "email"), res,
                       WCS_CODE_NO_EMAIL, "not an email");
}
END_TEST

START_TEST(identity_env_names)
{
    static const char *const good[] = {
        "WEBCAST_X", "WEBCAST_FIRST_NAME", "WEBCAST_GROUP2", "WEBCAST__", NULL
    };
    static const char *const bad[] = {
        "", "WEBCAST_", "WEBCAST", "webcast_x", "WEBCAST_x", "WEBCAST-X",
        "WEBCAST_A-B", "WEBCAST_A B", "REMOTE_USER", "XWEBCAST_A",
        "WEBCAST_\xc3\x84", NULL
    };
    int i;

    for (i = 0; good[i]; i++) {
        ck_assert_msg(wcs_env_name_valid(good[i]), "refused %s", good[i]);
    }
    for (i = 0; bad[i]; i++) {
        ck_assert_msg(!wcs_env_name_valid(bad[i]), "accepted %s", bad[i]);
    }
}
END_TEST

START_TEST(identity_env_defaults)
{
    wcs_assertion_t *a = assertion("Alice@Example.test", WCS_NAMEID_EMAIL);
    apr_table_t *env;

    a->authn_context = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password";
    add_attr(a, CLAIMS "givenname", NULL, "Alice", NULL);
    add_attr(a, CLAIMS "surname", NULL, "Example", NULL);
    add_attr(a, "http://schemas.microsoft.com/identity/claims/displayname",
             NULL, "Alice Example", NULL);
    add_attr(a, "http://schemas.microsoft.com/identity/claims/tenantid",
             NULL, "t-1", NULL);
    env = wcs_identity_env(a, "alice@example.test", NULL, wcs_test_pool);
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_EMAIL"),
                     "alice@example.test");
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_IDP"), WCS_TEST_IDP);
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_NAMEID"),
                     "Alice@Example.test");
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_AUTHN_CONTEXT"),
                     a->authn_context);
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_FIRST_NAME"), "Alice");
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_LAST_NAME"), "Example");
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_DISPLAY_NAME"),
                     "Alice Example");
    /* Unmapped attributes are not exported. */
    ck_assert_int_eq(apr_table_elts(env)->nelts, 7);

    /* Other spellings by FriendlyName; no NameID, no context. */
    a = assertion(NULL, NULL);
    add_attr(a, "urn:oid:2.5.4.42", "givenName", "Bob", NULL);
    add_attr(a, "urn:oid:2.5.4.4", NULL, "Builder", NULL);
    env = wcs_identity_env(a, "bob@example.test", NULL, wcs_test_pool);
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_FIRST_NAME"), "Bob");
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_LAST_NAME"), "Builder");
    ck_assert_ptr_null(apr_table_get(env, "WEBCAST_NAMEID"));
    ck_assert_ptr_null(apr_table_get(env, "WEBCAST_AUTHN_CONTEXT"));
    ck_assert_ptr_null(apr_table_get(env, "WEBCAST_DISPLAY_NAME"));
}
END_TEST

/* NameID and AuthnContext may become request headers (export): no
 * control character may survive into them. */
START_TEST(identity_env_blanks_controls)
{
    wcs_assertion_t *a = assertion("abc\ndef\tx", WCS_NAMEID_EMAIL);
    apr_table_t *env;

    a->authn_context = "ctx\r\nX-Evil: 1";
    env = wcs_identity_env(a, "alice@example.test", NULL, wcs_test_pool);
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_NAMEID"), "abc def x");
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_AUTHN_CONTEXT"),
                     "ctx  X-Evil: 1");
}
END_TEST

START_TEST(identity_env_map_and_values)
{
    wcs_assertion_t *a = assertion("alice@example.test", WCS_NAMEID_EMAIL);
    apr_array_header_t *map = apr_array_make(wcs_test_pool, 4,
                                             sizeof(wcs_attr_map_t));
    wcs_attr_map_t *m;
    apr_table_t *env;
    char *longv;
    const char *v;

    add_attr(a, CLAIMS "givenname", NULL, "Alice", NULL);
    add_attr(a, "nickname", NULL, "Ali", NULL);
    add_attr(a, "groups", "memberOf", "staff", "a;b", "c\\d", NULL);
    add_attr(a, "title", NULL, "line1\nline2\ttab\x7f" "end\r", NULL);
    longv = apr_palloc(wcs_test_pool, 5001);
    memset(longv, 'v', 5000);
    longv[5000] = '\0';
    add_attr(a, "blob", NULL, longv, NULL);
    m = apr_array_push(map);
    m->saml_name = "NICKNAME";
    m->env_name = "WEBCAST_FIRST_NAME";
    m = apr_array_push(map);
    m->saml_name = "memberof";
    m->env_name = "WEBCAST_GROUPS";
    m = apr_array_push(map);
    m->saml_name = "title";
    m->env_name = "WEBCAST_TITLE";
    m = apr_array_push(map);
    m->saml_name = "blob";
    m->env_name = "WEBCAST_BLOB";
    m = apr_array_push(map);
    m->saml_name = "nickname";
    m->env_name = "WEBCAST_EMAIL";
    m = apr_array_push(map);
    m->saml_name = "absent";
    m->env_name = "WEBCAST_ABSENT";

    env = wcs_identity_env(a, "alice@example.test", map, wcs_test_pool);
    /* The configured mapping wins over the default one. */
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_FIRST_NAME"), "Ali");
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_GROUPS"),
                     "staff;a\\;b;c\\\\d");
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_TITLE"),
                     "line1 line2 tab end ");
    v = apr_table_get(env, "WEBCAST_BLOB");
    ck_assert_ptr_nonnull(v);
    ck_assert(strlen(v) > 1000);
    ck_assert(strlen(v) <= WCS_ENV_VALUE_MAX);
    ck_assert_ptr_null(apr_table_get(env, "WEBCAST_ABSENT"));
    /* No attribute overrides who the person is. */
    ck_assert_str_eq(apr_table_get(env, "WEBCAST_EMAIL"),
                     "alice@example.test");
    /* Each variable is set once. */
    ck_assert_int_eq(apr_table_elts(env)->nelts, 7);
}
END_TEST

Suite *wcs_suite_identity(void)
{
    Suite *s = suite_create("identity");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, email_valid_table);
    tcase_add_test(tc, identity_email_from_nameid);
    tcase_add_test(tc, identity_email_from_attribute);
    tcase_add_test(tc, identity_env_names);
    tcase_add_test(tc, identity_env_defaults);
    tcase_add_test(tc, identity_env_map_and_values);
    tcase_add_test(tc, identity_env_blanks_controls);
    suite_add_tcase(s, tc);
    return s;
}
