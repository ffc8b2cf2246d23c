#! /bin/bash
# Runs all of ovs-vdpa's checks, as root, from nothing: installs what is
# missing and builds (utilities/ovs-vdpa-setup.sh), then
#
#   1. OVS's utilities/checkpatch.py over our C sources (lib/, vswitchd/,
#      tests/), from the OVS source tree we build against;
#   2. "make check": the unit tests (tests/testsuite);
#   3. "make check-system": the system tests (tests/system-testsuite), with
#      ovsdb-server, ovs-vswitchd, DPDK, dpdk-testpmd and QEMU Linux guests;
#   4. a clang build of our code and test programs with -Wthread-safety and
#      --enable-Werror, in BUILDDIR-clang, against the same OVS build;
#   5. an AddressSanitizer and UndefinedBehaviorSanitizer build in
#      BUILDDIR-asan, against the same OVS build, which runs the unit tests
#      and the system tests with keyword "hw" but no QEMU guest (nor the
#      fairness test, a measurement), or "robustness", or "dirty" (of the
#      migration tests, those of the dirty log), the long ones shorter (20 guest connections instead of 100,
#      10 race rounds instead of 40), with the same assertions.
#
# Usage: utilities/ovs-vdpa-check.sh [--soak] [TESTSUITEFLAGS...]
# e.g.   utilities/ovs-vdpa-check.sh -k multiqueue
#        utilities/ovs-vdpa-check.sh --soak -k races
#
# With TESTSUITEFLAGS, runs steps 1 to 3 only, each suite with those flags
# (prefer -k KEYWORD to test numbers: the two suites number their tests
# each from 1).  --soak makes the race tests run 200 rounds instead of 40
# (VDPA_ROUNDS; about 7 minutes more per pass).  BUILDDIR is _build in the
# source tree, or $VDPA_BUILDDIR.  Ends with a line "N passed, N failed, N
# skipped" that counts the tests of both suites and of every pass; exits
# non-zero if a check or a test fails, or, without TESTSUITEFLAGS, if a
# test was skipped.

set -e -o pipefail

if test "$1" = --soak; then
    export VDPA_ROUNDS=${VDPA_ROUNDS:-200}
    shift
fi

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${VDPA_BUILDDIR:-$srcdir/_build}
clang_builddir=$builddir-clang
asan_builddir=$builddir-asan

"$srcdir"/utilities/ovs-vdpa-setup.sh "$builddir"

# The OVS trees that configure found or unpacked for $builddir.
makevar () {
    sed -n "s/^$1 = //p" "$builddir"/Makefile | head -n 1
}
ovs_srcdir=$(makevar OVS_SRCDIR)
ovs_builddir=$(makevar OVS_BUILDDIR)

log=$builddir/check.log
: > $log
status=0

# build DIR CONFIGURE-ARGS...: configures (once) and builds our code and
# the test programs in build directory DIR against the same OVS build.
build () {
    local dir=$1
    shift

    if test ! -f "$dir"/Makefile; then
        mkdir -p "$dir"
        (cd "$dir" &&
         "$srcdir"/configure --quiet --with-ovs-source="$ovs_srcdir" \
             --with-ovs-build="$ovs_builddir" "$@")
    fi
    echo "Building in $dir..."
    { make -C "$dir" -j"$(nproc)" --no-print-directory &&
      make -C "$dir" -j"$(nproc)" --no-print-directory check-programs; } \
        > "$dir"/make.log 2>&1 ||
        { tail -n 40 "$dir"/make.log | tee -a $log; return 1; }
}

# run_suite DIR TARGET FLAGS: runs "make TARGET" (check or check-system)
# in build directory DIR with TESTSUITEFLAGS=FLAGS, appending its output to
# $log.  Returns non-zero if a test failed.
run_suite () {
    echo "== make $2 in $1 ${3:+($3)}" | tee -a $log
    make -C "$1" --no-print-directory $2 TESTSUITEFLAGS="$3" 2>&1 |
        tee -a $log
}

# 1. Coding style, as OVS checks its own.
echo "== checkpatch" | tee -a $log
(cd "$srcdir" &&
 python3 "$ovs_srcdir"/utilities/checkpatch.py -q -f \
     lib/*.[ch] vswitchd/*.c tests/*.c) 2>&1 | tee -a $log ||
    { echo "checkpatch: FAILED"; status=1; }

# 2, 3. The two suites.
run_suite "$builddir" check "$*" || status=1
run_suite "$builddir" check-system "$*" || status=1

if test $# = 0; then
    # 4. Thread safety annotations checked, every warning an error.
    if command -v clang > /dev/null; then
        build "$clang_builddir" CC=clang --enable-Werror ||
            { echo "clang build: FAILED"; status=1; }
    else
        echo "clang not found (apt-get install clang)"
        status=1
    fi

    # 5. AddressSanitizer and UndefinedBehaviorSanitizer.
    build "$asan_builddir" --enable-asan --enable-ubsan || exit 1
    run_suite "$asan_builddir" check "" || status=1
    # The engine under testpmd guests, and the migration tests' dirty log;
    # not the Linux guests' tests (QEMU under TCG is slow; they run in step
    # 3), nor the fairness test, which measures how the engine shares a
    # CPU and so needs the plain build's speed, and the long tests
    # shorter, to keep CI within its hour.
    VDPA_CONNECTIONS=${VDPA_CONNECTIONS:-20} \
    VDPA_ROUNDS=${VDPA_ROUNDS:-10} \
        run_suite "$asan_builddir" check-system \
        "-k hw,!migration,!qemu,!fairness -k robustness -k dirty" || status=1
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
    echo "See $log, and tests/testsuite.log, tests/system-testsuite.log" \
         "and their .dir directories in $builddir and $asan_builddir."
fi
exit $status
