#! /bin/bash
# Runs the whole ovs-vdpa test suite, as root, from nothing: installs what
# is missing, builds (utilities/ovs-vdpa-setup.sh), then runs the autotest
# suite: unit tests, system tests with ovsdb-server, ovs-vswitchd, DPDK and
# dpdk-testpmd guests, and QEMU Linux guests.  Then it builds our code again
# with AddressSanitizer (in _build-asan, against the same OVS build) and
# runs the unit, engine and robustness tests under it.
#
# Usage: utilities/ovs-vdpa-check.sh [--soak] [TESTSUITEFLAGS...]
# e.g.   utilities/ovs-vdpa-check.sh -k multiqueue
#        utilities/ovs-vdpa-check.sh --soak -k races
#
# With TESTSUITEFLAGS, runs only the tests they select, without the
# AddressSanitizer pass.  --soak makes the race tests run 200 rounds
# instead of 40 (VDPA_ROUNDS; about 7 minutes more per pass).  Exits
# non-zero if any test fails.

set -e -o pipefail

if test "$1" = --soak; then
    export VDPA_ROUNDS=${VDPA_ROUNDS:-200}
    shift
fi

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${VDPA_BUILDDIR:-$srcdir/_build}
asan_builddir=$builddir-asan

"$srcdir"/utilities/ovs-vdpa-setup.sh "$builddir"

# run_suite DIR FLAGS: runs the suite in build directory DIR, appending its
# output to $log.  Returns non-zero if a test failed.
log=$builddir/check.log
: > $log
run_suite () {
    echo "== Test suite in $1 ${2:+($2)}" | tee -a $log
    make -C "$1" --no-print-directory check TESTSUITEFLAGS="$2" 2>&1 |
        tee -a $log
}

status=0
run_suite "$builddir" "$*" || status=1
if test $# = 0; then
    if test ! -f "$asan_builddir"/Makefile; then
        mkdir -p "$asan_builddir"
        (cd "$asan_builddir" &&
         "$srcdir"/configure --quiet --enable-asan \
             --with-ovs-source="$builddir"/ovs)
    fi
    echo "Building with AddressSanitizer in $asan_builddir..."
    make -C "$asan_builddir" -j"$(nproc)" --no-print-directory \
        > "$asan_builddir"/make.log 2>&1 ||
        { tail -n 40 "$asan_builddir"/make.log; exit 1; }
    run_suite "$asan_builddir" "-k unit -k hw -k robustness" || status=1
fi

# One line that CI and people can read at a glance.
passed=$(grep -cE '^ *[0-9]+: .* ok$' $log || true)
failed=$(grep -cE '^ *[0-9]+: .* FAILED \(' $log || true)
skipped=$(grep -cE '^ *[0-9]+: .* skipped \(' $log || true)
echo "$passed passed, $failed failed, $skipped skipped"
if test $# = 0 && test "$skipped" != 0; then
    # The whole suite runs everything: a skip means a missing prerequisite.
    echo "Tests were skipped: something they need is missing."
    status=1
fi
if test $status != 0; then
    echo "See tests/testsuite.log and tests/testsuite.dir/ in $builddir" \
         "and $asan_builddir."
fi
exit $status
