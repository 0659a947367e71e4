/*
 * wcs_sp: an SP built from a description as the directives give it, with
 * the refusals that `apachectl configtest` shows word for word.
 */
#include <apr_strings.h>

#include "check_wcs.h"
#include "wcs_idp.h"
#include "wcs_names.h"
#include "wcs_sp.h"
#include "wcs_xml.h"

#define SP_NAME "vhost www.example.test:443"
#define IDP_A "https://a.example.test/"
#define IDP_B "https://b.example.test/"
#define UNKNOWN "https://unknown.example.test/"
#define NOT_OURS ", which is not a configured IdP of " SP_NAME " (a vhost " \
    "with IdPs of its own takes only its own per-IdP lines)"

/* A description with an entity ID and IdPs A and B, else the defaults. */
static wcs_sp_desc_t *two_idps(void)
{
    wcs_sp_desc_t *d = apr_palloc(wcs_test_pool, sizeof(*d));

    wcs_sp_desc_init(d);
    d->name = SP_NAME;
    d->entity_id = WCS_TEST_SP;
    d->idps = apr_hash_make(wcs_test_pool);
    apr_hash_set(d->idps, IDP_A, APR_HASH_KEY_STRING,
                 wcs_idp_create(IDP_A, "test", wcs_test_pool));
    apr_hash_set(d->idps, IDP_B, APR_HASH_KEY_STRING,
                 wcs_idp_create(IDP_B, "test", wcs_test_pool));
    return d;
}

static const wcs_idp_t *idp_of(apr_hash_t *idps, const char *id)
{
    const wcs_idp_t *idp = apr_hash_get(idps, id, APR_HASH_KEY_STRING);

    ck_assert_ptr_nonnull(idp);
    return idp;
}

static apr_array_header_t *names(const char *one)
{
    apr_array_header_t *a = apr_array_make(wcs_test_pool, 1,
                                           sizeof(const char *));

    APR_ARRAY_PUSH(a, const char *) = one;
    return a;
}

/* Build d, expecting a refusal whose reason is exactly want. */
static void assert_build_refused(const wcs_sp_desc_t *d, const char *want)
{
    wcs_sp_t before;
    wcs_sp_t *sp = &before;
    const char *err = NULL;

    ck_assert_int_eq(wcs_sp_build(&sp, &err, d, wcs_test_pool), APR_EINVAL);
    ck_assert_ptr_null(sp);
    ck_assert_str_eq(err, want);
}

START_TEST(sp_desc_defaults)
{
    wcs_sp_desc_t d;

    wcs_sp_desc_init(&d);
    ck_assert_ptr_null(d.entity_id);
    ck_assert_ptr_null(d.acs_url);
    ck_assert_ptr_null(d.idps);
    ck_assert_int_eq(d.signed_parts, WCS_SIGNED_EITHER);
    ck_assert_int_eq(d.clock_skew, WCS_CLOCK_SKEW_DEFAULT);
    ck_assert_int_eq(d.max_assertion_age, WCS_MAX_ASSERTION_AGE_DEFAULT);
    ck_assert_uint_eq(d.max_response_bytes, WCS_RESPONSE_MAX_BYTES_DEFAULT);
    ck_assert_int_eq(d.session_lifetime, WCS_SESSION_LIFETIME_DEFAULT);
    ck_assert_ptr_null(d.email_attr);
    ck_assert(!wcs_sp_desc_in_use(&d));
    d.idps = apr_hash_make(wcs_test_pool);
    ck_assert(!wcs_sp_desc_in_use(&d));
    d.entity_id = WCS_TEST_SP;
    ck_assert(wcs_sp_desc_in_use(&d));
    ck_assert(wcs_sp_desc_in_use(two_idps()));
}
END_TEST

START_TEST(sp_build_applies_defaults)
{
    wcs_sp_desc_t *d = two_idps();
    wcs_sp_t *sp = NULL;
    const char *err = NULL;

    d->site_id = WCS_TEST_SP " @ www.example.test:443";
    ck_assert_int_eq(wcs_sp_build(&sp, &err, d, wcs_test_pool), APR_SUCCESS);
    ck_assert_str_eq(sp->entity_id, WCS_TEST_SP);
    ck_assert_str_eq(sp->site_id, WCS_TEST_SP " @ www.example.test:443");
    ck_assert_ptr_null(sp->acs_url);
    ck_assert_ptr_null(sp->acs_url_hint);
    ck_assert_uint_eq(apr_hash_count(sp->idps), 2);
    ck_assert_int_eq(sp->signed_parts, WCS_SIGNED_EITHER);
    ck_assert_int_eq(sp->clock_skew, WCS_CLOCK_SKEW_DEFAULT);
    ck_assert_int_eq(sp->max_assertion_age, WCS_MAX_ASSERTION_AGE_DEFAULT);
    ck_assert_uint_eq(sp->max_response_bytes, WCS_RESPONSE_MAX_BYTES_DEFAULT);
    ck_assert_int_eq(sp->max_depth, WCS_XML_MAX_DEPTH_DEFAULT);
    ck_assert_int_eq(sp->session_lifetime, WCS_SESSION_LIFETIME_DEFAULT);
    ck_assert_ptr_null(sp->email_attr);
    ck_assert(!idp_of(sp->idps, IDP_A)->allow_sha1);
    ck_assert_ptr_null(idp_of(sp->idps, IDP_A)->email_domains);
}
END_TEST

START_TEST(sp_build_takes_what_is_set)
{
    wcs_sp_desc_t *d = two_idps();
    wcs_sp_t *sp = NULL;
    const char *err = NULL;

    d->acs_url = WCS_TEST_ACS;
    d->signed_parts = WCS_SIGNED_BOTH;
    d->clock_skew = apr_time_from_sec(5);
    d->max_assertion_age = apr_time_from_sec(40);
    d->max_response_bytes = 5000;
    d->email_attr = "mail";
    d->session_lifetime = apr_time_from_sec(90);
    ck_assert_int_eq(wcs_sp_build(&sp, &err, d, wcs_test_pool), APR_SUCCESS);
    ck_assert_str_eq(sp->acs_url, WCS_TEST_ACS);
    ck_assert_int_eq(sp->signed_parts, WCS_SIGNED_BOTH);
    ck_assert_int_eq(sp->clock_skew, apr_time_from_sec(5));
    ck_assert_int_eq(sp->max_assertion_age, apr_time_from_sec(40));
    ck_assert_uint_eq(sp->max_response_bytes, 5000);
    ck_assert_str_eq(sp->email_attr, "mail");
    ck_assert_int_eq(sp->session_lifetime, apr_time_from_sec(90));
}
END_TEST

START_TEST(sp_build_needs_entity_id)
{
    wcs_sp_desc_t *d = two_idps();

    d->entity_id = NULL;
    assert_build_refused(d, WCS_CMD_SP_ENTITY_ID " is not set, but IdPs are "
                         "configured");
}
END_TEST

START_TEST(sp_build_needs_an_idp)
{
    wcs_sp_desc_t *d = two_idps();
    const char *want = "no IdP is configured (" WCS_CMD_IDP_METADATA " or "
                       WCS_CMD_IDP ")";

    ck_assert_str_eq(want, "no IdP is configured (WebcastSAMLIdPMetadata or "
                     "WebcastSAMLIdP)");
    d->idps = NULL;
    assert_build_refused(d, want);
    d->idps = apr_hash_make(wcs_test_pool);
    assert_build_refused(d, want);
}
END_TEST

START_TEST(sp_build_refuses_unknown_sha1_idp)
{
    wcs_sp_desc_t *d = two_idps();
    const char *err = NULL;

    d->sha1_idps = names(UNKNOWN);
    ck_assert_int_eq(wcs_sp_check_idp_names(&err, d, wcs_test_pool),
                     APR_EINVAL);
    ck_assert_str_eq(err, "WebcastSAMLAllowSHA1 names " UNKNOWN NOT_OURS);
    assert_build_refused(d, "WebcastSAMLAllowSHA1 names " UNKNOWN NOT_OURS);
    /* Start-up checks the names of every vhost first: so does the build. */
    d->entity_id = NULL;
    assert_build_refused(d, "WebcastSAMLAllowSHA1 names " UNKNOWN NOT_OURS);
}
END_TEST

START_TEST(sp_build_refuses_unknown_domain_idp)
{
    wcs_sp_desc_t *d = two_idps();
    const char *err = NULL;

    d->idp_domains = apr_hash_make(wcs_test_pool);
    apr_hash_set(d->idp_domains, UNKNOWN, APR_HASH_KEY_STRING,
                 names("example.test"));
    ck_assert_int_eq(wcs_sp_check_idp_names(&err, d, wcs_test_pool),
                     APR_EINVAL);
    ck_assert_str_eq(err, "WebcastSAMLIdPEmailDomains names " UNKNOWN
                     NOT_OURS);
    assert_build_refused(d, "WebcastSAMLIdPEmailDomains names " UNKNOWN
                         NOT_OURS);
    /* No IdP at all: every per-IdP line names an unknown one. */
    d->idps = NULL;
    assert_build_refused(d, "WebcastSAMLIdPEmailDomains names " UNKNOWN
                         NOT_OURS);
}
END_TEST

START_TEST(sp_build_applies_idp_lines_to_copies)
{
    wcs_sp_desc_t *d = two_idps();
    apr_array_header_t *domains = names("*.example.test");
    const wcs_idp_t *conf_a = idp_of(d->idps, IDP_A);
    const wcs_idp_t *conf_b = idp_of(d->idps, IDP_B);
    wcs_sp_t *sp = NULL;
    const char *err = NULL;

    d->sha1_idps = names(IDP_A);
    d->idp_domains = apr_hash_make(wcs_test_pool);
    apr_hash_set(d->idp_domains, IDP_B, APR_HASH_KEY_STRING, domains);
    ck_assert_int_eq(wcs_sp_check_idp_names(&err, d, wcs_test_pool),
                     APR_SUCCESS);
    ck_assert_int_eq(wcs_sp_build(&sp, &err, d, wcs_test_pool), APR_SUCCESS);
    /* The SP's IdPs are copies carrying the lines... */
    ck_assert_ptr_ne(idp_of(sp->idps, IDP_A), conf_a);
    ck_assert_ptr_ne(idp_of(sp->idps, IDP_B), conf_b);
    ck_assert(idp_of(sp->idps, IDP_A)->allow_sha1);
    ck_assert_ptr_null(idp_of(sp->idps, IDP_A)->email_domains);
    ck_assert(!idp_of(sp->idps, IDP_B)->allow_sha1);
    ck_assert_ptr_eq(idp_of(sp->idps, IDP_B)->email_domains, domains);
    ck_assert_ptr_eq(idp_of(sp->idps, IDP_A)->keys, conf_a->keys);
    /* ...and the configured ones, which other vhosts share, are as they
     * were. */
    ck_assert_uint_eq(apr_hash_count(d->idps), 2);
    ck_assert_ptr_eq(idp_of(d->idps, IDP_A), conf_a);
    ck_assert(!conf_a->allow_sha1);
    ck_assert_ptr_null(conf_a->email_domains);
    ck_assert(!conf_b->allow_sha1);
    ck_assert_ptr_null(conf_b->email_domains);
}
END_TEST

Suite *wcs_suite_sp(void)
{
    Suite *s = suite_create("sp");
    TCase *tc = tcase_create("build");

    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, sp_desc_defaults);
    tcase_add_test(tc, sp_build_applies_defaults);
    tcase_add_test(tc, sp_build_takes_what_is_set);
    tcase_add_test(tc, sp_build_needs_entity_id);
    tcase_add_test(tc, sp_build_needs_an_idp);
    tcase_add_test(tc, sp_build_refuses_unknown_sha1_idp);
    tcase_add_test(tc, sp_build_refuses_unknown_domain_idp);
    tcase_add_test(tc, sp_build_applies_idp_lines_to_copies);
    suite_add_tcase(s, tc);
    return s;
}
