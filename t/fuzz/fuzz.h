/*
 * What the fuzz targets share.  Each fuzz_*.c is one libFuzzer target:
 * built with clang -fsanitize=fuzzer by `make fuzz`, and with the system
 * compiler and replay_main.c by `make check`, which replays the corpus in
 * t/fuzz/corpus/<target>/.  A target's run gets a fresh pool destroyed at
 * its end, so that whatever one input allocates is freed before the next.
 */
#ifndef WCS_FUZZ_H
#define WCS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <apr_pools.h>

/* libFuzzer's entry points (the replay driver calls the same two). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* apr_initialize and wcs_xml_init, once per process; exits on failure
 * (a target that cannot start must not report "no crash"). */
void wcs_fuzz_init(void);

/* A pool that lives as long as the process, for what a target builds
 * once (the test SP and its keys). */
apr_pool_t *wcs_fuzz_global_pool(void);

/* Around what a target builds once: LeakSanitizer cannot see pointers
 * kept in APR pool memory (the allocator may take it with mmap), so what
 * lives for the whole process would be reported as leaked at the first
 * leak check.  No-ops without LeakSanitizer. */
void wcs_fuzz_lsan_off(void);
void wcs_fuzz_lsan_on(void);

/* The input as a NUL-terminated string from p (bytes after an embedded
 * NUL are not seen by string APIs, as in the module). */
char *wcs_fuzz_cstr(const uint8_t *data, size_t size, apr_pool_t *p);

/* A property every input must keep: when it breaks, say which and abort,
 * which libFuzzer and the replay driver both report as a crash. */
#define WCS_FUZZ_CHECK(cond) do { \
    if (!(cond)) { \
        fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, \
                __LINE__, #cond); \
        abort(); \
    } \
} while (0)

#endif
