#!/bin/sh
# Proves what reviews forget: every directive name (defined once in
# src/wcs_names.h) is in the directive table and documented in README, and
# every configuration field that has a _set flag is merged.
set -u
top=${WCS_TOP_SRCDIR:-$(pwd)}
cd "$top"
n=0
fail=0
check() { # description, command...
    n=$((n + 1))
    desc=$1
    shift
    if "$@" >/dev/null 2>&1; then
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc"
        fail=$((fail + 1))
    fi
}

names=$(sed -n 's/^#define \(WCS_CMD_[A-Z0-9_]*\) *"\(WebcastSAML[A-Za-z0-9]*\)".*/\1:\2/p' src/wcs_names.h)
for pair in $names; do
    macro=${pair%%:*}
    name=${pair#*:}
    check "$name is in the directive table" \
        grep -q "AP_INIT_[A-Z0-9_]*($macro," mod_webcast_saml.c
    check "$name is documented in README" \
        grep -q "^### $name\b" README
done

fields=$(sed -n 's/^ *int \([a-z_]*\)_set;.*/\1/p' src/mod_wcs_config.h)
for f in $fields; do
    check "config field $f is merged" grep -q "MERGE($f);" src/mod_wcs_config.c
done

total=$n
echo "1..$total"
echo "$((total - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
