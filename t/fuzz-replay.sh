#!/bin/sh
# Replay the fuzz corpus (t/fuzz/corpus/<target>/) through every fuzz
# target, built with the system compiler and t/fuzz/replay_main.c: each
# input that once crashed stays a regression test, in seconds.  Called by
# "make check"; by hand, from the build directory: t/fuzz-replay.sh
set -u
top=${WCS_TOP_BUILDDIR:-$(pwd)}
src=${WCS_TOP_SRCDIR:-$top}
targets="base64 xml response url time session metadata event"
n=0
fail=0

set -- $targets
echo "1..$#"
for t in $targets; do
    n=$((n + 1))
    bin="$top/t/fuzz/replay_$t"
    if [ ! -x "$bin" ]; then
        echo "not ok $n - $t: $bin is not built"
        fail=$((fail + 1))
        continue
    fi
    if out=$("$bin" "$src/t/fuzz/corpus/$t" 2>&1); then
        echo "ok $n - $t: $(echo "$out" | tail -n 1)"
    else
        echo "not ok $n - $t"
        echo "$out" | tail -n 30 | sed 's/^/# /'
        fail=$((fail + 1))
    fi
done
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
