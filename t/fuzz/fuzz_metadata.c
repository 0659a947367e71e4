/*
 * Fuzz target: the SAML metadata loader (from memory, as the file loader
 * calls it).  Metadata comes from administrators, often downloaded from
 * a federation; a bad file must be an error at startup, never a crash.
 * Beyond that: every IdP it adds has an entity ID and a signing key.
 */
#include "fuzz.h"
#include "wcs_idp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    wcs_fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    apr_hash_t *idps;
    apr_hash_index_t *hi;
    const char *err = NULL;
    int count = -1;

    apr_pool_create(&p, wcs_fuzz_global_pool());
    idps = apr_hash_make(p);
    if (wcs_idp_load_metadata_buf(idps, &count, &err, (const char *)data,
                                  size, "fuzz input", p, p) == APR_SUCCESS) {
        WCS_FUZZ_CHECK(count > 0 && (int)apr_hash_count(idps) == count);
        for (hi = apr_hash_first(p, idps); hi; hi = apr_hash_next(hi)) {
            const wcs_idp_t *idp = apr_hash_this_val(hi);

            WCS_FUZZ_CHECK(idp->entity_id != NULL);
            WCS_FUZZ_CHECK(idp->keys != NULL && idp->keys->nelts > 0);
        }
    }
    else {
        WCS_FUZZ_CHECK(err != NULL);
    }
    apr_pool_destroy(p);
    return 0;
}
