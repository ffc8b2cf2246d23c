/*
 * Copyright (c) 2026 The ovs-vdpa authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/* A packet generator for utilities/ovs-vdpa-bench.sh: two guests in one
 * DPDK process, ethdev ports 0 ("A") and 1 ("B"), typically two
 * net_virtio_user devices on the two ports of a switch that forwards A to
 * B and B to A.  It waits until a frame gets from A to B, then runs its
 * commands in turn:
 *
 *   ovs-vdpa-pktgen EAL_ARGS -- rate PPS SECONDS SIZE
 *       sends SIZE-byte frames from A at PPS for SECONDS, counts those B
 *       receives, and prints "sent N received M".
 *
 *   ovs-vdpa-pktgen EAL_ARGS -- zero-loss MAX_PPS SECONDS SIZE STEPS
 *       searches (binary search on a log scale, STEPS trials of SECONDS
 *       each) for the highest rate from MAX_PPS / 1000 to MAX_PPS at which
 *       A keeps up with the rate and B receives every frame A sent, and
 *       prints "zero_loss_pps R" (0 if
 *       every trial lost some), after a line "trial PPS sent N received
 *       M" for each trial.
 *
 *   ovs-vdpa-pktgen EAL_ARGS -- latency COUNT SIZE LOAD_PPS
 *       sends COUNT probes from A, one at a time; B sends each straight
 *       back and A times its round trip (A -> switch -> B -> switch -> A).
 *       Meanwhile A sends LOAD_PPS frames of SIZE bytes that B drops (the
 *       load; 0 for none).  Prints "probes N lost L median_us X p99_us Y
 *       max_us Z".
 *
 * Timestamps come from one process's TSC, so the two guests share a clock.
 * Exit status 0, or 1 with a message on stderr. */

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#define BURST 32
#define N_DESC 256
#define PG_ETHERTYPE 0x88b5             /* IEEE local experimental. */
#define PG_MAGIC 0x7064706bu

enum { PORT_A = 0, PORT_B = 1 };
enum { KIND_LOAD = 1, KIND_PROBE = 2 };

struct pg_payload {
    uint32_t magic;
    uint32_t kind;
    uint64_t seq;
    uint64_t tsc;
};

static struct rte_mempool *pool;
static uint64_t hz;

static void
fatal(const char *msg)
{
    fprintf(stderr, "ovs-vdpa-pktgen: %s\n", msg);
    exit(1);
}

static void
port_init(uint16_t port)
{
    struct rte_eth_conf conf;

    memset(&conf, 0, sizeof conf);
    if (rte_eth_dev_configure(port, 1, 1, &conf)
        || rte_eth_rx_queue_setup(port, 0, N_DESC,
                                  rte_eth_dev_socket_id(port), NULL, pool)
        || rte_eth_tx_queue_setup(port, 0, N_DESC,
                                  rte_eth_dev_socket_id(port), NULL)
        || rte_eth_dev_start(port)) {
        fatal("cannot set up a port");
    }
}

/* Returns a frame of 'size' bytes of 'kind' from A. */
static struct rte_mbuf *
make_frame(uint32_t size, uint32_t kind, uint64_t seq)
{
    struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
    struct rte_ether_hdr *eth;
    struct pg_payload *pl;

    if (!m) {
        return NULL;
    }
    eth = (struct rte_ether_hdr *) rte_pktmbuf_append(m, size);
    if (!eth) {
        rte_pktmbuf_free(m);
        return NULL;
    }
    memset(eth, 0, size);
    memset(&eth->dst_addr, 0xff, sizeof eth->dst_addr);
    eth->src_addr.addr_bytes[0] = 0x02;
    eth->src_addr.addr_bytes[5] = 0x0a;
    eth->ether_type = rte_cpu_to_be_16(PG_ETHERTYPE);
    pl = (struct pg_payload *) (eth + 1);
    pl->magic = PG_MAGIC;
    pl->kind = kind;
    pl->seq = seq;
    pl->tsc = rte_rdtsc();
    return m;
}

/* Returns 'm''s payload, or NULL if it is not one of ours. */
static struct pg_payload *
payload(struct rte_mbuf *m)
{
    struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
    struct pg_payload *pl = (struct pg_payload *) (eth + 1);

    if (rte_pktmbuf_data_len(m) < sizeof *eth + sizeof *pl
        || eth->ether_type != rte_cpu_to_be_16(PG_ETHERTYPE)
        || pl->magic != PG_MAGIC) {
        return NULL;
    }
    return pl;
}

/* Sends from A what is due at 'now' of 'pps' frames a second since
 * 'start', given 'sent' so far.  Returns how many it sent. */
static uint64_t
send_paced(uint64_t start, uint64_t now, uint64_t pps, uint64_t sent,
           uint32_t size)
{
    struct rte_mbuf *pkts[BURST];
    uint64_t due = (uint64_t) ((double) (now - start) * pps / hz);
    int n = 0, tx;

    while (due > sent + n && n < BURST) {
        pkts[n] = make_frame(size, KIND_LOAD, sent + n);
        if (!pkts[n]) {
            break;
        }
        n++;
    }
    tx = n ? rte_eth_tx_burst(PORT_A, 0, pkts, n) : 0;
    if (tx < n) {
        /* A full ring counts as sent and lost: the switch did not keep up
         * with the offered rate. */
        rte_pktmbuf_free_bulk(pkts + tx, n - tx);
    }
    return n;
}

/* Sends from A at 'pps' for 'seconds', then waits 200 ms for the last
 * ones, and stores in '*sentp' and '*receivedp' how many A sent and B
 * received. */
static void
run_rate(uint64_t pps, double seconds, uint32_t size, uint64_t *sentp,
         uint64_t *receivedp)
{
    uint64_t start = rte_rdtsc(), end = start + seconds * hz;
    uint64_t sent = 0, received = 0, now;
    struct rte_mbuf *pkts[BURST];

    while ((now = rte_rdtsc()) < end + hz / 5) {
        if (now < end) {
            sent += send_paced(start, now, pps, sent, size);
        }
        for (uint16_t port = PORT_A; port <= PORT_B; port++) {
            uint16_t n = rte_eth_rx_burst(port, 0, pkts, BURST);

            for (uint16_t i = 0; i < n; i++) {
                received += port == PORT_B && payload(pkts[i]) != NULL;
            }
            rte_pktmbuf_free_bulk(pkts, n);
        }
    }
    *sentp = sent;
    *receivedp = received;
}

static int
cmd_rate(uint64_t pps, double seconds, uint32_t size)
{
    uint64_t sent, received;

    run_rate(pps, seconds, size, &sent, &received);
    printf("sent %"PRIu64" received %"PRIu64"\n", sent, received);
    return 0;
}

/* Searches between 'max_pps' and a thousandth of it, halving the
 * interval's ratio each trial (the rates span three orders of magnitude
 * from one kind of port to another). */
static int
cmd_zero_loss(uint64_t max_pps, double seconds, uint32_t size, int steps)
{
    double lo = max_pps / 1000.0, hi = max_pps, pps = max_pps;
    uint64_t best = 0;

    for (int i = 0; i < steps; i++) {
        uint64_t sent, received;

        run_rate(pps, seconds, size, &sent, &received);
        printf("trial %.0f sent %"PRIu64" received %"PRIu64"\n",
               pps, sent, received);
        fflush(stdout);
        /* A trial passes if B received every frame that A sent, and A
         * sent what the rate asked for: a generator kept off its CPU
         * (by an engine thread that shares it) offered less. */
        if (sent && sent >= 0.99 * pps * seconds && received >= sent) {
            best = pps;
            if (pps >= max_pps) {
                break;
            }
            lo = pps;
        } else {
            hi = pps;
        }
        pps = sqrt(lo * hi);
    }
    printf("zero_loss_pps %"PRIu64"\n", best);
    return 0;
}

/* Waits until a frame from A reaches B, which says that the switch has
 * connected both ports and forwards: up to 60 s.  Then drains both
 * ports for 100 ms. */
static void
wait_path(void)
{
    uint64_t start = rte_rdtsc(), last = 0, now;
    struct rte_mbuf *pkts[BURST];
    bool through = false;

    while (!through) {
        now = rte_rdtsc();
        if (now - start > 60 * hz) {
            fatal("no frame from A reached B within 60 s");
        }
        if (now - last > hz / 100) {
            struct rte_mbuf *m = make_frame(64, KIND_LOAD, 0);

            if (m && !rte_eth_tx_burst(PORT_A, 0, &m, 1)) {
                rte_pktmbuf_free(m);
            }
            last = now;
        }
        uint16_t n = rte_eth_rx_burst(PORT_B, 0, pkts, BURST);
        through = n > 0;
        rte_pktmbuf_free_bulk(pkts, n);
        n = rte_eth_rx_burst(PORT_A, 0, pkts, BURST);
        rte_pktmbuf_free_bulk(pkts, n);
    }

    start = rte_rdtsc();
    while (rte_rdtsc() - start < hz / 10) {
        for (uint16_t port = PORT_A; port <= PORT_B; port++) {
            uint16_t n = rte_eth_rx_burst(port, 0, pkts, BURST);

            rte_pktmbuf_free_bulk(pkts, n);
        }
    }
}

static int
compare_u64(const void *a_, const void *b_)
{
    const uint64_t *a = a_, *b = b_;

    return *a < *b ? -1 : *a > *b;
}

static int
cmd_latency(int count, uint32_t size, uint64_t load_pps)
{
    uint64_t *rtts = rte_calloc("rtts", count, sizeof *rtts, 0);
    uint64_t start = rte_rdtsc(), load_sent = 0;
    uint64_t timeout = hz / 10, gap = hz / 10000;
    struct rte_mbuf *pkts[BURST];
    int n_rtts = 0, lost = 0;

    if (!rtts) {
        fatal("out of memory");
    }
    for (int seq = 0; seq < count; seq++) {
        struct rte_mbuf *probe = make_frame(size, KIND_PROBE, seq);
        uint64_t sent_at, now;
        bool back = false;

        if (!probe) {
            fatal("out of mbufs");
        }
        sent_at = rte_rdtsc();
        while (!rte_eth_tx_burst(PORT_A, 0, &probe, 1)) {
            if (rte_rdtsc() - sent_at > timeout) {
                rte_pktmbuf_free(probe);
                break;
            }
        }
        while (!back && (now = rte_rdtsc()) - sent_at < timeout) {
            uint16_t n;

            if (load_pps) {
                load_sent += send_paced(start, now, load_pps, load_sent,
                                        size);
            }

            /* B: sends probes straight back, drops the load. */
            n = rte_eth_rx_burst(PORT_B, 0, pkts, BURST);
            for (uint16_t i = 0; i < n; i++) {
                struct pg_payload *pl = payload(pkts[i]);

                if (pl && pl->kind == KIND_PROBE
                    && rte_eth_tx_burst(PORT_B, 0, &pkts[i], 1)) {
                    pkts[i] = NULL;
                }
                if (pkts[i]) {
                    rte_pktmbuf_free(pkts[i]);
                }
            }

            /* A: times the probe's return. */
            n = rte_eth_rx_burst(PORT_A, 0, pkts, BURST);
            for (uint16_t i = 0; i < n; i++) {
                struct pg_payload *pl = payload(pkts[i]);

                if (pl && pl->kind == KIND_PROBE && pl->seq == seq) {
                    rtts[n_rtts++] = rte_rdtsc() - sent_at;
                    back = true;
                }
            }
            rte_pktmbuf_free_bulk(pkts, n);
        }
        lost += !back;

        /* A gap between probes, still sending the load. */
        sent_at = rte_rdtsc();
        while ((now = rte_rdtsc()) - sent_at < gap) {
            if (load_pps) {
                load_sent += send_paced(start, now, load_pps, load_sent,
                                        size);
            }
            for (uint16_t port = PORT_A; port <= PORT_B; port++) {
                uint16_t n = rte_eth_rx_burst(port, 0, pkts, BURST);

                rte_pktmbuf_free_bulk(pkts, n);
            }
        }
    }

    qsort(rtts, n_rtts, sizeof *rtts, compare_u64);
#define US(TSC) ((double) (TSC) * 1e6 / hz)
    printf("probes %d lost %d median_us %.1f p99_us %.1f max_us %.1f\n",
           count, lost,
           n_rtts ? US(rtts[(n_rtts - 1) / 2]) : 0.0,
           n_rtts ? US(rtts[(n_rtts - 1) * 99 / 100]) : 0.0,
           n_rtts ? US(rtts[n_rtts - 1]) : 0.0);
    rte_free(rtts);
    return 0;
}

int
main(int argc, char *argv[])
{
    int n = rte_eal_init(argc, argv);

    if (n < 0) {
        fatal("cannot initialize DPDK");
    }
    argc -= n;
    argv += n;
    if (rte_eth_dev_count_avail() < 2) {
        fatal("needs two ports");
    }
    pool = rte_pktmbuf_pool_create("pktgen", 8191, 256, 0,
                                   RTE_MBUF_DEFAULT_BUF_SIZE,
                                   rte_socket_id());
    if (!pool) {
        fatal("cannot create the mbuf pool");
    }
    port_init(PORT_A);
    port_init(PORT_B);
    hz = rte_get_tsc_hz();
    wait_path();

    int i = 1;

    while (i < argc) {
        char **a = &argv[i];
        int left = argc - i;

        if (left >= 4 && !strcmp(a[0], "rate")) {
            n = cmd_rate(strtoull(a[1], NULL, 10), atof(a[2]), atoi(a[3]));
            i += 4;
        } else if (left >= 5 && !strcmp(a[0], "zero-loss")) {
            n = cmd_zero_loss(strtoull(a[1], NULL, 10), atof(a[2]),
                              atoi(a[3]), atoi(a[4]));
            i += 5;
        } else if (left >= 4 && !strcmp(a[0], "latency")) {
            n = cmd_latency(atoi(a[1]), atoi(a[2]),
                            strtoull(a[3], NULL, 10));
            i += 4;
        } else {
            fatal("usage: ovs-vdpa-pktgen EAL_ARGS -- COMMAND...: "
                  "rate PPS SECONDS SIZE | "
                  "zero-loss MAX_PPS SECONDS SIZE STEPS | "
                  "latency COUNT SIZE LOAD_PPS");
        }
        fflush(stdout);
    }
    fflush(stdout);
    rte_eth_dev_stop(PORT_A);
    rte_eth_dev_stop(PORT_B);
    rte_eal_cleanup();
    return n;
}
