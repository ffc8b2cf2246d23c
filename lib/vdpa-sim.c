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

#include <config.h>

#include "vdpa-sim.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dpdkvdpa-mempool.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"
#include "ovs-thread.h"
#include "smap.h"
#include "util.h"
#include "vdpa-driver.h"
#include "vdpa-engine.h"
#include "virtq.h"

VLOG_DEFINE_THIS_MODULE(vdpa_sim);

#define SIM_MAX_QUEUE_PAIRS 8
#define SIM_MAX_VRINGS (2 * SIM_MAX_QUEUE_PAIRS)
#define SIM_RING_SIZE 1024
#define SIM_BURST 32
#define SIM_MTU 1500

/* Idle passes over all devices before the thread sleeps on the kicks, and
 * how long it sleeps at most: packets that OVS sends to a representor do
 * not kick, so it must look at the rings now and then. */
#define SIM_IDLE_PASSES 256
#define SIM_SLEEP_MS 1

/* What the devices offer unless their spec masks some of it. */
#define SIM_FEATURES ((UINT64_C(1) << 32)       /* VERSION_1 */           \
                      | (UINT64_C(1) << 30)     /* PROTOCOL_FEATURES */   \
                      | (UINT64_C(1) << 15)     /* MRG_RXBUF */           \
                      | (UINT64_C(1) << 22)     /* MQ */                  \
                      | (UINT64_C(1) << 17))    /* CTRL_VQ */
#define SIM_PROTOCOL_FEATURES                                       \
    ((UINT64_C(1) << VHOST_USER_PROTOCOL_F_MQ)                      \
     | (UINT64_C(1) << VHOST_USER_PROTOCOL_F_REPLY_ACK)             \
     | (UINT64_C(1) << VHOST_USER_PROTOCOL_F_RARP))

struct sim_device {
    struct rte_vdpa_device *vdev;
    struct vdpa_sim_spec spec;
    char name[RTE_ETH_NAME_MAX_LEN];
    struct rte_ring *to_ovs[SIM_MAX_QUEUE_PAIRS];   /* Representor rx. */
    struct rte_ring *from_ovs[SIM_MAX_QUEUE_PAIRS]; /* Representor tx. */
    struct rte_mempool *mp;

    /* The engine thread holds 'mutex' while it moves the device's packets,
     * and takes it again right away, so the vhost library's thread, to
     * change the device, takes it with sim_lock(), which makes the engine
     * thread step aside.  A device's lock guards nothing of another
     * device, so a guest that keeps its device busy stalls no other
     * device's control. */
    struct ovs_mutex mutex;
    atomic_uint waiters;                  /* Threads in sim_lock(). */

    /* Guarded by 'mutex'. */
    int vid;                              /* Configured guest, or -1. */
    int setup_vid;                        /* Guest 'enabled' belongs to. */
    struct rte_vhost_memory *mem;
    int n_vrings;
    bool enabled[SIM_MAX_VRINGS];
    struct virtq vqs[SIM_MAX_VRINGS];
    int kickfds[SIM_MAX_VRINGS];
    uint64_t kicks[SIM_MAX_VRINGS];
    struct eth_addr_bytes {
        uint8_t b[RTE_ETHER_ADDR_LEN];
    } guest_mac;                          /* Learned from what it sends. */
    bool guest_mac_known;
};

/* The devices, which never change after creation, and their specs are read
 * without locks, and so are the counters. */
#define SIM_MAX_DEVICES 256
static struct sim_device *sim_devices[SIM_MAX_DEVICES];
static atomic_size_t n_sim_devices = ATOMIC_VAR_INIT(0);
static pthread_t sim_thread;

/* Parses other_config:vdpa-sim, a ";"-separated list of engines, each a
 * ","-separated list of "devices=N", "queues=Q", "features=MASK" (ANDed
 * with what the engine can do) and "fail=conf". */
char *
vdpa_sim_parse(const char *s, struct vdpa_sim_spec **specsp, size_t *np)
{
    char *copy, *engine_save, *engine;
    char *error = NULL;

    *specsp = NULL;
    *np = 0;
    if (!s || !s[0]) {
        return NULL;
    }

    copy = xstrdup(s);
    for (engine = strtok_r(copy, ";", &engine_save); engine && !error;
         engine = strtok_r(NULL, ";", &engine_save)) {
        struct vdpa_sim_spec spec = {
            .n_devices = 1,
            .queue_pairs = 1,
            .features = SIM_FEATURES,
        };
        char *kv_save, *kv;

        for (kv = strtok_r(engine, ", ", &kv_save); kv && !error;
             kv = strtok_r(NULL, ", ", &kv_save)) {
            char *value = strchr(kv, '=');
            unsigned long long mask;
            int n;

            if (value) {
                *value++ = '\0';
            }
            if (!value) {
                error = xasprintf("\"%s\" is not KEY=VALUE", kv);
            } else if (!strcmp(kv, "devices")) {
                if (!str_to_int(value, 10, &n) || n < 1 || n > 64) {
                    error = xasprintf("devices=%s: not 1 to 64", value);
                }
                spec.n_devices = n;
            } else if (!strcmp(kv, "queues")) {
                if (!str_to_int(value, 10, &n) || n < 1
                    || n > SIM_MAX_QUEUE_PAIRS) {
                    error = xasprintf("queues=%s: not 1 to %d", value,
                                      SIM_MAX_QUEUE_PAIRS);
                }
                spec.queue_pairs = n;
            } else if (!strcmp(kv, "features")) {
                if (!str_to_ullong(value, 0, &mask)) {
                    error = xasprintf("features=%s: not a number", value);
                }
                spec.features = SIM_FEATURES & mask;
            } else if (!strcmp(kv, "fail") && !strcmp(value, "conf")) {
                spec.fail_conf = true;
            } else {
                error = xasprintf("unknown setting %s=%s", kv, value);
            }
        }
        if (!error) {
            *specsp = xrealloc(*specsp, (*np + 1) * sizeof **specsp);
            (*specsp)[(*np)++] = spec;
        }
    }
    free(copy);
    return error;
}

static void
sim_lock(struct sim_device *dev)
    OVS_ACQUIRES(dev->mutex)
{
    unsigned int orig;

    atomic_add(&dev->waiters, 1, &orig);
    ovs_mutex_lock(&dev->mutex);
    atomic_sub(&dev->waiters, 1, &orig);
}

static void
sim_unlock(struct sim_device *dev)
    OVS_RELEASES(dev->mutex)
{
    ovs_mutex_unlock(&dev->mutex);
}

static size_t
sim_n_devices(void)
{
    size_t n;

    atomic_read(&n_sim_devices, &n);
    return n;
}

static struct sim_device *
sim_lookup(const struct rte_vdpa_device *vdev)
{
    size_t n = sim_n_devices();

    for (size_t i = 0; i < n; i++) {
        if (sim_devices[i]->vdev == vdev) {
            return sim_devices[i];
        }
    }
    return NULL;
}

static struct sim_device *
sim_lookup_vid(int vid)
{
    return sim_lookup(rte_vhost_get_vdpa_device(vid));
}

/* The device operations, called by the vhost library's thread. */

static int
sim_get_queue_num(struct rte_vdpa_device *vdev, uint32_t *queue_num)
{
    struct sim_device *dev = sim_lookup(vdev);

    *queue_num = dev ? dev->spec.queue_pairs : 0;
    return dev ? 0 : -1;
}

static int
sim_get_features(struct rte_vdpa_device *vdev, uint64_t *features)
{
    struct sim_device *dev = sim_lookup(vdev);

    *features = dev ? dev->spec.features : 0;
    return dev ? 0 : -1;
}

static int
sim_get_protocol_features(struct rte_vdpa_device *vdev, uint64_t *features)
{
    *features = SIM_PROTOCOL_FEATURES;
    return 0;
}

/* Returns 'fd' if it is an eventfd, as the vhost-user protocol says kick and
 * call fds are, otherwise -1: the engine must never block on a guest's fd
 * (reading a pipe's few bytes, writing into a full one) or poll a file
 * that is always readable. */
static int
sim_eventfd(const struct sim_device *dev, int vring, int fd)
{
    static struct vlog_rate_limit efd_rl = VLOG_RATE_LIMIT_INIT(1, 5);
    char path[64], target[32];
    ssize_t n;

    if (fd < 0) {
        return -1;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    n = readlink(path, target, sizeof target - 1);
    if (n > 0) {
        target[n] = '\0';
        if (!strcmp(target, "anon_inode:[eventfd]")) {
            return fd;
        }
    }
    VLOG_WARN_RL(&efd_rl, "%s: vring %d: the guest gave an fd that is not "
                 "an eventfd, ignoring it", dev->name, vring);
    return -1;
}

/* Maps the guest's vrings as they are now. */
static int
sim_map_vrings(struct sim_device *dev, int vid)
    OVS_REQUIRES(dev->mutex)
{
    uint64_t features = 0;

    rte_vhost_get_negotiated_features(vid, &features);
    dev->n_vrings = MIN(rte_vhost_get_vring_num(vid), SIM_MAX_VRINGS);
    for (int i = 0; i < dev->n_vrings; i++) {
        struct rte_vhost_vring vring;
        uint16_t last_avail = 0, last_used = 0;
        char name[RTE_ETH_NAME_MAX_LEN + 24];
        struct virtq_stats stats;
        int error;

        if (rte_vhost_get_vhost_vring(vid, i, &vring)
            || rte_vhost_get_vring_base(vid, i, &last_avail, &last_used)) {
            VLOG_ERR("%s: cannot get vring %d", dev->name, i);
            return -1;
        }
        snprintf(name, sizeof name, "%s vring %d", dev->name, i);
        /* The counters are the device's: they go on across guests. */
        stats = dev->vqs[i].stats;
        error = virtq_init(&dev->vqs[i], name, &vring, dev->mem, features,
                           last_avail, last_used);
        dev->vqs[i].stats = stats;
        if (error) {
            VLOG_ERR("%s: vring %d does not fit guest memory", dev->name,
                     i);
            return -1;
        }
        /* The eventfds of a disabled vring may be closed at any time. */
        dev->kickfds[i] = (dev->enabled[i]
                           ? sim_eventfd(dev, i, vring.kickfd) : -1);
        dev->vqs[i].callfd = (dev->enabled[i]
                              ? sim_eventfd(dev, i, vring.callfd) : -1);
    }
    return 0;
}

/* Forgets the guest's memory and eventfds, which the vhost library is
 * about to close or replace. */
static void
sim_unmap(struct sim_device *dev)
    OVS_REQUIRES(dev->mutex)
{
    for (int i = 0; i < SIM_MAX_VRINGS; i++) {
        dev->kickfds[i] = -1;
        dev->vqs[i].callfd = -1;
    }
    dev->n_vrings = 0;
    free(dev->mem);
    dev->mem = NULL;
}

static int
sim_dev_conf(int vid)
{
    struct rte_vhost_memory *mem = NULL;
    const char *reason = NULL;
    struct sim_device *dev;

    dev = sim_lookup_vid(vid);
    if (!dev) {
        return -1;
    }
    sim_lock(dev);
    if (dev->vid >= 0 && dev->vid != vid) {
        /* Another front-end on the same socket: not this guest's device,
         * and no failure of the device either. */
        VLOG_WARN("%s: refusing guest %d, the device serves guest %d",
                  dev->name, vid, dev->vid);
        sim_unlock(dev);
        return -1;
    }
    if (dev->spec.fail_conf) {
        reason = "the device is set to fail (fail=conf)";
    } else if (rte_vhost_get_mem_table(vid, &mem)) {
        reason = "cannot get the guest's memory table";
    } else {
        if (dev->setup_vid != vid) {
            /* The vhost library configures a vDPA device the first time
             * only once all the guest's vrings are ready. */
            dev->setup_vid = vid;
            memset(dev->enabled, true, sizeof dev->enabled);
        }
        free(dev->mem);
        dev->mem = mem;
        if (sim_map_vrings(dev, vid)) {
            reason = "cannot map the guest's vrings";
            sim_unmap(dev);
        } else {
            dev->vid = vid;
        }
    }
    sim_unlock(dev);

    if (reason) {
        VLOG_ERR("%s: dev_conf failed: %s", dev->name, reason);
        vdpa_engine_report_failure(dev->vdev, reason);
        return -1;
    }
    VLOG_INFO("%s: datapath configured for guest %d, %d vrings", dev->name,
              vid, dev->n_vrings);
    return 0;
}

static int
sim_dev_close(int vid)
{
    struct sim_device *dev;

    dev = sim_lookup_vid(vid);
    if (!dev) {
        return -1;
    }
    sim_lock(dev);
    if (dev->vid == vid) {
        /* Hand the ring positions back: the vhost library reports them to
         * the guest (GET_VRING_BASE) and to the next dev_conf. */
        for (int i = 0; i < dev->n_vrings; i++) {
            rte_vhost_set_vring_base(vid, i, dev->vqs[i].last_avail_idx,
                                     dev->vqs[i].last_used_idx);
        }
        sim_unmap(dev);
        dev->vid = -1;
        VLOG_INFO("%s: datapath closed for guest %d", dev->name, vid);
    }
    sim_unlock(dev);
    return 0;
}

/* Follows the enabled state of the vrings of the guest that is being set
 * up on the device or that it serves ('enabled' keeps it across a
 * dev_close and dev_conf of the same guest, as a new memory table brings).
 * Takes the eventfds the vhost library gives an enabled vring, and drops
 * those of a disabled one, which it may close. */
static int
sim_set_vring_state(int vid, int vring, int state)
{
    struct sim_device *dev;

    dev = sim_lookup_vid(vid);
    if (!dev) {
        return -1;
    }
    sim_lock(dev);
    if (vring >= 0 && vring < SIM_MAX_VRINGS
        && vid == (dev->vid >= 0 ? dev->vid : dev->setup_vid)) {
        dev->enabled[vring] = state;
        if (dev->vid == vid && vring < dev->n_vrings) {
            struct rte_vhost_vring vr;

            dev->kickfds[vring] = -1;
            dev->vqs[vring].callfd = -1;
            if (state && !rte_vhost_get_vhost_vring(vid, vring, &vr)) {
                dev->kickfds[vring] = sim_eventfd(dev, vring, vr.kickfd);
                dev->vqs[vring].callfd = sim_eventfd(dev, vring, vr.callfd);
            }
        }
    }
    sim_unlock(dev);
    return 0;
}

static int
sim_set_features(int vid)
{
    struct sim_device *dev;
    int error = 0;

    dev = sim_lookup_vid(vid);
    if (!dev) {
        return -1;
    }
    sim_lock(dev);
    if (dev->vid == vid) {
        /* The header length and merging depend on the features. */
        error = sim_map_vrings(dev, vid);
    } else if (dev->vid < 0) {
        /* A front-end sets the features before it enables any vring: a
         * new guest's vrings start disabled. */
        dev->setup_vid = vid;
        memset(dev->enabled, 0, sizeof dev->enabled);
    }
    sim_unlock(dev);
    return error;
}

/* After a live migration, tells the switch where the guest now is with a
 * RARP from the guest's MAC, as QEMU does for vhost-net guests. */
static int
sim_migration_done(int vid)
{
    struct rte_ether_hdr *eth;
    struct rte_arp_hdr *arp;
    struct sim_device *dev;
    struct rte_mbuf *m;
    int error = -1;

    dev = sim_lookup_vid(vid);
    if (!dev) {
        return -1;
    }
    sim_lock(dev);
    if (!dev->guest_mac_known) {
        goto out;
    }
    m = rte_pktmbuf_alloc(dev->mp);
    if (!m) {
        goto out;
    }
    eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
    memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
    memcpy(&eth->src_addr, dev->guest_mac.b, RTE_ETHER_ADDR_LEN);
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_RARP);
    arp = (struct rte_arp_hdr *) (eth + 1);
    memset(arp, 0, sizeof *arp);
    arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
    arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    arp->arp_hlen = RTE_ETHER_ADDR_LEN;
    arp->arp_plen = 4;
    arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REVREQUEST);
    memcpy(&arp->arp_data.arp_sha, dev->guest_mac.b, RTE_ETHER_ADDR_LEN);
    memcpy(&arp->arp_data.arp_tha, dev->guest_mac.b, RTE_ETHER_ADDR_LEN);
    m->data_len = m->pkt_len = RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;
    memset((char *) (arp + 1), 0,
           m->data_len - sizeof *eth - sizeof *arp);
    if (rte_ring_enqueue(dev->to_ovs[0], m)) {
        rte_pktmbuf_free(m);
    } else {
        error = 0;
    }
out:
    sim_unlock(dev);
    return error;
}

static const char *const sim_stat_names[] = {
    "packets", "bytes", "bad_descs", "dropped", "kicks", "calls",
};
#define SIM_N_STATS ARRAY_SIZE(sim_stat_names)

static int
sim_get_stats_names(struct rte_vdpa_device *vdev OVS_UNUSED,
                    struct rte_vdpa_stat_name *names, unsigned int size)
{
    if (names) {
        for (unsigned int i = 0; i < MIN(size, SIM_N_STATS); i++) {
            ovs_strlcpy(names[i].name, sim_stat_names[i],
                        sizeof names[i].name);
        }
    }
    return SIM_N_STATS;
}

static int
sim_get_stats(struct rte_vdpa_device *vdev, int qid,
              struct rte_vdpa_stat *stats, unsigned int n)
{
    struct sim_device *dev = sim_lookup(vdev);
    unsigned int i = 0;

    /* The counters are read while the engine thread updates them. */
    if (dev && qid >= 0 && qid < SIM_MAX_VRINGS) {
        const struct virtq_stats *s = &dev->vqs[qid].stats;
        const uint64_t values[SIM_N_STATS] = {
            s->packets, s->bytes, s->bad_descs, s->dropped, dev->kicks[qid],
            s->calls,
        };

        for (i = 0; i < MIN(n, SIM_N_STATS); i++) {
            stats[i].id = i;
            stats[i].value = values[i];
        }
    }
    return dev ? (int) i : -1;
}

static int
sim_reset_stats(struct rte_vdpa_device *vdev, int qid)
{
    struct sim_device *dev;

    dev = sim_lookup(vdev);
    if (!dev) {
        return -1;
    }
    sim_lock(dev);
    if (qid >= 0 && qid < SIM_MAX_VRINGS) {
        memset(&dev->vqs[qid].stats, 0, sizeof dev->vqs[qid].stats);
        dev->kicks[qid] = 0;
    }
    sim_unlock(dev);
    return 0;
}

static int
sim_get_dev_type(struct rte_vdpa_device *vdev OVS_UNUSED, uint32_t *type)
{
    *type = RTE_VHOST_VDPA_DEVICE_TYPE_NET;
    return 0;
}

static struct rte_vdpa_dev_ops sim_ops = {
    .get_queue_num = sim_get_queue_num,
    .get_features = sim_get_features,
    .get_protocol_features = sim_get_protocol_features,
    .dev_conf = sim_dev_conf,
    .dev_close = sim_dev_close,
    .set_vring_state = sim_set_vring_state,
    .set_features = sim_set_features,
    .migration_done = sim_migration_done,
    .get_stats_names = sim_get_stats_names,
    .get_stats = sim_get_stats,
    .reset_stats = sim_reset_stats,
    .get_dev_type = sim_get_dev_type,
};

/* The engine thread. */

/* Returns the guest receive vring that representor queue 'q' delivers to:
 * one of those the guest enabled, spread as OVS spreads its txqs over a sw
 * port's enabled vrings, or -1 if there is none. */
static int
sim_guest_rx_vring(const struct sim_device *dev, int q)
    OVS_REQUIRES(dev->mutex)
{
    int pairs[SIM_MAX_QUEUE_PAIRS];
    int n = 0;

    for (int p = 0; p < dev->n_vrings / 2; p++) {
        if (dev->enabled[2 * p]) {
            pairs[n++] = p;
        }
    }
    return n ? 2 * pairs[q % n] : -1;
}

/* Moves packets through representor queue 'q': what the guest sent on its
 * queue pair 'q' to OVS, and what OVS sent on 'q' to the guest, on one of
 * the guest's queue pairs (it may use fewer than the device has).
 * Returns the number of packets moved. */
static int
sim_process_queue(struct sim_device *dev, int q)
    OVS_REQUIRES(dev->mutex)
{
    int guest_qps = dev->n_vrings / 2;
    int rx_vring = sim_guest_rx_vring(dev, q);
    struct virtq *guest_rx = &dev->vqs[rx_vring < 0 ? 0 : rx_vring];
    struct rte_mbuf *pkts[SIM_BURST];
    int n, moved = 0;

    if (q < guest_qps && dev->enabled[2 * q + 1]) {
        struct virtq *guest_tx = &dev->vqs[2 * q + 1];

        n = virtq_dequeue(guest_tx, dev->mp, pkts, SIM_BURST);
        if (n) {
            unsigned int sent;

            if (rte_pktmbuf_data_len(pkts[0]) >= 2 * RTE_ETHER_ADDR_LEN) {
                memcpy(dev->guest_mac.b,
                       rte_pktmbuf_mtod_offset(pkts[0], uint8_t *,
                                               RTE_ETHER_ADDR_LEN),
                       RTE_ETHER_ADDR_LEN);
                dev->guest_mac_known = true;
            }
            sent = rte_ring_enqueue_burst(dev->to_ovs[q], (void **) pkts,
                                          n, NULL);
            if (sent < n) {
                guest_tx->stats.dropped += n - sent;
                rte_pktmbuf_free_bulk(pkts + sent, n - sent);
            }
            virtq_notify_guest(guest_tx);
            moved += n;
        }
    }

    n = rte_ring_dequeue_burst(dev->from_ovs[q], (void **) pkts, SIM_BURST,
                               NULL);
    if (n) {
        int delivered = rx_vring >= 0 ? virtq_enqueue(guest_rx, pkts, n) : 0;

        guest_rx->stats.dropped += n - delivered;
        rte_pktmbuf_free_bulk(pkts, n);
        if (delivered) {
            virtq_notify_guest(guest_rx);
        }
        moved += n;
    }
    return moved;
}

/* Drops what OVS sends to a device that has no guest, as a NIC does: the
 * next guest must not get stale packets, and the mbufs go back to their
 * pool. */
static void
sim_drain(struct sim_device *dev)
    OVS_REQUIRES(dev->mutex)
{
    struct rte_mbuf *pkts[SIM_BURST];

    for (int q = 0; q < dev->spec.queue_pairs; q++) {
        unsigned int n = rte_ring_dequeue_burst(dev->from_ovs[q],
                                                (void **) pkts, SIM_BURST,
                                                NULL);
        rte_pktmbuf_free_bulk(pkts, n);
    }
}

/* Sleeps until a guest kicks one of its transmit queues, or SIM_SLEEP_MS.
 * The guests are asked to kick only while the thread sleeps. */
static void
sim_sleep(void)
{
    struct pollfd fds[64];
    struct sim_device *owners[64];
    int vrings[64];
    bool pending = false;
    int n_fds = 0;

    for (size_t i = 0; i < sim_n_devices(); i++) {
        struct sim_device *dev = sim_devices[i];

        ovs_mutex_lock(&dev->mutex);
        for (int v = 1; dev->vid >= 0 && v < dev->n_vrings; v += 2) {
            struct virtq *vq = &dev->vqs[v];

            if (!dev->enabled[v] || dev->kickfds[v] < 0
                || n_fds >= ARRAY_SIZE(fds)) {
                continue;
            }
            virtq_set_notify(vq, true);
            pending |= virtq_has_avail(vq);
            fds[n_fds].fd = dev->kickfds[v];
            fds[n_fds].events = POLLIN;
            fds[n_fds].revents = 0;
            owners[n_fds] = dev;
            vrings[n_fds++] = v;
        }
        ovs_mutex_unlock(&dev->mutex);
    }

    if (!pending) {
        poll(fds, n_fds, SIM_SLEEP_MS);
    }

    for (int i = 0; i < n_fds; i++) {
        struct sim_device *dev = owners[i];
        uint64_t count;

        ovs_mutex_lock(&dev->mutex);
        /* The fd may have been closed and its number reused while we
         * slept: read it only if it is still this vring's kick fd. */
        if (fds[i].revents & POLLIN
            && dev->enabled[vrings[i]]
            && dev->kickfds[vrings[i]] == fds[i].fd
            && read(fds[i].fd, &count, sizeof count) == sizeof count) {
            dev->kicks[vrings[i]] += count;
        }
        if (dev->vid >= 0 && vrings[i] < dev->n_vrings) {
            virtq_set_notify(&dev->vqs[vrings[i]], false);
        }
        ovs_mutex_unlock(&dev->mutex);
    }
}

static void *
sim_thread_main(void *arg OVS_UNUSED)
{
    int idle = 0;

    /* This thread uses no RCU-protected data: it must not hold back OVS's
     * grace periods. */
    ovsrcu_quiesce_start();
    for (;;) {
        int moved = 0;

        for (size_t i = 0; i < sim_n_devices(); i++) {
            struct sim_device *dev = sim_devices[i];
            unsigned int waiters;

            ovs_mutex_lock(&dev->mutex);
            if (dev->vid < 0 || dev->n_vrings < 2) {
                sim_drain(dev);
            } else {
                for (int q = 0; q < dev->spec.queue_pairs; q++) {
                    moved += sim_process_queue(dev, q);
                }
            }
            ovs_mutex_unlock(&dev->mutex);

            /* Let the vhost library's thread change the device. */
            for (;;) {
                atomic_read(&dev->waiters, &waiters);
                if (!waiters) {
                    break;
                }
                sched_yield();
            }
        }

        if (moved) {
            idle = 0;
        } else if (++idle >= SIM_IDLE_PASSES) {
            sim_sleep();
            idle = 0;
        }
    }
    return NULL;
}

/* Device creation. */

static struct sim_device *
sim_device_create(const char *engine_name, int index,
                  const struct vdpa_sim_spec *spec)
{
    struct sim_device *dev = xzalloc(sizeof *dev);
    struct rte_eth_dev_info info;
    uint16_t port_id;
    char name[RTE_RING_NAMESIZE];
    int port;

    dev->spec = *spec;
    ovs_mutex_init(&dev->mutex);
    atomic_init(&dev->waiters, 0);
    dev->vid = dev->setup_vid = -1;
    for (int i = 0; i < SIM_MAX_VRINGS; i++) {
        dev->kickfds[i] = dev->vqs[i].callfd = -1;
    }
    for (uint32_t q = 0; q < spec->queue_pairs; q++) {
        snprintf(name, sizeof name, "%s_%d_in%u", engine_name, index, q);
        dev->to_ovs[q] = rte_ring_create(name, SIM_RING_SIZE, SOCKET_ID_ANY,
                                         0);
        snprintf(name, sizeof name, "%s_%d_out%u", engine_name, index, q);
        dev->from_ovs[q] = rte_ring_create(name, SIM_RING_SIZE,
                                           SOCKET_ID_ANY, 0);
        if (!dev->to_ovs[q] || !dev->from_ovs[q]) {
            VLOG_ERR("%s: cannot create rings", engine_name);
            return NULL;
        }
    }

    /* The representor; its DPDK device is the vDPA device too, so the
     * vDPA device is named after it: "net_ring_<engine>_<index>". */
    snprintf(name, sizeof name, "%s_%d", engine_name, index);
    port = rte_eth_from_rings(name, dev->to_ovs, spec->queue_pairs,
                              dev->from_ovs, spec->queue_pairs,
                              SOCKET_ID_ANY);
    if (port < 0) {
        VLOG_ERR("%s: cannot create representor: %s", name,
                 rte_strerror(rte_errno));
        return NULL;
    }
    port_id = port;
    if (rte_eth_dev_info_get(port_id, &info)
        || rte_eth_dev_get_name_by_port(port_id, dev->name)) {
        return NULL;
    }

    dev->mp = dpdkvdpa_mempool_get(SIM_MTU, 0);
    if (!dev->mp) {
        return NULL;
    }

    dev->vdev = rte_vdpa_register_device(info.device, &sim_ops);
    if (!dev->vdev) {
        VLOG_ERR("%s: cannot register as a vDPA device", dev->name);
        return NULL;
    }
    return dev;
}

/* Creates engine 'engine_name''s devices as 'spec' says and adds them to
 * the engine table. */
static void
sim_engine_create(const char *engine_name, const struct vdpa_sim_spec *spec)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;
    int n = 0;

    for (int i = 0; i < spec->n_devices; i++) {
        struct sim_device *dev;
        size_t n_devs = sim_n_devices();

        if (n_devs >= SIM_MAX_DEVICES) {
            VLOG_ERR("%s: more than %d devices", engine_name,
                     SIM_MAX_DEVICES);
            break;
        }
        dev = sim_device_create(engine_name, i, spec);
        if (!dev) {
            continue;
        }
        /* Publish the device only once it is complete. */
        sim_devices[n_devs] = dev;
        atomic_store(&n_sim_devices, n_devs + 1);
        vdpa_engine_add_device(engine_name, dev->vdev,
                               rte_dev_name(rte_vdpa_get_rte_device(
                                                dev->vdev)));
        n++;
    }

    if (n && ovsthread_once_start(&once)) {
        sim_thread = ovs_thread_create("vdpa_sim", sim_thread_main, NULL);
        ovsthread_once_done(&once);
    }
}

/* Creates the software engines that other_config:vdpa-sim asks for, named
 * "vdpa_simN". */
void
vdpa_sim_init(const struct smap *ovs_other_config)
{
    const char *sim = smap_get(ovs_other_config, "vdpa-sim");
    struct vdpa_sim_spec *specs;
    size_t n_specs;
    char *error;

    error = vdpa_sim_parse(sim, &specs, &n_specs);
    if (error) {
        VLOG_ERR("other_config:vdpa-sim: %s", error);
        free(error);
    }
    for (size_t i = 0; i < n_specs; i++) {
        char *engine_name = xasprintf("vdpa_sim%"PRIuSIZE, i);

        sim_engine_create(engine_name, &specs[i]);
        free(engine_name);
    }
    free(specs);
}
