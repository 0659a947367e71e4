#!/bin/sh
# Proves what reviews forget: each fact that is written in more than one
# place says the same everywhere.
#  - Error codes and their HTTP statuses: src/wcs_result.c (the definition),
#    README's table and t/lib/WCS/Test.pm's %STATUS.
#  - Log tags: each written from one call site in src/ and
#    mod_webcast_saml.c, each in README's "Log messages" registry with its
#    level, and nothing in the registry that no code writes.
#  - The core (src/wcs_*) includes no httpd header, and names directives
#    and WEBCAST_* variables only through src/wcs_names.h.
#  - Every directive name (src/wcs_names.h) is in the directive table and
#    documented in README; every configuration field with a _set flag is
#    merged; every WEBCAST_* variable the core sets is in README.
# WCS_TOP_SRCDIR names the tree to check (t/check_consistency_selftest.sh
# points it at a copy with one drift).  Prints "ok"/"not ok" lines, then
# "N passed, N failed"; exits non-zero when one failed.
set -u
top=${WCS_TOP_SRCDIR:-$(pwd)}
cd "$top" || exit 1
n=0
fail=0
pass() { # description: an "ok" line
    n=$((n + 1))
    echo "ok $n - $1"
}
flunk() { # description: a "not ok" line
    n=$((n + 1))
    fail=$((fail + 1))
    echo "not ok $n - $1"
}
check() { # description, command...: ok when the command succeeds
    desc=$1
    shift
    if "$@" >/dev/null 2>&1; then
        pass "$desc"
    else
        flunk "$desc"
    fi
}
section() { # file, heading: the lines of README section "## heading"
    awk -v h="## $2" '/^## /{inside = ($0 == h)} inside' "$1"
}
value_of() { # key, lines key=value: the values of key, "," between them
    printf '%s\n' "$2" | sed -n "s/^$1=//p" | paste -sd, -
}

# --- error codes and their HTTP statuses --------------------------------
c_codes=$(sed -n 's/^ *\[WCS_CODE_[A-Z0-9_]*\] *= *{ *"\([0-9][a-z]\)", *\([0-9][0-9]*\),.*/\1=\2/p' \
    src/wcs_result.c)
r_codes=$(section README "Error codes" \
    | sed -n 's/^| *\([0-9][a-z]\) *| *\([0-9][0-9]*\) *|.*/\1=\2/p')
t_codes=$(awk '/^my %STATUS = \(/ {inside = 1; next}
               inside && /^\);/ {inside = 0}
               inside' t/lib/WCS/Test.pm \
    | grep -o "'[0-9][a-z]' *=> *[0-9]*" \
    | sed "s/'\([0-9][a-z]\)' *=> *\([0-9]*\)/\1=\2/")
check "src/wcs_result.c defines error codes" test -n "$c_codes"
check "README's Error codes table lists codes" test -n "$r_codes"
check "t/lib/WCS/Test.pm's %STATUS lists codes" test -n "$t_codes"
all_codes=$(printf '%s\n' "$c_codes" "$r_codes" "$t_codes" | sed -n 's/=.*//p' \
    | sort -u)
for code in $all_codes; do
    c=$(value_of "$code" "$c_codes")
    r=$(value_of "$code" "$r_codes")
    t=$(value_of "$code" "$t_codes")
    desc="code $code: HTTP ${c:-missing} in src/wcs_result.c, ${r:-missing} in README, ${t:-missing} in t/lib/WCS/Test.pm"
    case "$c" in
        *,*|"") flunk "$desc"; continue ;;
    esac
    if [ "$c" = "$r" ] && [ "$c" = "$t" ]; then
        pass "$desc"
    else
        flunk "$desc"
    fi
done

# --- log tags -------------------------------------------------------------
# One line per call site: "WCS01001 level file:line".  The level is what
# the call names between its opening (ap_log_*( or wcs_log_printf() and
# the tag, "error or warn" when it names two, "?" when it is computed.
sites=$(awk '
function lvname(t) {
    sub(/^(APLOG|WCS_LOG)_/, "", t)
    sub(/[^A-Z0-9_]$/, "", t)
    if (t == "ERR") return "error"
    if (t == "WARNING") return "warn"
    return tolower(t)
}
FNR == 1 { levels = "" }
{
    s = $0
    for (;;) {
        cp = match(s, /ap_log_[a-z_]*\(|wcs_log_printf\(/); cl = RLENGTH
        lp = match(s, /(APLOG|WCS_LOG)_(EMERG|ALERT|CRIT|ERR|WARNING|NOTICE|INFO|DEBUG|TRACE[1-8])([^A-Z0-9_]|$)/); ll = RLENGTH
        tp = match(s, /WCS_LOG_TAG *"[0-9][0-9][0-9][0-9][0-9]|"WCS[0-9][0-9][0-9][0-9][0-9]/); tl = RLENGTH
        first = 0
        if (cp && (!first || cp < first)) first = cp
        if (lp && (!first || lp < first)) first = lp
        if (tp && (!first || tp < first)) first = tp
        if (!first) break
        if (first == cp) {
            levels = ""
            s = substr(s, cp + cl)
        }
        else if (first == lp) {
            name = lvname(substr(s, lp, ll))
            levels = levels == "" ? name : levels " or " name
            s = substr(s, lp + ll - 1)
        }
        else {
            print "WCS" substr(s, tp + tl - 5, 5), \
                (levels == "" ? "?" : levels), FILENAME ":" FNR
            levels = ""
            s = substr(s, tp + tl)
        }
    }
}' src/*.c src/*.h mod_webcast_saml.c | sed 's/ or /_or_/g')
# shellcheck disable=SC2016  # the backquotes of README, not a command
registry=$(section README "Log messages" \
    | sed -n 's/^| *`\{0,1\}\(WCS[0-9]\{5\}\)`\{0,1\} *| *\([^|]*[^ |]\) *|.*/\1 \2/p' \
    | sed 's/ or /_or_/g')
check "the code writes log tags" test -n "$sites"
check "README's Log messages registry lists tags" test -n "$registry"
used=$(printf '%s\n' "$sites" | awk 'NF {print $1}' | sort -u)
for tag in $used; do
    where=$(printf '%s\n' "$sites" | awk -v t="$tag" '$1 == t {print $3}' \
        | paste -sd' ' -)
    count=$(printf '%s\n' "$sites" | awk -v t="$tag" '$1 == t' | wc -l)
    check "$tag is written from one call site ($where)" test "$count" -eq 1
    level=$(printf '%s\n' "$sites" | awk -v t="$tag" '$1 == t {print $2}' \
        | sort -u | paste -sd, -)
    listed=$(printf '%s\n' "$registry" | awk -v t="$tag" '$1 == t {print $2}' \
        | paste -sd, -)
    desc="$tag: level $level in the code, ${listed:-missing} in README's Log messages registry"
    desc=$(echo "$desc" | sed 's/_or_/ or /g')
    case "$listed" in
        *,*|"") flunk "$desc" ;;
        *) check "$desc" test "$level" = "?" -o "$level" = "$listed" ;;
    esac
done
unused=$(printf '%s\n' "$registry" | awk 'NF {print $1}' | sort -u \
    | grep -vxF "$used")
if [ -z "$unused" ]; then
    pass "every tag in README's Log messages registry is written by the code"
fi
for tag in $unused; do
    flunk "$tag of README's Log messages registry is written by the code"
done

# --- the core stays free of httpd ----------------------------------------
# The core is built without httpd's include path, so a stray include fails
# the build only where httpd's headers are not found beside APR's; this
# fails everywhere, and names mod_wcs.h too.
bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](httpd|http_[^>"]*|ap_[^>"]*|util_[^>"]*|mod_[^>"]*)\.h[>"]' \
    src/wcs_*.c src/wcs_*.h | paste -sd';' -)
check "the core (src/wcs_*) includes no httpd header${bad:+ ($bad)}" \
    test -z "$bad"
bad=$(grep -nE '"[^"]*WebcastSAML[A-Za-z]' src/wcs_*.c src/wcs_*.h \
    | grep -v '^src/wcs_names\.h:' | cut -d: -f1,2 | paste -sd' ' -)
check "the core names directives only through src/wcs_names.h${bad:+ ($bad)}" \
    test -z "$bad"
bad=$(grep -nE '"WEBCAST_[A-Z0-9]' src/wcs_*.c src/wcs_*.h \
    | grep -v '^src/wcs_names\.h:' | cut -d: -f1,2 | paste -sd' ' -)
check "the core names WEBCAST_* variables only through src/wcs_names.h${bad:+ ($bad)}" \
    test -z "$bad"

# --- directives, configuration fields, variables ----------------------------
names=$(sed -n 's/^#define \(WCS_CMD_[A-Z0-9_]*\) *"\(WebcastSAML[A-Za-z0-9]*\)".*/\1:\2/p' src/wcs_names.h)
check "src/wcs_names.h defines directive names" test -n "$names"
for pair in $names; do
    macro=${pair%%:*}
    name=${pair#*:}
    check "$name is in the directive table" \
        grep -q "AP_INIT_[A-Z0-9_]*($macro," mod_webcast_saml.c
    check "$name is documented in README" \
        grep -q "^### $name\b" README
done

# The config records and their merge, wherever the glue keeps them.
fields=$(cat src/mod_wcs*.h | sed -n 's/^ *int \([a-z_]*\)_set;.*/\1/p')
check "the glue's config records have _set fields" test -n "$fields"
for f in $fields; do
    check "config field $f is merged" grep -q "MERGE($f);" src/mod_wcs*.c
done

vars=$(sed -n 's/^#define WCS_ENV_[A-Z0-9_]* *"\(WEBCAST_[A-Z0-9_]*\)".*/\1/p' src/wcs_names.h)
check "src/wcs_names.h defines WEBCAST_* variable names" test -n "$vars"
for v in $vars; do
    check "$v is documented in README" \
        grep -q "^| \`$v\` |" README
done

total=$n
echo "1..$total"
echo "$((total - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
