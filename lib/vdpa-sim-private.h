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

#ifndef VDPA_SIM_PRIVATE_H
#define VDPA_SIM_PRIVATE_H 1

/* What the files of the software vDPA engine share: a device, the table of
 * devices and their lock.
 *
 *   vdpa-sim.c          the vDPA device operations, called by the vhost
 *                       library's thread
 *   vdpa-sim-thread.c   the engine thread, which moves the packets
 *   vdpa-sim-inline.c   or, in inline mode, the representor's bursts,
 *                       which OVS's PMD threads call
 *   vdpa-sim-device.c   creating the devices: rings, registration with
 *                       DPDK and the engine table, and the representor
 *                       ethdev when a port first needs it
 *   vdpa-sim-options.c  other_config:vdpa-sim */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>
#include <rte_vhost.h>

#include "dpdkvdpa-counter.h"
#include "openvswitch/thread.h"
#include "ovs-atomic.h"
#include "packets.h"
#include "vdpa-caps.h"
#include "vdpa-driver.h"
#include "vdpa-sim.h"
#include "virtq.h"

#define SIM_MAX_QUEUE_PAIRS 8
#define SIM_MAX_VRINGS (2 * SIM_MAX_QUEUE_PAIRS)
#define SIM_MAX_DEVICES 256
#define SIM_MAX_THREADS 16

/* An engine thread, which serves the devices whose 'thread' it is
 * (vdpa-sim-thread.c). */
struct sim_thread {
    char *name;
    uint64_t cpu_mask;                    /* CPUs it may run on, 0: any. */

    /* While 'sleeping', packets that OVS sends to a representor of the
     * thread's devices wake it through 'wakefd', an eventfd it polls with
     * the guests' kicks (vdpa_sim_notify()). */
    int wakefd;
    atomic_bool sleeping;
};

/* What the devices offer unless their spec masks some of it.  With
 * VHOST_F_LOG_ALL and VHOST_USER_PROTOCOL_F_LOG_SHMFD a guest can be live
 * migrated: the engine logs the guest pages it writes.  A device whose spec
 * lacks VHOST_F_LOG_ALL offers neither, so QEMU refuses to migrate its
 * guest rather than lose what the device writes. */
#define SIM_FEATURES (VDPA_BIT(VIRTIO_F_VERSION_1)                      \
                      | VDPA_BIT(VHOST_USER_F_PROTOCOL_FEATURES)        \
                      | VDPA_BIT(VIRTIO_NET_F_MRG_RXBUF)                \
                      | VDPA_BIT(VIRTIO_NET_F_MQ)                       \
                      | VDPA_BIT(VIRTIO_NET_F_CTRL_VQ)                  \
                      | VDPA_BIT(VHOST_F_LOG_ALL))
#define SIM_PROTOCOL_FEATURES                                       \
    (VDPA_BIT(VHOST_USER_PROTOCOL_F_MQ)                             \
     | VDPA_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK)                    \
     | VDPA_BIT(VHOST_USER_PROTOCOL_F_RARP)                         \
     | VDPA_BIT(VHOST_USER_PROTOCOL_F_LOG_SHMFD))

/* DPDK 22.11's struct rte_device, which rte_dev.h leaves opaque and whose
 * header, dev_driver.h, Debian's DPDK does not install.  A device of the
 * engine needs one to register as a vDPA device, and cannot borrow its
 * representor's: an ethdev for every device at creation would soon use up
 * RTE_MAX_ETHPORTS (32 in Debian's DPDK), so a representor is made only
 * when a port first needs it.  rte_vdpa_register_device() and the vhost
 * library read only the name, through rte_dev_name(); the layout is
 * checked at run time by having DPDK's own rte_dev_name() read the name
 * back from a device before it registers (vdpa-sim-device.c), so a DPDK
 * whose struct differs gets no devices rather than a wrong one. */
struct sim_rte_device {
    void *next[2];                        /* RTE_TAILQ_ENTRY. */
    const char *name;
    const char *bus_info;
    const void *driver;
    const void *bus;
    int numa_node;
    void *devargs;
};

struct sim_device {
    struct rte_vdpa_device *vdev;
    struct vdpa_sim_spec spec;
    char name[RTE_ETH_NAME_MAX_LEN];      /* "net_ring_" + 'rep_name'. */
    char rep_name[RTE_ETH_NAME_MAX_LEN - 9]; /* For rte_eth_from_rings(). */
    struct sim_rte_device rte_dev;        /* Named 'name'. */
    bool has_representor;                 /* Main thread only. */
    struct rte_ring *to_ovs[SIM_MAX_QUEUE_PAIRS];   /* Representor rx. */
    struct rte_ring *from_ovs[SIM_MAX_QUEUE_PAIRS]; /* Representor tx. */
    struct rte_mempool *mp;
    struct sim_thread *thread;            /* The thread that serves it,
                                           * NULL in inline mode. */

    /* The engine thread holds 'mutex' while it moves the device's packets,
     * and takes it again right away, so the vhost library's thread, to
     * change the device, takes it with sim_lock(), which makes the engine
     * thread step aside.  A device's lock guards nothing of another
     * device, so a guest that keeps its device busy stalls no other
     * device's control. */
    struct ovs_mutex mutex;
    atomic_uint waiters;                  /* Threads in sim_lock(). */

    /* Inline mode: a PMD thread's burst holds the lock of the one vring it
     * works on, and only tries to take it; sim_lock() takes them all, after
     * 'mutex', so what 'mutex' guards does not change under a burst. */
    rte_spinlock_t vring_locks[SIM_MAX_VRINGS];

    /* Guarded by 'mutex'. */
    int vid;                              /* Configured guest, or -1. */
    int setup_vid;                        /* Guest 'enabled' belongs to. */
    int paused_vid;                       /* Guest served live, paused. */
    bool broken;                          /* "vdpa-sim/fail DEV on". */
    struct rte_vhost_memory *mem;
    int n_vrings;
    bool enabled[SIM_MAX_VRINGS];
    struct virtq vqs[SIM_MAX_VRINGS];     /* 'desc' NULL: not mapped. */
    int kickfds[SIM_MAX_VRINGS];
    bool logging;                         /* Logs the pages it writes. */
    struct eth_addr guest_mac;            /* Learned from what it sends. */
    bool guest_mac_known;

    /* The vhost library replaces the dirty log (SET_LOG_BASE, which QEMU
     * re-sends when the log must grow) without a lock or a device
     * operation: it unmaps the old log while the engine thread may be
     * logging into it.  So while it handles that message (see
     * sim_vhost_msg()), the engine thread leaves the device's vrings
     * alone. */
    bool log_switching;
};

/* Whether the engine thread may serve the vrings of 'dev' now. */
static inline bool
sim_serving(const struct sim_device *dev)
    OVS_REQUIRES(dev->mutex)
{
    return dev->vid >= 0 && !dev->log_switching;
}

/* The devices, which never change after creation, and their specs are read
 * without locks, and so are the counters.  vdpa-sim-device.c adds them. */
extern struct sim_device *vdpa_sim_devices[SIM_MAX_DEVICES];
extern atomic_size_t vdpa_sim_n_devices;

/* The vDPA operations of every device, and the engine's own (see struct
 * vdpa_engine_ops): of a device that switches guests live, or of one that
 * the vhost library attaches, "live=no" (vdpa-sim.c). */
extern struct rte_vdpa_dev_ops vdpa_sim_ops;
struct vdpa_engine_ops;
extern const struct vdpa_engine_ops vdpa_sim_live_ops;
extern const struct vdpa_engine_ops vdpa_sim_attached_ops;
extern const struct vdpa_engine_ops vdpa_sim_live_inline_ops;
extern const struct vdpa_engine_ops vdpa_sim_attached_inline_ops;

/* The representor's bursts of a device in inline mode: 'aux' is the
 * struct sim_device (vdpa-sim-inline.c). */
int vdpa_sim_rx_burst(void *aux, int qid, struct rte_mbuf **pkts, int n);
int vdpa_sim_tx_burst(void *aux, int qid, struct rte_mbuf **pkts, int n);

/* Registers "vdpa-sim/fail" (vdpa-sim.c). */
void vdpa_sim_register_commands(void);

/* Delivers to the guest what OVS sent to the representor, when the device
 * stops serving it; drops what is left in the representor's rings, before
 * it serves a new guest (vdpa-sim-thread.c). */
void vdpa_sim_flush(struct sim_device *dev) OVS_REQUIRES(dev->mutex);
void vdpa_sim_drop_stale(struct sim_device *dev)
    OVS_REQUIRES(dev->mutex);

/* The engine threads (vdpa-sim-thread.c): created, given devices, then
 * started. */
struct sim_thread *vdpa_sim_thread_create(const char *engine_name, int index,
                                          uint64_t cpu_mask);
void vdpa_sim_thread_start(struct sim_thread *);
void vdpa_sim_notify(void *dev, int qid);

static inline size_t
sim_n_devices(void)
{
    size_t n;

    atomic_read(&vdpa_sim_n_devices, &n);
    return n;
}

/* Returns the device of this engine that 'vdev' is, or NULL. */
static inline struct sim_device *
sim_lookup(const struct rte_vdpa_device *vdev)
{
    size_t n = sim_n_devices();

    for (size_t i = 0; i < n; i++) {
        if (vdpa_sim_devices[i]->vdev == vdev) {
            return vdpa_sim_devices[i];
        }
    }
    return NULL;
}

/* Returns true if the engine mapped 'dev''s vring 'i': the guest set it up
 * (a guest may set up a queue pair only after the device serves the first
 * one). */
static inline bool
sim_vring_mapped(const struct sim_device *dev, int i)
    OVS_REQUIRES(dev->mutex)
{
    return i < dev->n_vrings && dev->vqs[i].desc;
}

/* Returns the guest receive vring that representor queue 'q' delivers to:
 * one of those the guest enabled, spread as OVS spreads its txqs over a sw
 * port's enabled vrings, or -1 if there is none. */
static inline int
sim_guest_rx_vring(const struct sim_device *dev, int q)
    OVS_REQUIRES(dev->mutex)
{
    int pairs[SIM_MAX_QUEUE_PAIRS];
    int n = 0;

    for (int p = 0; p < dev->n_vrings / 2; p++) {
        if (dev->enabled[2 * p] && sim_vring_mapped(dev, 2 * p)) {
            pairs[n++] = p;
        }
    }
    return n ? 2 * pairs[q % n] : -1;
}

/* Learns the guest's MAC address from 'm', a frame the guest sent, for the
 * RARP that announces the guest after a live migration. */
static inline void
sim_learn_mac(struct sim_device *dev, const struct rte_mbuf *m)
{
    if (rte_pktmbuf_data_len(m) >= 2 * RTE_ETHER_ADDR_LEN) {
        memcpy(dev->guest_mac.ea,
               rte_pktmbuf_mtod_offset(m, const uint8_t *,
                                       RTE_ETHER_ADDR_LEN),
               RTE_ETHER_ADDR_LEN);
        dev->guest_mac_known = true;
    }
}

/* Takes 'dev''s mutex on behalf of a thread other than the engine thread,
 * which steps aside, and in inline mode its vring locks, which the PMD
 * threads' bursts then leave alone. */
static inline void
sim_lock(struct sim_device *dev)
    OVS_ACQUIRES(dev->mutex)
{
    unsigned int orig;

    atomic_add(&dev->waiters, 1, &orig);
    ovs_mutex_lock(&dev->mutex);
    atomic_sub(&dev->waiters, 1, &orig);
    if (dev->spec.inline_mode) {
        for (int i = 0; i < SIM_MAX_VRINGS; i++) {
            rte_spinlock_lock(&dev->vring_locks[i]);
        }
    }
}

static inline void
sim_unlock(struct sim_device *dev)
    OVS_RELEASES(dev->mutex)
{
    if (dev->spec.inline_mode) {
        for (int i = 0; i < SIM_MAX_VRINGS; i++) {
            rte_spinlock_unlock(&dev->vring_locks[i]);
        }
    }
    ovs_mutex_unlock(&dev->mutex);
}

#endif /* vdpa-sim-private.h */
