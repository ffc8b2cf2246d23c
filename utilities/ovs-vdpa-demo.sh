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

ovs=$builddir/ovs
PATH=$builddir/vswitchd:$ovs/utilities:$ovs/ovsdb:$PATH
sandbox=$(mktemp -d /tmp/ovs-vdpa-demo.XXXXXX)
export OVS_RUNDIR=$sandbox OVS_LOGDIR=$sandbox OVS_DBDIR=$sandbox
export OVS_SYSCONFDIR=$sandbox OVS_PKGDATADIR=$sandbox
prefix=ovs-vdpa-demo-$$
guest_pids=

cleanup () {
    for pid in $guest_pids; do
        kill -INT $pid 2>/dev/null || true
    done
    sleep 1
    for pid in $guest_pids; do
        kill -9 $pid 2>/dev/null || true
    done
    ovs-appctl -t ovs-vswitchd exit --cleanup 2>/dev/null || true
    ovs-appctl -t ovsdb-server exit 2>/dev/null || true
    rm -rf /var/run/dpdk/$prefix-*
    echo "Logs are in $sandbox."
}
trap cleanup EXIT

step () {
    printf '\n== %s\n' "$*"
}

# guest NAME SOCKET SERVER MODE: starts a dpdk-testpmd guest.
guest () {
    dpdk-testpmd -l 0,1 --no-pci --no-huge -m 512 \
        --file-prefix=$prefix-$1 --log-level=pmd.*:error \
        --vdev "net_virtio_user0,path=$2,server=$3,queues=1" \
        -- --forward-mode=$4 --nb-cores=1 --total-num-mbufs=16384 \
        --stats-period 1 > $sandbox/$1.log 2>&1 &
    guest_pids="$guest_pids $!"
}

# last_count NAME RX|TX: the guest's latest packet count.
last_count () {
    grep -o "$2-packets: *[0-9]*" $sandbox/$1.log | tail -n 1 |
        awk '{print $2}' | grep . || echo 0
}

wait_for () {
    for i in $(seq 1 300); do
        if eval "$1"; then
            return 0
        fi
        sleep 0.1
    done
    echo "timed out waiting for: $1" >&2
    exit 1
}

step "Starting ovsdb-server and ovs-vswitchd in $sandbox"
ovsdb-tool create $sandbox/conf.db $ovs/vswitchd/vswitch.ovsschema
ovsdb-server --detach --no-chdir --pidfile --log-file \
    --remote=punix:$sandbox/db.sock
ovs-vsctl --no-wait init
ovs-vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
    other_config:dpdk-extra="--no-huge -m 1024 --legacy-mem --no-pci \
--file-prefix=$prefix-ovs --log-level=pmd.*:error" \
    other_config:pmd-cpu-mask=1 other_config:vdpa-sim="devices=1"
unshare --net ovs-vswitchd --detach --no-chdir --pidfile --log-file
wait_for "grep -q 'DPDK Enabled - initialized' $sandbox/ovs-vswitchd.log"
ovs-vswitchd --version | sed 's/^/  /'

step "The software vDPA engine (other_config:vdpa-sim)"
ovs-appctl dpdkvdpa/engine-list

step "Adding bridge br0 with dpdkvdpa ports vdpa0 (sw datapath, server" \
     "socket) and vdpa1 (engine 0's device, client socket)"
set -x
ovs-vsctl add-br br0 -- set bridge br0 datapath_type=netdev
ovs-vsctl add-port br0 vdpa0 -- set Interface vdpa0 type=dpdkvdpa
ovs-vsctl add-port br0 vdpa1 -- set Interface vdpa1 type=dpdkvdpa \
    options:vhost-server-path=$sandbox/guest1.sock \
    options:vdpa-engine=0 options:vdpa-device=0
{ set +x; } 2>/dev/null

step "Starting guest1 (testpmd rxonly, serves guest1.sock) and guest0" \
     "(testpmd txonly, connects to vdpa0)"
guest guest1 $sandbox/guest1.sock 1 rxonly
guest guest0 $sandbox/vdpa0 0 txonly
for port in vdpa0 vdpa1; do
    wait_for "test \"\$(ovs-vsctl get Interface $port status:status)\" \
= connected"
done
echo "Both guests connected; forwarding for $seconds seconds..."
sleep "$seconds"
kill -INT ${guest_pids%% *} ${guest_pids##* } 2>/dev/null || true
for pid in $guest_pids; do
    while kill -0 $pid 2>/dev/null; do sleep 0.1; done
done
guest_pids=

step "Interface status"
for port in vdpa0 vdpa1; do
    echo "$port: $(ovs-vsctl get Interface $port status)"
done

step "The ports as dpdkvdpa/show sees them"
ovs-appctl dpdkvdpa/show

step "Interface counters (as the datapath reports them)"
ovs-appctl dpctl/show -s | grep -A4 -E 'port [0-9]+: vdpa'

step "PMD thread statistics"
ovs-appctl dpif-netdev/pmd-stats-show | grep -E 'pmd thread|packets|cycles'

step "What the guests counted"
sent=$(last_count guest0 TX)
received=$(last_count guest1 RX)
echo "guest0 sent $sent packets, guest1 received $received packets."
if test "$received" -gt 0; then
    echo "Traffic went guest0 -> vdpa0 (OVS PMD) -> br0 -> vdpa1 (vDPA" \
         "engine) -> guest1."
else
    echo "guest1 received nothing." >&2
    exit 1
fi
