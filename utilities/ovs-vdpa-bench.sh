#! /bin/bash
# Benchmark, as root: packets per second from a dpdk-testpmd txonly guest
# through OVS to a dpdk-testpmd rxonly guest, for three kinds of port pair
# in one ovs-vswitchd and one run, so that the ratios hold on a busy
# machine:
#
#   stock  OVS's own dpdkvhostuserclient ports
#   sw     dpdkvdpa ports on the software datapath
#   hw     dpdkvdpa ports on the software vDPA engine's devices
#
# Each kind runs ROUNDS times for each frame size, interleaved.  Prints,
# per kind and size, the median Mpps the receiving guest counted, its ratio
# to the stock ports', and the OVS PMD thread's processing cycles per
# packet (dpif-netdev/pmd-stats-show).
#
# Usage: utilities/ovs-vdpa-bench.sh [SECONDS [ROUNDS [SIZES]]]
#        (defaults: 10 seconds, 3 rounds, sizes "64 1518")

set -e

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${VDPA_BUILDDIR:-$srcdir/_build}
seconds=${1:-10}
rounds=${2:-3}
sizes=${3:-64 1518}
kinds="stock sw hw"

"$srcdir"/utilities/ovs-vdpa-setup.sh "$builddir" >&2

sandbox_name=ovs-vdpa-bench
. "$srcdir"/utilities/ovs-vdpa-sandbox.sh

# The guests share CPU 1, so that OVS's PMD thread has CPU 0 to itself:
# otherwise who gets a core when decides the numbers more than the ports.
VDPA_GUEST_LCORES=0@1,1@1

# add_pair KIND: adds ports p0 (to the sender) and p1 (to the receiver).
add_pair () {
    local i

    for i in 0 1; do
        case $1 in
        stock)
            ovs-vsctl add-port br0 p$i -- set Interface p$i \
                type=dpdkvhostuserclient \
                options:vhost-server-path=$sandbox/g$i.sock ;;
        sw)
            ovs-vsctl add-port br0 p$i -- set Interface p$i type=dpdkvdpa \
                options:vhost-server-path=$sandbox/g$i.sock ;;
        hw)
            ovs-vsctl add-port br0 p$i -- set Interface p$i type=dpdkvdpa \
                options:vhost-server-path=$sandbox/g$i.sock \
                options:vdpa-engine=0 options:vdpa-device=$i
            test "$(ovs-vsctl get Interface p$i status:datapath)" = hw ;;
        esac
    done
}

# measure KIND SIZE: prints "MPPS CYCLES_PER_PACKET" for one run.
measure () {
    local kind=$1 size=$2 rx0 rx1 cycles

    add_pair $kind
    guest_start g1 $sandbox/g1.sock 1 rxonly
    guest_start g0 $sandbox/g0.sock 1 txonly 1 256 --txpkts=$size
    wait_connected p0 p1
    # Let the flows and queues settle, then count.
    sleep 2
    ovs-appctl dpif-netdev/pmd-stats-clear >/dev/null
    rx0=$(guest_count g1 RX)
    sleep $seconds
    rx1=$(guest_count g1 RX)
    cycles=$(ovs-appctl dpif-netdev/pmd-stats-show |
             sed -n 's/.*avg processing cycles per packet: \([0-9.]*\).*/\1/p' |
             head -n 1)
    guest_stop g0
    guest_stop g1
    ovs-vsctl del-port p0 -- del-port p1
    awk -v n=$((rx1 - rx0)) -v s=$seconds -v c=${cycles:-0} \
        'BEGIN { printf "%.4f %.0f\n", n / s / 1e6, c }'
}

median () {
    sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

step "Starting OVS (one PMD thread on core 0) with a software vDPA engine"
vdpa_ovs_start other_config:vdpa-sim="devices=2" \
    other_config:per-port-memory=true

results=$sandbox/results
: > $results
for size in $sizes; do
    for round in $(seq 1 $rounds); do
        for kind in $kinds; do
            echo "$size B, round $round/$rounds: $kind..." >&2
            echo "$size $kind $(measure $kind $size)" >> $results
        done
    done
done

step "Results: $seconds s per run, median of $rounds runs, $(nproc) cores"
printf '%-6s %-6s %10s %10s %16s\n' size ports Mpps "vs stock" \
       "PMD cycles/pkt"
for size in $sizes; do
    stock=$(awk -v s=$size '$1 == s && $2 == "stock" { print $3 }' \
            $results | median)
    for kind in $kinds; do
        mpps=$(awk -v s=$size -v k=$kind '$1 == s && $2 == k { print $3 }' \
               $results | median)
        cycles=$(awk -v s=$size -v k=$kind \
                 '$1 == s && $2 == k { print $4 }' $results | median)
        awk -v size=$size -v kind=$kind -v m=$mpps -v st=$stock \
            -v c=$cycles 'BEGIN {
                printf "%-6s %-6s %10.4f %9.2fx %16s\n", size, kind, m,
                       (st > 0 ? m / st : 0), c
            }'
    done
done
