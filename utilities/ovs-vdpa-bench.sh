#! /bin/bash
# Benchmark, as root: what a port costs the switch, for five kinds of port
# pair in one ovs-vswitchd and one run, so that their ratios hold:
#
#   stock      OVS's own dpdkvhostuserclient ports
#   sw         dpdkvdpa ports on the software datapath
#   hw         dpdkvdpa ports on the devices of a software vDPA engine in
#              thread mode (engine 0: its thread moves the packets)
#   hw-pinned  the same on an engine whose thread is pinned to the guest's
#              CPU (engine 2), so that OVS's PMD has its CPU to itself and
#              its cycles per packet are what a port costs it when its
#              engine runs elsewhere, as a NIC's does
#   hw-inline  dpdkvdpa ports on the devices of a software vDPA engine in
#              inline mode (engine 1: OVS's PMD thread moves the packets
#              in the representor's bursts)
#
# The topology gives each busy thread a core: OVS's single PMD thread on
# CPU 0 forwards port a to port b and b to a (two OpenFlow rules); the
# guest, on CPU 1, is one dpdk-testpmd with two virtio-user ports in io
# forwarding, started with 64 bursts on each port ("start tx_first 64"), so
# that the packets circulate and the slower of the two cores sets the rate.
# DPDK uses hugepages, which the script reserves and gives back.
#
# Sections (--sections, comma-separated; all by default):
#   throughput  Mpps, the OVS PMD's processing cycles per packet
#               (dpif-netdev/pmd-stats-show), and the CPU time of every
#               ovs-vswitchd thread per packet (/proc/PID/task/*/stat: PMD,
#               engine and all others) and of the engine threads alone, per
#               kind and frame size, in interleaved rounds: median and
#               spread (min-max)
#   zeroloss    the highest offered rate (64-byte frames, a to b) at which
#               nothing is dropped: a binary search on a log scale from
#               16 Mpps down to 16 kpps (ovs-vdpa-pktgen)
#   latency     the round trip of one packet between two guests through OVS
#               (a -> b -> a), idle and under a load: median and 99th
#               percentile (ovs-vdpa-pktgen)
#   scaling     throughput with 1, 2, 4, 8 port pairs on one engine, in
#               inline mode (hw-inline; thread mode, hw, if --kinds has
#               hw but not hw-inline)
#
# Usage: utilities/ovs-vdpa-bench.sh [OPTIONS]   (--help for the options)

set -e

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${VDPA_BUILDDIR:-$srcdir/_build}

seconds=8
rounds=3
sizes="64 512 1518"
kinds="stock sw hw hw-pinned hw-inline"
sections="throughput,zeroloss,latency,scaling"
pairs_list="1 2 4 8"
warmup=2
zl_seconds=1
zl_steps=12
zl_max=16000000
probes=2000
load_pps=200000
engine=
huge=yes
rst=no
setup=yes

usage () {
    cat <<EOF
usage: $0 [OPTIONS]
  --seconds=N      length of a throughput run (default $seconds)
  --rounds=N       interleaved rounds (default $rounds)
  --sizes=LIST     frame sizes, by spaces or commas (default "$sizes")
  --kinds=LIST     port kinds, of stock sw hw hw-pinned hw-inline
                   (default "$kinds")
  --sections=LIST  of throughput,zeroloss,latency,scaling (default all)
  --pairs=LIST     port pairs for the scaling section (default "$pairs_list")
  --probes=N       latency probes per measurement (default $probes)
  --load=PPS       the load of the latency section (default $load_pps)
  --engine=SETTINGS  more vdpa-sim settings for the thread mode engine,
                   e.g. "threads=2,cpu-mask=0x2" (see ovsdb/dpdkvdpa.xml)
  --no-huge        no hugepages (the figures then say little)
  --no-setup       skip utilities/ovs-vdpa-setup.sh
  --smoke          a very short run that produces every row (for CI)
  --rst            also print the tables as reStructuredText
Environment: VDPA_BUILDDIR (default $srcdir/_build).
EOF
}

for arg; do
    case $arg in
    --seconds=*) seconds=${arg#*=} ;;
    --rounds=*) rounds=${arg#*=} ;;
    --sizes=*) sizes=$(echo "${arg#*=}" | tr , ' ') ;;
    --kinds=*) kinds=$(echo "${arg#*=}" | tr , ' ') ;;
    --sections=*) sections=${arg#*=} ;;
    --pairs=*) pairs_list=$(echo "${arg#*=}" | tr , ' ') ;;
    --probes=*) probes=${arg#*=} ;;
    --load=*) load_pps=${arg#*=} ;;
    --engine=*) engine=,${arg#*=} ;;
    --no-huge) huge=no ;;
    --no-setup) setup=no ;;
    --rst) rst=yes ;;
    --smoke)
        seconds=1 rounds=1 sizes=64 pairs_list="1 2" warmup=0.5
        zl_seconds=0.2 zl_steps=2 probes=50 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$0: unknown option $arg (--help for help)" >&2; exit 1 ;;
    esac
done

section () {
    case ,$sections, in
    *,$1,*) return 0 ;;
    *) return 1 ;;
    esac
}

pktgen=$builddir/utilities/ovs-vdpa-pktgen
if section zeroloss || section latency; then
    test -x "$pktgen" || {
        echo "$0: $pktgen is missing (make)" >&2
        exit 1
    }
fi

max_pairs=1
for p in $pairs_list; do
    test $p -le $max_pairs || max_pairs=$p
done
# The scaling section measures the default engine mode, inline, unless
# only hw ports are asked for (thread mode).  Only its engine gets devices
# for the biggest section: each device's representor is an ethdev, and
# DPDK has 32.
scale_kind=
case " $kinds " in
*" hw-inline "*) scale_kind=hw-inline ;;
*" hw "*) scale_kind=hw ;;
esac
thread_devices=2 inline_devices=2
case $scale_kind in
hw) thread_devices=$((2 * max_pairs)) ;;
hw-inline) inline_devices=$((2 * max_pairs)) ;;
esac
engine_spec="devices=$thread_devices,mode=thread$engine;\
devices=$inline_devices,mode=inline"

test $setup = no || "$srcdir"/utilities/ovs-vdpa-setup.sh "$builddir" >&2

sandbox_name=ovs-vdpa-bench
. "$srcdir"/utilities/ovs-vdpa-sandbox.sh
# The sandbox's EXIT trap cleans up; have it run on a signal too.
trap 'exit 1' INT TERM

# Hugepages: reserves what DPDK needs here on top of what is reserved
# already, and gives that back on exit (the sandbox's trap, which runs the
# on_exit commands the latest first, so after DPDK's processes are gone).
huge_pages=1024
huge_mounted=
eal_mem="--no-huge"
if test $huge = yes; then
    nr=/proc/sys/vm/nr_hugepages
    if ! grep -q '^[^ ]* [^ ]* hugetlbfs ' /proc/mounts; then
        mkdir -p /dev/hugepages
        mount -t hugetlbfs nodev /dev/hugepages
        huge_mounted=/dev/hugepages
    fi
    before=$(cat $nr)
    echo $((before + huge_pages)) > $nr
    on_exit "echo \$((\$(cat $nr) - $huge_pages)) > $nr; \
test -z '$huge_mounted' || umount $huge_mounted"
    if test $(cat $nr) -lt $((before + huge_pages)); then
        echo "$0: could not reserve $huge_pages hugepages" >&2
        exit 1
    fi
    eal_mem="--single-file-segments"
fi

# The guests and the generator run on CPU 1, OVS's PMD thread on CPU 0.
guest_cpu=1
test $(nproc) -gt 1 || guest_cpu=0
engine_spec="$engine_spec;devices=2,mode=thread,\
cpu-mask=$(printf %x $((1 << guest_cpu)))"

# ovs_start: our ovs-vswitchd with one PMD thread on CPU 0 and three
# software vDPA engines: in thread mode (for hw), in inline mode (for
# hw-inline) and in thread mode pinned to the guest's CPU (for hw-pinned).
ovs_start () {
    local prefix=$(vdpa_prefix ovs) mem

    if test $huge = yes; then
        mem="-m 1024"
    else
        mem="--no-huge -m 1024 --legacy-mem"
    fi
    vdpa_ovsdb_start
    vdpa_vswitchd_config \
        other_config:vdpa-sim="$engine_spec" \
        other_config:per-port-memory=true
    ovs-vsctl --no-wait set Open_vSwitch . other_config:dpdk-extra="$mem \
--no-pci --file-prefix=$prefix --log-level=pmd.*:error"
    vdpa_vswitchd_start
    vdpa_wait_until "grep -q 'DPDK Enabled - initialized' \
\"$OVS_LOGDIR/ovs-vswitchd.log\""
    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=netdev
}

# add_pairs KIND N: adds ports aI and bI, I from 0 to N - 1, of KIND, on
# sockets $sandbox/aI.sock and bI.sock that the guest serves, and flows
# that forward aI to bI and back.
add_pairs () {
    local kind=$1 n=$2 i port dev=0 args

    ovs-ofctl del-flows br0
    for i in $(seq 0 $((n - 1))); do
        for port in a$i b$i; do
            case $kind in
            stock)
                args="type=dpdkvhostuserclient" ;;
            sw)
                args="type=dpdkvdpa" ;;
            hw)
                args="type=dpdkvdpa options:vdpa-engine=0 \
options:vdpa-device=$dev"
                dev=$((dev + 1)) ;;
            hw-inline)
                args="type=dpdkvdpa options:vdpa-engine=1 \
options:vdpa-device=$dev"
                dev=$((dev + 1)) ;;
            hw-pinned)
                args="type=dpdkvdpa options:vdpa-engine=2 \
options:vdpa-device=$dev"
                dev=$((dev + 1)) ;;
            esac
            ovs-vsctl add-port br0 $port -- set Interface $port $args \
                options:vhost-server-path=$sandbox/$port.sock
            if test $kind != stock && test $kind != sw; then
                test "$(iface_get $port status datapath)" = hw || {
                    echo "$port is not on the hw datapath" >&2
                    return 1
                }
            fi
        done
        ovs-ofctl add-flow br0 in_port=a$i,actions=output:b$i
        ovs-ofctl add-flow br0 in_port=b$i,actions=output:a$i
    done
}

del_pairs () {
    local i args=

    for i in $(seq 0 $(($1 - 1))); do
        args="$args -- del-port a$i -- del-port b$i"
    done
    ovs-vsctl ${args# -- }
}

# loop_guest_start N SIZE: starts dpdk-testpmd "loop" with virtio-user
# ports on the N pairs' sockets, io forwarding between aI and bI, and has it
# send 64 bursts of SIZE-byte frames on each port.
loop_guest_start () {
    local n=$1 size=$2 i vdevs= port=0

    for i in $(seq 0 $(($n - 1))); do
        vdevs="$vdevs --vdev net_virtio_user$port,path=$sandbox/a$i.sock,\
server=1,queue_size=256"
        vdevs="$vdevs --vdev net_virtio_user$((port + 1)),\
path=$sandbox/b$i.sock,server=1,queue_size=256"
        port=$((port + 2))
    done
    rm -f $sandbox/a*.sock $sandbox/b*.sock $sandbox/loop.cmd
    mkfifo $sandbox/loop.cmd
    # Interactive, for "start tx_first 64", with commands from a FIFO.
    stdbuf -oL "$TESTPMD" --lcores=0@$guest_cpu,1@$guest_cpu --no-pci \
        $eal_mem -m 512 --file-prefix=$(vdpa_prefix loop) \
        --log-level=pmd.*:error $vdevs -- -i --forward-mode=io \
        --nb-cores=1 --txpkts=$size --total-num-mbufs=$((n * 8192 + 8192)) \
        < $sandbox/loop.cmd > $sandbox/loop.log 2>&1 &
    echo $! > $sandbox/loop.pid
    on_exit "guest_kill loop"
    exec 7> $sandbox/loop.cmd
}

loop_guest_stop () {
    echo quit >&7 || :
    exec 7>&-
    guest_stop loop
}

# cpu_ticks [PATTERN]: prints the CPU time, in clock ticks, of the
# ovs-vswitchd threads whose names match PATTERN (all by default).
cpu_ticks () {
    local pid=$(cat $OVS_RUNDIR/ovs-vswitchd.pid)

    cat /proc/$pid/task/*/stat 2>/dev/null |
        awk -v pat="${1:-.}" '{
            name = $0; sub(/^[^(]*\(/, "", name); sub(/\).*/, "", name)
            rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " ")
            if (name ~ pat) t += f[12] + f[13]
        } END { print t + 0 }'
}

# pmd_stat KEY: prints KEY ("packets received", ...) of the PMD thread.
pmd_stat () {
    ovs-appctl dpif-netdev/pmd-stats-show |
        awk -v key="$1" '/^pmd thread/ { pmd = 1 }
            pmd && index($0, key ":") {
                sub(/.*: */, ""); print $1 + 0; exit }'
}

# measure KIND SIZE PAIRS: prints "MPPS CYCLES CPU_NS ENGINE_NS" for one
# run of the loopback.
measure () {
    local kind=$1 size=$2 n=$3 i t0 t1 all0 all1 eng0 eng1 pkts cycles

    add_pairs $kind $n
    loop_guest_start $n $size
    for i in $(seq 0 $((n - 1))); do
        wait_connected a$i b$i
    done
    echo "start tx_first 64" >&7
    sleep $warmup
    ovs-appctl dpif-netdev/pmd-stats-clear >/dev/null
    all0=$(cpu_ticks) eng0=$(cpu_ticks '^vdpa_sim') t0=$(date +%s.%N)
    sleep $seconds
    pkts=$(pmd_stat "packets received")
    cycles=$(pmd_stat "avg processing cycles per packet")
    all1=$(cpu_ticks) eng1=$(cpu_ticks '^vdpa_sim') t1=$(date +%s.%N)
    loop_guest_stop
    del_pairs $n
    awk -v p=${pkts:-0} -v c=${cycles:-0} -v t0=$t0 -v t1=$t1 \
        -v a=$((all1 - all0)) -v e=$((eng1 - eng0)) -v hz=$(getconf CLK_TCK) \
        'BEGIN {
            ns = 1e9 / hz / (p > 0 ? p : 1)
            printf "%.4f %.0f %.0f %.0f\n", p / (t1 - t0) / 1e6, c, a * ns,
                   e * ns
        }'
}

# pktgen_run KIND ARG...: adds a pair of KIND, runs ovs-vdpa-pktgen ARG...
# on it, prints its results (the lines that are not trials or DPDK's).
pktgen_run () {
    local kind=$1 out=$sandbox/pktgen.log

    shift
    add_pairs $kind 1
    rm -f $sandbox/a0.sock $sandbox/b0.sock
    "$pktgen" -l $guest_cpu --no-pci $eal_mem -m 256 \
        --file-prefix=$(vdpa_prefix pktgen) --log-level=pmd.*:error \
        --vdev net_virtio_user0,path=$sandbox/a0.sock,server=1 \
        --vdev net_virtio_user1,path=$sandbox/b0.sock,server=1 \
        -- "$@" > $out 2>&1 &
    echo $! > $sandbox/pktgen.pid
    on_exit "guest_kill pktgen"
    wait $(cat $sandbox/pktgen.pid) || {
        cat $out >&2
        return 1
    }
    cat $out >> $sandbox/pktgen-all.log
    rm -rf /var/run/dpdk/$(vdpa_prefix pktgen)
    del_pairs 1
    grep -E '^(zero_loss_pps|probes|sent) ' $out
}

# stats FIELD WHERE: prints "median min max" of column FIELD of the
# results lines that awk condition WHERE selects.
stats () {
    awk "$2 { print \$$1 }" $results | sort -n |
        awk '{ v[NR] = $1 } END {
            if (!NR) { print "- - -"; exit }
            print v[int((NR + 1) / 2)], v[1], v[NR] }'
}

# Tables: each is written as "title", "header" and "row" lines to
# $tables, then printed as text and, with --rst, reStructuredText.
table () {
    echo "title|$*" >> $tables
}
header () {
    local IFS='|'
    echo "header|$*" >> $tables
}
row () {
    local IFS='|'
    echo "row|$*" >> $tables
}

print_text () {
    awk -F'|' '
        function flush(   i, j, line) {
            if (!n) return
            for (i = 1; i <= n; i++) {
                line = ""
                for (j = 2; j <= nf[i]; j++)
                    line = line sprintf(j == 2 ? "%-*s" : "  %*s", w[j],
                                        c[i, j])
                print line
            }
            n = 0; delete w
        }
        $1 == "title" { flush(); printf "\n== %s\n", $2; next }
        {
            n++; nf[n] = NF
            for (j = 2; j <= NF; j++) {
                c[n, j] = $j
                if (length($j) > w[j]) w[j] = length($j)
            }
        }
        END { flush() }' $tables
}

print_rst () {
    awk -F'|' '
        function rule(   j, s, line) {
            line = ""
            for (j = 2; j <= maxnf; j++) {
                s = sprintf("%*s", w[j], ""); gsub(/ /, "=", s)
                line = line (j > 2 ? " " : "") s
            }
            return line
        }
        function flush(   i, j, line) {
            if (!n) return
            print rule()
            for (i = 1; i <= n; i++) {
                line = ""
                for (j = 2; j <= maxnf; j++)
                    line = line (j > 2 ? " " : "") \
                           sprintf(j == 2 ? "%-*s" : "%*s", w[j], c[i, j])
                print line
                if (i == 1) print rule()
            }
            print rule()
            n = 0; maxnf = 0; delete w
        }
        $1 == "title" {
            flush(); s = $2; gsub(/./, "~", s)
            printf "\n%s\n%s\n\n", $2, s; next
        }
        {
            n++; if (NF > maxnf) maxnf = NF
            for (j = 2; j <= NF; j++) {
                c[n, j] = $j
                if (length($j) > w[j]) w[j] = length($j)
            }
        }
        END { flush() }' $tables
}

results=$sandbox/results
tables=$sandbox/tables
: > $results
: > $tables

step "Starting OVS (one PMD thread on CPU 0) with software vDPA engines: \
$engine_spec"
ovs_start

if section throughput; then
    for size in $sizes; do
        for round in $(seq 1 $rounds); do
            for kind in $kinds; do
                echo "throughput $size B, round $round/$rounds: $kind" >&2
                echo "thr $size $kind $(measure $kind $size 1)" >> $results
            done
        done
    done
    table "Throughput: loopback, $seconds s runs, median (min-max) of \
$rounds rounds"
    header size ports Mpps "vs stock" "PMD cyc/pkt" "vs stock" \
        "CPU ns/pkt" "engine ns/pkt"
    for size in $sizes; do
        set -- $(stats 4 "\$1 == \"thr\" && \$2 == $size && \
\$3 == \"stock\"")
        stock_mpps=$1
        set -- $(stats 5 "\$1 == \"thr\" && \$2 == $size && \
\$3 == \"stock\"")
        stock_cyc=$1
        for kind in $kinds; do
            sel="\$1 == \"thr\" && \$2 == $size && \$3 == \"$kind\""
            set -- $(stats 4 "$sel"); mpps="$1 ($2-$3)" m=$1
            set -- $(stats 5 "$sel"); cyc="$1 ($2-$3)" c=$1
            set -- $(stats 6 "$sel"); cpu="$1 ($2-$3)"
            set -- $(stats 7 "$sel"); eng=$1
            row $size $kind "$mpps" \
                $(awk -v a=$m -v b=${stock_mpps:-0} 'BEGIN {
                    printf "%s", (b > 0 ? sprintf("%.2fx", a / b) : "-") }') \
                "$cyc" \
                $(awk -v a=$c -v b=${stock_cyc:-0} 'BEGIN {
                    printf "%s", (b > 0 ? sprintf("%.2fx", a / b) : "-") }') \
                "$cpu" "$eng"
        done
    done
fi

# The zero-loss search and the latencies, one generator run per kind.
pktgen_cmds=
if section zeroloss; then
    pktgen_cmds="zero-loss $zl_max $zl_seconds 64 $zl_steps"
fi
if section latency; then
    pktgen_cmds="$pktgen_cmds latency $probes 64 0 \
latency $probes 64 $load_pps"
fi
if test -n "$pktgen_cmds"; then
    for kind in $kinds; do
        echo "zero-loss and latency: $kind" >&2
        pktgen_run $kind $pktgen_cmds | sed "s/^/$kind /" >> $results
    done
fi

if section zeroloss; then
    table "Zero-loss rate: 64-byte frames a -> b, search of $zl_steps \
trials of $zl_seconds s"
    header ports "zero-loss Mpps"
    for kind in $kinds; do
        row $kind $(awk -v k=$kind '$1 == k && $2 == "zero_loss_pps" {
                        printf "%.3f", $3 / 1e6 }' $results)
    done
fi

if section latency; then
    table "Latency: round trip a -> b -> a of one 64-byte packet, \
$probes probes, microseconds"
    header ports load "median us" "p99 us" "max us" lost
    for kind in $kinds; do
        # The idle run first, then the one under load.
        awk -v k=$kind -v load="$load_pps pps" '
            $1 == k && $2 == "probes" {
                printf "%s|%s|%s|%s|%s|%s\n", k, n++ ? load : "idle", $7,
                       $9, $11, $5
            }' $results | while read -r line; do
            echo "row|$line" >> $tables
        done
    done
fi

if section scaling && test -n "$scale_kind"; then
    for pairs in $pairs_list; do
        echo "scaling: $pairs $scale_kind pairs" >&2
        echo "scale $scale_kind $pairs $(measure $scale_kind 64 $pairs)" \
            >> $results
    done
    table "Scaling: port pairs on one engine, 64 bytes, $seconds s"
    header ports pairs Mpps "PMD cyc/pkt" "CPU ns/pkt" "engine ns/pkt"
    for pairs in $pairs_list; do
        row $(awk -v p=$pairs '$1 == "scale" && $3 == p {
            print $2, $3, $4, $5, $6, $7 }' $results)
    done
fi

step "Results: $(nproc) cores ($(sed -n 's/^model name[^:]*: //p' \
/proc/cpuinfo | head -n 1)), load average $(cut -d' ' -f1-3 /proc/loadavg), \
hugepages: $huge, engines: $engine_spec"
print_text
if test $rst = yes; then
    step "reStructuredText"
    print_rst
fi
