#!/bin/sh
# make fuzz: build every fuzz target with clang's libFuzzer, ASan and
# UBSan, then run each for FUZZ_TIME seconds.  New interesting inputs go
# to a scratch corpus (_fuzz/corpus/<target>/, never the repository's),
# crashes to _fuzz/crashes/.  Minimise a crash with
#   _fuzz/bin/fuzz_<target> -minimize_crash=1 -runs=10000 CRASH
# and add it to t/fuzz/corpus/<target>/ with the fix that it found.
# Environment: FUZZ_TIME (seconds per target, default 60), FUZZ_TARGETS
# (default all), FUZZ_CC (default clang), FUZZ_BUILD_ONLY=1, and from the
# Makefile WCS_TOP_SRCDIR, CORE_CPPFLAGS, CORE_LIBS.
set -eu
src=${WCS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
time=${FUZZ_TIME:-60}
cc=${FUZZ_CC:-clang}
targets=${FUZZ_TARGETS:-"base64 xml response url time session metadata event"}
out=_fuzz
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
  -fno-sanitize-recover=undefined"

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "make fuzz: $cc not found (apt-get install clang)" >&2
    exit 2
fi
mkdir -p "$out/bin" "$out/obj" "$out/crashes"

# The core once, instrumented, then one binary a target.
objs=""
for c in "$src"/src/wcs_*.c "$src/t/fuzz/fuzz_common.c"; do
    o="$out/obj/$(basename "$c" .c).o"
    # shellcheck disable=SC2086  # flag lists are split on purpose
    $cc $flags -fsanitize=fuzzer-no-link -c -I"$src/src" ${CORE_CPPFLAGS:-} \
        -o "$o" "$c"
    objs="$objs $o"
done
for t in $targets; do
    # shellcheck disable=SC2086
    $cc $flags -I"$src/src" -I"$src/t/fuzz" ${CORE_CPPFLAGS:-} \
        -o "$out/bin/fuzz_$t" "$src/t/fuzz/fuzz_$t.c" $objs ${CORE_LIBS:-}
done
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

status=0
for t in $targets; do
    mkdir -p "$out/corpus/$t"
    dict=""
    case $t in
        xml|response|metadata) dict="-dict=$src/t/fuzz/saml.dict" ;;
    esac
    echo "make fuzz: $t for ${time}s (log $out/fuzz_$t.log)"
    # shellcheck disable=SC2086
    if ! ASAN_OPTIONS=detect_leaks=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$out/bin/fuzz_$t" -max_total_time="$time" -max_len=65536 \
            -artifact_prefix="$out/crashes/$t-" -print_final_stats=1 $dict \
            "$out/corpus/$t" "$src/t/fuzz/corpus/$t" > "$out/fuzz_$t.log" 2>&1
    then
        echo "make fuzz: $t FOUND A CRASH, see $out/fuzz_$t.log and $out/crashes/"
        status=1
    fi
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' \
        "$out/fuzz_$t.log" | sed "s/^/  $t /" || true
done
exit "$status"
