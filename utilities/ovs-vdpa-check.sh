#! /bin/bash
# Runs the whole ovs-vdpa test suite, as root, from nothing: installs what
# is missing, builds (utilities/ovs-vdpa-setup.sh), then runs the autotest
# suite (unit and system tests with ovsdb-server, ovs-vswitchd, DPDK and
# dpdk-testpmd guests).
#
# Usage: utilities/ovs-vdpa-check.sh [TESTSUITEFLAGS...]
# e.g.   utilities/ovs-vdpa-check.sh -k multiqueue
#
# Exits non-zero if any test fails.

set -e -o pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${VDPA_BUILDDIR:-$srcdir/_build}

"$srcdir"/utilities/ovs-vdpa-setup.sh "$builddir"

cd "$builddir"
status=0
if ! make --no-print-directory check TESTSUITEFLAGS="$*" 2>&1 |
        tee check.log; then
    status=1
fi

# One line that CI and people can read at a glance.
passed=$(grep -cE '^ *[0-9]+: .* ok$' check.log || true)
failed=$(grep -cE '^ *[0-9]+: .* FAILED \(' check.log || true)
skipped=$(grep -cE '^ *[0-9]+: .* skipped \(' check.log || true)
echo "$passed passed, $failed failed, $skipped skipped"
if test $status != 0 && test -f tests/testsuite.log; then
    echo "See $builddir/tests/testsuite.log and tests/testsuite.dir/."
fi
exit $status
