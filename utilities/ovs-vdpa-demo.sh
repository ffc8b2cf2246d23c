#! /bin/bash
# The ovs-vdpa main job, as root: builds if needed, starts a sandboxed Open
# vSwitch (its own run directory and network namespace) with a netdev
# bridge and two dpdkvdpa ports, one on the software datapath and one on a
# device of the software vDPA engine, attaches two dpdk-testpmd virtio-user
# guests, forwards traffic from one to the other for a few seconds, prints
# what happened, and cleans up.
#
# Usage: utilities/ovs-vdpa-demo.sh [SECONDS]     (default 5)

set -e

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${VDPA_BUILDDIR:-$srcdir/_build}
seconds=${1:-5}

"$srcdir"/utilities/ovs-vdpa-setup.sh "$builddir"

sandbox_name=ovs-vdpa-demo
. "$srcdir"/utilities/ovs-vdpa-sandbox.sh

step "Starting ovsdb-server and ovs-vswitchd in $sandbox"
vdpa_ovs_start other_config:vdpa-sim="devices=1"
ovs-vswitchd --version | sed 's/^/  /'

step "The software vDPA engine (other_config:vdpa-sim)"
ovs-appctl dpdkvdpa/engine-list

step "Adding dpdkvdpa ports vdpa0 (sw datapath, server socket) and vdpa1" \
     "(engine 0's device, client socket) to bridge br0"
set -x
ovs-vsctl add-port br0 vdpa0 -- set Interface vdpa0 type=dpdkvdpa
ovs-vsctl add-port br0 vdpa1 -- set Interface vdpa1 type=dpdkvdpa \
    options:vhost-server-path=$sandbox/guest1.sock \
    options:vdpa-engine=0 options:vdpa-device=0
{ set +x; } 2>/dev/null

step "Starting guest1 (testpmd rxonly, serves guest1.sock) and guest0" \
     "(testpmd txonly, connects to vdpa0)"
guest_start guest1 $sandbox/guest1.sock 1 rxonly
guest_start guest0 $sandbox/vdpa0 0 txonly
wait_connected vdpa0 vdpa1
echo "Both guests connected; waiting for traffic..."
# A port is connected before its guest starts forwarding: wait for the
# sender to send and for OVS to receive what it sent.
vdpa_wait_until "test \$(guest_count guest0 TX) -gt 0"
vdpa_wait_until "test \$(iface_stat vdpa0 rx_packets) -gt 0"
echo "Forwarding for $seconds seconds..."
sleep "$seconds"
# Stop the sender and let the last packets reach guest1, which stays
# connected so that the status and the engine's counters show it.
guest_stop guest0
sleep 1

step "Interface status"
for port in vdpa0 vdpa1; do
    echo "$port: $(ovs-vsctl get Interface $port status)"
done

step "The ports as dpdkvdpa/show sees them"
ovs-appctl dpdkvdpa/show

step "Interface counters (as the datapath reports them)"
ovs-appctl dpctl/show -s | grep -A4 -E 'port [0-9]+: vdpa'

guest_stop guest1

step "PMD thread statistics"
ovs-appctl dpif-netdev/pmd-stats-show | grep -E 'pmd thread|packets|cycles'

step "What the guests counted"
sent=$(guest_count guest0 TX)
received=$(guest_count guest1 RX)
echo "guest0 sent $sent packets, guest1 received $received packets."
if test "$received" -gt 0; then
    echo "Traffic went guest0 -> vdpa0 (OVS PMD) -> br0 -> vdpa1 (vDPA" \
         "engine) -> guest1."
else
    echo "guest1 received nothing." >&2
    exit 1
fi
