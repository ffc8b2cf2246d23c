#! /bin/bash
# A sandboxed Open vSwitch for the demo and the benchmark: ovsdb-server and
# our ovs-vswitchd in a run directory of their own under /tmp, with the
# functions of ovs-vdpa-lib.sh (the ones the tests use) to start it and
# dpdk-testpmd virtio-user guests.  Source it after setting 'builddir' (the
# ovs-vdpa build directory) and 'sandbox_name'; on exit it stops whatever
# was started and says where the logs are.
#
# Run as a script, it starts a sandbox whose Open vSwitch has a software
# vDPA engine of two devices and bridge br0, and runs a shell in it:
#
#   utilities/ovs-vdpa-sandbox.sh [BUILDDIR]     (default: ./_build)

if test -z "$sandbox_name"; then
    set -e
    srcdir=$(cd "$(dirname "$0")/.." && pwd)
    builddir=${1:-${VDPA_BUILDDIR:-$srcdir/_build}}
    sandbox_name=ovs-vdpa-sandbox
    sandbox_shell=yes
fi

# The OVS trees this build uses.
ovs=$(sed -n 's/^OVS_BUILDDIR = //p' $builddir/Makefile)
OVS_SRCDIR=$(sed -n 's/^OVS_SRCDIR = //p' $builddir/Makefile)
TESTPMD=$(sed -n 's/^TESTPMD = //p' $builddir/Makefile)
TESTPMD=${TESTPMD:-dpdk-testpmd}
PATH=$builddir/vswitchd:$ovs/utilities:$ovs/ovsdb:$PATH
sandbox=$(mktemp -d /tmp/$sandbox_name.XXXXXX)
export OVS_RUNDIR=$sandbox OVS_LOGDIR=$sandbox OVS_DBDIR=$sandbox
export OVS_SYSCONFDIR=$sandbox OVS_PKGDATADIR=$sandbox

. "$(dirname "${BASH_SOURCE[0]}")"/ovs-vdpa-lib.sh

sandbox_cleanup () {
    vdpa_cleanup
    echo "Logs are in $sandbox."
}
trap sandbox_cleanup EXIT

step () {
    printf '\n== %s\n' "$*"
}

# wait_connected PORT...: waits until the guests of the PORTs connected.
wait_connected () {
    local port

    for port in "$@"; do
        vdpa_wait_until "test \"\$(iface_get $port status status)\" = \
connected"
    done
}

if test "$sandbox_shell" = yes; then
    step "Starting ovsdb-server and ovs-vswitchd in $sandbox"
    vdpa_ovs_start other_config:vdpa-sim="devices=2"
    ovs-appctl dpdkvdpa/engine-list
    step "A shell in the sandbox (exit to stop it)"
    cat <<EOT
ovs-vsctl, ovs-appctl and guest_start (see utilities/ovs-vdpa-lib.sh)
work here, e.g.:
  ovs-vsctl add-port br0 vdpa0 -- set Interface vdpa0 type=dpdkvdpa \\
      options:vdpa-engine=0
  guest_start g0 \$OVS_RUNDIR/vdpa0 0 txonly
EOT
    export OVS_SRCDIR TESTPMD PATH
    cat > $sandbox/bashrc <<EOT
. '$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/ovs-vdpa-lib.sh'
trap vdpa_cleanup EXIT
PS1='[ovs-vdpa sandbox] \w\$ '
EOT
    (cd $sandbox && bash --rcfile $sandbox/bashrc -i) || :
fi
