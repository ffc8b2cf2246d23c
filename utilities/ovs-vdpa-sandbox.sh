# Shell functions for the demo and the benchmark: a sandboxed ovsdb-server
# and ovs-vswitchd (own run directory and network namespace, DPDK without
# hugepages) and dpdk-testpmd virtio-user guests.  Source it after setting
# 'builddir' (the ovs-vdpa build directory) and 'sandbox_name'.
#
# The tests have the same in autotest form, in tests/vdpa-macros.at.

# The OVS trees this build uses (by default, its own ./ovs).
ovs=$(sed -n 's/^OVS_BUILDDIR = //p' $builddir/Makefile)
ovs_src=$(sed -n 's/^OVS_SRCDIR = //p' $builddir/Makefile)
PATH=$builddir/vswitchd:$ovs/utilities:$ovs/ovsdb:$PATH
sandbox=$(mktemp -d /tmp/$sandbox_name.XXXXXX)
export OVS_RUNDIR=$sandbox OVS_LOGDIR=$sandbox OVS_DBDIR=$sandbox
export OVS_SYSCONFDIR=$sandbox OVS_PKGDATADIR=$sandbox
prefix=$sandbox_name-$$
guests=

sandbox_cleanup () {
    guests_stop
    ovs-appctl -t ovs-vswitchd exit --cleanup 2>/dev/null || true
    ovs-appctl -t ovsdb-server exit 2>/dev/null || true
    rm -rf /var/run/dpdk/$prefix-*
    echo "Logs are in $sandbox."
}
trap sandbox_cleanup EXIT

step () {
    printf '\n== %s\n' "$*"
}

# wait_for CONDITION: waits up to 30 s for shell CONDITION to hold.
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

# sandbox_start [OTHER_CONFIG...]: starts ovsdb-server and ovs-vswitchd
# with DPDK and one PMD thread on core 0, and adds netdev bridge br0.
sandbox_start () {
    ovsdb-tool create $sandbox/conf.db $ovs_src/vswitchd/vswitch.ovsschema
    ovsdb-server --detach --no-chdir --pidfile --log-file \
        --remote=punix:$sandbox/db.sock
    ovs-vsctl --no-wait init
    ovs-vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
        other_config:dpdk-extra="--no-huge -m 1024 --legacy-mem --no-pci \
--file-prefix=$prefix-ovs --log-level=pmd.*:error" \
        other_config:pmd-cpu-mask=1 "$@"
    unshare --net ovs-vswitchd --detach --no-chdir --pidfile --log-file \
        -vconsole:err
    wait_for "grep -q 'DPDK Enabled - initialized' $sandbox/ovs-vswitchd.log"
    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=netdev
}

# guest_start NAME SOCKET SERVER MODE [TESTPMD_ARGS...]: starts a
# dpdk-testpmd guest forwarding in MODE (txonly, rxonly) on a virtio-user
# port on SOCKET, serving it if SERVER is 1.  Its two lcores run on the
# CPUs that $guest_lcores maps them to (EAL --lcores), by default 0 and 1.
guest_start () {
    local name=$1 sock=$2 server=$3 mode=$4
    shift 4
    test $server = 0 || rm -f $sock
    # Line-buffered, so that guest_count reads the latest statistics.
    stdbuf -oL dpdk-testpmd --lcores="${guest_lcores:-0,1}" --no-pci \
        --no-huge -m 512 \
        --file-prefix=$prefix-$name --log-level=pmd.*:error \
        --vdev "net_virtio_user0,path=$sock,server=$server,queues=1" \
        -- --forward-mode=$mode --nb-cores=1 --total-num-mbufs=16384 \
        --stats-period 1 "$@" > $sandbox/$name.log 2>&1 &
    echo $! > $sandbox/$name.pid
    guests="$guests $name"
}

# guests_stop [NAME...]: stops the named guests, or all, as a user would
# (SIGINT), and waits for them to exit.
guests_stop () {
    local name pid

    for name in ${*:-$guests}; do
        kill -INT $(cat $sandbox/$name.pid) 2>/dev/null || true
    done
    for name in ${*:-$guests}; do
        pid=$(cat $sandbox/$name.pid)
        for i in $(seq 1 50); do
            kill -0 $pid 2>/dev/null || break
            sleep 0.1
        done
        if kill -9 $pid 2>/dev/null; then
            echo "$name did not exit within 5 s of SIGINT: killed it" >&2
        fi
        rm -rf /var/run/dpdk/$prefix-$name
        guests=$(echo $guests | tr ' ' '\n' | grep -vx $name | tr '\n' ' ')
    done
}

# guest_count NAME RX|TX: the guest's latest packet count.
guest_count () {
    grep -o "$2-packets: *[0-9]*" $sandbox/$1.log | tail -n 1 |
        awk '{print $2}' | grep . || echo 0
}

# wait_connected PORT...: waits until the guests of the PORTs connected.
wait_connected () {
    local port

    for port in "$@"; do
        wait_for "test \"\$(ovs-vsctl get Interface $port \
status:status 2>/dev/null)\" = connected"
    done
}
