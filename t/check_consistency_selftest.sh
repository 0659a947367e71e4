#!/bin/sh
# Shows t/check_consistency.sh failing: on a copy of the files it reads, one
# drift of each kind it guards against, each of which must make it fail
# with a "not ok" line that names the drift, while the unmodified copy
# passes.  A check that cannot fail proves nothing.  The copy lives in a
# temporary directory that is removed at the end.
set -u
top=${WCS_TOP_SRCDIR:-$(pwd)}
check=$top/t/check_consistency.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wcs-consistency.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
n=0
fail=0

fresh() { # a clean copy of what the check reads, in $tmp/tree
    rm -rf "$tmp/tree"
    mkdir -p "$tmp/tree/src" "$tmp/tree/t/lib/WCS" || exit 1
    cp "$top"/src/*.c "$top"/src/*.h "$tmp/tree/src/" \
        && cp "$top/mod_webcast_saml.c" "$top/README" "$tmp/tree/" \
        && cp "$top/t/lib/WCS/Test.pm" "$tmp/tree/t/lib/WCS/" || exit 1
}

edit() { # file of the copy, sed script: fails when it changes nothing
    cp "$tmp/tree/$1" "$tmp/before"
    sed "$2" "$tmp/before" > "$tmp/tree/$1"
    ! cmp -s "$tmp/before" "$tmp/tree/$1"
}

add() { # file of the copy, lines...
    f=$1
    shift
    printf '%s\n' "$@" >> "$tmp/tree/$f"
}

result() { # description, status (0: ok)
    n=$((n + 1))
    if [ "$2" -eq 0 ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        fail=$((fail + 1))
    fi
}

run_check() { # exit status of the check on the copy; its output in $tmp/out
    WCS_TOP_SRCDIR=$tmp/tree sh "$check" > "$tmp/out" 2>&1
}

# drift description, extended regexp of the "not ok" line that must name
# it.  Call after fresh and the edits: ok when the check fails so.
fails_on() {
    if run_check; then
        result "check fails on $1 (it passed)" 1
    elif line=$(grep -E "^not ok [0-9]+ - $2" "$tmp/out"); then
        result "check fails on $1: $(echo "$line" | head -n 1)" 0
    else
        result "check fails on $1, naming it (got: $(grep '^not ok' "$tmp/out" | head -n 3 | paste -sd'|' -))" 1
    fi
}

# An edit that changed nothing would make the case prove nothing.
edited() { # description, status of the edits
    [ "$2" -eq 0 ] || result "$1: the drift could be made in the copy" 1
    return "$2"
}

fresh
run_check
result "check passes on an unmodified copy ($(tail -n 1 "$tmp/out"))" $?

# --- codes and their HTTP statuses ---------------------------------------
fresh
edit README 's/^| 4a | 403 |/| 4a | 404 |/'
edited "status of 4a changed in README" $? \
    && fails_on "status of 4a changed in README" \
        "code 4a: HTTP 403 in src/wcs_result.c, 404 in README, 403 in t/lib/WCS/Test.pm"

fresh
edit t/lib/WCS/Test.pm "s/'4i' => 503/'4i' => 403/"
edited "status of 4i changed in Test.pm" $? \
    && fails_on "status of 4i changed in Test.pm" \
        "code 4i: HTTP 503 in src/wcs_result.c, 503 in README, 403 in t/lib/WCS/Test.pm"

fresh
edit t/lib/WCS/Test.pm "s/ *'4l' => 503,//"
edited "code 4l missing from Test.pm" $? \
    && fails_on "code 4l missing from Test.pm" \
        "code 4l: HTTP 503 in src/wcs_result.c, 503 in README, missing in t/lib/WCS/Test.pm"

fresh
edit src/wcs_result.c 's/{ "4l", 503,/{ "4z", 503,/'
edited "a new code 4z only in src/wcs_result.c" $? \
    && fails_on "a new code 4z only in src/wcs_result.c" \
        "code 4z: HTTP 503 in src/wcs_result.c, missing in README, missing in t/lib/WCS/Test.pm"

# --- log tags --------------------------------------------------------------
fresh
add mod_webcast_saml.c '    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,' \
    '                 WCS_LOG_TAG "02001: the same tag again");'
fails_on "a duplicated tag WCS02001" \
    "WCS02001 is written from one call site \(.* mod_webcast_saml\.c:[0-9]+\)"

fresh
add mod_webcast_saml.c '    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,' \
    '                 WCS_LOG_TAG "09999: a tag nobody registered");'
fails_on "a tag missing from the registry" \
    "WCS09999: level debug in the code, missing in README's Log messages registry"

fresh
edit README '/^## Log messages/,/^## /s/^|---|---|---|$/&\
| WCS09998 | debug | a message no code writes |/'
edited "a registered tag that no code writes" $? \
    && fails_on "a registered tag that no code writes" \
        "WCS09998 of README's Log messages registry is written by the code"

fresh
add mod_webcast_saml.c '    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,' \
    '                 WCS_LOG_TAG "09997: registered at another level");'
edit README '/^## Log messages/,/^## /s/^|---|---|---|$/&\
| WCS09997 | debug | registered at another level |/'
edited "a tag whose level differs from the registry's" $? \
    && fails_on "a tag whose level differs from the registry's" \
        "WCS09997: level info in the code, debug in README's Log messages registry"

# --- the core stays free of httpd ------------------------------------------
fresh
edit src/wcs_result.c '1i\
#include <httpd.h>'
edited "an httpd include in a core file" $? \
    && fails_on "an httpd include in a core file" \
        "the core \(src/wcs_\*\) includes no httpd header \(src/wcs_result\.c:1:#include <httpd\.h>\)"

fresh
edit src/wcs_log.h '1i\
#include "mod_wcs.h"'
edited "the glue's header in a core header" $? \
    && fails_on "the glue's header in a core header" \
        "the core \(src/wcs_\*\) includes no httpd header \(src/wcs_log\.h:1:#include \"mod_wcs\.h\"\)"

fresh
add src/wcs_result.c 'static const char *drift = "set WebcastSAMLClockSkew";'
fails_on "a directive name written by hand in the core" \
    "the core names directives only through src/wcs_names\.h \(src/wcs_result\.c:[0-9]+\)"

fresh
add src/wcs_result.c 'static const char *drift = "WEBCAST_EMAIL";'
fails_on "a variable name written by hand in the core" \
    "the core names WEBCAST_\* variables only through src/wcs_names\.h \(src/wcs_result\.c:[0-9]+\)"

# --- directives, configuration fields, variables -----------------------------
fresh
edit README 's/^### WebcastSAMLClockSkew$/### Clock skew/'
edited "a directive missing from README" $? \
    && fails_on "a directive missing from README" \
        "WebcastSAMLClockSkew is documented in README"

fresh
add src/wcs_names.h '#define WCS_CMD_DRIFT "WebcastSAMLDrift"'
fails_on "a directive missing from the directive table" \
    "WebcastSAMLDrift is in the directive table"

fresh
add src/mod_wcs_drift.h '    int drift_set;'
fails_on "a configuration field that is not merged" \
    "config field drift is merged"

fresh
add src/wcs_names.h '#define WCS_ENV_DRIFT "WEBCAST_DRIFT"'
fails_on "a variable the core sets missing from README" \
    "WEBCAST_DRIFT is documented in README"

echo "1..$n"
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
