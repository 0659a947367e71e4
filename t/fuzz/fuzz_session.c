/*
 * Fuzz target: the session record decoder.  Records come from a store
 * that other servers may share, so they are untrusted input.  Beyond "no
 * crash": a record it accepts survives encoding and decoding unchanged.
 */
#include <string.h>

#include "fuzz.h"
#include "wcs_session.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    wcs_fuzz_init();
    return 0;
}

static int env_same(void *rec, const char *key, const char *value)
{
    const char *other = apr_table_get(rec, key);

    WCS_FUZZ_CHECK(other != NULL && strcmp(other, value) == 0);
    return 1;
}

static void check_round_trip(const wcs_session_t *s, apr_pool_t *p)
{
    wcs_session_t *again = NULL;
    const char *rec;
    apr_size_t len;

    rec = wcs_session_encode(s, &len, p);
    if (!rec) {
        return;                  /* over the record limit: refused early */
    }
    WCS_FUZZ_CHECK(wcs_session_decode(&again, rec, len, p) == APR_SUCCESS);
    WCS_FUZZ_CHECK(strcmp(again->sp_entity_id, s->sp_entity_id) == 0);
    WCS_FUZZ_CHECK(strcmp(again->user, s->user) == 0);
    WCS_FUZZ_CHECK(again->created == s->created);
    WCS_FUZZ_CHECK(again->expires == s->expires);
    WCS_FUZZ_CHECK(apr_table_elts(again->env)->nelts
                   == apr_table_elts(s->env)->nelts);
    apr_table_do(env_same, again->env, s->env, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    wcs_session_t *s = NULL;

    if (size > WCS_SESSION_RECORD_MAX) {
        return 0;                /* the store never hands back more */
    }
    apr_pool_create(&p, wcs_fuzz_global_pool());
    if (wcs_session_decode(&s, (const char *)data, size, p) == APR_SUCCESS) {
        WCS_FUZZ_CHECK(s != NULL && s->sp_entity_id && s->user && s->env);
        check_round_trip(s, p);
    }
    apr_pool_destroy(p);
    return 0;
}
