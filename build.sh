#!/bin/bash
# The two commands of README, for a fresh Debian 12 machine:
# shellcheck disable=SC2086  # package lists and counts are split on purpose
#   ./build.sh demo   install build deps and SimpleSAMLphp, build, run the
#                     local demo (the module's httpd and a real IdP)
#   ./build.sh test   install build and test deps, build with -Werror and
#                     run the whole test suite (make check), then again
#                     under ASan and UBSan (make check-sanitize)
# Both install what they need with apt-get (as root, or through sudo).
set -eu
cd "$(dirname "$0")"

BUILD_DEPS="build-essential autoconf automake libtool pkg-config openssl
  apache2-bin apache2-dev libapr1-dev libaprutil1-dev libxml2-dev
  libxmlsec1-dev libxmlsec1-openssl libssl-dev libaprutil1-dbd-sqlite3
  zlib1g-dev"
# apache2-bin, not apache2: the tests and the demo start their own httpd;
# no system service is installed or started on port 80.
# sqlite3: the tests load accounts into the user directory's files;
# postgresql and APR's pgsql driver: the directory on PostgreSQL through
# mod_dbd (t/account/pgsql.t starts a server of its own); xmllint: the SP
# metadata against the OASIS schema; python3-prometheus-client: the status
# page's Prometheus output read by the Prometheus project's own parser.
# The browser suites (t/e2e/run.sh): two real IdPs, SimpleSAMLphp under
# its own httpd with mod_php (php8.2-xml: its XML) and one written on
# pysaml2 (which signs with xmlsec1), and Debian's Chromium driven by
# playwright-core from npm (t/e2e/package-lock.json).
E2E_DEPS="simplesamlphp libapache2-mod-php php8.2-xml python3-pysaml2 xmlsec1
  chromium curl"
# The demo's IdP: SimpleSAMLphp under its own httpd (t/e2e/idp/simplesamlphp/).
DEMO_DEPS="simplesamlphp libapache2-mod-php php8.2-xml curl"
TEST_DEPS="check perl libapache2-mod-perl2 libwww-perl memcached sqlite3
  postgresql libaprutil1-dbd-pgsql libxml2-utils python3-prometheus-client
  $E2E_DEPS"

usage() {
    echo "usage: $0 demo|test" >&2
    exit 2
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

install_deps() {
    missing=""
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
                | grep -q "install ok installed"; then
            missing="$missing $pkg"
        fi
    done
    # Node.js and npm where the machine has none of its own (a Node.js
    # from elsewhere brings its npm, which Debian's would conflict with).
    case " $* " in
        *" chromium "*)
            command -v node >/dev/null 2>&1 || missing="$missing nodejs"
            command -v npm >/dev/null 2>&1 || missing="$missing npm"
            ;;
    esac
    if [ -n "$missing" ]; then
        echo "build.sh: installing$missing"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        # simplesamlphp depends on apache2 (or another httpd), whose
        # package would start a system httpd on port 80: nothing here
        # needs one, so no service is started while installing (the
        # policy-rc.d of containers), unless the machine has a policy.
        policy=
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            policy=/usr/sbin/policy-rc.d
            printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
            as_root chmod 755 "$policy"
        fi
        # shellcheck disable=SC2086
        as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends $missing \
            || { [ -z "$policy" ] || as_root rm -f "$policy"; exit 1; }
        [ -z "$policy" ] || as_root rm -f "$policy"
    fi
}

build() {
    if [ ! -x configure ] || [ configure.ac -nt configure ] \
            || [ Makefile.am -nt configure ]; then
        autoreconf -fi
    fi
    if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
        ./configure --enable-werror
    fi
    # The module and t/tools/wcs_mkresponse (the demo signs with it).
    make -j"$(nproc)"
}

# One closing line the CI can read, from the logs make check leaves (in
# the build and, for make check-sanitize, in _sanitize/).
passed=0
failed=0

# "N passed, N failed", the last line of t/check_consistency.sh, its
# self-test and t/fuzz-replay.sh.
count_script() { # log label
    [ -f "$1" ] || return 0
    p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$1")
    f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$1")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-1}))
    echo "  $2: ${p:-0} ok, ${f:-?} not ok"
}

summarise_dir() { # dir label-suffix
    d=$1
    how=$2
    if [ -f "$d/t/unit/check_wcs.log" ]; then
        line=$(grep -E '^[0-9]+%: Checks: ' "$d/t/unit/check_wcs.log" | tail -n 1)
        checks=$(echo "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
        fails=$(echo "$line" | sed -n 's/.*Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2/p')
        if [ -n "$checks" ]; then
            set -- $fails
            passed=$((passed + checks - $1 - $2))
            failed=$((failed + $1 + $2))
            echo "  unit suites (Check)$how: $line"
        else
            failed=$((failed + 1))
            echo "  unit suites (Check)$how: did not run to the end"
        fi
    fi
    count_script "$d/t/check_consistency.sh.log" "consistency checks$how"
    count_script "$d/t/check_consistency_selftest.sh.log" \
        "consistency check self-test$how"
    count_script "$d/t/fuzz-replay.sh.log" "fuzz corpus replay$how"
    count_script "$d/t/e2e/run.sh.log" "browser suites (real IdPs, Chromium)$how"
    count_script "$d/t/check/check.pl.log" "webcast-saml-check$how"
    if [ -f "$d/t/httpd-tests.sh.log" ]; then
        log=$d/t/httpd-tests.sh.log
        total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$log" | tail -n 1)
        f=$(grep -oE 'Failed: [0-9]+\)' "$log" \
            | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
        if [ -z "$total" ]; then
            failed=$((failed + 1))
            echo "  Apache::Test suites$how: did not run to the end"
        else
            if { ! grep -q '^Result: PASS' "$log" \
                 || grep -q '^not ok - sanitizer report' "$log"; } \
                    && [ "$f" -eq 0 ]; then
                f=1
            fi
            passed=$((passed + total - f))
            failed=$((failed + f))
            echo "  Apache::Test suites$how: $total tests, $f failed"
        fi
    fi
}

summarise() {
    summarise_dir . ""
    summarise_dir _sanitize " under ASan+UBSan"
    echo "total: $passed passed, $failed failed"
}

LOGS="t/unit/check_wcs.log t/check_consistency.sh.log
  t/check_consistency_selftest.sh.log t/fuzz-replay.sh.log t/httpd-tests.sh.log
  t/e2e/run.sh.log t/check/check.pl.log"

run_tests() {
    install_deps $BUILD_DEPS $TEST_DEPS
    build
    status=0
    # Logs of an earlier run must not speak for this one.
    for log in $LOGS; do
        rm -f "$log" "_sanitize/$log"
    done
    make check || status=$?
    # The same suites built with ASan and UBSan (make check-sanitize).
    make check-sanitize || status=$?
    for log in $LOGS; do
        for d in . _sanitize; do
            if [ "$status" -ne 0 ] && [ -f "$d/$log" ]; then
                echo "===== $d/$log (last 60 lines)"
                tail -n 60 "$d/$log"
            fi
        done
    done
    summarise
    return "$status"
}

case "${1:-}" in
    demo)
        install_deps $BUILD_DEPS $DEMO_DEPS
        build
        exec demo/run-demo.sh
        ;;
    test)
        run_tests
        ;;
    *)
        usage
        ;;
esac
