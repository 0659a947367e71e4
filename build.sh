#!/bin/bash
# The two commands of README, for a fresh Debian 12 machine:
# shellcheck disable=SC2086  # package lists and counts are split on purpose
#   ./build.sh demo   install build deps, build, run the local demo httpd
#   ./build.sh test   install build and test deps, build with -Werror and
#                     run the whole test suite (make check)
# Both install what they need with apt-get (as root, or through sudo).
set -eu
cd "$(dirname "$0")"

BUILD_DEPS="build-essential autoconf automake libtool pkg-config openssl
  apache2-bin apache2-dev libapr1-dev libaprutil1-dev libxml2-dev
  libxmlsec1-dev libxmlsec1-openssl libssl-dev"
# apache2-bin, not apache2: the tests and the demo start their own httpd;
# no system service is installed or started on port 80.
TEST_DEPS="check perl libapache2-mod-perl2 libwww-perl memcached"

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
    if [ -n "$missing" ]; then
        echo "build.sh: installing$missing"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        # shellcheck disable=SC2086
        as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends $missing
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
    make -j"$(nproc)"
    make -j"$(nproc)" t/tools/wcs_mkresponse
}

# One closing line the CI can read, from the logs make check leaves.
summarise() {
    passed=0
    failed=0
    if [ -f t/unit/check_wcs.log ]; then
        line=$(grep -E '^[0-9]+%: Checks: ' t/unit/check_wcs.log | tail -n 1)
        checks=$(echo "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
        fails=$(echo "$line" | sed -n 's/.*Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2/p')
        if [ -n "$checks" ]; then
            set -- $fails
            passed=$((passed + checks - $1 - $2))
            failed=$((failed + $1 + $2))
            echo "  unit suites (Check): $line"
        else
            failed=$((failed + 1))
        fi
    fi
    if [ -f t/check_directives.sh.log ]; then
        p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' t/check_directives.sh.log)
        f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' t/check_directives.sh.log)
        passed=$((passed + ${p:-0}))
        failed=$((failed + ${f:-1}))
        echo "  directive checks: ${p:-0} ok, ${f:-?} not ok"
    fi
    if [ -f t/httpd-tests.sh.log ]; then
        total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' t/httpd-tests.sh.log | tail -n 1)
        f=$(grep -oE 'Failed: [0-9]+\)' t/httpd-tests.sh.log \
            | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
        if [ -z "$total" ]; then
            failed=$((failed + 1))
            echo "  Apache::Test suites: did not run to the end"
        else
            if ! grep -q '^Result: PASS' t/httpd-tests.sh.log && [ "$f" -eq 0 ]; then
                f=1
            fi
            passed=$((passed + total - f))
            failed=$((failed + f))
            echo "  Apache::Test suites: $total tests, $f failed"
        fi
    fi
    echo "total: $passed passed, $failed failed"
}

run_tests() {
    install_deps $BUILD_DEPS $TEST_DEPS
    build
    status=0
    # Logs of an earlier run must not speak for this one.
    rm -f t/unit/check_wcs.log t/check_directives.sh.log t/httpd-tests.sh.log
    make check || status=$?
    for log in t/unit/check_wcs.log t/check_directives.sh.log t/httpd-tests.sh.log; do
        if [ "$status" -ne 0 ] && [ -f "$log" ]; then
            echo "===== $log (last 60 lines)"
            tail -n 60 "$log"
        fi
    done
    summarise
    return "$status"
}

case "${1:-}" in
    demo)
        install_deps $BUILD_DEPS
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
