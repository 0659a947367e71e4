/*
 * What several suites share: the fixture directory made by
 * t/make-fixtures.sh, signed responses from t/tools/wcs_mkresponse, the
 * test SP, and an in-memory wcs_store_t.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "check_wcs.h"
#include "wcs_authnreq.h"
#include "wcs_idp.h"
#include "wcs_session.h"
#include "wcs_sig.h"
#include "wcs_xml.h"

/* --- fixtures -------------------------------------------------------- */

static char fixture_dir[64];
static char top_builddir[PATH_MAX];
static pid_t fixture_owner;

static void fixtures_remove(void)
{
    char cmd[128];

    /* Forked tests exit through here too: only the runner removes. */
    if (fixture_dir[0] && getpid() == fixture_owner) {
        apr_snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fixture_dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "cannot remove %s\n", fixture_dir);
        }
    }
}

static int fixtures_make(void)
{
    const char *build = getenv("WCS_TOP_BUILDDIR");
    const char *src = getenv("WCS_TOP_SRCDIR");
    char srcdir[PATH_MAX], cmd[3 * PATH_MAX];

    if (!build || !*build) {
        build = ".";
    }
    if (!src || !*src) {
        src = build;
    }
    if (!realpath(build, top_builddir) || !realpath(src, srcdir)) {
        fprintf(stderr, "cannot resolve WCS_TOP_BUILDDIR/WCS_TOP_SRCDIR\n");
        return 0;
    }
    strcpy(fixture_dir, "/tmp/wcs-unit-XXXXXX");
    if (!mkdtemp(fixture_dir)) {
        fixture_dir[0] = '\0';
        return 0;
    }
    fixture_owner = getpid();
    atexit(fixtures_remove);
    apr_snprintf(cmd, sizeof(cmd), "sh '%s/t/make-fixtures.sh' '%s'",
                 srcdir, fixture_dir);
    return system(cmd) == 0;
}

const char *wcs_test_fixture_dir(void)
{
    static int made = -1;

    if (made < 0) {
        made = fixtures_make();
    }
    ck_assert_msg(made, "t/make-fixtures.sh failed (directory %s)",
                  fixture_dir);
    return fixture_dir;
}

void wcs_test_fixtures_setup(void)
{
    wcs_test_fixture_dir();
}

const char *wcs_test_file(const char *name, apr_pool_t *p)
{
    return apr_pstrcat(p, wcs_test_fixture_dir(), "/", name, NULL);
}

const char *wcs_test_write_file(const char *name, const char *content,
                                apr_pool_t *p)
{
    const char *path = wcs_test_file(name, p);
    apr_file_t *f;
    apr_size_t len = strlen(content);

    ck_assert_int_eq(apr_file_open(&f, path, APR_FOPEN_WRITE
                                   | APR_FOPEN_CREATE | APR_FOPEN_TRUNCATE
                                   | APR_FOPEN_BINARY, APR_FPROT_OS_DEFAULT,
                                   p), APR_SUCCESS);
    ck_assert_int_eq(apr_file_write_full(f, content, len, NULL), APR_SUCCESS);
    ck_assert_int_eq(apr_file_close(f), APR_SUCCESS);
    return path;
}

/* --- signed responses ------------------------------------------------ */

const char *wcs_test_mkresponse(const char *args, apr_pool_t *p)
{
    const char *dir = wcs_test_fixture_dir();
    const char *cmd;
    char buf[4096];
    char *out = "";
    apr_size_t n, len = 0;
    FILE *f;
    int status;

    cmd = apr_psprintf(p, "cd '%s' && '%s/t/tools/wcs_mkresponse' "
                       "--key idp.key --cert idp.pem --acs %s --audience %s %s",
                       dir, top_builddir, WCS_TEST_ACS, WCS_TEST_SP, args);
    f = popen(cmd, "r");
    ck_assert_msg(f != NULL, "cannot run %s", cmd);
    for (n = fread(buf, 1, sizeof(buf), f); n > 0;
         n = fread(buf, 1, sizeof(buf), f)) {
        char *grown = apr_palloc(p, len + n + 1);

        memcpy(grown, out, len);
        memcpy(grown + len, buf, n);
        len += n;
        grown[len] = '\0';
        out = grown;
    }
    status = pclose(f);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0 && len > 0,
                  "wcs_mkresponse %s failed", args);
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r')) {
        out[--len] = '\0';
    }
    return out;
}

/* --- the test SP ----------------------------------------------------- */

static void add_idp(apr_hash_t *idps, const char *entity_id,
                    const char *file1, const char *file2, apr_pool_t *p)
{
    wcs_idp_t *idp = wcs_idp_create(entity_id, "unit test", p);
    const char *err = NULL;

    ck_assert_msg(wcs_idp_add_cert_file(idp, &err, wcs_test_file(file1, p), p)
                  == APR_SUCCESS, "%s", err);
    if (file2) {
        ck_assert_msg(wcs_idp_add_cert_file(idp, &err,
                                            wcs_test_file(file2, p), p)
                      == APR_SUCCESS, "%s", err);
    }
    apr_hash_set(idps, idp->entity_id, APR_HASH_KEY_STRING, idp);
}

static void add_metadata(apr_hash_t *idps, const char *file, apr_pool_t *p)
{
    const char *err = NULL;
    int count = 0;

    ck_assert_msg(wcs_idp_load_metadata(idps, &count, &err,
                                        wcs_test_file(file, p), p, p)
                  == APR_SUCCESS, "%s", err);
}

static const apr_array_header_t *test_session_keys(apr_pool_t *p)
{
    static const char secret[] = "unit-test session key, 32 bytes or more";
    apr_array_header_t *keys = apr_array_make(p, 1,
                                              sizeof(wcs_session_key_t *));
    wcs_session_key_t *k;

    ck_assert_int_eq(wcs_session_key_make(&k, (const unsigned char *)secret,
                                          sizeof(secret) - 1, "unit", p),
                     APR_SUCCESS);
    APR_ARRAY_PUSH(keys, wcs_session_key_t *) = k;
    return keys;
}

wcs_sp_t *wcs_test_sp(apr_pool_t *p)
{
    wcs_sp_desc_t desc;
    apr_hash_t *idps = apr_hash_make(p);
    apr_array_header_t *sha1 = apr_array_make(p, 1, sizeof(const char *));
    wcs_sp_t *sp = NULL;
    const char *err = NULL;

    add_metadata(idps, "idp-metadata.xml", p);
    add_metadata(idps, "ec-metadata.xml", p);
    add_idp(idps, WCS_TEST_ENTRA, "entra.cer", NULL, p);
    add_idp(idps, WCS_TEST_OKTA, "okta.der", NULL, p);
    add_idp(idps, WCS_TEST_SHA1, "sha1.pem", NULL, p);
    add_idp(idps, WCS_TEST_SHA1_OK, "sha1.pem", NULL, p);
    add_idp(idps, WCS_TEST_ROLLOVER, "old.pem", "new.pem", p);
    APR_ARRAY_PUSH(sha1, const char *) = WCS_TEST_SHA1_OK;
    wcs_sp_desc_init(&desc);
    desc.name = "the unit tests' SP";
    desc.entity_id = WCS_TEST_SP;
    desc.acs_url = WCS_TEST_ACS;
    desc.idps = idps;
    desc.sha1_idps = sha1;
    desc.site_id = WCS_TEST_SP " @ unit.example.test:443";
    desc.session_keys = test_session_keys(p);
    ck_assert_msg(wcs_sp_build(&sp, &err, &desc, p) == APR_SUCCESS, "%s",
                  err);
    return sp;
}

/* --- the in-memory store --------------------------------------------- */

static apr_time_t store_now(const wcs_test_store_t *st)
{
    return st->now ? st->now : apr_time_now();
}

const wcs_store_key_t *wcs_test_key(const char *kind, const char *part1,
                                    const char *part2, apr_pool_t *p)
{
    wcs_store_key_t *key = apr_palloc(p, sizeof(*key));

    wcs_store_key(key, kind, part1, part2);
    return key;
}

static apr_status_t test_get(void *baton, const wcs_store_key_t *key,
                             unsigned char *buf, apr_size_t *len,
                             apr_pool_t *p)
{
    wcs_test_store_t *st = baton;

    st->gets++;
    if (st->get_rv != APR_SUCCESS) {
        return st->get_rv;
    }
    return st->inner->get(st->inner->baton, key, buf, len, p);
}

static apr_status_t test_put(void *baton, const wcs_store_key_t *key,
                             apr_time_t expiry, const unsigned char *value,
                             apr_size_t len, apr_pool_t *p)
{
    wcs_test_store_t *st = baton;

    st->puts++;
    if (st->put_rv != APR_SUCCESS) {
        return st->put_rv;
    }
    /* What the socache providers need of an expiry. */
    ck_assert_msg(expiry > store_now(st), "stored already expired");
    return st->inner->put(st->inner->baton, key, expiry, value, len, p);
}

static apr_status_t test_remove(void *baton, const wcs_store_key_t *key,
                                apr_pool_t *p)
{
    wcs_test_store_t *st = baton;

    return st->inner->remove(st->inner->baton, key, p);
}

static apr_status_t test_add(void *baton, const wcs_store_key_t *key,
                             apr_time_t expiry, const unsigned char *value,
                             apr_size_t len, apr_pool_t *p)
{
    wcs_test_store_t *st = baton;

    unsigned char buf[64];
    apr_size_t blen = sizeof(buf);
    apr_status_t rv;

    st->adds++;
    if (st->add_rv != APR_SUCCESS) {
        return st->add_rv;
    }
    /* Single-threaded: a get then a put is one operation here, and fails
     * as they do. */
    rv = test_get(baton, key, buf, &blen, p);
    if (rv == APR_SUCCESS || rv == APR_ENOSPC) {
        return APR_EEXIST;
    }
    if (rv != APR_NOTFOUND) {
        return rv;
    }
    return test_put(baton, key, expiry, value, len, p);
}

wcs_store_t *wcs_test_store_make(apr_pool_t *p)
{
    wcs_store_t *store = apr_pcalloc(p, sizeof(*store));
    wcs_test_store_t *st = apr_pcalloc(p, sizeof(*st));

    /* Its clock is st->now (0: the real time), read at every call. */
    st->inner = wcs_store_mem_make(&st->now, p);
    st->entries = wcs_store_mem_entries(st->inner);
    st->get_rv = APR_SUCCESS;
    st->put_rv = APR_SUCCESS;
    st->add_rv = APR_SUCCESS;
    store->baton = st;
    store->get = test_get;
    store->put = test_put;
    store->remove = test_remove;
    store->add = test_add;
    return store;
}

wcs_test_store_t *wcs_test_store_of(const wcs_store_t *store)
{
    return store->baton;
}

int wcs_test_store_count(const wcs_store_t *store)
{
    return (int)wcs_store_mem_count(wcs_test_store_of(store)->inner);
}

void wcs_test_remember_request(const wcs_store_t *store, const char *id,
                               const char *relay_ref, const char *return_to,
                               apr_time_t now, apr_time_t expires)
{
    wcs_authnreq_state_t st;

    memset(&st, 0, sizeof(st));
    st.idp = WCS_TEST_IDP;
    st.browser = WCS_TEST_BROWSER;
    st.relay_ref = relay_ref;
    st.return_to = return_to;
    st.expires = expires;
    ck_assert_int_eq(wcs_authnreq_remember(store, id, &st, now,
                                           wcs_test_pool), APR_SUCCESS);
}
