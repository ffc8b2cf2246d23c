# Shell functions shared by the system tests (tests/vdpa-macros.at sources
# this file) and the sandbox scripts (ovs-vdpa-sandbox.sh, for the demo and
# the benchmark), the way OVS's scripts share utilities/ovs-lib: start
# ovsdb-server and our ovs-vswitchd with DPDK without hugepages, start and
# stop dpdk-testpmd guests on net_virtio_user, stop a process, wait.
#
# The caller puts our ovs-vswitchd and OVS's ovsdb-server, ovsdb-tool,
# ovs-vsctl and ovs-appctl in PATH, points OVS_RUNDIR, OVS_LOGDIR and
# OVS_DBDIR to one directory (pidfiles, logs, database, guests' files), and
# sets OVS_SRCDIR (the OVS source tree, for the schema) and TESTPMD.
#
# Functions that start a process register how to kill it with
# "on_exit COMMAND": in the tests, OVS's (tests/ovs-macros.at) runs it when
# the test ends; elsewhere this file defines an on_exit of its own, and
# vdpa_cleanup runs the commands, the latest first.

if ! type on_exit >/dev/null 2>&1; then
    vdpa_on_exit_cmds=

    on_exit () {
        vdpa_on_exit_cmds="$1
$vdpa_on_exit_cmds"
    }

    vdpa_cleanup () {
        local cmds=$vdpa_on_exit_cmds cmd

        vdpa_on_exit_cmds=
        while read -r cmd; do
            test -z "$cmd" || eval "$cmd" || :
        done <<EOF
$cmds
EOF
    }
fi

# vdpa_prefix NAME
#
# Prints the DPDK --file-prefix of process NAME (ovs, or a guest's name):
# DPDK keeps its files in /var/run/dpdk/PREFIX.
vdpa_prefix () {
    echo "vdpa$$-$(basename "$OVS_RUNDIR")-$1"
}

# vdpa_wait_until CONDITION [SECONDS]
#
# Waits up to SECONDS (default $OVS_CTL_TIMEOUT, else 30), checking every
# 0.1 s, for shell CONDITION to hold.  Returns 1, with a message on stderr,
# if it never did.  (The tests wait with OVS's OVS_WAIT_UNTIL instead,
# which fails the test.)
vdpa_wait_until () {
    local i=0 n=$((${2:-${OVS_CTL_TIMEOUT:-30}} * 10))

    until eval "$1"; do
        if test $i -ge $n; then
            echo "timed out waiting for: $1" >&2
            return 1
        fi
        sleep 0.1
        i=$((i + 1))
    done
}

# vdpa_kill PID SECONDS [SIGNAL [COMMAND]]
#
# Stops process PID: sends it SIGNAL (INT, TERM, ...) if one is given,
# waits up to SECONDS for it to exit, then runs COMMAND, if given, and
# kills it with SIGKILL and waits until it is gone.  Returns 1 if it had
# to be killed, else 0 (also when there was no such process).
vdpa_kill () {
    local pid=$1 n=$(($2 * 10)) i=0

    test -n "$pid" && kill -0 $pid 2>/dev/null || return 0
    test -z "$3" || kill -$3 $pid 2>/dev/null || :
    while kill -0 $pid 2>/dev/null; do
        if test $i -ge $n; then
            test -z "$4" || eval "$4"
            kill -9 $pid 2>/dev/null || :
            while kill -0 $pid 2>/dev/null; do
                sleep 0.1
            done
            return 1
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 0
}

# vdpa_backtrace PID
#
# Prints where every thread of process PID is, in the kernel and, if gdb is
# installed, in the process: what a process that does not exit waits for.
vdpa_backtrace () {
    local task

    echo "Threads of process $1, in the kernel:"
    for task in /proc/$1/task/*; do
        echo "$(cat $task/comm 2>/dev/null) $(cut -d' ' -f3 $task/stat \
                2>/dev/null) $(cat $task/wchan 2>/dev/null)"
        sed 's/^/    /' $task/stack 2>/dev/null
    done
    command -v gdb > /dev/null || return 0
    echo "Threads of process $1:"
    timeout 60 gdb -p $1 -batch -ex 'info threads' \
        -ex 'thread apply all bt' < /dev/null 2>&1 | grep -v '^\[New LWP'
}

# vdpa_ovsdb_start
#
# Creates the database and starts ovsdb-server on it, listening on
# $OVS_RUNDIR/db.sock.
vdpa_ovsdb_start () {
    ovsdb-tool create "$OVS_DBDIR/conf.db" \
        "$OVS_SRCDIR/vswitchd/vswitch.ovsschema" || return 1
    ovsdb-server --detach --no-chdir --pidfile --log-file \
        --remote=punix:"$OVS_RUNDIR/db.sock" || return 1
    on_exit "kill $(cat "$OVS_RUNDIR/ovsdb-server.pid")"
}

# vdpa_vswitchd_config [OTHER_CONFIG...]
#
# Initializes the database for ovs-vswitchd: DPDK without hugepages or PCI
# devices, one PMD thread on core 0, and the extra Open_vSwitch settings
# OTHER_CONFIG (e.g. other_config:vdpa-sim="devices=1").
vdpa_vswitchd_config () {
    ovs-vsctl --no-wait init || return 1
    ovs-vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
        other_config:dpdk-extra="--no-huge -m 1024 --legacy-mem --no-pci \
--file-prefix=$(vdpa_prefix ovs) --log-level=pmd.*:error" \
        other_config:pmd-cpu-mask=1 "$@"
}

# vdpa_vswitchd_start
#
# Starts our ovs-vswitchd in a network namespace of its own, which keeps
# its tap devices (ovs-netdev, br0) away from the host and from other OVS
# instances, or in the named network namespace $VDPA_NETNS if that is set
# (e.g. one with a veth end for a tunnel).  It logs vconn, ofproto_dpif
# and unixctl in detail.
vdpa_vswitchd_start () {
    local netns="unshare --net"

    test -z "$VDPA_NETNS" || netns="ip netns exec $VDPA_NETNS"
    $netns ovs-vswitchd --detach --no-chdir --pidfile --log-file \
        -vvconn -vofproto_dpif -vunixctl -vconsole:err || return 1
    on_exit "(OVS_RUNDIR='$OVS_RUNDIR'; \
vdpa_vswitchd_kill $(cat "$OVS_RUNDIR/ovs-vswitchd.pid"))"
}

# vdpa_vswitchd_kill PID
#
# Has ovs-vswitchd PID exit, killing it if it does not within 5 s, and
# removes its DPDK files.
vdpa_vswitchd_kill () {
    ovs-appctl --timeout=5 -t ovs-vswitchd exit --cleanup \
        >/dev/null 2>&1 || :
    vdpa_kill "$1" 5 TERM || :
    rm -rf /var/run/dpdk/$(vdpa_prefix ovs)
}

# vdpa_ovs_start [OTHER_CONFIG...]
#
# All of the above: starts ovsdb-server and ovs-vswitchd with
# OTHER_CONFIG, waits for DPDK to be up, and adds the netdev bridge br0.
vdpa_ovs_start () {
    vdpa_ovsdb_start && vdpa_vswitchd_config "$@" && vdpa_vswitchd_start &&
        vdpa_wait_until "grep -q 'DPDK Enabled - initialized' \
\"$OVS_LOGDIR/ovs-vswitchd.log\"" &&
        ovs-vsctl add-br br0 -- set bridge br0 datapath_type=netdev
}

# guest_start NAME SOCKET SERVER MODE [QUEUES [QSIZE [TESTPMD_ARG...]]]
#
# Starts a dpdk-testpmd guest NAME on vhost-user socket SOCKET, serving it
# if SERVER is 1, forwarding in MODE (txonly, rxonly, ...) on QUEUES queue
# pairs (default 1) of QSIZE-entry rings (default 256, at most 32768), with
# extra testpmd arguments TESTPMD_ARG (e.g. --txpkts=1518).  It has mbufs
# enough to fill every ring twice over.  Its two lcores run on the CPUs
# that $VDPA_GUEST_LCORES maps them to (EAL --lcores), by default 0 and 1.
# $VDPA_GUEST_DEVARGS, if set, adds net_virtio_user device arguments
# (e.g. mac=02:00:00:00:00:01, the guest's MAC address).
# Its output goes to NAME.log, with port statistics every second.
guest_start () {
    local name=$1 sock=$2 server=$3 mode=$4 queues=${5:-1} qsize=${6:-256}
    local mbufs

    shift 4
    test $# = 0 || shift
    test $# = 0 || shift
    mbufs=$((queues * qsize * 2 + 8192))
    test $mbufs -ge 16384 || mbufs=16384

    # A server that was killed leaves its socket behind; restarting it
    # replaces that, as QEMU's server=on does.
    test $server = 0 || rm -f $sock
    # Line-buffered, so that guest_count reads the latest statistics.
    # Without testpmd's default mlockall(), which pages in and locks its
    # 512 MB: on a busy machine that took seconds, during which the guest
    # ignored SIGINT, and its munlock at exit as long.
    stdbuf -oL "$TESTPMD" --lcores="${VDPA_GUEST_LCORES:-0,1}" --no-pci \
        --no-huge -m 512 --file-prefix=$(vdpa_prefix $name) \
        --log-level=pmd.*:error \
        --vdev "net_virtio_user0,path=$sock,server=$server,queues=$queues,\
queue_size=$qsize${VDPA_GUEST_DEVARGS:+,$VDPA_GUEST_DEVARGS}" \
        -- --no-mlockall --forward-mode=$mode --nb-cores=1 --rxq=$queues \
        --txq=$queues --total-num-mbufs=$mbufs --stats-period 1 "$@" \
        > "$OVS_RUNDIR/$name.log" 2>&1 &
    echo $! > "$OVS_RUNDIR/$name.pid"
    on_exit "(OVS_RUNDIR='$OVS_RUNDIR'; guest_kill $name)"
}

# guest_stop NAME
#
# Stops guest NAME the way a user would (SIGINT) and waits for it to exit,
# killing it after 10 s (which its log then says, with where its threads
# were).
guest_stop () {
    local pid=$(cat "$OVS_RUNDIR/$1.pid" 2>/dev/null)

    if ! vdpa_kill "$pid" 10 INT \
         "vdpa_backtrace $pid >> '$OVS_RUNDIR/$1.log' 2>&1"; then
        # Kept apart, since the guest's next start overwrites its log.
        echo "$1 did not exit within 10 s of SIGINT: killed it" \
             >> "$OVS_RUNDIR/$1.log"
        cp "$OVS_RUNDIR/$1.log" "$OVS_RUNDIR/$1.killed-$pid.log"
    fi
    guest_kill $1
}

# guest_kill NAME
#
# Kills guest NAME, if it is still running, and removes its DPDK files.
guest_kill () {
    vdpa_kill "$(cat "$OVS_RUNDIR/$1.pid" 2>/dev/null)" 0 || :
    rm -f "$OVS_RUNDIR/$1.pid"
    rm -rf /var/run/dpdk/$(vdpa_prefix $1)
}

# guest_count NAME RX|TX
#
# Prints guest NAME's latest count of packets received (RX) or sent (TX).
guest_count () {
    grep -o "$2-packets: *[0-9]*" "$OVS_RUNDIR/$1.log" | tail -n 1 |
        awk '{print $2}' | grep . || echo 0
}

# iface_get IFACE COLUMN KEY
#
# Prints KEY of map COLUMN (status, statistics, ...) of Interface IFACE.
iface_get () {
    ovs-vsctl get Interface $1 $2:$3 2>/dev/null | tr -d '"'
}

# iface_stat IFACE KEY
#
# Prints counter KEY of IFACE as the datapath reports it now (the
# Interface table is refreshed only every few seconds).
iface_stat () {
    ovs-vsctl get Interface $1 statistics:$2 2>/dev/null || echo 0
}
