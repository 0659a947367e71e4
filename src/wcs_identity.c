#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "wcs_identity.h"
#include "wcs_xml.h"

#define EMAIL_MAX 254
#define EMAIL_LOCAL_MAX 64

static int atext(unsigned char c)
{
    return apr_isalnum(c) || strchr("!#$%&'*+/=?^_`{|}~-", c) || c >= 0x80;
}

static int dot_atom(const char *s, apr_size_t len, int (*ok)(unsigned char))
{
    apr_size_t i;

    if (len == 0 || s[0] == '.' || s[len - 1] == '.') {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (s[i + 1] == '.') {
                return 0;
            }
        }
        else if (!ok((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static int domain_char(unsigned char c)
{
    return apr_isalnum(c) || c == '-' || c >= 0x80;
}

int wcs_email_valid(const char *s)
{
    const char *at = s ? strchr(s, '@') : NULL;
    apr_size_t len;

    if (!at || strchr(at + 1, '@')) {
        return 0;
    }
    len = strlen(s);
    if (len > EMAIL_MAX || (apr_size_t)(at - s) > EMAIL_LOCAL_MAX) {
        return 0;
    }
    /* Entra writes a guest's UPN as name_domain#EXT#@tenant: an account
     * name, not where mail reaches the person. */
    if (strstr(s, "#EXT#") || strstr(s, "#ext#")) {
        return 0;
    }
    return dot_atom(s, (apr_size_t)(at - s), atext)
           && dot_atom(at + 1, strlen(at + 1), domain_char)
           && strchr(at + 1, '.') != NULL;
}

/* Persistent and transient NameIDs are opaque by definition (core
 * 8.3.7, 8.3.8) even when the value looks like an address: only these
 * formats may carry the email. */
static int email_format_ok(const char *format)
{
    return !format || !strcmp(format, WCS_NAMEID_UNSPECIFIED)
           || !strcmp(format, WCS_NAMEID_EMAIL);
}

static const char *lower(const char *s, apr_pool_t *p)
{
    char *out = apr_pstrdup(p, s), *c;

    for (c = out; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return out;
}

apr_status_t wcs_identity_email(const char **email, wcs_result_t *res,
                                const wcs_assertion_t *a,
                                const char *email_attr, apr_pool_t *p)
{
    const char *value;

    *email = NULL;
    if (email_attr) {
        const wcs_attr_t *at = wcs_assertion_attr(a, email_attr);

        if (!at || at->values->nelts == 0) {
            return wcs_refuse(res, p, WCS_CODE_NO_EMAIL,
                              "the assertion has no attribute \"%s\" "
                              "(WebcastSAMLEmailAttribute)", email_attr);
        }
        value = wcs_str_trim(apr_pstrdup(p, APR_ARRAY_IDX(at->values, 0,
                                                          const char *)));
        if (!wcs_email_valid(value)) {
            return wcs_refuse(res, p, WCS_CODE_NO_EMAIL,
                              "attribute \"%s\" is \"%s\", not an email "
                              "address", email_attr, value);
        }
        *email = lower(value, p);
        return APR_SUCCESS;
    }
    if (!a->name_id || !*a->name_id) {
        return wcs_refuse(res, p, WCS_CODE_NO_EMAIL,
                          "the assertion has no NameID (or an empty one)");
    }
    if (!email_format_ok(a->name_id_format)) {
        return wcs_refuse(res, p, WCS_CODE_NO_EMAIL,
                          "NameID has Format %s; an email NameID "
                          "(emailAddress or unspecified) is required",
                          a->name_id_format);
    }
    if (!wcs_email_valid(a->name_id)) {
        return wcs_refuse(res, p, WCS_CODE_NO_EMAIL,
                          "NameID \"%s\" is not an email address (a username "
                          "or opaque ID is refused)", a->name_id);
    }
    *email = lower(a->name_id, p);
    return APR_SUCCESS;
}

int wcs_env_name_valid(const char *name)
{
    const char *c;

    if (strncmp(name, WCS_ENV_PREFIX, strlen(WCS_ENV_PREFIX))
        || !name[strlen(WCS_ENV_PREFIX)]) {
        return 0;
    }
    for (c = name; *c; c++) {
        if (!apr_isupper(*c) && !apr_isdigit(*c) && *c != '_') {
            return 0;
        }
    }
    return 1;
}

/* Attribute names IdPs use for names, by their usual spellings. */
static const wcs_attr_map_t default_map[] = {
    { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
      "WEBCAST_FIRST_NAME" },
    { "givenName", "WEBCAST_FIRST_NAME" },
    { "firstName", "WEBCAST_FIRST_NAME" },
    { "first_name", "WEBCAST_FIRST_NAME" },
    { "urn:oid:2.5.4.42", "WEBCAST_FIRST_NAME" },
    { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
      "WEBCAST_LAST_NAME" },
    { "sn", "WEBCAST_LAST_NAME" },
    { "surname", "WEBCAST_LAST_NAME" },
    { "lastName", "WEBCAST_LAST_NAME" },
    { "last_name", "WEBCAST_LAST_NAME" },
    { "urn:oid:2.5.4.4", "WEBCAST_LAST_NAME" },
    { "http://schemas.microsoft.com/identity/claims/displayname",
      "WEBCAST_DISPLAY_NAME" },
    { "displayName", "WEBCAST_DISPLAY_NAME" },
    { "urn:oid:2.16.840.1.113730.3.1.241", "WEBCAST_DISPLAY_NAME" },
    { NULL, NULL }
};

/* Join values with ';', escaping ';' and '\', blanking control bytes. */
static const char *join_values(const apr_array_header_t *values,
                               apr_pool_t *p)
{
    apr_size_t cap = 0, n = 0;
    char *out;
    int i;

    for (i = 0; i < values->nelts; i++) {
        cap += 2 * strlen(APR_ARRAY_IDX(values, i, const char *)) + 1;
    }
    if (cap > WCS_ENV_VALUE_MAX) {
        cap = WCS_ENV_VALUE_MAX;
    }
    out = apr_palloc(p, cap + 1);
    for (i = 0; i < values->nelts; i++) {
        const unsigned char *v = APR_ARRAY_IDX(values, i,
                                               const unsigned char *);

        if (i > 0 && n < cap) {
            out[n++] = ';';
        }
        for (; *v && n + 2 <= cap; v++) {
            if (*v == ';' || *v == '\\') {
                out[n++] = '\\';
            }
            out[n++] = (char)(*v < 0x20 || *v == 0x7f ? ' ' : *v);
        }
    }
    out[n] = '\0';
    return out;
}

/* A single value, with control characters blanked as join_values does:
 * these values may become request headers. */
static const char *clean_value(const char *v, apr_pool_t *p)
{
    apr_array_header_t *one = apr_array_make(p, 1, sizeof(const char *));

    APR_ARRAY_PUSH(one, const char *) = v;
    return join_values(one, p);
}

static void apply_map(apr_table_t *env, const wcs_assertion_t *a,
                      const wcs_attr_map_t *m, apr_pool_t *p)
{
    const wcs_attr_t *at = wcs_assertion_attr(a, m->saml_name);

    if (at && at->values->nelts > 0 && !apr_table_get(env, m->env_name)) {
        apr_table_setn(env, m->env_name, join_values(at->values, p));
    }
}

apr_table_t *wcs_identity_env(const wcs_assertion_t *a, const char *email,
                              const apr_array_header_t *map, apr_pool_t *p)
{
    apr_table_t *env = apr_table_make(p, 8);
    const wcs_attr_map_t *m;
    int i;

    apr_table_setn(env, "WEBCAST_EMAIL", email);
    apr_table_setn(env, "WEBCAST_IDP", a->idp->entity_id);
    if (a->name_id) {
        apr_table_setn(env, "WEBCAST_NAMEID", clean_value(a->name_id, p));
    }
    if (a->authn_context) {
        apr_table_setn(env, "WEBCAST_AUTHN_CONTEXT",
                       clean_value(a->authn_context, p));
    }
    /* Configured mappings first: a variable is set once, so they win. */
    for (i = 0; map && i < map->nelts; i++) {
        apply_map(env, a, &APR_ARRAY_IDX(map, i, wcs_attr_map_t), p);
    }
    for (m = default_map; m->saml_name; m++) {
        apply_map(env, a, m, p);
    }
    return env;
}
