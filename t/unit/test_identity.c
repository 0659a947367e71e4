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
        /* Internationalised addresses (RFC 6531) keep their letters. */
        "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf"
        "\xe5\x91\x8a",
        "\xce\xb4\xce\xbf\xce\xba@\xcf\x80\xce\xb1\xcf\x81.example",
        "ren\xc3\xa9" "e\xf0\x9f\x98\x80@example.test",
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
        /* #EXT# in any case. */
        "alice_contoso.com#Ext#@tenant.onmicrosoft.com",
        "alice_contoso.com#eXt#@tenant.onmicrosoft.com",
        /* Invisible and control characters: the address would look like
         * another one (no-break, zero-width, soft hyphen, bidi marks). */
        "al\xc2\xa0ice@example.test", "alice\xe2\x80\x8b@example.test",
        "alice@exam\xc2\xadple.test", "\xef\xbb\xbf" "alice@example.test",
        "alice@example.te\xe2\x80\x8dst", "alice\xe2\x80\xae@example.test",
        "alice\xe2\x80\x8e@example.test", "alice\xe2\x81\xa0@example.test",
        "alice\xe2\x81\xaf@example.test", "alice\xe3\x80\x80@example.test",
        "alice\xe1\x9a\x80@example.test", "alice\xe2\x80\xa8@example.test",
        "alice\xe2\x80\x80@example.test", "alice\xe2\x80\xaf@example.test",
        "alice\xe2\x81\x9f@example.test", "alice\xc2\x85@example.test",
        "alice\xc2\x9f@example.test", "alice\x7f@example.test",
        /* Not UTF-8: a lone continuation byte, a truncated sequence, an
         * overlong '/', a surrogate, beyond U+10FFFF, bytes never used. */
        "alice\x80@example.test", "alice\xc3@example.test",
        "alice\xc0\xaf@example.test", "alice\xe0\x80\xaf@example.test",
        "alice\xed\xa0\x80@example.test",
        "alice\xf4\x90\x80\x80@example.test", "alice\xff@example.test",
        "alice@example.test\xe2\x82",
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

static wcs_idp_t test_idp = { WCS_TEST_IDP, NULL, NULL, NULL, "test", 0,
                              NULL, 0 };

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
    /* An Entra guest's UPN: the reason says what it is and the fix. */
    wcs_assert_refused(email_of(&email, &res, assertion(
                                    "alice_contoso.com#EXT#@t.onmicrosoft.com",
                                    WCS_NAMEID_EMAIL), NULL),
                       res, WCS_CODE_NO_EMAIL, "#EXT#");
    wcs_assert_refused(email_of(&email, &res, assertion(
                                    "alice_contoso.com#ext#@t.onmicrosoft.com",
                                    WCS_NAMEID_UNSPECIFIED), NULL),
                       res, WCS_CODE_NO_EMAIL, "an Entra ID guest UPN");
    ck_assert_ptr_nonnull(strstr(res.reason, "user.mail"));
    ck_assert_ptr_nonnull(strstr(res.reason, "WebcastSAMLEmailAttribute"));
    ck_assert_ptr_null(strstr(res.reason, "opaque"));
    /* The SAML 1.0 spellings of the two email formats are the same
     * formats; other 1.0-style names are not. */
    ck_assert_int_eq(email_of(&email, &res, assertion(
                         "Eve@Example.test", WCS_NAMEID_UNSPECIFIED_10), NULL),
                     APR_SUCCESS);
    ck_assert_str_eq(email, "eve@example.test");
    ck_assert_int_eq(email_of(&email, &res, assertion(
                         "eve@example.test", WCS_NAMEID_EMAIL_10), NULL),
                     APR_SUCCESS);
    wcs_assert_refused(email_of(&email, &res, assertion(
                           "eve@example.test",
                           "urn:oasis:names:tc:SAML:1.0:nameid-format:"
                           "persistent"), NULL),
                       res, WCS_CODE_NO_EMAIL, "Format");
    wcs_assert_refused(email_of(&email, &res, assertion(
                           "eve@example.test",
                           "urn:oasis:names:tc:SAML:1.1:nameid-format:"
                           "X509SubjectName"), NULL),
                       res, WCS_CODE_NO_EMAIL, "Format");
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
    /* An Entra guest UPN in the email claim: named as such, with the fix
     * at the IdP, as in the NameID. */
    a = assertion("opaque-1234", NAMEID_PERSISTENT);
    add_attr(a, "email", NULL, "alice_contoso.com#EXT#@t.onmicrosoft.com",
             NULL);
    wcs_assert_refused(email_of(&email, &res, a, "email"), res,
                       WCS_CODE_NO_EMAIL, "an Entra ID guest UPN");
    ck_assert_ptr_nonnull(strstr(res.reason, "attribute \"email\""));
    ck_assert_ptr_nonnull(strstr(res.reason, "user.mail"));
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

/* The variables that say who the person is are the module's own; the
 * name defaults may be taken by a mapping. */
START_TEST(identity_env_reserved)
{
    static const char *const reserved[] = {
        "WEBCAST_EMAIL", "WEBCAST_IDP", "WEBCAST_NAMEID",
        "WEBCAST_AUTHN_CONTEXT", NULL
    };
    static const char *const free_names[] = {
        "WEBCAST_FIRST_NAME", "WEBCAST_LAST_NAME", "WEBCAST_DISPLAY_NAME",
        "WEBCAST_GROUPS", "WEBCAST_EMAIL2", "WEBCAST_EMAI", "webcast_email",
        NULL
    };
    int i;

    for (i = 0; reserved[i]; i++) {
        ck_assert_msg(wcs_env_reserved(reserved[i]), "free %s", reserved[i]);
    }
    for (i = 0; free_names[i]; i++) {
        ck_assert_msg(!wcs_env_reserved(free_names[i]), "reserved %s",
                      free_names[i]);
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

/* Is s well-formed UTF-8 (no check of what the characters are)? */
static int utf8_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    while (*u) {
        int n = *u < 0x80 ? 0 : *u >= 0xf0 ? 3 : *u >= 0xe0 ? 2
                : *u >= 0xc0 ? 1 : -1;

        if (n < 0) {
            return 0;
        }
        for (u++; n > 0; n--, u++) {
            if ((*u & 0xc0) != 0x80) {
                return 0;
            }
        }
    }
    return 1;
}

/* Values cut at WCS_ENV_VALUE_MAX bytes are cut between characters, and
 * no sooner than needed. */
START_TEST(identity_env_cut_on_characters)
{
    static const char *const chars[] = {
        "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", ";", NULL
    };
    apr_array_header_t *map = apr_array_make(wcs_test_pool, 1,
                                             sizeof(wcs_attr_map_t));
    wcs_attr_map_t *m = apr_array_push(map);
    int c, k;

    m->saml_name = "blob";
    m->env_name = "WEBCAST_BLOB";
    for (c = 0; chars[c]; c++) {
        for (k = WCS_ENV_VALUE_MAX - 8; k <= WCS_ENV_VALUE_MAX; k++) {
            wcs_assertion_t *a = assertion("alice@example.test",
                                           WCS_NAMEID_EMAIL);
            char *v = apr_palloc(wcs_test_pool, k + 64);
            const char *out;
            apr_size_t len;
            int i;

            memset(v, 'v', k);
            v[k] = '\0';
            for (i = 0; i < 4; i++) {
                strcat(v, chars[c]);
            }
            add_attr(a, "blob", NULL, v, NULL);
            out = apr_table_get(wcs_identity_env(a, "alice@example.test", map,
                                                 wcs_test_pool),
                                "WEBCAST_BLOB");
            len = strlen(out);
            ck_assert_msg(utf8_ok(out), "prefix %d, char %d: cut inside a "
                          "character", k, c);
            ck_assert_msg(len <= WCS_ENV_VALUE_MAX, "prefix %d: %lu bytes", k,
                          (unsigned long)len);
            /* An escape is "\\;": never cut between the two bytes. */
            ck_assert_msg(len == 0 || out[len - 1] != '\\', "prefix %d: "
                          "a lone escape at the end", k);
            ck_assert_msg(len + 4 > WCS_ENV_VALUE_MAX
                          || len == (apr_size_t)k + 4 * (c == 3 ? 2
                                     : strlen(chars[c])),
                          "prefix %d, char %d: cut at %lu, too soon", k, c,
                          (unsigned long)len);
        }
    }
}
END_TEST

static wcs_idp_t *idp_with(const char *first, ...)
{
    wcs_idp_t *idp = apr_pcalloc(wcs_test_pool, sizeof(*idp));
    const char *d;
    va_list ap;

    idp->entity_id = "https://idp-b.example.test/";
    if (!first) {
        return idp;
    }
    idp->email_domains = apr_array_make(wcs_test_pool, 2,
                                        sizeof(const char *));
    va_start(ap, first);
    for (d = first; d; d = va_arg(ap, const char *)) {
        APR_ARRAY_PUSH(idp->email_domains, const char *) = d;
    }
    va_end(ap);
    return idp;
}

static apr_status_t domain_of(wcs_result_t *res, const char *email,
                              const wcs_idp_t *idp)
{
    res->code = WCS_CODE_NONE;
    res->reason = NULL;
    return wcs_identity_domain_allowed(res, email, idp, wcs_test_pool);
}

START_TEST(identity_email_domains)
{
    wcs_idp_t *idp = idp_with("tenant-b.example", "*.corp.example", NULL);
    wcs_result_t res;
    static const char *const allowed[] = {
        "bob@tenant-b.example", "Bob@TENANT-B.Example", "x@eu.corp.example",
        "x@a.b.Corp.Example", NULL
    };
    static const char *const refused[] = {
        "alice@tenant-a.example", "x@corp.example", "x@evilcorp.example",
        "x@tenant-b.example.evil", "x@xtenant-b.example", "x@sub.tenant-b.example",
        "x@corp.example.evil", NULL
    };
    int i;

    for (i = 0; allowed[i]; i++) {
        ck_assert_msg(domain_of(&res, allowed[i], idp) == APR_SUCCESS,
                      "%s: %s", allowed[i], res.reason);
    }
    for (i = 0; refused[i]; i++) {
        wcs_assert_refused(domain_of(&res, refused[i], idp), res,
                           WCS_CODE_EMAIL_DOMAIN,
                           "https://idp-b.example.test/");
        ck_assert_ptr_nonnull(strstr(res.reason, strrchr(refused[i], '@')
                                                 + 1));
    }
    wcs_assert_refused(domain_of(&res, "alice@tenant-a.example", idp), res,
                       WCS_CODE_EMAIL_DOMAIN,
                       "IdP https://idp-b.example.test/ may not assert email "
                       "domain \"tenant-a.example\" (allowed: "
                       "tenant-b.example *.corp.example)");
    /* "*" only when written; no list at all: every domain. */
    ck_assert_int_eq(domain_of(&res, "any@where.example", idp_with("*", NULL)),
                     APR_SUCCESS);
    ck_assert_int_eq(domain_of(&res, "any@where.example", idp_with(NULL)),
                     APR_SUCCESS);
}
END_TEST

START_TEST(identity_domain_patterns)
{
    static const char *const good[] = {
        "*", "example.com", "*.example.com", "Example.COM", "*.test",
        "b\xc3\xbc" "cher.example", "xn--bcher-kva.example", "a-b.example",
        NULL
    };
    static const char *const bad[] = {
        "", "*example.com", "ex*ample.com", "*.", "*.*.example.com",
        ".example.com", "example.com.", "example..com", "@example.com",
        "alice@example.com", "exa mple.com", "example.com/", "**", NULL
    };
    int i;

    for (i = 0; good[i]; i++) {
        ck_assert_msg(wcs_email_domain_pattern_valid(good[i]), "refused %s",
                      good[i]);
    }
    for (i = 0; bad[i]; i++) {
        ck_assert_msg(!wcs_email_domain_pattern_valid(bad[i]), "accepted %s",
                      bad[i]);
    }
}
END_TEST

/* A structured value in an attribute the module reads is refused (2a);
 * in any other attribute it is only left out. */
START_TEST(identity_structured_attrs)
{
    wcs_assertion_t *a = assertion("alice@example.test", WCS_NAMEID_EMAIL);
    apr_array_header_t *map = apr_array_make(wcs_test_pool, 1,
                                             sizeof(wcs_attr_map_t));
    wcs_attr_map_t *m = apr_array_push(map);
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    wcs_attr_t *at;

    m->saml_name = "groups";
    m->env_name = "WEBCAST_GROUPS";
    add_attr(a, "eptid", NULL, NULL);
    APR_ARRAY_IDX(a->attrs, 0, wcs_attr_t).structured = 1;
    ck_assert_int_eq(wcs_identity_attrs_usable(&res, a, "mail", map,
                                               wcs_test_pool), APR_SUCCESS);
    add_attr(a, "memberOf", "groups", "staff", NULL);
    at = &APR_ARRAY_IDX(a->attrs, 1, wcs_attr_t);
    ck_assert_int_eq(wcs_identity_attrs_usable(&res, a, "mail", map,
                                               wcs_test_pool), APR_SUCCESS);
    at->structured = 1;
    wcs_assert_refused(wcs_identity_attrs_usable(&res, a, "mail", map,
                                                 wcs_test_pool), res,
                       WCS_CODE_SIGNATURE, "\"memberOf\"");
    at->structured = 0;
    add_attr(a, CLAIMS "givenname", NULL, NULL);
    APR_ARRAY_IDX(a->attrs, 2, wcs_attr_t).structured = 1;
    wcs_assert_refused(wcs_identity_attrs_usable(&res, a, NULL, NULL,
                                                 wcs_test_pool), res,
                       WCS_CODE_SIGNATURE, "givenname");
    a = assertion("alice@example.test", WCS_NAMEID_EMAIL);
    add_attr(a, "Mail", NULL, NULL);
    APR_ARRAY_IDX(a->attrs, 0, wcs_attr_t).structured = 1;
    wcs_assert_refused(wcs_identity_attrs_usable(&res, a, "mail", NULL,
                                                 wcs_test_pool), res,
                       WCS_CODE_SIGNATURE, "holding an element");
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
    tcase_add_test(tc, identity_env_reserved);
    tcase_add_test(tc, identity_env_defaults);
    tcase_add_test(tc, identity_env_map_and_values);
    tcase_add_test(tc, identity_env_blanks_controls);
    tcase_add_test(tc, identity_env_cut_on_characters);
    tcase_add_test(tc, identity_email_domains);
    tcase_add_test(tc, identity_domain_patterns);
    tcase_add_test(tc, identity_structured_attrs);
    suite_add_tcase(s, tc);
    return s;
}
