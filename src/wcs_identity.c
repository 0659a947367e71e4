#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "wcs_identity.h"
#include "wcs_str.h"

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

/* Decode the UTF-8 character at *s (not past end) into *cp and advance
 * *s; 0 for a malformed, overlong or surrogate sequence or one beyond
 * U+10FFFF (RFC 3629). */
static int utf8_next(apr_uint32_t *cp, const unsigned char **s,
                     const unsigned char *end)
{
    static const apr_uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
    const unsigned char *u = *s;
    apr_uint32_t c;
    int n, i;

    if (u[0] < 0x80) {
        n = 0;
        c = u[0];
    }
    else if ((u[0] & 0xe0) == 0xc0) {
        n = 1;
        c = u[0] & 0x1f;
    }
    else if ((u[0] & 0xf0) == 0xe0) {
        n = 2;
        c = u[0] & 0x0f;
    }
    else if ((u[0] & 0xf8) == 0xf0) {
        n = 3;
        c = u[0] & 0x07;
    }
    else {
        return 0;
    }
    if (end - u <= n) {
        return 0;
    }
    for (i = 1; i <= n; i++) {
        if ((u[i] & 0xc0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (u[i] & 0x3f);
    }
    if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }
    *cp = c;
    *s = u + n + 1;
    return 1;
}

/* Characters that do not show, or show as a space: in an address they
 * make one that looks like another.  Controls (C0, DEL, C1), no-break
 * and other spaces, soft hyphen, zero-width and bidi controls, the
 * invisible operators, the BOM. */
static int invisible(apr_uint32_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad
           || c == 0x1680 || (c >= 0x2000 && c <= 0x200f)
           || (c >= 0x2028 && c <= 0x202f) || (c >= 0x205f && c <= 0x206f)
           || c == 0x3000 || c == 0xfeff;
}

/* Is s valid UTF-8 with only visible characters? */
static int visible_utf8(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    const unsigned char *end = u + strlen(s);
    apr_uint32_t c;

    while (u < end) {
        if (!utf8_next(&c, &u, end) || invisible(c)) {
            return 0;
        }
    }
    return 1;
}

/* Entra writes a guest's UPN as name_domain#EXT#@tenant: an account name,
 * not where mail reaches the person.  Entra's own case varies. */
static int entra_guest_upn(const char *s)
{
    for (; *s; s++) {
        if (!strncasecmp(s, "#EXT#", 5)) {
            return 1;
        }
    }
    return 0;
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
    if (entra_guest_upn(s) || !visible_utf8(s)) {
        return 0;
    }
    return dot_atom(s, (apr_size_t)(at - s), atext)
           && dot_atom(at + 1, strlen(at + 1), domain_char)
           && strchr(at + 1, '.') != NULL;
}

/* Persistent and transient NameIDs are opaque by definition (core
 * 8.3.7, 8.3.8) even when the value looks like an address: only these
 * formats may carry the email, in their SAML 1.1 or 1.0 spelling. */
static int email_format_ok(const char *format)
{
    return !format || !strcmp(format, WCS_NAMEID_UNSPECIFIED)
           || !strcmp(format, WCS_NAMEID_EMAIL)
           || !strcmp(format, WCS_NAMEID_UNSPECIFIED_10)
           || !strcmp(format, WCS_NAMEID_EMAIL_10);
}

/* Refuse value (what: where it came from) as an Entra guest UPN, with
 * the fix at the IdP: the generic reason would send the admin looking
 * for a username. */
static apr_status_t refuse_guest_upn(wcs_result_t *res, const char *what,
                                     const char *value, apr_pool_t *p)
{
    return wcs_refuse(res, p, WCS_CODE_NO_EMAIL,
                      "%s \"%s\" is an Entra ID guest UPN "
                      "(user_domain#EXT#@tenant), not the guest's email "
                      "address: in the Entra application's Attributes & "
                      "Claims, set the Unique User Identifier (NameID) "
                      "source to user.mail, or send the email in a claim "
                      "and name it with " WCS_CMD_EMAIL_ATTRIBUTE,
                      what, value);
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
                              "(" WCS_CMD_EMAIL_ATTRIBUTE ")", email_attr);
        }
        value = wcs_str_trim(apr_pstrdup(p, APR_ARRAY_IDX(at->values, 0,
                                                          const char *)));
        if (entra_guest_upn(value)) {
            return refuse_guest_upn(res, apr_psprintf(p, "attribute \"%s\"",
                                                      email_attr), value, p);
        }
        if (!wcs_email_valid(value)) {
            return wcs_refuse(res, p, WCS_CODE_NO_EMAIL,
                              "attribute \"%s\" is \"%s\", not an email "
                              "address", email_attr, value);
        }
        *email = wcs_str_lower(value, p);
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
    if (entra_guest_upn(a->name_id)) {
        return refuse_guest_upn(res, "NameID", a->name_id, p);
    }
    if (!wcs_email_valid(a->name_id)) {
        return wcs_refuse(res, p, WCS_CODE_NO_EMAIL,
                          "NameID \"%s\" is not an email address (a username "
                          "or opaque ID is refused)", a->name_id);
    }
    *email = wcs_str_lower(a->name_id, p);
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

int wcs_env_reserved(const char *name)
{
    static const char *const reserved[] = {
        WCS_ENV_EMAIL, WCS_ENV_IDP, WCS_ENV_NAMEID, WCS_ENV_AUTHN_CONTEXT,
        WCS_ENV_EVENT_ID, WCS_ENV_ROLE, WCS_ENV_LICENSE,
        NULL
    };
    int i;

    for (i = 0; reserved[i]; i++) {
        if (!strcmp(name, reserved[i])) {
            return 1;
        }
    }
    return 0;
}

/* Attribute names IdPs use for names, by their usual spellings. */
static const wcs_attr_map_t default_map[] = {
    { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
      WCS_ENV_FIRST_NAME },
    { "givenName", WCS_ENV_FIRST_NAME },
    { "firstName", WCS_ENV_FIRST_NAME },
    { "first_name", WCS_ENV_FIRST_NAME },
    { "urn:oid:2.5.4.42", WCS_ENV_FIRST_NAME },
    { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
      WCS_ENV_LAST_NAME },
    { "sn", WCS_ENV_LAST_NAME },
    { "surname", WCS_ENV_LAST_NAME },
    { "lastName", WCS_ENV_LAST_NAME },
    { "last_name", WCS_ENV_LAST_NAME },
    { "urn:oid:2.5.4.4", WCS_ENV_LAST_NAME },
    { "http://schemas.microsoft.com/identity/claims/displayname",
      WCS_ENV_DISPLAY_NAME },
    { "displayName", WCS_ENV_DISPLAY_NAME },
    { "urn:oid:2.16.840.1.113730.3.1.241", WCS_ENV_DISPLAY_NAME },
    { NULL, NULL }
};

/* Bytes of the UTF-8 character starting at v: its sequence length when
 * the continuation bytes are there, else 1 (a stray byte goes alone). */
static apr_size_t char_len(const unsigned char *v)
{
    apr_size_t n = *v >= 0xf0 ? 4 : *v >= 0xe0 ? 3 : *v >= 0xc0 ? 2 : 1;
    apr_size_t i;

    for (i = 1; i < n; i++) {
        if ((v[i] & 0xc0) != 0x80) {
            return 1;
        }
    }
    return n;
}

/* Append v to out (holding *n bytes of at most cap), escaping ';' and
 * '\\' and blanking control bytes; stops before the first character (or
 * escape) that does not fit whole, so that out stays UTF-8.  Returns 0
 * when it stopped for lack of room. */
static int append_value(char *out, apr_size_t *n, apr_size_t cap,
                        const unsigned char *v)
{
    apr_size_t len;
    int escape;

    for (; *v; v += len) {
        len = char_len(v);
        escape = *v == ';' || *v == '\\';
        if (*n + len + escape > cap) {
            return 0;
        }
        if (escape) {
            out[(*n)++] = '\\';
        }
        if (len == 1) {
            out[(*n)++] = (char)(*v < 0x20 || *v == 0x7f ? ' ' : *v);
        }
        else {
            memcpy(out + *n, v, len);
            *n += len;
        }
    }
    return 1;
}

/* Join values with ';', at most WCS_ENV_VALUE_MAX bytes (append_value). */
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
        if (i > 0) {
            if (n + 1 > cap) {
                break;
            }
            out[n++] = ';';
        }
        if (!append_value(out, &n, cap, APR_ARRAY_IDX(values, i,
                                                      const unsigned char *))) {
            break;
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

    apr_table_setn(env, WCS_ENV_EMAIL, email);
    apr_table_setn(env, WCS_ENV_IDP, a->idp->entity_id);
    if (a->name_id) {
        apr_table_setn(env, WCS_ENV_NAMEID, clean_value(a->name_id, p));
    }
    if (a->authn_context) {
        apr_table_setn(env, WCS_ENV_AUTHN_CONTEXT,
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

/* --- which IdP may assert which email domain ------------------------- */

/* ASCII-only case folding: domain lists are compared byte for byte
 * otherwise, whatever locale the process runs in. */
static int ascii_casecmp(const char *a, const char *b)
{
    unsigned char ca, cb;

    do {
        ca = (unsigned char)*a++;
        cb = (unsigned char)*b++;
        ca = ca >= 'A' && ca <= 'Z' ? (unsigned char)(ca + 32) : ca;
        cb = cb >= 'A' && cb <= 'Z' ? (unsigned char)(cb + 32) : cb;
    } while (ca && ca == cb);
    return ca - cb;
}

int wcs_email_domain_pattern_valid(const char *pattern)
{
    if (!strcmp(pattern, "*")) {
        return 1;
    }
    if (!strncmp(pattern, "*.", 2)) {
        pattern += 2;
    }
    return dot_atom(pattern, strlen(pattern), domain_char);
}

static int domain_matches(const char *domain, const char *pattern)
{
    apr_size_t dlen, plen;

    if (!strcmp(pattern, "*")) {
        return 1;
    }
    if (strncmp(pattern, "*.", 2)) {
        return !ascii_casecmp(domain, pattern);
    }
    /* "*.d": a subdomain of d, at any depth, and never d itself. */
    dlen = strlen(domain);
    plen = strlen(pattern + 1);
    return dlen > plen && !ascii_casecmp(domain + dlen - plen, pattern + 1);
}

const char *wcs_email_domain(const char *email)
{
    const char *at = strrchr(email, '@');

    return at ? at + 1 : email;
}

int wcs_email_domain_in(const char *email,
                        const apr_array_header_t *patterns)
{
    const char *domain = wcs_email_domain(email);
    int i;

    for (i = 0; i < patterns->nelts; i++) {
        if (domain_matches(domain,
                           APR_ARRAY_IDX(patterns, i, const char *))) {
            return 1;
        }
    }
    return 0;
}

apr_status_t wcs_identity_domain_allowed(wcs_result_t *res,
                                         const char *email,
                                         const wcs_idp_t *idp, apr_pool_t *p)
{
    const apr_array_header_t *list = idp->email_domains;
    const char *domain = wcs_email_domain(email);

    if (!list || wcs_email_domain_in(email, list)) {
        return APR_SUCCESS;
    }
    return wcs_refuse(res, p, WCS_CODE_EMAIL_DOMAIN,
                      "IdP %s may not assert email domain \"%s\" (allowed: "
                      "%s), as " WCS_CMD_IDP_EMAIL_DOMAINS " configures it",
                      idp->entity_id, domain,
                      apr_array_pstrcat(p, list, ' '));
}

/* --- structured values ---------------------------------------------- */

static int attr_named(const wcs_attr_t *at, const char *name)
{
    return name && ((at->name && !strcasecmp(at->name, name))
                    || (at->friendly_name
                        && !strcasecmp(at->friendly_name, name)));
}

/* Does the module read at: the email attribute, a configured mapping or
 * one of the default name mappings? */
static int attr_is_read(const wcs_attr_t *at, const char *email_attr,
                        const apr_array_header_t *map)
{
    const wcs_attr_map_t *m;
    int i;

    if (attr_named(at, email_attr)) {
        return 1;
    }
    for (i = 0; map && i < map->nelts; i++) {
        if (attr_named(at, APR_ARRAY_IDX(map, i, wcs_attr_map_t).saml_name)) {
            return 1;
        }
    }
    for (m = default_map; m->saml_name; m++) {
        if (attr_named(at, m->saml_name)) {
            return 1;
        }
    }
    return 0;
}

apr_status_t wcs_identity_attrs_usable(wcs_result_t *res,
                                       const wcs_assertion_t *a,
                                       const char *email_attr,
                                       const apr_array_header_t *map,
                                       apr_pool_t *p)
{
    int i;

    for (i = 0; i < a->attrs->nelts; i++) {
        const wcs_attr_t *at = &APR_ARRAY_IDX(a->attrs, i, wcs_attr_t);

        if (at->structured && attr_is_read(at, email_attr, map)) {
            return wcs_refuse(res, p, WCS_CODE_SIGNATURE,
                              "attribute \"%s\" has %d value(s) holding an "
                              "element, not text; this SP reads the "
                              "attribute and does not flatten such values",
                              at->name, at->structured);
        }
    }
    return APR_SUCCESS;
}
