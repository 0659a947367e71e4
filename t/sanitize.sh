#!/bin/sh
# make check-sanitize: the unit suites, the fuzz corpus replay and the
# Apache::Test suites again, built with AddressSanitizer and UBSan in
# _sanitize/ (a copy of the sources configured on its own: automake
# refuses a second build of an already configured source directory).
# Any sanitizer report fails the run: halt_on_error, and the httpd's
# error_log is searched for reports (t/httpd-tests.sh, WCS_SANITIZE=1).
set -eu
src=${WCS_TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${WCS_TOP_BUILDDIR:-$src}
dir="$build/_sanitize"
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g -O1"

# The sources: what git tracks or would track, else the whole tree minus
# build products; copied with their times so that make rebuilds only what
# changed since the last run.
mkdir -p "$dir"
# A test file moved or removed since an earlier copy must not run from it
# (Apache::Test runs every t/**/*.t it finds): the copy below brings the
# current ones back.
if [ -d "$dir/t" ]; then
    find "$dir/t" -name '*.t' -type f -exec rm -f {} +
fi
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z --cached --others --exclude-standard \
        | xargs -0 tar -cf - --no-recursion) | tar -xpf - -C "$dir"
else
    (cd "$src" && tar -cf - --exclude=./_sanitize --exclude=./_fuzz \
        --exclude=./t/logs --exclude=config.status .) | tar -xpf - -C "$dir"
fi
cd "$dir"
if [ ! -x configure ] || [ configure.ac -nt configure ] \
        || [ Makefile.am -nt configure ]; then
    autoreconf -fi >/dev/null 2>&1
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
    ./configure -q CFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined"
fi
make -s -j"$(nproc)" >/dev/null
rm -f t/unit/check_wcs.log t/check_consistency.sh.log \
    t/check_consistency_selftest.sh.log t/fuzz-replay.sh.log t/httpd-tests.sh.log \
    t/check/check.pl.log

# Leaks are checked in the unit suites and the corpus replay, which free
# what they allocate.  httpd leaves its pools and the libraries' globals
# to process exit by design, so leak checking there would report only
# that; memory errors and undefined behaviour still halt it.
ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
WCS_SANITIZE=1
WCS_SANITIZE_PRELOAD=$(${CC:-gcc} -print-file-name=libasan.so)
export ASAN_OPTIONS UBSAN_OPTIONS WCS_SANITIZE WCS_SANITIZE_PRELOAD
make -s check E2E_TESTS=
