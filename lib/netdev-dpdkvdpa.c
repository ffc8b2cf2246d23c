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

/* The "dpdkvdpa" netdev class: a guest attached over a vhost-user socket.
 *
 * This file holds the port itself: its options, its vhost-user socket (in
 * client or server mode), the vhost library's callbacks and its two
 * datapaths:
 *
 *   - sw: OVS's PMD threads move packets with rte_vhost_dequeue_burst() and
 *     rte_vhost_enqueue_burst(), as OVS's dpdkvhostuserclient ports do.
 *
 *   - hw: the port's socket has a vDPA device attached (vdpa-engine.c picks
 *     it), whose engine moves packets between the guest's virtqueues and a
 *     representor ethdev; OVS's PMD threads receive and send on that
 *     ethdev and never touch the virtqueues.  A NIC's VF representor and
 *     our software engine's (vdpa-sim.c) take the same path. */

#include <config.h>

#include "netdev-dpdkvdpa.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>
#include <rte_vdpa.h>
#include <rte_vhost.h>

#include "connectivity.h"
#include "dirs.h"
#include "dp-packet.h"
#include "dpdkvdpa-config.h"
#include "dpdkvdpa-counter.h"
#include "dpdkvdpa-mempool.h"
#include "dpdkvdpa-qos.h"
#include "netdev-provider.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"
#include "ovs-thread.h"
#include "packets.h"
#include "seq.h"
#include "smap.h"
#include "socket-util.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vdpa-engine.h"

VLOG_DEFINE_THIS_MODULE(netdev_dpdkvdpa);
static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Virtqueue numbering: pair N is guest rx 2N (our tx), guest tx 2N+1. */
#define VIRTQ_GUEST_RX(QP) ((QP) * 2)
#define VIRTQ_GUEST_TX(QP) ((QP) * 2 + 1)

#define DEFAULT_MTU ETH_PAYLOAD_MAX

/* Features that need OVS to handle guest checksum and segmentation
 * offloads, which this port does not do: vhost then negotiates without
 * them, as OVS's vhost ports do without userspace TSO. */
#define UNSUPPORTED_FEATURES ((1ULL << VIRTIO_NET_F_CSUM)         \
                              | (1ULL << VIRTIO_NET_F_HOST_TSO4)  \
                              | (1ULL << VIRTIO_NET_F_HOST_TSO6)  \
                              | (1ULL << VIRTIO_NET_F_HOST_ECN)   \
                              | (1ULL << VIRTIO_NET_F_HOST_UFO))

/* Per queue counters.  Each is written by one thread at a time (the PMD
 * polling an rxq, the holder of a txq's lock) and read by others. */
struct dpdkvdpa_queue_stats {
    atomic_uint64_t packets;
    atomic_uint64_t bytes;
    atomic_uint64_t dropped;
    atomic_uint64_t qos_drops;  /* Policer drops, also in 'dropped'. */
};

/* A queue's lock is held around every use of the guest's vid on it, so
 * that destroy_device() can wait for the PMD threads to be done with a
 * guest by taking each lock once, without waiting for anything else. */
struct dpdkvdpa_rxq {
    rte_spinlock_t lock;        /* Uncontended but for destroy_device(). */
    atomic_bool draining;       /* See 'drain_vdpa'. */
    struct dpdkvdpa_queue_stats stats;
};

struct dpdkvdpa_txq {
    rte_spinlock_t lock;        /* Serializes concurrent senders. */
    int vring_pair;             /* Enabled queue pair it sends on, or -1. */
    struct dpdkvdpa_queue_stats stats;
    atomic_uint64_t retries;
    atomic_uint64_t failure_drops;  /* Guest's queue stayed full. */
    atomic_uint64_t mtu_drops;      /* Packet longer than the MTU allows. */
};

/* Guards 'dpdkvdpa_list'.  Taken before any port's 'mutex'. */
static struct ovs_mutex dpdkvdpa_mutex = OVS_MUTEX_INITIALIZER;

struct netdev_dpdkvdpa {
    struct netdev up;

    /* In 'dpdkvdpa_list', guarded by 'dpdkvdpa_mutex'. */
    struct ovs_list list_node;

    struct ovs_mutex mutex OVS_ACQ_AFTER(dpdkvdpa_mutex);

    /* Configuration, guarded by 'mutex'.  set_config() and the vhost
     * callbacks fill in 'requested*'; reconfigure() applies them. */
    struct dpdkvdpa_config requested OVS_GUARDED;
    struct dpdkvdpa_config config OVS_GUARDED;    /* As applied. */
    bool socket_started OVS_GUARDED;              /* 'config' socket up. */
    char *socket_error OVS_GUARDED;               /* Why it is not. */
    int requested_mtu OVS_GUARDED;
    int requested_n_queues OVS_GUARDED;
    int requested_numa_id OVS_GUARDED;
    int numa_id OVS_GUARDED;
    struct eth_addr hwaddr OVS_GUARDED;

    /* Written under 'mutex', read without it by PMD threads: 'mtu' changes
     * only in reconfigure(), while no PMD thread polls the port, and a PMD
     * thread that reads a stale 'flags' only sees the change a little
     * later. */
    int mtu;
    enum netdev_flags flags;
    struct rte_mempool *mp;   /* Written only while no PMD polls us. */

    /* Ingress policer and egress QoS: changed under 'mutex', read by PMD
     * threads through RCU. */
    struct dpdkvdpa_qos qos;

    /* The socket's one vhost-user connection, or -1: the vhost library
     * would accept more on a server socket, and we refuse them. */
    int conn_vid OVS_GUARDED;

    /* The guest, once its connection is ready, or -1.  Read by PMD threads
     * under their queue's lock, see struct dpdkvdpa_rxq. */
    atomic_int vid;
    bool vhost_ready;         /* Queues and mempool fit the guest. */
    uint64_t features OVS_GUARDED;                /* Negotiated. */
    int n_vrings OVS_GUARDED;
    atomic_int tx_retries_max;

    /* Which vrings the guest enabled, by queue pair, as the vhost library
     * reports them, and whether that changed since the main thread applied
     * it (see netdev_dpdkvdpa_run()). */
    atomic_bool guest_tx_enabled[DPDKVDPA_MAX_QUEUE_PAIRS];    /* Our rxq. */
    atomic_bool guest_rx_enabled[DPDKVDPA_MAX_QUEUE_PAIRS];    /* Our txq. */
    atomic_bool vrings_changed;

    /* The hw datapath, or why not.  'requested_vdpa' and the reason are
     * what set_config() decided; reconfigure() applies them. */
    struct vdpa_device *requested_vdpa OVS_GUARDED;
    char *requested_vdpa_reason OVS_GUARDED;
    /* The device that set_config() chose while another port still claimed
     * it, or NULL: the port takes it (as 'requested_vdpa') when that port
     * lets it go, see give_device().  Meanwhile 'requested_vdpa' is NULL
     * and its reason says why. */
    struct vdpa_device *pending_vdpa OVS_GUARDED;
    bool configured OVS_GUARDED;            /* set_config() succeeded. */
    struct vdpa_device *vdpa;   /* Attached, or NULL: sw.  Like 'mtu'. */
    char *vdpa_reason OVS_GUARDED;          /* Why sw, or NULL. */
    char *vdpa_failure OVS_GUARDED;         /* The device failed: sw until
                                             * the options change. */
    uint16_t rep_port;                      /* Representor, with 'vdpa'. */

    /* The device of 'vdpa' when it serves the guest live (see struct
     * vdpa_engine_ops), or NULL.  Set under 'mutex', read without it by
     * the vhost callbacks that may take no lock, and cleared by either. */
    ATOMIC(struct vdpa_device *) serving;

    /* The guest is being live migrated: QEMU has VHOST_F_LOG_ALL on, so
     * whatever serves its vrings must log the pages it writes.  A device
     * that cannot gives the guest to the sw datapath meanwhile. */
    atomic_bool guest_logging;
    bool logging_on_sw OVS_GUARDED;    /* 'vdpa_failure' says why. */

    /* The device that served the guest before a live switch, whose
     * representor still holds packets that the guest sent before the
     * switch: each rxq takes those first, while its 'draining' is true, so
     * that none is lost or reordered.  The port keeps the device (see
     * device_holder()) until its next reconfigure().  Like 'mtu'. */
    struct vdpa_device *drain_vdpa;
    uint16_t drain_port;
    int drain_n_queues;
    int rep_n_queues;

    /* Only the first 'up.n_txq' are in use; the counters of all of them
     * add up to the port's. */
    struct dpdkvdpa_txq txqs[DPDKVDPA_MAX_QUEUE_PAIRS];
    struct dpdkvdpa_rxq rxqs[DPDKVDPA_MAX_QUEUE_PAIRS];
};

struct netdev_rxq_dpdkvdpa {
    struct netdev_rxq up;
};

static struct ovs_list dpdkvdpa_list OVS_GUARDED_BY(dpdkvdpa_mutex)
    = OVS_LIST_INITIALIZER(&dpdkvdpa_list);

/* The port of each vhost-user connection, by vid, for
 * vring_state_changed(). */
static ATOMIC(struct netdev_dpdkvdpa *) conn_ports[RTE_MAX_VHOST_DEVICE];

/* Changes when a guest enables or disables a vring; 'vring_seq_applied' is
 * the value netdev_dpdkvdpa_run() last acted on. */
static struct seq *vring_seq;
static uint64_t vring_seq_applied;

/* Directory for server mode sockets. */
static char *vhost_sock_dir;

/* True if set_config() left a port waiting for a device that another port
 * claimed ('pending_vdpa'), since the last netdev_dpdkvdpa_run().  Main
 * thread only. */
static bool devices_pending;

static const struct netdev_class dpdkvdpa_class;

static bool
is_dpdkvdpa_class(const struct netdev_class *class)
{
    return class->construct == dpdkvdpa_class.construct;
}

static struct netdev_dpdkvdpa *
netdev_dpdkvdpa_cast(const struct netdev *netdev)
{
    ovs_assert(is_dpdkvdpa_class(netdev_get_class(netdev)));
    return CONTAINER_OF(netdev, struct netdev_dpdkvdpa, up);
}

static int
get_vid(const struct netdev_dpdkvdpa *dev)
{
    int vid;

    atomic_read(&CONST_CAST(struct netdev_dpdkvdpa *, dev)->vid, &vid);
    return vid;
}

static bool
is_running(const struct netdev_dpdkvdpa *dev)
{
    return get_vid(dev) >= 0 && dev->vhost_ready;
}

/* Finds the port whose socket is 'path', with 'dpdkvdpa_mutex' held. */
static struct netdev_dpdkvdpa *
dpdkvdpa_find_by_socket(const char *path)
    OVS_REQUIRES(dpdkvdpa_mutex)
{
    struct netdev_dpdkvdpa *dev;

    LIST_FOR_EACH (dev, list_node, &dpdkvdpa_list) {
        if (dev->config.socket_path && !strcmp(dev->config.socket_path,
                                               path)) {
            return dev;
        }
    }
    return NULL;
}

/* Returns the name of a port other than 'dev' that still has 'vdpa'
 * attached, or NULL.  set_config() gives a device to a port at once, but
 * the port that had it keeps it attached until its own reconfigure() or
 * destruct() lets it go: until then, the device still serves that port's
 * guest and its representor is that port's. */
static char *
device_holder(const struct netdev_dpdkvdpa *dev,
              const struct vdpa_device *vdpa)
    OVS_REQUIRES(dpdkvdpa_mutex)
{
    struct netdev_dpdkvdpa *other;
    char *holder = NULL;

    LIST_FOR_EACH (other, list_node, &dpdkvdpa_list) {
        if (other != dev) {
            ovs_mutex_lock(&other->mutex);
            if (other->vdpa == vdpa) {
                holder = xstrdup(netdev_get_name(&other->up));
            } else if (other->drain_vdpa == vdpa) {
                /* Its reconfigure() lets the device go. */
                holder = xstrdup(netdev_get_name(&other->up));
                netdev_request_reconfigure(&other->up);
            }
            ovs_mutex_unlock(&other->mutex);
            if (holder) {
                break;
            }
        }
    }
    return holder;
}

/* Returns true if a port other than 'dev' was given 'vdpa' and waits for
 * it. */
static bool
device_wanted(const struct netdev_dpdkvdpa *dev,
              const struct vdpa_device *vdpa)
    OVS_REQUIRES(dpdkvdpa_mutex)
{
    struct netdev_dpdkvdpa *other;
    bool wanted = false;

    LIST_FOR_EACH (other, list_node, &dpdkvdpa_list) {
        if (other != dev) {
            ovs_mutex_lock(&other->mutex);
            wanted = other->requested_vdpa == vdpa;
            ovs_mutex_unlock(&other->mutex);
            if (wanted) {
                break;
            }
        }
    }
    return wanted;
}

/* 'dev' no longer has 'vdpa' attached: asks the ports that were given it
 * meanwhile, and wait for it, to take it now. */
static void
hand_over_device(const struct netdev_dpdkvdpa *dev,
                 const struct vdpa_device *vdpa)
    OVS_REQUIRES(dpdkvdpa_mutex)
{
    struct netdev_dpdkvdpa *other;

    LIST_FOR_EACH (other, list_node, &dpdkvdpa_list) {
        if (other != dev) {
            ovs_mutex_lock(&other->mutex);
            if (other->requested_vdpa == vdpa) {
                netdev_request_reconfigure(&other->up);
            }
            ovs_mutex_unlock(&other->mutex);
        }
    }
}

/* 'dev' now has the device it was waiting for ('pending_vdpa'): it becomes
 * the requested one, for reconfigure() to attach. */
static void
take_pending_device(struct netdev_dpdkvdpa *dev)
    OVS_REQUIRES(dev->mutex)
{
    dev->requested_vdpa = dev->pending_vdpa;
    dev->pending_vdpa = NULL;
    free(dev->requested_vdpa_reason);
    dev->requested_vdpa_reason = NULL;
    netdev_request_reconfigure(&dev->up);
}

/* No port claims 'vdpa' any more: gives it to a port that set_config()
 * left waiting for it ('pending_vdpa'), if any.  That happens when ports
 * swap or rotate their devices in one transaction: the bridge configures
 * them one at a time, so a port may be given a device before the port
 * that has it is given another one. */
static void
give_device(struct vdpa_device *vdpa)
    OVS_REQUIRES(dpdkvdpa_mutex)
{
    struct netdev_dpdkvdpa *other;

    LIST_FOR_EACH (other, list_node, &dpdkvdpa_list) {
        bool given = false;

        ovs_mutex_lock(&other->mutex);
        if (other->pending_vdpa == vdpa) {
            char *holder = vdpa_engine_claim(vdpa,
                                             netdev_get_name(&other->up));

            if (!holder) {
                take_pending_device(other);
                given = true;
            }
            free(holder);
        }
        ovs_mutex_unlock(&other->mutex);
        if (given) {
            break;
        }
    }
}

/* Called once the bridge has configured every port (set_config()) of a
 * transaction: a port still waiting for a device then waits for a port
 * that keeps it, which the port's vdpa-reason says. */
static void
check_pending_devices(void)
    OVS_REQUIRES(dpdkvdpa_mutex)
{
    struct netdev_dpdkvdpa *dev;

    LIST_FOR_EACH (dev, list_node, &dpdkvdpa_list) {
        struct vdpa_device *vdpa;
        char *holder, *reason;

        ovs_mutex_lock(&dev->mutex);
        vdpa = dev->pending_vdpa;
        holder = vdpa ? vdpa_engine_claim(vdpa, netdev_get_name(&dev->up))
                      : NULL;
        if (vdpa && !holder) {
            /* Let go meanwhile (a port was deleted). */
            take_pending_device(dev);
        } else if (vdpa) {
            reason = xasprintf("vDPA device %s is used by port %s",
                               vdpa->name, holder);
            if (!nullable_string_is_equal(reason,
                                          dev->requested_vdpa_reason)) {
                VLOG_WARN("%s: %s: sw datapath until it lets the device go",
                          netdev_get_name(&dev->up), reason);
                free(dev->requested_vdpa_reason);
                dev->requested_vdpa_reason = reason;
                reason = NULL;
                netdev_request_reconfigure(&dev->up);
            }
            free(reason);
        }
        free(holder);
        ovs_mutex_unlock(&dev->mutex);
    }
}

/* Forgets which of the guest's vrings were enabled. */
static void
clear_vring_states(struct netdev_dpdkvdpa *dev)
{
    for (int i = 0; i < DPDKVDPA_MAX_QUEUE_PAIRS; i++) {
        atomic_store_relaxed(&dev->guest_tx_enabled[i], false);
        atomic_store_relaxed(&dev->guest_rx_enabled[i], false);
    }
    atomic_store_relaxed(&dev->guest_logging, false);
}

/* Maps each of OVS's txqs to a queue pair whose guest rx vring is enabled,
 * spreading them over those pairs. */
static void
remap_txqs(struct netdev_dpdkvdpa *dev)
    OVS_REQUIRES(dev->mutex)
{
    int n_pairs = MIN(dev->n_vrings / 2, DPDKVDPA_MAX_QUEUE_PAIRS);
    int enabled[DPDKVDPA_MAX_QUEUE_PAIRS];
    int n_enabled = 0;

    for (int i = 0; i < n_pairs; i++) {
        bool on;

        atomic_read_relaxed(&dev->guest_rx_enabled[i], &on);
        if (on) {
            enabled[n_enabled++] = i;
        }
    }
    for (int i = 0; i < dev->up.n_txq; i++) {
        dev->txqs[i].vring_pair = n_enabled ? enabled[i % n_enabled] : -1;
    }
}

/* Waits until no PMD thread uses the guest that 'dev' had before its 'vid'
 * was reset: a PMD thread reads 'vid' and uses it under a queue's lock. */
static void
quiesce_queues(struct netdev_dpdkvdpa *dev)
{
    for (int i = 0; i < DPDKVDPA_MAX_QUEUE_PAIRS; i++) {
        rte_spinlock_lock(&dev->rxqs[i].lock);
        rte_spinlock_unlock(&dev->rxqs[i].lock);
        rte_spinlock_lock(&dev->txqs[i].lock);
        rte_spinlock_unlock(&dev->txqs[i].lock);
    }
}

/* Tells the rest of OVS that 'dev''s status changed, from a thread other
 * than the main thread.  netdev_change_seq_changed() wakes the main thread
 * before it bumps the port's change_seq, so the main thread may look too
 * early, see no change and keep a stale status: wake it once more. */
static void
port_changed(struct netdev_dpdkvdpa *dev)
{
    netdev_change_seq_changed(&dev->up);
    seq_change(connectivity_seq_get());
}

/* Live switching: the port, not the vhost library, hands the guest's
 * vrings to a device that has live operations and takes them back, so
 * that the guest moves between the datapaths on the same connection. */

/* Returns the guest's enabled vrings, as a bitmap: those of its first 32
 * queue pairs, as many as a bitmap holds. */
static uint64_t
enabled_vrings(struct netdev_dpdkvdpa *dev)
{
    uint64_t enabled = 0;

    for (int i = 0; i < MIN(DPDKVDPA_MAX_QUEUE_PAIRS, 32); i++) {
        bool on;

        atomic_read(&dev->guest_rx_enabled[i], &on);
        enabled |= (uint64_t) on << VIRTQ_GUEST_RX(i);
        atomic_read(&dev->guest_tx_enabled[i], &on);
        enabled |= (uint64_t) on << VIRTQ_GUEST_TX(i);
    }
    return enabled;
}

/* Has 'dev->vdpa' serve the connected guest 'vid' live.  Returns NULL, or
 * why it cannot (the caller frees it). */
static char *
serve_guest(struct netdev_dpdkvdpa *dev, int vid)
    OVS_REQUIRES(dev->mutex)
{
    struct vdpa_device *vdpa = dev->vdpa;
    uint64_t extra = dev->features & ~vdpa->caps.features;
    char *error;

    if (extra) {
        return xasprintf("the guest negotiated features that vDPA device "
                         "%s lacks (0x%016"PRIx64")", vdpa->name, extra);
    }
    /* Publish the device first: a vring state that changes meanwhile
     * reaches the device either through the bitmap or through
     * vring_state_changed(). */
    atomic_store(&dev->serving, vdpa);
    error = vdpa->ops->serve(vdpa->vdev, vid, enabled_vrings(dev));
    if (error) {
        atomic_store(&dev->serving, NULL);
    }
    return error;
}

/* Takes the guest's vrings back from the device that serves them live, if
 * any: then they are the PMD threads' again. */
static void
unserve_guest(struct netdev_dpdkvdpa *dev, int vid)
    OVS_REQUIRES(dev->mutex)
{
    struct vdpa_device *serving;

    atomic_read(&dev->serving, &serving);
    if (serving) {
        atomic_store(&dev->serving, NULL);
        serving->ops->unserve(serving->vdev, vid);
    }
}

/* Returns the device that serves connection 'vid' live, or NULL, without
 * taking a lock: the vhost library may hold the guest's vring locks. */
static struct vdpa_device *
live_device_of(int vid)
{
    struct netdev_dpdkvdpa *dev = NULL;
    struct vdpa_device *serving = NULL;

    if (vid >= 0 && vid < RTE_MAX_VHOST_DEVICE) {
        atomic_read(&conn_ports[vid], &dev);
    }
    if (dev) {
        atomic_read(&dev->serving, &serving);
    }
    return serving;
}

static void
live_vring_state(int vid, uint16_t vring, int enable)
{
    struct vdpa_device *vdpa = live_device_of(vid);

    if (vdpa) {
        vdpa->ops->set_vring_state(vdpa->vdev, vid, vring, enable != 0);
    }
}

/* Returns the features that vhost-user message 'msg' sets, if it is
 * SET_FEATURES, otherwise 0. */
static uint64_t
msg_features(const void *msg)
{
    uint64_t features = 0;

    if (vdpa_vhost_msg_request(msg) == VDPA_VHOST_USER_SET_FEATURES) {
        memcpy(&features, vdpa_vhost_msg_payload(msg), sizeof features);
    }
    return features;
}

/* Every vhost-user message of a guest goes to the device that serves it
 * (see vdpa_engine_vhost_msg()).  The port itself watches for a live
 * migration starting (VHOST_F_LOG_ALL set) on a device that serves the
 * guest live but cannot log the pages it writes: the device lets the guest
 * go before the vhost library turns logging on, so that it writes nothing
 * unlogged, and the main thread moves the port to sw (see
 * netdev_dpdkvdpa_reconfigure()). */
static enum rte_vhost_msg_result
vhost_pre_msg(int vid, void *msg)
{
    struct vdpa_device *vdpa = live_device_of(vid);
    uint64_t log_all = VDPA_BIT(VHOST_F_LOG_ALL);

    if (vdpa && (msg_features(msg) & log_all)
        && !(vdpa->caps.features & log_all)) {
        struct netdev_dpdkvdpa *dev;
        struct vdpa_device *expected = vdpa;

        atomic_read(&conn_ports[vid], &dev);
        if (dev && atomic_compare_exchange_strong(&dev->serving, &expected,
                                                  NULL)) {
            vdpa->ops->unserve(vdpa->vdev, vid);
        }
        vdpa = NULL;
    }
    vdpa_engine_vhost_msg(vdpa, vid, msg, false);
    return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static enum rte_vhost_msg_result
vhost_post_msg(int vid, void *msg)
{
    struct netdev_dpdkvdpa *dev = NULL;
    uint64_t features = 0;

    vdpa_engine_vhost_msg(live_device_of(vid), vid, msg, true);
    if (vid >= 0 && vid < RTE_MAX_VHOST_DEVICE) {
        atomic_read(&conn_ports[vid], &dev);
    }
    if (dev && !rte_vhost_get_negotiated_features(vid, &features)) {
        bool logging = RTE_VHOST_NEED_LOG(features), was;

        atomic_read(&dev->guest_logging, &was);
        if (logging != was) {
            atomic_store(&dev->guest_logging, logging);
            netdev_request_reconfigure(&dev->up);
        }
    }
    return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static const struct rte_vhost_user_extern_ops vhost_extern_ops = {
    .pre_msg_handle = vhost_pre_msg,
    .post_msg_handle = vhost_post_msg,
};

/* vhost library callbacks.
 *
 * They run in the vhost library's own thread (destroy_device() also in the
 * main thread, from rte_vhost_driver_unregister()) and act only on the
 * port's own connection, 'conn_vid'.  Most find their port by the socket
 * path ("ifname" in the vhost library) under 'dpdkvdpa_mutex' and the
 * port's mutex, which no thread holds for long; vring_state_changed(),
 * which the vhost library calls with the guest's vring locks held, takes no
 * lock.  None waits for another thread to make progress: the main thread
 * may itself be waiting for this one in rte_vhost_driver_unregister(). */

/* Puts the socket path of connection 'vid' ("ifname" in the vhost library)
 * in 'path', or "" if the vhost library has none. */
static void
get_socket_path(int vid, char path[PATH_MAX])
{
    if (rte_vhost_get_ifname(vid, path, PATH_MAX)) {
        path[0] = '\0';
    }
}

/* Finds the port of connection 'vid' and locks its mutex, returning true,
 * or returns false with no port locked. */
static bool
lock_port_of_conn(int vid, struct netdev_dpdkvdpa **devp)
    OVS_REQUIRES(dpdkvdpa_mutex) OVS_TRY_LOCK(true, (*devp)->mutex)
    OVS_NO_THREAD_SAFETY_ANALYSIS
{
    struct netdev_dpdkvdpa *dev;
    char path[PATH_MAX];

    get_socket_path(vid, path);
    if (!path[0]) {
        return false;
    }
    dev = dpdkvdpa_find_by_socket(path);
    if (dev) {
        ovs_mutex_lock(&dev->mutex);
        if (dev->conn_vid == vid) {
            *devp = dev;
            return true;
        }
        ovs_mutex_unlock(&dev->mutex);
    }
    return false;
}

/* A front-end connected.  A port serves one guest: the vhost library would
 * attach a second connection on a server socket to the same guest state
 * and vDPA device, so it is refused and closed. */
static int
new_connection(int vid)
{
    static struct vlog_rate_limit conn_rl = VLOG_RATE_LIMIT_INIT(1, 5);
    struct netdev_dpdkvdpa *dev;
    char path[PATH_MAX];
    int error = 0;

    get_socket_path(vid, path);
    ovs_mutex_lock(&dpdkvdpa_mutex);
    dev = dpdkvdpa_find_by_socket(path);
    if (dev) {
        ovs_mutex_lock(&dev->mutex);
        if (dev->conn_vid >= 0) {
            VLOG_WARN_RL(&conn_rl, "%s: refused a second vhost-user "
                         "connection on %s: a guest is connected",
                         netdev_get_name(&dev->up), path);
            error = -1;
        } else if (vid >= 0 && vid < RTE_MAX_VHOST_DEVICE) {
            dev->conn_vid = vid;
            clear_vring_states(dev);
            atomic_store(&conn_ports[vid], dev);
            rte_vhost_extern_callback_register(vid, &vhost_extern_ops, NULL);
        } else {
            error = -1;
        }
        ovs_mutex_unlock(&dev->mutex);
    }
    ovs_mutex_unlock(&dpdkvdpa_mutex);
    return error;
}

/* Forgets that 'dev' has connection 'dev->conn_vid'. */
static void
forget_connection(struct netdev_dpdkvdpa *dev)
    OVS_REQUIRES(dev->mutex)
{
    if (dev->conn_vid >= 0) {
        struct netdev_dpdkvdpa *expected = dev;

        /* The vid may already be another port's connection. */
        atomic_compare_exchange_strong(&conn_ports[dev->conn_vid],
                                       &expected, NULL);
        dev->conn_vid = -1;
    }
}

static void
destroy_connection(int vid)
{
    struct netdev_dpdkvdpa *dev;
    char path[PATH_MAX];
    bool exists = false;

    get_socket_path(vid, path);
    ovs_mutex_lock(&dpdkvdpa_mutex);
    if (lock_port_of_conn(vid, &dev)) {
        bool logging;

        forget_connection(dev);
        /* A guest that moved away leaves a port that it had put on sw for
         * its migration (see follow_guest_logging()). */
        atomic_read(&dev->guest_logging, &logging);
        if (logging) {
            atomic_store(&dev->guest_logging, false);
            netdev_request_reconfigure(&dev->up);
        }
        ovs_mutex_unlock(&dev->mutex);
        exists = true;
    }
    ovs_mutex_unlock(&dpdkvdpa_mutex);

    /* OVS's words for its vhost-user ports, which log scrapers look for. */
    if (exists) {
        VLOG_INFO("vHost Device '%s' connection has been destroyed", path);
    }
}

static int
new_device(int vid)
{
    struct netdev_dpdkvdpa *dev;
    uint64_t features = 0;
    char path[PATH_MAX];
    int n_queues, numa_id;
    char *name;

    get_socket_path(vid, path);
    ovs_mutex_lock(&dpdkvdpa_mutex);
    if (!lock_port_of_conn(vid, &dev)) {
        ovs_mutex_unlock(&dpdkvdpa_mutex);
        VLOG_INFO("vHost Device '%s' can't be added - name not found", path);
        return -1;
    }

    rte_vhost_get_negotiated_features(vid, &features);
    dev->features = features;
    dev->n_vrings = rte_vhost_get_vring_num(vid);
    n_queues = MAX(1, MIN(dev->n_vrings / 2, DPDKVDPA_MAX_QUEUE_PAIRS));
    numa_id = rte_vhost_get_numa_node(vid);
    if (numa_id < 0) {
        numa_id = dev->numa_id;
    }

    /* OVS's PMDs poll, so the guest need not kick us.  A vDPA device
     * decides that for itself. */
    for (int i = 0; !dev->vdpa && i < dev->n_vrings; i++) {
        rte_vhost_enable_guest_notification(vid, i, 0);
    }

    atomic_store(&dev->vid, vid);
    if (vdpa_engine_can_switch_live(dev->vdpa)) {
        char *error = serve_guest(dev, vid);

        if (error) {
            /* reconfigure() moves the guest to the sw datapath. */
            VLOG_WARN("%s: vDPA device %s cannot serve the guest: %s, "
                      "falling back to the sw datapath",
                      netdev_get_name(&dev->up), dev->vdpa->name, error);
            free(dev->vdpa_failure);
            dev->vdpa_failure = xasprintf("vDPA device %s failed: %s",
                                          dev->vdpa->name, error);
            dev->logging_on_sw = false;
            free(error);
        }
    }
    dev->requested_n_queues = n_queues;
    dev->requested_numa_id = numa_id;
    dev->vhost_ready = false;
    netdev_request_reconfigure(&dev->up);
    port_changed(dev);
    name = xstrdup(netdev_get_name(&dev->up));
    ovs_mutex_unlock(&dev->mutex);
    ovs_mutex_unlock(&dpdkvdpa_mutex);

    VLOG_INFO("vHost Device '%s' has been added on numa node %i",
              path, numa_id);
    VLOG_INFO("%s: guest connected with %d queue pairs, NUMA node %d",
              name, n_queues, numa_id);
    free(name);
    return 0;
}

static void
destroy_device(int vid)
{
    struct netdev_dpdkvdpa *dev;
    char path[PATH_MAX];

    get_socket_path(vid, path);
    ovs_mutex_lock(&dpdkvdpa_mutex);
    if (!lock_port_of_conn(vid, &dev)) {
        ovs_mutex_unlock(&dpdkvdpa_mutex);
        return;
    }
    if (get_vid(dev) == vid) {
        unserve_guest(dev, vid);
        atomic_store(&dev->vid, -1);
        dev->vhost_ready = false;
        dev->n_vrings = 0;
        clear_vring_states(dev);
        remap_txqs(dev);
        /* The vhost library frees the vrings when we return. */
        quiesce_queues(dev);
        port_changed(dev);
        VLOG_INFO("vHost Device '%s' has been removed", path);
        VLOG_INFO("%s: guest disconnected", netdev_get_name(&dev->up));
    }
    ovs_mutex_unlock(&dev->mutex);
    ovs_mutex_unlock(&dpdkvdpa_mutex);
}

/* Called with the guest's vring locks held, which the PMD threads' bursts
 * on this guest need: it takes no lock.  It records the state, and
 * netdev_dpdkvdpa_run() applies it in the main thread. */
static int
vring_state_changed(int vid, uint16_t vring, int enable)
{
    static struct vlog_rate_limit vring_rl = VLOG_RATE_LIMIT_INIT(100, 1000);
    struct netdev_dpdkvdpa *dev = NULL;
    char path[PATH_MAX];
    int qp = vring / 2;

    if (vid >= 0 && vid < RTE_MAX_VHOST_DEVICE
        && qp < DPDKVDPA_MAX_QUEUE_PAIRS) {
        /* The port cannot go away meanwhile: destroying it unregisters its
         * socket, which waits for this callback to return. */
        atomic_read(&conn_ports[vid], &dev);
    }
    if (dev) {
        atomic_store(vring == VIRTQ_GUEST_TX(qp)
                     ? &dev->guest_tx_enabled[qp]
                     : &dev->guest_rx_enabled[qp], enable != 0);
        atomic_store(&dev->vrings_changed, true);
        seq_change(vring_seq);
        live_vring_state(vid, vring, enable);
        /* OVS's words; a guest that toggles its vrings endlessly gets
         * rate-limited. */
        get_socket_path(vid, path);
        if (path[0]) {
            VLOG_INFO_RL(&vring_rl, "State of queue %d ( %s_qid %d ) of "
                         "vhost device '%s' changed to '%s'", vring,
                         vring == VIRTQ_GUEST_TX(qp) ? "rx" : "tx", qp, path,
                         enable ? "enabled" : "disabled");
        }
    }
    return 0;
}

static const struct rte_vhost_device_ops vhost_ops = {
    .new_connection = new_connection,
    .destroy_connection = destroy_connection,
    .new_device = new_device,
    .destroy_device = destroy_device,
    .vring_state_changed = vring_state_changed,
};

/* The vhost-user socket.  start_socket() and stop_socket() must be called
 * without 'dev->mutex' or 'dpdkvdpa_mutex', since the vhost library may
 * call back into destroy_device() or wait for its thread. */

/* Tells what is at 'path': nothing (0), a socket that refuses connections,
 * as one whose server died does (ECONNREFUSED), a socket that something
 * serves (EADDRINUSE) or a file that is not a socket (ENOTSOCK). */
static int
probe_socket_path(const char *path)
{
    struct stat s;
    int fd;

    if (lstat(path, &s)) {
        return 0;
    }
    if (!S_ISSOCK(s.st_mode)) {
        return ENOTSOCK;
    }
    fd = make_unix_socket(SOCK_STREAM, true, NULL, path);
    if (fd >= 0) {
        close(fd);
    }
    return fd == -ECONNREFUSED ? ECONNREFUSED : EADDRINUSE;
}

/* Returns why a server socket cannot be created at 'path', or NULL. */
static char *
socket_path_error(const char *path)
{
    switch (probe_socket_path(path)) {
    case ENOTSOCK:
        return xasprintf("%s exists and is not a socket", path);
    case EADDRINUSE:
        return xasprintf("socket %s is in use by another process", path);
    default:
        return NULL;
    }
}

static int
start_socket(const char *name, const struct dpdkvdpa_config *config,
             struct vdpa_device *vdpa, char **errp)
{
    const char *path = config->socket_path;
    /* The vhost library's per-virtqueue counters, as OVS asks for them. */
    uint64_t flags = (RTE_VHOST_USER_LINEARBUF_SUPPORT
                      | RTE_VHOST_USER_NET_STATS_ENABLE);
    int err;

    if (config->client_mode) {
        flags |= RTE_VHOST_USER_CLIENT;
    } else {
        /* A socket left behind by an ovs-vswitchd that was killed would
         * make bind() fail.  Only such a one is ours to remove. */
        char *why = socket_path_error(path);

        if (why) {
            *errp = xasprintf("%s: %s", name, why);
            free(why);
            return EADDRINUSE;
        }
        if (probe_socket_path(path) == ECONNREFUSED) {
            VLOG_INFO("%s: removing stale socket %s", name, path);
            unlink(path);
        }
    }

    err = rte_vhost_driver_register(path, flags);
    if (err) {
        *errp = xasprintf("%s: could not create vhost-user socket %s",
                          name, path);
        return EINVAL;
    }
    /* options:virtio-features-mask narrows what the port offers, e.g. to
     * what every datapath a guest may be live migrated to can serve. */
    if (rte_vhost_driver_disable_features(path, (UNSUPPORTED_FEATURES
                                                 | ~config->features_mask))
        || rte_vhost_driver_callback_register(path, &vhost_ops)) {
        *errp = xasprintf("%s: could not set up vhost-user socket %s",
                          name, path);
        rte_vhost_driver_unregister(path);
        return EINVAL;
    }
    if ((config->vdpa_engine || config->vdpa_device)
        && rte_vhost_driver_disable_features(
               path, UNSUPPORTED_FEATURES | ~vdpa_engine_live_features())) {
        *errp = xasprintf("%s: could not set up vhost-user socket %s",
                          name, path);
        rte_vhost_driver_unregister(path);
        return EINVAL;
    }
    /* A device that switches live is not attached: the port hands it the
     * guest's vrings itself (see serve_guest()). */
    if (vdpa && !vdpa_engine_can_switch_live(vdpa)
        && rte_vhost_driver_attach_vdpa_device(path, vdpa->vdev)) {
        *errp = xasprintf("%s: could not attach vDPA device %s to %s",
                          name, vdpa->name, path);
        rte_vhost_driver_unregister(path);
        return EINVAL;
    }
    err = rte_vhost_driver_start(path);
    if (err) {
        *errp = xasprintf("%s: could not start vhost-user socket %s%s",
                          name, path, config->client_mode ? ""
                          : " (is its directory writable?)");
        rte_vhost_driver_unregister(path);
        return EINVAL;
    }
    /* OVS's words for its vhost-user ports, which log scrapers look for,
     * then the vDPA device, if any. */
    if (config->client_mode) {
        VLOG_INFO("vHost User device '%s' created in 'client' mode, using "
                  "client socket '%s'%s%s", name, path,
                  vdpa ? ", with vDPA device " : "", vdpa ? vdpa->name : "");
    } else {
        VLOG_INFO("Socket %s created for vhost-user port %s%s%s", path, name,
                  vdpa ? ", with vDPA device " : "", vdpa ? vdpa->name : "");
    }
    return 0;
}

static void
stop_socket(struct netdev_dpdkvdpa *dev, const char *path)
    OVS_EXCLUDED(dev->mutex)
{
    if (rte_vhost_driver_unregister(path)) {
        VLOG_ERR("%s: Unable to unregister vhost driver for socket '%s'.",
                 netdev_get_name(&dev->up), path);
    }

    /* The vhost library closed the connection without telling
     * destroy_connection(). */
    ovs_mutex_lock(&dev->mutex);
    forget_connection(dev);
    ovs_mutex_unlock(&dev->mutex);
}

/* Stops the representor of the hw datapath, if any. */
static void
representor_stop(struct netdev_dpdkvdpa *dev)
    OVS_REQUIRES(dev->mutex)
{
    if (dev->vdpa) {
        rte_eth_dev_stop(dev->rep_port);
        dev->vdpa = NULL;
    }
}

/* Lets go of the representor of the device that served the guest before a
 * live switch, dropping what no rxq took from it yet, counted in
 * rx_dropped.  Called when no PMD thread polls the port.  Returns the
 * device, for hand_over_device(), or NULL. */
static struct vdpa_device *
drain_stop(struct netdev_dpdkvdpa *dev)
    OVS_REQUIRES(dev->mutex)
{
    struct vdpa_device *vdpa = dev->drain_vdpa;

    if (vdpa) {
        for (int i = 0; i < DPDKVDPA_MAX_QUEUE_PAIRS; i++) {
            bool draining;

            atomic_read(&dev->rxqs[i].draining, &draining);
            while (draining && i < dev->drain_n_queues) {
                struct rte_mbuf *pkts[NETDEV_MAX_BURST];
                int n = rte_eth_rx_burst(dev->drain_port, i, pkts,
                                         NETDEV_MAX_BURST);

                if (!n) {
                    break;
                }
                counter_add(&dev->rxqs[i].stats.dropped, n);
                rte_pktmbuf_free_bulk(pkts, n);
            }
            atomic_store(&dev->rxqs[i].draining, false);
        }
        if (vdpa != dev->vdpa) {
            rte_eth_dev_stop(dev->drain_port);
        }
        dev->drain_vdpa = NULL;
    }
    return vdpa;
}

/* The netdev class. */

static struct netdev *
netdev_dpdkvdpa_alloc(void)
{
    struct netdev_dpdkvdpa *dev = xzalloc(sizeof *dev);

    return &dev->up;
}

static void
netdev_dpdkvdpa_dealloc(struct netdev *netdev)
{
    free(netdev_dpdkvdpa_cast(netdev));
}

static int
netdev_dpdkvdpa_construct(struct netdev *netdev)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);

    ovs_mutex_init(&dev->mutex);
    ovs_mutex_lock(&dev->mutex);
    dev->conn_vid = -1;
    atomic_init(&dev->vid, -1);
    atomic_init(&dev->tx_retries_max, DPDKVDPA_TX_RETRIES_DEFAULT);
    dev->flags = NETDEV_UP | NETDEV_PROMISC;
    dev->mtu = dev->requested_mtu = DEFAULT_MTU;
    dev->numa_id = dev->requested_numa_id = 0;
    dev->requested_n_queues = 1;
    dpdkvdpa_qos_init(&dev->qos);
    eth_addr_random(&dev->hwaddr);
    for (int i = 0; i < DPDKVDPA_MAX_QUEUE_PAIRS; i++) {
        rte_spinlock_init(&dev->rxqs[i].lock);
        rte_spinlock_init(&dev->txqs[i].lock);
    }
    ovs_mutex_unlock(&dev->mutex);

    /* A port starts with one queue pair; the guest may bring more. */
    netdev->n_rxq = 0;
    netdev->n_txq = 0;
    netdev_request_reconfigure(netdev);

    ovs_mutex_lock(&dpdkvdpa_mutex);
    ovs_list_push_back(&dpdkvdpa_list, &dev->list_node);
    ovs_mutex_unlock(&dpdkvdpa_mutex);
    return 0;
}

static void
netdev_dpdkvdpa_destruct(struct netdev *netdev)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    struct vdpa_device *released, *claimed;
    char *path = NULL;

    ovs_mutex_lock(&dpdkvdpa_mutex);
    ovs_mutex_lock(&dev->mutex);
    if (dev->socket_started) {
        path = xstrdup(dev->config.socket_path);
        dev->socket_started = false;
    }
    ovs_mutex_unlock(&dev->mutex);
    ovs_mutex_unlock(&dpdkvdpa_mutex);

    /* Stopping the socket disconnects the guest through destroy_device(),
     * which still finds 'dev' in the list. */
    if (path) {
        stop_socket(dev, path);
        free(path);
    }
    ovs_mutex_lock(&dev->mutex);
    drain_stop(dev);
    released = dev->vdpa;
    representor_stop(dev);
    claimed = dev->requested_vdpa;
    vdpa_engine_release(claimed, netdev_get_name(netdev));
    dev->requested_vdpa = dev->pending_vdpa = NULL;
    ovs_mutex_unlock(&dev->mutex);

    ovs_mutex_lock(&dpdkvdpa_mutex);
    if (claimed) {
        give_device(claimed);
    }
    if (released) {
        hand_over_device(dev, released);
    }
    ovs_list_remove(&dev->list_node);
    ovs_mutex_unlock(&dpdkvdpa_mutex);

    dpdkvdpa_mempool_put(dev->mp);
    ovs_mutex_lock(&dev->mutex);
    dpdkvdpa_config_destroy(&dev->requested);
    dpdkvdpa_config_destroy(&dev->config);
    dpdkvdpa_qos_destroy(&dev->qos);
    free(dev->socket_error);
    free(dev->requested_vdpa_reason);
    free(dev->vdpa_reason);
    free(dev->vdpa_failure);
    ovs_mutex_unlock(&dev->mutex);
    ovs_mutex_destroy(&dev->mutex);
}

static int
netdev_dpdkvdpa_get_config(const struct netdev *netdev, struct smap *args)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    /* What OVS shows for its vhost-user ports, then our options. */
    smap_add_format(args, "requested_rx_queues", "%d",
                    dev->requested_n_queues);
    smap_add_format(args, "configured_rx_queues", "%d", netdev->n_rxq);
    smap_add_format(args, "requested_tx_queues", "%d",
                    dev->requested_n_queues);
    smap_add_format(args, "configured_tx_queues", "%d", netdev->n_txq);
    smap_add_format(args, "mtu", "%d", dev->mtu);
    if (dev->requested.client_mode) {
        smap_add(args, "vhost-server-path", dev->requested.socket_path);
    }
    if (dev->requested.tx_retries_max != DPDKVDPA_TX_RETRIES_DEFAULT) {
        smap_add_format(args, "tx-retries-max", "%d",
                        dev->requested.tx_retries_max);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

/* Decides the datapath that 'config' asks of port 'name': the vDPA device
 * to attach in '*vdpap', or NULL for sw, then with the reason in
 * '*reasonp'.  Returns an error for the Interface "error" column when the
 * options cannot be served at all: a device that does not exist, or one
 * that does not fit a port in vdpa-mode=hw. */
static char *
choose_datapath(const char *name, const struct dpdkvdpa_config *config,
                struct vdpa_device **vdpap, char **reasonp)
{
    struct vdpa_device *vdpa;
    struct vdpa_caps need;
    char *error, *why;
    uint16_t rep;

    *vdpap = NULL;
    *reasonp = NULL;
    if (config->mode == DPDKVDPA_MODE_SW) {
        *reasonp = xstrdup("vdpa-mode is sw");
        return NULL;
    }
    if (!config->vdpa_engine && !config->vdpa_device) {
        *reasonp = xstrdup("no vDPA device configured");
        return NULL;
    }

    error = vdpa_engine_find(config->vdpa_engine, config->vdpa_device, name,
                             &vdpa);
    if (error) {
        return error;
    }
    vdpa_caps_for_port(config->max_queue_pairs, &need);
    why = vdpa_caps_check(vdpa->name, &vdpa->caps, &need);
    if (!why) {
        vdpa_engine_representor(vdpa, config->vdpa_representor, &rep, &why);
    }
    if (why && config->mode == DPDKVDPA_MODE_HW) {
        error = xasprintf("vdpa-mode=hw: %s", why);
        free(why);
        return error;
    }
    *reasonp = why;
    *vdpap = why ? NULL : vdpa;
    return NULL;
}

/* Returns an error if 'config''s socket cannot be 'dev''s: another port
 * has it, or, for a server socket that 'dev' does not have yet, something
 * that is not a stale socket is at its path. */
static char *
check_socket_path(struct netdev_dpdkvdpa *dev,
                  const struct dpdkvdpa_config *config)
    OVS_EXCLUDED(dpdkvdpa_mutex, dev->mutex)
{
    const char *path = config->socket_path;
    struct netdev_dpdkvdpa *other;
    char *error = NULL;
    bool ours;

    ovs_mutex_lock(&dpdkvdpa_mutex);
    LIST_FOR_EACH (other, list_node, &dpdkvdpa_list) {
        if (other != dev) {
            ovs_mutex_lock(&other->mutex);
            if (nullable_string_is_equal(other->config.socket_path, path)
                || nullable_string_is_equal(other->requested.socket_path,
                                            path)) {
                error = xasprintf("socket %s is used by port %s", path,
                                  netdev_get_name(&other->up));
            }
            ovs_mutex_unlock(&other->mutex);
        }
        if (error) {
            break;
        }
    }
    ovs_mutex_unlock(&dpdkvdpa_mutex);
    if (error || config->client_mode) {
        return error;
    }

    ovs_mutex_lock(&dev->mutex);
    ours = (dev->socket_started && !dev->config.client_mode
            && !strcmp(dev->config.socket_path, path));
    ovs_mutex_unlock(&dev->mutex);
    if (!ours) {
        error = socket_path_error(path);
    }
    return error;
}

static int
netdev_dpdkvdpa_set_config(struct netdev *netdev, const struct smap *args,
                           char **errp)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    const char *name = netdev_get_name(netdev);
    struct vdpa_device *vdpa, *pending = NULL, *released = NULL;
    struct dpdkvdpa_config config;
    char *error, *reason, *holder;
    int old_retries;

    error = dpdkvdpa_config_parse(args, name, vhost_sock_dir, &config);
    if (!error) {
        error = check_socket_path(dev, &config);
        if (!error) {
            error = choose_datapath(name, &config, &vdpa, &reason);
        }
        if (error) {
            dpdkvdpa_config_destroy(&config);
        }
    }
    if (error) {
        goto error;
    }

    ovs_mutex_lock(&dpdkvdpa_mutex);
    ovs_mutex_lock(&dev->mutex);
    /* Claim the device now, so that another port configured in the same
     * transaction does not pick it too.  A device given up here stays
     * attached until reconfigure(), see device_holder(). */
    holder = vdpa ? vdpa_engine_claim(vdpa, name) : NULL;
    if (holder && !dev->configured) {
        /* A port being added: the bridge configured every port that
         * exists before, so 'holder' keeps the device. */
        error = xasprintf("vDPA device %s is used by port %s", vdpa->name,
                          holder);
        ovs_mutex_unlock(&dev->mutex);
        ovs_mutex_unlock(&dpdkvdpa_mutex);
        free(holder);
        free(reason);
        dpdkvdpa_config_destroy(&config);
        goto error;
    } else if (holder) {
        /* 'holder' may give the device up later in this transaction (ports
         * swapping their devices): then give_device() hands it to us.
         * Otherwise check_pending_devices() says so when the transaction
         * is over. */
        free(reason);
        reason = (dev->pending_vdpa == vdpa
                  ? nullable_xstrdup(dev->requested_vdpa_reason)
                  : xasprintf("waiting for port %s to release vDPA device "
                              "%s", holder, vdpa->name));
        pending = vdpa;
        vdpa = NULL;
        devices_pending = true;
        free(holder);
    }

    atomic_read_relaxed(&dev->tx_retries_max, &old_retries);
    if (config.tx_retries_max != old_retries) {
        atomic_store(&dev->tx_retries_max, config.tx_retries_max);
        VLOG_INFO("Max Tx retries for vhost device '%s' set to %d",
                  name, config.tx_retries_max);
    }
    if (!dpdkvdpa_config_socket_equal(&config, &dev->requested)) {
        /* New options give a failed device another chance. */
        free(dev->vdpa_failure);
        dev->vdpa_failure = NULL;
        dev->logging_on_sw = false;
        netdev_request_reconfigure(netdev);
    } else if (!dev->socket_started || vdpa != dev->requested_vdpa
               || !nullable_string_is_equal(reason,
                                            dev->requested_vdpa_reason)) {
        netdev_request_reconfigure(netdev);
    }
    if (vdpa != dev->requested_vdpa && dev->requested_vdpa) {
        released = dev->requested_vdpa;
        vdpa_engine_release(released, name);
    }
    dpdkvdpa_config_destroy(&dev->requested);
    dev->requested = config;
    dev->requested_vdpa = vdpa;
    dev->pending_vdpa = pending;
    free(dev->requested_vdpa_reason);
    dev->requested_vdpa_reason = reason;
    dev->configured = true;
    ovs_mutex_unlock(&dev->mutex);
    if (released) {
        give_device(released);
    }
    ovs_mutex_unlock(&dpdkvdpa_mutex);
    return 0;

error:
    VLOG_ERR("%s: %s", name, error);
    *errp = error;
    return EINVAL;
}

static int
netdev_dpdkvdpa_get_numa_id(const struct netdev *netdev)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    int numa_id;

    ovs_mutex_lock(&dev->mutex);
    numa_id = dev->numa_id;
    ovs_mutex_unlock(&dev->mutex);
    return numa_id;
}

static int
netdev_dpdkvdpa_set_tx_multiq(struct netdev *netdev, unsigned int n_txq)
{
    /* The guest decides how many queues there are. */
    return 0;
}

/* Sets up the representor of 'vdpa' for the hw datapath: one rx and one tx
 * queue per queue pair the device serves, receiving into the port's
 * mempool. */
static char *
representor_start(struct netdev_dpdkvdpa *dev, struct vdpa_device *vdpa)
    OVS_REQUIRES(dev->mutex)
{
    const char *name = netdev_get_name(&dev->up);
    struct rte_eth_conf conf;
    struct rte_eth_dev_info info;
    char *error = NULL;
    uint16_t port;
    int n, socket;

    if (vdpa_engine_representor(vdpa, dev->config.vdpa_representor, &port,
                                &error)) {
        return error;
    }
    if (rte_eth_dev_info_get(port, &info)) {
        return xasprintf("cannot get representor %u information", port);
    }
    n = MIN(vdpa->caps.queue_pairs, MIN(info.max_rx_queues,
                                        info.max_tx_queues));
    n = MAX(1, MIN(n, DPDKVDPA_MAX_QUEUE_PAIRS));
    socket = rte_eth_dev_socket_id(port);
    socket = socket < 0 ? SOCKET_ID_ANY : socket;

    memset(&conf, 0, sizeof conf);
    rte_eth_dev_stop(port);
    if (rte_eth_dev_configure(port, n, n, &conf)) {
        return xasprintf("cannot configure representor %u", port);
    }
    for (int q = 0; q < n; q++) {
        if (rte_eth_rx_queue_setup(port, q, 512, socket, NULL, dev->mp)
            || rte_eth_tx_queue_setup(port, q, 512, socket, NULL)) {
            return xasprintf("cannot set up representor %u queue %d",
                             port, q);
        }
    }
    if (rte_eth_dev_start(port)) {
        return xasprintf("cannot start representor %u", port);
    }

    dev->vdpa = vdpa;
    dev->rep_port = port;
    dev->rep_n_queues = n;
    VLOG_INFO("%s: hw datapath through vDPA device %s, representor port %u "
              "with %d queues", name, vdpa->name, port, n);
    return NULL;
}

/* Sets up the representor of the hw datapath again, for a new mempool.  If
 * that fails, the device counts as failed, and reconfigure_socket() moves
 * the port to the sw datapath. */
static void
restart_representor(struct netdev_dpdkvdpa *dev)
    OVS_REQUIRES(dev->mutex)
{
    struct vdpa_device *vdpa = dev->vdpa;
    char *error;

    representor_stop(dev);
    error = representor_start(dev, vdpa);
    if (error) {
        VLOG_WARN("%s: %s, falling back to the sw datapath",
                  netdev_get_name(&dev->up), error);
        free(dev->vdpa_failure);
        dev->vdpa_failure = error;
        dev->logging_on_sw = false;
        dev->vdpa = vdpa;
    }
}

/* Returns true if 'a' and 'b' differ at most in what a live switch
 * changes: the datapath, not the socket. */
static bool
same_socket(const struct dpdkvdpa_config *a, const struct dpdkvdpa_config *b)
{
    return (a->client_mode == b->client_mode
            && nullable_string_is_equal(a->socket_path, b->socket_path)
            && a->max_queue_pairs == b->max_queue_pairs);
}

/* Moves the guest of 'dev' from its datapath to the one of 'vdpa' (NULL:
 * sw) on the same vhost-user connection, if both datapaths can do that.
 * Returns true if it did. */
static bool
switch_live(struct netdev_dpdkvdpa *dev, struct vdpa_device *vdpa)
    OVS_REQUIRES(dpdkvdpa_mutex) OVS_EXCLUDED(dev->mutex)
{
    const char *name = netdev_get_name(&dev->up);
    struct vdpa_device *released = NULL, *drain;
    long long int start = time_msec();
    char *holder, *error = NULL;
    bool done = false, wanted;
    int vid;

    holder = vdpa ? device_holder(dev, vdpa) : NULL;
    /* Only the main thread changes 'vdpa'. */
    wanted = dev->vdpa && device_wanted(dev, dev->vdpa);
    ovs_mutex_lock(&dev->mutex);
    if (!dev->socket_started || !same_socket(&dev->config, &dev->requested)
        || (dev->vdpa && !vdpa_engine_can_switch_live(dev->vdpa))
        || (vdpa && !vdpa_engine_can_switch_live(vdpa))) {
        goto out;
    }

    vid = get_vid(dev);
    drain = dev->vdpa;
    unserve_guest(dev, vid);
    released = dev->vdpa != vdpa ? dev->vdpa : NULL;
    if (drain && drain != vdpa && !wanted) {
        /* Keep the representor started for the rxqs to drain.  (Not when
         * another port waits for the device: it gets the device now, and
         * the packets left in the representor are lost.) */
        dev->drain_vdpa = drain;
        dev->drain_port = dev->rep_port;
        dev->drain_n_queues = dev->rep_n_queues;
        for (int i = 0; i < dev->rep_n_queues; i++) {
            atomic_store(&dev->rxqs[i].draining, true);
        }
        dev->vdpa = NULL;
        released = NULL;
    } else {
        representor_stop(dev);
    }
    free(dev->vdpa_reason);
    dev->vdpa_reason = (dev->vdpa_failure ? xstrdup(dev->vdpa_failure)
                        : nullable_xstrdup(dev->requested_vdpa_reason));
    dpdkvdpa_config_destroy(&dev->config);
    dpdkvdpa_config_copy(&dev->config, &dev->requested);
    if (holder) {
        free(dev->vdpa_reason);
        dev->vdpa_reason = xasprintf("waiting for port %s to release vDPA "
                                     "device %s", holder, vdpa->name);
        vdpa = NULL;
    } else if (vdpa) {
        error = representor_start(dev, vdpa);
        if (!error && vid >= 0) {
            error = serve_guest(dev, vid);
            if (error) {
                representor_stop(dev);
            }
        }
        if (error) {
            VLOG_WARN("%s: %s, using the sw datapath", name, error);
            free(dev->vdpa_reason);
            dev->vdpa_reason = error;
            vdpa = NULL;
        }
    }
    if (!vdpa && vid >= 0) {
        /* OVS's PMDs poll, so the guest need not kick us. */
        for (int i = 0; i < dev->n_vrings; i++) {
            rte_vhost_enable_guest_notification(vid, i, 0);
        }
    }
    VLOG_INFO("%s: %s datapath%s%s, guest %s, in %lld ms", name,
              vdpa ? "hw" : "sw", vdpa ? " on vDPA device " : "",
              vdpa ? vdpa->name : "",
              vid >= 0 ? "moved on its connection" : "not connected",
              time_msec() - start);
    netdev_change_seq_changed(&dev->up);
    done = true;
out:
    ovs_mutex_unlock(&dev->mutex);
    if (released) {
        hand_over_device(dev, released);
    }
    free(holder);
    return done;
}

/* Replaces the socket, and the datapath, by what 'requested' describes, if
 * they differ. */
static void
reconfigure_socket(struct netdev_dpdkvdpa *dev)
    OVS_EXCLUDED(dev->mutex)
{
    const char *name = netdev_get_name(&dev->up);
    struct dpdkvdpa_config requested;
    struct vdpa_device *vdpa, *released;
    char *old_path = NULL;
    char *error = NULL;
    char *holder;

    ovs_mutex_lock(&dpdkvdpa_mutex);
    ovs_mutex_lock(&dev->mutex);
    vdpa = dev->vdpa_failure ? NULL : dev->requested_vdpa;
    if (dev->socket_started
        && dpdkvdpa_config_socket_equal(&dev->config, &dev->requested)
        && vdpa == dev->vdpa) {
        const char *reason = (dev->vdpa_failure ? dev->vdpa_failure
                              : dev->requested_vdpa_reason);

        if (!vdpa && !nullable_string_is_equal(reason, dev->vdpa_reason)) {
            /* Still sw, for another reason (check_pending_devices()). */
            free(dev->vdpa_reason);
            dev->vdpa_reason = nullable_xstrdup(reason);
            netdev_change_seq_changed(&dev->up);
        }
        ovs_mutex_unlock(&dev->mutex);
        ovs_mutex_unlock(&dpdkvdpa_mutex);
        return;
    }
    ovs_mutex_unlock(&dev->mutex);
    if (switch_live(dev, vdpa)) {
        ovs_mutex_unlock(&dpdkvdpa_mutex);
        return;
    }
    ovs_mutex_lock(&dev->mutex);
    if (dev->socket_started) {
        old_path = xstrdup(dev->config.socket_path);
    }
    dpdkvdpa_config_copy(&requested, &dev->requested);
    ovs_mutex_unlock(&dev->mutex);
    ovs_mutex_unlock(&dpdkvdpa_mutex);

    if (old_path) {
        stop_socket(dev, old_path);
        free(old_path);
    }

    ovs_mutex_lock(&dpdkvdpa_mutex);
    holder = vdpa ? device_holder(dev, vdpa) : NULL;
    ovs_mutex_lock(&dev->mutex);
    released = dev->vdpa != vdpa ? dev->vdpa : NULL;
    representor_stop(dev);
    free(dev->vdpa_reason);
    dev->vdpa_reason = (dev->vdpa_failure ? xstrdup(dev->vdpa_failure)
                        : nullable_xstrdup(dev->requested_vdpa_reason));
    /* The callbacks find the port by its applied socket path, so publish it
     * before the guest can connect. */
    dpdkvdpa_config_destroy(&dev->config);
    dpdkvdpa_config_copy(&dev->config, &requested);
    dev->socket_started = false;
    if (holder) {
        /* Starting the representor or the socket now would take the device
         * from under the holder's guest.  The holder's reconfigure() lets
         * it go and calls us back (hand_over_device()); until then there is
         * no socket for a guest to find on the wrong datapath. */
        free(dev->vdpa_reason);
        dev->vdpa_reason = xasprintf("waiting for port %s to release vDPA "
                                     "device %s", holder, vdpa->name);
        VLOG_INFO("%s: %s", name, dev->vdpa_reason);
        free(dev->socket_error);
        dev->socket_error = NULL;
        netdev_change_seq_changed(&dev->up);
        vdpa = NULL;
    } else if (vdpa) {
        error = representor_start(dev, vdpa);
        if (error) {
            VLOG_WARN("%s: %s, using the sw datapath", name, error);
            free(dev->vdpa_reason);
            dev->vdpa_reason = error;
            error = NULL;
            vdpa = NULL;
        }
    }
    ovs_mutex_unlock(&dev->mutex);
    if (released) {
        hand_over_device(dev, released);
    }
    ovs_mutex_unlock(&dpdkvdpa_mutex);

    if (!requested.socket_path || holder) {
        /* set_config() has not run yet, or the device is not free yet. */
        dpdkvdpa_config_destroy(&requested);
        free(holder);
        return;
    }
    start_socket(name, &requested, vdpa, &error);

    ovs_mutex_lock(&dev->mutex);
    dev->socket_started = !error;
    free(dev->socket_error);
    dev->socket_error = error;
    if (error) {
        VLOG_ERR("%s", error);
    }
    netdev_change_seq_changed(&dev->up);
    ovs_mutex_unlock(&dev->mutex);
    dpdkvdpa_config_destroy(&requested);
}

/* While the guest is live migrated, a device that cannot log the pages it
 * writes does not serve it: the sw datapath does, and says why. */
static void
follow_guest_logging(struct netdev_dpdkvdpa *dev)
    OVS_REQUIRES(dev->mutex)
{
    struct vdpa_device *vdpa = dev->requested_vdpa;
    bool logging;

    atomic_read(&dev->guest_logging, &logging);
    if (logging && vdpa && !dev->vdpa_failure
        && !(vdpa->caps.features & VDPA_BIT(VHOST_F_LOG_ALL))) {
        dev->vdpa_failure = xasprintf("the guest is being live migrated "
                                      "and vDPA device %s cannot log the "
                                      "pages it writes", vdpa->name);
        dev->logging_on_sw = true;
        VLOG_INFO("%s: %s: sw datapath until the migration ends",
                  netdev_get_name(&dev->up), dev->vdpa_failure);
    } else if (!logging && dev->logging_on_sw) {
        free(dev->vdpa_failure);
        dev->vdpa_failure = NULL;
        dev->logging_on_sw = false;
        VLOG_INFO("%s: the guest is no longer being live migrated",
                  netdev_get_name(&dev->up));
    }
}

static int
netdev_dpdkvdpa_reconfigure(struct netdev *netdev)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    struct vdpa_device *drained;

    /* No PMD thread polls the port now. */
    ovs_mutex_lock(&dev->mutex);
    drained = drain_stop(dev);
    ovs_mutex_unlock(&dev->mutex);
    if (drained) {
        ovs_mutex_lock(&dpdkvdpa_mutex);
        hand_over_device(dev, drained);
        ovs_mutex_unlock(&dpdkvdpa_mutex);
    }

    ovs_mutex_lock(&dev->mutex);
    if (!dev->mp || dev->mtu != dev->requested_mtu
        || dev->numa_id != dev->requested_numa_id) {
        struct rte_mempool *old_mp = dev->mp;
        struct rte_mempool *mp;

        mp = dpdkvdpa_mempool_get(dev->requested_mtu,
                                  dev->requested_numa_id);
        if (!mp) {
            ovs_mutex_unlock(&dev->mutex);
            return ENOMEM;
        }
        dev->mp = mp;
        dev->mtu = dev->requested_mtu;
        dev->numa_id = dev->requested_numa_id;
        if (dev->vdpa) {
            /* The representor receives into the port's mempool: give it
             * the new one before the old one may go. */
            restart_representor(dev);
        }
        dpdkvdpa_mempool_put(old_mp);
    }
    follow_guest_logging(dev);
    ovs_mutex_unlock(&dev->mutex);

    reconfigure_socket(dev);

    ovs_mutex_lock(&dev->mutex);
    if (dev->vdpa) {
        /* The engine serves the guest's queues; OVS polls the
         * representor's. */
        netdev->n_rxq = netdev->n_txq = dev->rep_n_queues;
    } else {
        netdev->n_rxq = netdev->n_txq = dev->requested_n_queues;
    }
    remap_txqs(dev);

    /* Guests that do not report vring states still use queue pair 0. */
    if (get_vid(dev) >= 0) {
        atomic_store_relaxed(&dev->guest_tx_enabled[0], true);
        dev->vhost_ready = true;
    }
    netdev_change_seq_changed(netdev);
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dpdkvdpa_set_etheraddr(struct netdev *netdev, const struct eth_addr mac)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    if (!eth_addr_equals(dev->hwaddr, mac)) {
        dev->hwaddr = mac;
        netdev_change_seq_changed(netdev);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dpdkvdpa_get_etheraddr(const struct netdev *netdev,
                              struct eth_addr *mac)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    *mac = dev->hwaddr;
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dpdkvdpa_get_mtu(const struct netdev *netdev, int *mtup)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    *mtup = dev->mtu;
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dpdkvdpa_set_mtu(struct netdev *netdev, int mtu)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);

    if (mtu < DPDKVDPA_MIN_MTU || mtu > DPDKVDPA_MAX_MTU) {
        VLOG_WARN("%s: unsupported MTU %d", netdev_get_name(netdev), mtu);
        return EINVAL;
    }

    ovs_mutex_lock(&dev->mutex);
    if (dev->requested_mtu != mtu) {
        dev->requested_mtu = mtu;
        netdev_request_reconfigure(netdev);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dpdkvdpa_get_carrier(const struct netdev *netdev, bool *carrier)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    *carrier = is_running(dev);
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dpdkvdpa_update_flags(struct netdev *netdev, enum netdev_flags off,
                             enum netdev_flags on,
                             enum netdev_flags *old_flagsp)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);

    if ((off | on) & ~(NETDEV_UP | NETDEV_PROMISC)) {
        return EINVAL;
    }

    ovs_mutex_lock(&dev->mutex);
    *old_flagsp = dev->flags;
    dev->flags = (dev->flags & ~off) | on;
    if (dev->flags != *old_flagsp) {
        netdev_change_seq_changed(netdev);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dpdkvdpa_get_stats(const struct netdev *netdev,
                          struct netdev_stats *stats)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);

    /* Counters this port does not keep stay UINT64_MAX ("unsupported"), as
     * netdev_get_stats() initialized them. */
    stats->rx_packets = stats->rx_bytes = stats->rx_dropped = 0;
    stats->tx_packets = stats->tx_bytes = stats->tx_dropped = 0;
    ovs_mutex_lock(&dev->mutex);
    for (int i = 0; i < DPDKVDPA_MAX_QUEUE_PAIRS; i++) {
        stats->rx_packets += counter_get(&dev->rxqs[i].stats.packets);
        stats->rx_bytes += counter_get(&dev->rxqs[i].stats.bytes);
        stats->rx_dropped += counter_get(&dev->rxqs[i].stats.dropped);
    }
    for (int i = 0; i < DPDKVDPA_MAX_QUEUE_PAIRS; i++) {
        stats->tx_packets += counter_get(&dev->txqs[i].stats.packets);
        stats->tx_bytes += counter_get(&dev->txqs[i].stats.bytes);
        stats->tx_dropped += counter_get(&dev->txqs[i].stats.dropped);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

/* Makes room in 'stats' for 'n' more counters. */
static void
grow_counters(struct netdev_custom_stats *stats, size_t n)
{
    stats->counters = xrealloc(stats->counters,
                               (stats->size + n) * sizeof *stats->counters);
}

/* Adds a counter to 'stats', which must have room for it. */
static void
add_counter(struct netdev_custom_stats *stats, const char *name,
            uint64_t value)
{
    struct netdev_custom_counter *c = &stats->counters[stats->size++];

    ovs_strlcpy(c->name, name, NETDEV_CUSTOM_STATS_NAME_SIZE);
    c->value = value;
}

static void
add_vring_counters(int vring, const struct rte_vdpa_stat_name *names,
                   const struct rte_vdpa_stat *values, int n, void *stats_)
{
    struct netdev_custom_stats *stats = stats_;

    grow_counters(stats, n);
    for (int i = 0; i < n; i++) {
        char name[NETDEV_CUSTOM_STATS_NAME_SIZE];

        snprintf(name, sizeof name, "vdpa_vring%d_%.20s", vring,
                 names[values[i].id].name);
        add_counter(stats, name, values[i].value);
    }
}

/* Adds the hw datapath's counters, as the vDPA device keeps them for each
 * of the guest's vrings, to 'stats', named "vdpa_vringN_<counter>". */
static void
add_engine_counters(const struct netdev_dpdkvdpa *dev,
                    struct netdev_custom_stats *stats)
    OVS_REQUIRES(dev->mutex)
{
    /* All the device's vrings, so that the counters stay when the guest
     * goes away. */
    int n_vrings = 2 * MIN(dev->vdpa->caps.queue_pairs,
                           DPDKVDPA_MAX_QUEUE_PAIRS);

    vdpa_device_stats(dev->vdpa->vdev, n_vrings, add_vring_counters, stats);
}

/* Adds the vhost library's counters of virtqueue 'vring' of guest 'vid' to
 * 'stats', named by the library ("rx_q0_good_packets"...). */
static void
add_vhost_vring_counters(int vid, int vring, struct netdev_custom_stats *stats)
{
    struct rte_vhost_stat_name *names;
    struct rte_vhost_stat *values;
    int n;

    n = rte_vhost_vring_stats_get_names(vid, vring, NULL, 0);
    if (n <= 0) {
        return;
    }
    names = xcalloc(n, sizeof *names);
    values = xcalloc(n, sizeof *values);
    if (rte_vhost_vring_stats_get_names(vid, vring, names, n) == n
        && rte_vhost_vring_stats_get(vid, vring, values, n) == n) {
        grow_counters(stats, n);
        for (int i = 0; i < n; i++) {
            if (values[i].id < n) {
                add_counter(stats, names[values[i].id].name, values[i].value);
            }
        }
    }
    free(names);
    free(values);
}

/* Adds the vhost library's per-queue counters of the connected guest in
 * the sw datapath, the ones OVS reports for its vhost-user ports: those of
 * the guest's transmit virtqueues first, as "rx_qN_*", then those of its
 * receive virtqueues, as "tx_qN_*". */
static void
add_vhost_counters(const struct netdev_dpdkvdpa *dev,
                   struct netdev_custom_stats *stats)
    OVS_REQUIRES(dev->mutex)
{
    int vid = get_vid(dev);

    if (vid < 0 || dev->vdpa) {
        return;
    }
    for (int i = 0; i < dev->up.n_rxq && 2 * i + 1 < dev->n_vrings; i++) {
        add_vhost_vring_counters(vid, VIRTQ_GUEST_TX(i), stats);
    }
    for (int i = 0; i < dev->up.n_txq && 2 * i < dev->n_vrings; i++) {
        add_vhost_vring_counters(vid, VIRTQ_GUEST_RX(i), stats);
    }
}

static int
netdev_dpdkvdpa_get_custom_stats(const struct netdev *netdev,
                                 struct netdev_custom_stats *stats)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    uint64_t retries = 0, failure_drops = 0, mtu_drops = 0;
    uint64_t tx_qos_drops = 0, rx_qos_drops = 0;
    char name[NETDEV_CUSTOM_STATS_NAME_SIZE];

    ovs_mutex_lock(&dev->mutex);
    stats->size = 0;
    stats->counters = xcalloc(5 + 5 * netdev->n_txq + 2 * netdev->n_rxq,
                              sizeof *stats->counters);
    for (int i = 0; i < DPDKVDPA_MAX_QUEUE_PAIRS; i++) {
        retries += counter_get(&dev->txqs[i].retries);
        failure_drops += counter_get(&dev->txqs[i].failure_drops);
        mtu_drops += counter_get(&dev->txqs[i].mtu_drops);
        tx_qos_drops += counter_get(&dev->txqs[i].stats.qos_drops);
        rx_qos_drops += counter_get(&dev->rxqs[i].stats.qos_drops);
    }
    add_counter(stats, "ovs_tx_retries", retries);
    add_counter(stats, "ovs_tx_failure_drops", failure_drops);
    add_counter(stats, "ovs_tx_mtu_exceeded_drops", mtu_drops);
    add_counter(stats, "ovs_tx_qos_drops", tx_qos_drops);
    add_counter(stats, "ovs_rx_qos_drops", rx_qos_drops);
    for (int i = 0; i < netdev->n_rxq; i++) {
        snprintf(name, sizeof name, "rx_q%d_packets", i);
        add_counter(stats, name, counter_get(&dev->rxqs[i].stats.packets));
        snprintf(name, sizeof name, "rx_q%d_bytes", i);
        add_counter(stats, name, counter_get(&dev->rxqs[i].stats.bytes));
    }
    for (int i = 0; i < netdev->n_txq; i++) {
        snprintf(name, sizeof name, "tx_q%d_packets", i);
        add_counter(stats, name, counter_get(&dev->txqs[i].stats.packets));
        snprintf(name, sizeof name, "tx_q%d_bytes", i);
        add_counter(stats, name, counter_get(&dev->txqs[i].stats.bytes));
        snprintf(name, sizeof name, "tx_q%d_dropped", i);
        add_counter(stats, name, counter_get(&dev->txqs[i].stats.dropped));
    }
    if (dev->vdpa) {
        add_engine_counters(dev, stats);
    } else {
        add_vhost_counters(dev, stats);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dpdkvdpa_get_status(const struct netdev *netdev, struct smap *args)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    bool connected;

    ovs_mutex_lock(&dev->mutex);
    connected = get_vid(dev) >= 0;
    smap_add(args, "mode", dev->config.client_mode ? "client" : "server");
    if (dev->config.socket_path) {
        smap_add(args, "socket", dev->config.socket_path);
    }
    if (dev->socket_error) {
        smap_add(args, "status", "error");
        smap_add(args, "socket_error", dev->socket_error);
    } else {
        /* "connected" once the port can move the guest's packets, after
         * the reconfiguration that the guest's arrival requests. */
        smap_add(args, "status", (is_running(dev) ? "connected"
                                  : connected ? "connecting"
                                  : "disconnected"));
    }
    smap_add(args, "datapath", dev->vdpa ? "hw" : "sw");
    smap_add(args, "vdpa-mode", dpdkvdpa_mode_to_string(dev->config.mode));
    if (dev->vdpa) {
        char rep_name[RTE_ETH_NAME_MAX_LEN];

        smap_add(args, "vdpa-engine", dev->vdpa->engine_name);
        smap_add_format(args, "vdpa-eid", "%d", dev->vdpa->eid);
        smap_add(args, "vdpa-device", dev->vdpa->name);
        smap_add_format(args, "vdpa-did", "%d", dev->vdpa->did);
        if (!rte_eth_dev_get_name_by_port(dev->rep_port, rep_name)) {
            smap_add(args, "vdpa-representor", rep_name);
        }
    } else if (dev->vdpa_reason) {
        smap_add(args, "vdpa-reason", dev->vdpa_reason);
    }
    if (connected) {
        int vid = get_vid(dev);

        smap_add_format(args, "features", "0x%016"PRIx64, dev->features);
        smap_add_format(args, "num_of_vrings", "%d", dev->n_vrings);
        for (int i = 0; vid >= 0 && i < dev->n_vrings; i++) {
            struct rte_vhost_vring vring;

            if (!rte_vhost_get_vhost_vring(vid, i, &vring)) {
                smap_add_nocopy(args, xasprintf("vring_%d_size", i),
                                xasprintf("%"PRIu16, vring.size));
            }
        }
    }
    smap_add_format(args, "numa", "%d", dev->numa_id);
    smap_add_format(args, "mtu", "%d", dev->mtu);
    smap_add_format(args, "n_rxq", "%d", netdev->n_rxq);
    smap_add_format(args, "n_txq", "%d", netdev->n_txq);
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

/* The datapath: the guest's virtqueues (sw) or the representor's queues
 * (hw). */

static struct netdev_rxq *
netdev_dpdkvdpa_rxq_alloc(void)
{
    struct netdev_rxq_dpdkvdpa *rx = xzalloc(sizeof *rx);

    return &rx->up;
}

static int
netdev_dpdkvdpa_rxq_construct(struct netdev_rxq *rxq OVS_UNUSED)
{
    return 0;
}

static void
netdev_dpdkvdpa_rxq_destruct(struct netdev_rxq *rxq OVS_UNUSED)
{
}

static void
netdev_dpdkvdpa_rxq_dealloc(struct netdev_rxq *rxq)
{
    free(CONTAINER_OF(rxq, struct netdev_rxq_dpdkvdpa, up));
}

static bool
netdev_dpdkvdpa_rxq_enabled(struct netdev_rxq *rxq)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(rxq->netdev);
    bool enabled;

    atomic_read_relaxed(&dev->guest_tx_enabled[rxq->queue_id], &enabled);
    return dev->vdpa || enabled;
}

/* Receives from the guest's virtqueue of queue pair 'qid': the sw
 * datapath.  Returns the number of packets. */
static int
recv_from_guest(struct netdev_dpdkvdpa *dev, int qid,
                struct rte_mbuf **pkts, int *qfill)
{
    struct dpdkvdpa_rxq *rxq = &dev->rxqs[qid];
    uint16_t vring = VIRTQ_GUEST_TX(qid);
    int vid, n = 0;

    rte_spinlock_lock(&rxq->lock);
    vid = get_vid(dev);
    if (OVS_LIKELY(vid >= 0 && dev->vhost_ready)) {
        n = rte_vhost_dequeue_burst(vid, vring, dev->mp, pkts,
                                    NETDEV_MAX_BURST);
        if (qfill) {
            *qfill = (n == NETDEV_MAX_BURST
                      ? rte_vhost_rx_queue_count(vid, vring) & UINT16_MAX
                      : 0);
        }
    }
    rte_spinlock_unlock(&rxq->lock);
    return n;
}

/* Receives from the representor's queue 'qid' of device 'vdpa': the hw
 * datapath.  A device whose engine works inline moves the guest's packets
 * in this call. */
static int
recv_from_representor(struct netdev_dpdkvdpa *dev, struct vdpa_device *vdpa,
                      int qid, struct rte_mbuf **pkts, int *qfill)
{
    if (qfill) {
        *qfill = -ENOTSUP;
    }
    if (vdpa_engine_is_inline(vdpa)) {
        return vdpa->ops->rx_burst(vdpa->ops_aux, qid, pkts,
                                   NETDEV_MAX_BURST);
    }
    return rte_eth_rx_burst(dev->rep_port, qid, pkts, NETDEV_MAX_BURST);
}

/* Receives what the guest transmitted on queue pair 'rxq->queue_id'. */
static int
netdev_dpdkvdpa_rxq_recv(struct netdev_rxq *rxq, struct dp_packet_batch *batch,
                         int *qfill)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(rxq->netdev);
    struct dpdkvdpa_queue_stats *stats = &dev->rxqs[rxq->queue_id].stats;
    struct rte_mbuf **pkts = (struct rte_mbuf **) batch->packets;
    struct vdpa_device *vdpa;
    uint64_t bytes = 0;
    int n, policed;

    if (OVS_UNLIKELY(!(dev->flags & NETDEV_UP))) {
        return EAGAIN;
    }
    n = 0;
    if (OVS_UNLIKELY(dev->drain_vdpa)) {
        struct dpdkvdpa_rxq *q = &dev->rxqs[rxq->queue_id];
        bool draining;

        atomic_read_relaxed(&q->draining, &draining);
        if (draining) {
            n = rte_eth_rx_burst(dev->drain_port, rxq->queue_id, pkts,
                                 NETDEV_MAX_BURST);
            if (!n) {
                atomic_store_relaxed(&q->draining, false);
            }
        }
    }
    if (!n) {
        vdpa = dev->vdpa;
        n = (vdpa
             ? recv_from_representor(dev, vdpa, rxq->queue_id, pkts, qfill)
             : recv_from_guest(dev, rxq->queue_id, pkts, qfill));
    }
    if (!n) {
        return EAGAIN;
    }
    policed = dpdkvdpa_qos_police_rx(&dev->qos, pkts, n);
    if (OVS_UNLIKELY(policed < n)) {
        counter_add(&stats->dropped, n - policed);
        counter_add(&stats->qos_drops, n - policed);
        n = policed;
        if (!n) {
            return EAGAIN;
        }
    }

    batch->count = n;
    dp_packet_batch_init_packet_fields(batch);
    for (int i = 0; i < n; i++) {
        bytes += dp_packet_size(batch->packets[i]);
    }
    counter_add(&stats->packets, n);
    counter_add(&stats->bytes, bytes);
    return 0;
}

/* Returns an mbuf with the contents of 'packet', which is consumed, or NULL
 * if the pool is empty. */
static struct rte_mbuf *
packet_to_mbuf(struct netdev_dpdkvdpa *dev, struct dp_packet *packet)
{
    struct rte_mbuf *mbuf;
    uint32_t size = dp_packet_size(packet);

    if (packet->source == DPBUF_DPDK) {
        return &packet->mbuf;
    }

    mbuf = rte_pktmbuf_alloc(dev->mp);
    if (mbuf && size <= rte_pktmbuf_tailroom(mbuf)) {
        memcpy(rte_pktmbuf_mtod(mbuf, void *), dp_packet_data(packet), size);
        mbuf->data_len = mbuf->pkt_len = size;
    } else {
        rte_pktmbuf_free(mbuf);
        mbuf = NULL;
    }
    dp_packet_delete(packet);
    return mbuf;
}

/* Turns 'batch' into mbufs in 'pkts', dropping (and counting on 'txq')
 * packets longer than the MTU allows and those the egress QoS polices.
 * Returns how many are in 'pkts'. */
static int
prepare_batch(struct netdev_dpdkvdpa *dev, struct dpdkvdpa_txq *txq,
              struct dp_packet_batch *batch, struct rte_mbuf **pkts)
{
    uint32_t max_len = dev->mtu + ETH_HEADER_LEN + VLAN_HEADER_LEN;
    struct dp_packet *packet;
    int mtu_drops = 0;
    int n_pkts = 0;
    int policed;

    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        struct rte_mbuf *mbuf;

        if (OVS_UNLIKELY(dp_packet_size(packet) > max_len)) {
            VLOG_WARN_RL(&rl, "%s: dropped a %"PRIu32"-byte packet, longer "
                         "than MTU %d allows", netdev_get_name(&dev->up),
                         dp_packet_size(packet), dev->mtu);
            dp_packet_delete(packet);
            mtu_drops++;
            continue;
        }
        mbuf = packet_to_mbuf(dev, packet);
        if (mbuf) {
            pkts[n_pkts++] = mbuf;
        }
    }
    counter_add(&txq->mtu_drops, mtu_drops);

    policed = dpdkvdpa_qos_police_tx(&dev->qos, pkts, n_pkts);
    counter_add(&txq->stats.qos_drops, n_pkts - policed);
    return policed;
}

/* Accounts on 'txq' for a batch of 'n_batch' packets of which 'n_pkts'
 * became the mbufs 'pkts' and the first 'sent' of those were sent after
 * 'retries' retries. */
static void
account_sent(struct dpdkvdpa_txq *txq, int n_batch, struct rte_mbuf **pkts,
             int n_pkts, int sent, int retries)
{
    uint64_t bytes = 0;

    for (int i = 0; i < sent; i++) {
        bytes += pkts[i]->pkt_len;
    }
    counter_add(&txq->stats.packets, sent);
    counter_add(&txq->stats.bytes, bytes);
    counter_add(&txq->stats.dropped, n_batch - sent);
    counter_add(&txq->failure_drops, n_pkts - sent);
    counter_add(&txq->retries, retries);
}

/* Drops all of 'batch', counting it on 'txq'. */
static void
drop_batch(struct dpdkvdpa_txq *txq, struct dp_packet_batch *batch)
{
    counter_add(&txq->stats.dropped, dp_packet_batch_size(batch));
    dp_packet_delete_batch(batch, true);
}

/* Copies 'batch' into the guest's receive virtqueue of the queue pair that
 * 'txq' maps to: the sw datapath.  Called with 'txq->lock'. */
static void
send_to_guest(struct netdev_dpdkvdpa *dev, struct dpdkvdpa_txq *txq,
              struct dp_packet_batch *batch)
{
    struct rte_mbuf *pkts[NETDEV_MAX_BURST];
    int vid = get_vid(dev);
    int pair = txq->vring_pair;
    int n_pkts, sent = 0, retries = 0, max_retries;

    if (OVS_UNLIKELY(vid < 0 || !dev->vhost_ready || pair < 0)) {
        drop_batch(txq, batch);
        return;
    }

    n_pkts = prepare_batch(dev, txq, batch, pkts);
    atomic_read_relaxed(&dev->tx_retries_max, &max_retries);
    while (sent < n_pkts) {
        int n = rte_vhost_enqueue_burst(vid, VIRTQ_GUEST_RX(pair),
                                        pkts + sent, n_pkts - sent);
        sent += n;
        if (!n || retries >= max_retries) {
            break;
        }
        retries += sent < n_pkts;
    }
    account_sent(txq, dp_packet_batch_size(batch), pkts, n_pkts, sent,
                 retries);

    /* The vhost library copied what it sent into the guest's buffers. */
    rte_pktmbuf_free_bulk(pkts, n_pkts);
}

/* Hands 'batch' to the representor's queue of 'txq' of device 'vdpa', for
 * the vDPA engine to deliver (an engine that works inline delivers it in
 * this call): the hw datapath.  Called with 'txq->lock'. */
static void
send_to_representor(struct netdev_dpdkvdpa *dev, struct vdpa_device *vdpa,
                    struct dpdkvdpa_txq *txq, struct dp_packet_batch *batch)
{
    struct rte_mbuf *pkts[NETDEV_MAX_BURST];
    bool inline_burst = vdpa_engine_is_inline(vdpa);
    int qid = txq - dev->txqs;
    int n_pkts, sent = 0, retries = 0, max_retries;

    if (OVS_UNLIKELY(get_vid(dev) < 0 || !dev->vhost_ready)) {
        drop_batch(txq, batch);
        return;
    }

    n_pkts = prepare_batch(dev, txq, batch, pkts);
    atomic_read_relaxed(&dev->tx_retries_max, &max_retries);
    while (sent < n_pkts) {
        int n = (inline_burst
                 ? vdpa->ops->tx_burst(vdpa->ops_aux, qid, pkts + sent,
                                       n_pkts - sent)
                 : rte_eth_tx_burst(dev->rep_port, qid, pkts + sent,
                                    n_pkts - sent));
        sent += n;
        if (!n || retries >= max_retries) {
            break;
        }
        retries += sent < n_pkts;
    }
    account_sent(txq, dp_packet_batch_size(batch), pkts, n_pkts, sent,
                 retries);
    if (sent) {
        /* A software engine's thread may sleep: wake it. */
        vdpa_engine_notify(vdpa, qid);
    }

    /* The representor took those it sent. */
    rte_pktmbuf_free_bulk(pkts + sent, n_pkts - sent);
}

/* Transmits 'batch' to the guest on OVS txq 'qid'. */
static int
netdev_dpdkvdpa_send(struct netdev *netdev, int qid,
                     struct dp_packet_batch *batch,
                     bool concurrent_txq OVS_UNUSED)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    struct dpdkvdpa_txq *txq = &dev->txqs[qid % netdev->n_txq];
    struct vdpa_device *vdpa;

    if (OVS_UNLIKELY(!(dev->flags & NETDEV_UP))) {
        drop_batch(txq, batch);
        return 0;
    }

    /* Every send goes through the txq lock: it serializes the senders of
     * a txq and their counters, and destroy_device() waits on it. */
    rte_spinlock_lock(&txq->lock);
    vdpa = dev->vdpa;
    if (vdpa) {
        send_to_representor(dev, vdpa, txq, batch);
    } else {
        send_to_guest(dev, txq, batch);
    }
    rte_spinlock_unlock(&txq->lock);
    return 0;
}

/* Applies the vring states that vring_state_changed() recorded: the txq
 * mapping, and a change_seq bump that makes the PMD threads look at
 * rxq_enabled() again. */
static void
netdev_dpdkvdpa_run(const struct netdev_class *class OVS_UNUSED)
{
    uint64_t seq = seq_read(vring_seq);
    struct netdev_dpdkvdpa *dev;

    if (devices_pending) {
        /* The bridge runs before us in each main loop iteration: it has
         * configured every port of the transaction. */
        devices_pending = false;
        ovs_mutex_lock(&dpdkvdpa_mutex);
        check_pending_devices();
        ovs_mutex_unlock(&dpdkvdpa_mutex);
    }
    if (seq == vring_seq_applied) {
        return;
    }
    vring_seq_applied = seq;

    ovs_mutex_lock(&dpdkvdpa_mutex);
    LIST_FOR_EACH (dev, list_node, &dpdkvdpa_list) {
        bool changed;

        atomic_read(&dev->vrings_changed, &changed);
        if (changed) {
            atomic_store(&dev->vrings_changed, false);
            ovs_mutex_lock(&dev->mutex);
            remap_txqs(dev);
            netdev_change_seq_changed(&dev->up);
            ovs_mutex_unlock(&dev->mutex);
        }
    }
    ovs_mutex_unlock(&dpdkvdpa_mutex);
}

static void
netdev_dpdkvdpa_wait(const struct netdev_class *class OVS_UNUSED)
{
    seq_wait(vring_seq, vring_seq_applied);
}

/* Ingress policing and egress QoS, see dpdkvdpa-qos.h. */

static int
netdev_dpdkvdpa_set_policing(struct netdev *netdev, unsigned int kbits_rate,
                             unsigned int kbits_burst,
                             unsigned int kpkts_rate OVS_UNUSED,
                             unsigned int kpkts_burst OVS_UNUSED)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    int error;

    ovs_mutex_lock(&dev->mutex);
    error = dpdkvdpa_qos_set_policing(&dev->qos, kbits_rate, kbits_burst);
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_dpdkvdpa_get_qos_types(const struct netdev *netdev OVS_UNUSED,
                              struct sset *types)
{
    dpdkvdpa_qos_get_types(types);
    return 0;
}

static int
netdev_dpdkvdpa_get_qos(const struct netdev *netdev, const char **typep,
                        struct smap *details)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    int error;

    ovs_mutex_lock(&dev->mutex);
    error = dpdkvdpa_qos_get(&dev->qos, typep, details);
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_dpdkvdpa_set_qos(struct netdev *netdev, const char *type,
                        const struct smap *details)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    int error;

    ovs_mutex_lock(&dev->mutex);
    error = dpdkvdpa_qos_set(&dev->qos, netdev_get_name(netdev), type,
                             details);
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_dpdkvdpa_get_queue(const struct netdev *netdev, unsigned int queue_id,
                          struct smap *details)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    int error;

    ovs_mutex_lock(&dev->mutex);
    error = dpdkvdpa_qos_get_queue(&dev->qos, queue_id, details);
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_dpdkvdpa_set_queue(struct netdev *netdev, unsigned int queue_id,
                          const struct smap *details)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    int error;

    ovs_mutex_lock(&dev->mutex);
    error = dpdkvdpa_qos_set_queue(&dev->qos, netdev_get_name(netdev),
                                   queue_id, details);
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_dpdkvdpa_delete_queue(struct netdev *netdev, unsigned int queue_id)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    int error;

    ovs_mutex_lock(&dev->mutex);
    error = dpdkvdpa_qos_delete_queue(&dev->qos, queue_id);
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_dpdkvdpa_get_queue_stats(const struct netdev *netdev,
                                unsigned int queue_id,
                                struct netdev_queue_stats *stats)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    int error;

    ovs_mutex_lock(&dev->mutex);
    error = dpdkvdpa_qos_get_queue_stats(&dev->qos, queue_id, stats);
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_dpdkvdpa_queue_dump_start(const struct netdev *netdev, void **statep)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    int error;

    ovs_mutex_lock(&dev->mutex);
    error = dpdkvdpa_qos_queue_dump_start(&dev->qos, statep);
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_dpdkvdpa_queue_dump_next(const struct netdev *netdev, void *state,
                                unsigned int *queue_id, struct smap *details)
{
    struct netdev_dpdkvdpa *dev = netdev_dpdkvdpa_cast(netdev);
    int error;

    ovs_mutex_lock(&dev->mutex);
    error = dpdkvdpa_qos_queue_dump_next(&dev->qos, state, queue_id,
                                         details);
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_dpdkvdpa_queue_dump_done(const struct netdev *netdev OVS_UNUSED,
                                void *state)
{
    dpdkvdpa_qos_queue_dump_done(state);
    return 0;
}

static const struct netdev_class dpdkvdpa_class = {
    .type = "dpdkvdpa",
    .is_pmd = true,
    .run = netdev_dpdkvdpa_run,
    .wait = netdev_dpdkvdpa_wait,
    .alloc = netdev_dpdkvdpa_alloc,
    .construct = netdev_dpdkvdpa_construct,
    .destruct = netdev_dpdkvdpa_destruct,
    .dealloc = netdev_dpdkvdpa_dealloc,
    .get_config = netdev_dpdkvdpa_get_config,
    .set_config = netdev_dpdkvdpa_set_config,
    .get_numa_id = netdev_dpdkvdpa_get_numa_id,
    .set_tx_multiq = netdev_dpdkvdpa_set_tx_multiq,
    .send = netdev_dpdkvdpa_send,
    .set_etheraddr = netdev_dpdkvdpa_set_etheraddr,
    .get_etheraddr = netdev_dpdkvdpa_get_etheraddr,
    .get_mtu = netdev_dpdkvdpa_get_mtu,
    .set_mtu = netdev_dpdkvdpa_set_mtu,
    .get_carrier = netdev_dpdkvdpa_get_carrier,
    .get_stats = netdev_dpdkvdpa_get_stats,
    .get_custom_stats = netdev_dpdkvdpa_get_custom_stats,
    .get_status = netdev_dpdkvdpa_get_status,
    .update_flags = netdev_dpdkvdpa_update_flags,
    .set_policing = netdev_dpdkvdpa_set_policing,
    .get_qos_types = netdev_dpdkvdpa_get_qos_types,
    .get_qos = netdev_dpdkvdpa_get_qos,
    .set_qos = netdev_dpdkvdpa_set_qos,
    .get_queue = netdev_dpdkvdpa_get_queue,
    .set_queue = netdev_dpdkvdpa_set_queue,
    .delete_queue = netdev_dpdkvdpa_delete_queue,
    .get_queue_stats = netdev_dpdkvdpa_get_queue_stats,
    .queue_dump_start = netdev_dpdkvdpa_queue_dump_start,
    .queue_dump_next = netdev_dpdkvdpa_queue_dump_next,
    .queue_dump_done = netdev_dpdkvdpa_queue_dump_done,
    .reconfigure = netdev_dpdkvdpa_reconfigure,
    .rxq_alloc = netdev_dpdkvdpa_rxq_alloc,
    .rxq_construct = netdev_dpdkvdpa_rxq_construct,
    .rxq_destruct = netdev_dpdkvdpa_rxq_destruct,
    .rxq_dealloc = netdev_dpdkvdpa_rxq_dealloc,
    .rxq_enabled = netdev_dpdkvdpa_rxq_enabled,
    .rxq_recv = netdev_dpdkvdpa_rxq_recv,
};

/* Called by the engine layer, from any thread, when the device of a port's
 * hw datapath cannot serve its guest: the port goes back to the sw datapath
 * until its options change. */
static void
vdpa_device_failed(struct vdpa_device *vdpa, const char *reason)
{
    struct netdev_dpdkvdpa *dev;

    ovs_mutex_lock(&dpdkvdpa_mutex);
    LIST_FOR_EACH (dev, list_node, &dpdkvdpa_list) {
        ovs_mutex_lock(&dev->mutex);
        if (dev->vdpa == vdpa && !dev->vdpa_failure) {
            dev->vdpa_failure = xasprintf("vDPA device %s failed: %s",
                                          vdpa->name, reason);
            VLOG_WARN("%s: %s, falling back to the sw datapath",
                      netdev_get_name(&dev->up), dev->vdpa_failure);
            netdev_request_reconfigure(&dev->up);
            port_changed(dev);
        }
        ovs_mutex_unlock(&dev->mutex);
    }
    ovs_mutex_unlock(&dpdkvdpa_mutex);
}

/* Called by the engine layer, in the main thread, when a device that
 * failed works again: the ports whose options still ask for it take it
 * back (live, when the device can switch live). */
static void
vdpa_device_recovered(struct vdpa_device *vdpa)
{
    struct netdev_dpdkvdpa *dev;

    ovs_mutex_lock(&dpdkvdpa_mutex);
    LIST_FOR_EACH (dev, list_node, &dpdkvdpa_list) {
        ovs_mutex_lock(&dev->mutex);
        if (dev->requested_vdpa == vdpa && dev->vdpa_failure
            && !dev->logging_on_sw) {
            free(dev->vdpa_failure);
            dev->vdpa_failure = NULL;
            VLOG_INFO("%s: vDPA device %s works again, back to the hw "
                      "datapath", netdev_get_name(&dev->up), vdpa->name);
            netdev_request_reconfigure(&dev->up);
            port_changed(dev);
        }
        ovs_mutex_unlock(&dev->mutex);
    }
    ovs_mutex_unlock(&dpdkvdpa_mutex);
}

static void
show_port(struct ds *ds, struct netdev_dpdkvdpa *dev)
    OVS_REQUIRES(dev->mutex)
{
    int vid = get_vid(dev);

    ds_put_format(ds, "%s:\n", netdev_get_name(&dev->up));
    if (dev->vdpa) {
        ds_put_format(ds, "  datapath: hw (vdpa-mode %s)\n"
                      "  vdpa device: engine %d (%s) device %d (%s)\n"
                      "  representor: port %u, %d queues\n",
                      dpdkvdpa_mode_to_string(dev->config.mode),
                      dev->vdpa->eid, dev->vdpa->engine_name, dev->vdpa->did,
                      dev->vdpa->name, dev->rep_port, dev->rep_n_queues);
    } else {
        ds_put_format(ds, "  datapath: sw (%s)\n",
                      dev->vdpa_reason ? dev->vdpa_reason : "no vDPA device");
    }
    ds_put_format(ds, "  socket: %s (%s mode)\n",
                  dev->config.socket_path ? dev->config.socket_path : "none",
                  dev->config.client_mode ? "client" : "server");
    if (dev->socket_error) {
        ds_put_format(ds, "  socket error: %s\n", dev->socket_error);
    }
    if (vid < 0) {
        ds_put_cstr(ds, "  guest: disconnected\n");
        return;
    }
    ds_put_format(ds, "  guest: connected, %d vrings\n", dev->n_vrings);
    ds_put_format(ds, "  features: 0x%016"PRIx64" ", dev->features);
    vdpa_format_features(ds, dev->features);
    ds_put_char(ds, '\n');
    if (dev->vdpa) {
        ds_put_cstr(ds, "  engine counters:\n");
        vdpa_format_device_stats(ds, dev->vdpa->vdev, dev->n_vrings);
    }
}

static void
dpdkvdpa_show(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux OVS_UNUSED)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct netdev_dpdkvdpa *dev;
    bool found = false;

    ovs_mutex_lock(&dpdkvdpa_mutex);
    LIST_FOR_EACH (dev, list_node, &dpdkvdpa_list) {
        if (argc > 1 && strcmp(argv[1], netdev_get_name(&dev->up))) {
            continue;
        }
        ovs_mutex_lock(&dev->mutex);
        show_port(&ds, dev);
        ovs_mutex_unlock(&dev->mutex);
        found = true;
    }
    ovs_mutex_unlock(&dpdkvdpa_mutex);

    if (argc > 1 && !found) {
        unixctl_command_reply_error(conn, "no such dpdkvdpa port");
    } else {
        unixctl_command_reply(conn, ds_cstr(&ds));
    }
    ds_destroy(&ds);
}

void
netdev_dpdkvdpa_register(const struct smap *ovs_other_config)
{
    char *error;

    free(vhost_sock_dir);
    vhost_sock_dir = dpdkvdpa_sock_dir(smap_get(ovs_other_config,
                                                "vhost-sock-dir"),
                                       ovs_rundir(), &error);
    if (error) {
        VLOG_ERR("%s", error);
        free(error);
    }

    vring_seq = seq_create();
    vring_seq_applied = seq_read(vring_seq);
    dpdkvdpa_mempool_init();
    vdpa_engine_set_failure_cb(vdpa_device_failed);
    vdpa_engine_set_recovery_cb(vdpa_device_recovered);
    vdpa_engine_init();
    unixctl_command_register("dpdkvdpa/show", "[port]", 0, 1, dpdkvdpa_show,
                             NULL);
    netdev_register_provider(&dpdkvdpa_class);
}
