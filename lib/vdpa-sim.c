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

/* The software vDPA engine, like Linux's vdpa_sim: the vDPA device
 * operations, which the vhost library's thread calls to hand a guest's
 * virtqueues to a device (dev_conf), take them back (dev_close) and follow
 * their state, and which report the device's counters.  vdpa-sim-private.h
 * says where the rest of the engine is. */

#include <config.h>

#include "vdpa-sim-private.h"

#include <string.h>
#include <unistd.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp-packet.h"
#include "openvswitch/vlog.h"
#include "unixctl.h"
#include "util.h"
#include "vdpa-engine.h"

VLOG_DEFINE_THIS_MODULE(vdpa_sim);

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
    struct sim_device *dev = sim_lookup(vdev);

    *features = SIM_PROTOCOL_FEATURES;
    if (dev && !(dev->spec.features & VDPA_BIT(VHOST_F_LOG_ALL))) {
        /* No log to share either: QEMU then refuses to migrate the guest,
         * saying that the back-end lacks LOG_SHMFD. */
        *features &= ~VDPA_BIT(VHOST_USER_PROTOCOL_F_LOG_SHMFD);
    }
    return dev ? 0 : -1;
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

/* Forgets the guest's vring 'i': the device no longer reads it, nor the
 * eventfds that the vhost library may close or replace. */
static void
sim_forget_vring(struct sim_device *dev, int i)
    OVS_REQUIRES(dev->mutex)
{
    dev->vqs[i].desc = NULL;
    dev->kickfds[i] = -1;
    dev->vqs[i].callfd = -1;
}

/* Maps the guest's vring 'i' as it is now, if the guest has set it up:
 * otherwise leaves it unmapped (sim_vring_mapped()), to be mapped when it
 * becomes ready (sim_set_vring_state()).  Returns -1 only if the vring is
 * set up but does not fit guest memory. */
static int
sim_map_vring(struct sim_device *dev, int vid, int i)
    OVS_REQUIRES(dev->mutex)
{
    uint16_t last_avail = 0, last_used = 0;
    char name[RTE_ETH_NAME_MAX_LEN + 24];
    struct rte_vhost_vring vring;
    struct virtq_stats stats;
    uint64_t features = 0;
    int error;

    /* The counters are the device's: they go on across guests. */
    stats = dev->vqs[i].stats;
    sim_forget_vring(dev, i);
    if (rte_vhost_get_vhost_vring(vid, i, &vring) || !vring.desc) {
        /* A front-end may set up a queue pair only after the vhost library
         * configured the device with the first one (QEMU with a Linux
         * guest that uses fewer queue pairs than it has). */
        return 0;
    }
    if (rte_vhost_get_vring_base(vid, i, &last_avail, &last_used)) {
        VLOG_ERR("%s: cannot get vring %d", dev->name, i);
        return -1;
    }
    rte_vhost_get_negotiated_features(vid, &features);
    snprintf(name, sizeof name, "%s vring %d", dev->name, i);
    error = virtq_init(&dev->vqs[i], name, &vring, dev->mem, features,
                       last_avail, last_used);
    dev->vqs[i].stats = stats;
    if (error) {
        dev->vqs[i].desc = NULL;
        VLOG_ERR("%s: vring %d does not fit guest memory", dev->name, i);
        return -1;
    }
    virtq_set_log(&dev->vqs[i], vid, i, features);
    if (dev->spec.inline_mode) {
        /* The PMD threads poll the vring: the guest need not kick. */
        virtq_set_notify(&dev->vqs[i], false);
    }
    /* The eventfds of a disabled vring may be closed at any time. */
    dev->kickfds[i] = (dev->enabled[i]
                       ? sim_eventfd(dev, i, vring.kickfd) : -1);
    dev->vqs[i].callfd = (dev->enabled[i]
                          ? sim_eventfd(dev, i, vring.callfd) : -1);
    return 0;
}

/* Says when the device starts or stops logging the guest pages it writes,
 * as it does while the guest is live migrated. */
static void
sim_log_logging(struct sim_device *dev, int vid, uint64_t features)
    OVS_REQUIRES(dev->mutex)
{
    bool logging = RTE_VHOST_NEED_LOG(features);

    if (logging != dev->logging) {
        dev->logging = logging;
        VLOG_INFO("%s: dirty page logging %s for guest %d", dev->name,
                  logging ? "on" : "off", vid);
    }
}

/* Maps the guest's vrings as they are now. */
static int
sim_map_vrings(struct sim_device *dev, int vid)
    OVS_REQUIRES(dev->mutex)
{
    uint64_t features = 0;

    dev->n_vrings = MIN(rte_vhost_get_vring_num(vid), SIM_MAX_VRINGS);
    for (int i = 0; i < dev->n_vrings; i++) {
        if (sim_map_vring(dev, vid, i)) {
            return -1;
        }
    }
    if (!sim_vring_mapped(dev, 0) || !sim_vring_mapped(dev, 1)) {
        VLOG_ERR("%s: the guest has not set up its first queue pair",
                 dev->name);
        return -1;
    }
    rte_vhost_get_negotiated_features(vid, &features);
    sim_log_logging(dev, vid, features);
    return 0;
}

/* Forgets the guest's memory and eventfds, which the vhost library is
 * about to close or replace. */
static void
sim_unmap(struct sim_device *dev)
    OVS_REQUIRES(dev->mutex)
{
    for (int i = 0; i < SIM_MAX_VRINGS; i++) {
        sim_forget_vring(dev, i);
    }
    dev->n_vrings = 0;
    free(dev->mem);
    dev->mem = NULL;
    dev->log_switching = false;
}

/* Maps guest 'vid' and serves it. */
static char *
sim_serve__(struct sim_device *dev, int vid)
    OVS_REQUIRES(dev->mutex)
{
    struct rte_vhost_memory *mem = NULL;

    if (dev->spec.fail_conf) {
        return xstrdup("the device is set to fail (fail=conf)");
    }
    if (dev->broken) {
        return xstrdup("the device failed (vdpa-sim/fail)");
    }
    if (rte_vhost_get_mem_table(vid, &mem)) {
        return xstrdup("cannot get the guest's memory table");
    }
    free(dev->mem);
    dev->mem = mem;
    if (sim_map_vrings(dev, vid)) {
        sim_unmap(dev);
        return xstrdup("cannot map the guest's vrings");
    }
    dev->vid = vid;
    return NULL;
}

static int
sim_dev_conf(int vid)
{
    struct sim_device *dev;
    uint32_t n_regions = 0;
    char *reason = NULL;

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
    if (dev->setup_vid != vid) {
        /* The vhost library configures a vDPA device the first time only
         * once all the guest's vrings are ready. */
        dev->setup_vid = vid;
        memset(dev->enabled, true, sizeof dev->enabled);
    }
    reason = sim_serve__(dev, vid);
    n_regions = reason ? 0 : dev->mem->nregions;
    sim_unlock(dev);

    if (reason) {
        VLOG_ERR("%s: dev_conf failed: %s", dev->name, reason);
        vdpa_engine_report_failure(dev->vdev, reason);
        free(reason);
        return -1;
    }
    VLOG_INFO("%s: datapath configured for guest %d, %d vrings, %"PRIu32
              " memory regions", dev->name, vid, dev->n_vrings,
              n_regions);
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
            if (sim_vring_mapped(dev, i)) {
                rte_vhost_set_vring_base(vid, i, dev->vqs[i].last_avail_idx,
                                         dev->vqs[i].last_used_idx);
            }
        }
        sim_unmap(dev);
        dev->vid = -1;
        VLOG_INFO("%s: datapath closed for guest %d", dev->name, vid);
    }
    sim_unlock(dev);
    return 0;
}

/* Follows the state of vring 'vring' of guest 'vid', which the device
 * serves or is set up for: maps a vring that the front-end set up since
 * the device started serving it, takes the eventfds the vhost library
 * gives an enabled vring, and drops those of a disabled one, which it may
 * close.  Returns NULL, or why the device cannot serve the vring. */
static const char *
sim_follow_vring(struct sim_device *dev, int vid, int vring, bool enable)
    OVS_REQUIRES(dev->mutex)
{
    dev->enabled[vring] = enable;
    if (dev->vid != vid) {
        return NULL;
    }
    /* Vrings that the front-end added since the device started. */
    while (dev->n_vrings <= vring) {
        sim_forget_vring(dev, dev->n_vrings++);
    }
    if (enable && !sim_vring_mapped(dev, vring)) {
        if (sim_map_vring(dev, vid, vring)) {
            return "cannot map a guest's vring";
        }
    } else {
        struct rte_vhost_vring vr;

        dev->kickfds[vring] = -1;
        dev->vqs[vring].callfd = -1;
        if (enable && !rte_vhost_get_vhost_vring(vid, vring, &vr)) {
            dev->kickfds[vring] = sim_eventfd(dev, vring, vr.kickfd);
            dev->vqs[vring].callfd = sim_eventfd(dev, vring, vr.callfd);
        }
    }
    return NULL;
}

/* Follows the enabled state of the vrings of the guest that is being set
 * up on the device or that it serves ('enabled' keeps it across a
 * dev_close and dev_conf of the same guest, as a new memory table brings).
 * The vhost library calls it when a vring becomes ready (set up and
 * enabled) or stops being ready (see sim_follow_vring()). */
static int
sim_set_vring_state(int vid, int vring, int state)
{
    const char *reason = NULL;
    struct sim_device *dev;

    dev = sim_lookup_vid(vid);
    if (!dev) {
        return -1;
    }
    sim_lock(dev);
    if (vring >= 0 && vring < SIM_MAX_VRINGS
        && vid == (dev->vid >= 0 ? dev->vid : dev->setup_vid)) {
        reason = sim_follow_vring(dev, vid, vring, state);
    }
    sim_unlock(dev);

    if (reason) {
        vdpa_engine_report_failure(dev->vdev, reason);
    }
    return 0;
}

/* The vhost library calls this when the front-end sets the features, first
 * before it enables any vring, and again, while the device serves the
 * guest, when a live migration starts or ends: that may change only
 * VHOST_F_LOG_ALL, and the vrings then start or stop logging what they
 * write. */
static int
sim_set_features(int vid)
{
    struct sim_device *dev;

    dev = sim_lookup_vid(vid);
    if (!dev) {
        return -1;
    }
    sim_lock(dev);
    if (dev->vid == vid) {
        uint64_t features = 0;

        rte_vhost_get_negotiated_features(vid, &features);
        for (int i = 0; i < dev->n_vrings; i++) {
            virtq_set_log(&dev->vqs[i], vid, i, features);
        }
        sim_log_logging(dev, vid, features);
    } else if (dev->vid < 0) {
        /* A front-end sets the features before it enables any vring: a
         * new guest's vrings start disabled. */
        dev->setup_vid = vid;
        memset(dev->enabled, 0, sizeof dev->enabled);
    }
    sim_unlock(dev);
    return 0;
}

/* After a live migration, tells the switch where the guest now is with a
 * RARP from the guest's MAC, as QEMU does for vhost-net guests.  Returns 0
 * if it did, otherwise -1. */
static int
sim_announce(struct sim_device *dev)
    OVS_REQUIRES(dev->mutex)
{
    uint64_t stub[128 / 8];
    struct dp_packet rarp;
    struct rte_mbuf *m;

    if (!dev->guest_mac_known) {
        return -1;
    }
    m = rte_pktmbuf_alloc(dev->mp);
    if (!m) {
        return -1;
    }
    /* Padded to the shortest Ethernet frame, as a NIC sends it. */
    dp_packet_use_stub(&rarp, stub, sizeof stub);
    compose_rarp(&rarp, dev->guest_mac);
    dp_packet_put_zeros(&rarp, ETH_TOTAL_MIN - dp_packet_size(&rarp));
    memcpy(rte_pktmbuf_append(m, dp_packet_size(&rarp)),
           dp_packet_data(&rarp), dp_packet_size(&rarp));
    dp_packet_uninit(&rarp);
    if (rte_ring_enqueue(dev->to_ovs[0], m)) {
        rte_pktmbuf_free(m);
        return -1;
    }
    return 0;
}

static int
sim_migration_done(int vid)
{
    struct sim_device *dev;
    int error;

    dev = sim_lookup_vid(vid);
    if (!dev) {
        return -1;
    }
    sim_lock(dev);
    error = sim_announce(dev);
    sim_unlock(dev);
    return error;
}

/* Live switching (see struct vdpa_engine_ops in vdpa-engine.h): the
 * port, not the vhost library, hands a guest's vrings to the device and
 * takes them back, so these find the device by 'vdev', not by the guest's
 * vid, to which the vhost library attached no device. */

/* Stops serving guest 'vid' with nothing in flight, and hands the ring
 * positions back to the vhost library. */
static void
sim_unserve__(struct sim_device *dev, int vid)
    OVS_REQUIRES(dev->mutex)
{
    vdpa_sim_flush(dev);
    for (int i = 0; i < dev->n_vrings; i++) {
        if (sim_vring_mapped(dev, i)) {
            /* The guest may be waiting for a call about the last
             * buffers. */
            virtq_notify_guest(&dev->vqs[i]);
            rte_vhost_set_vring_base(vid, i, dev->vqs[i].last_avail_idx,
                                     dev->vqs[i].last_used_idx);
        }
    }
    sim_unmap(dev);
    dev->vid = -1;
}

static char *
sim_live_serve(struct rte_vdpa_device *vdev, int vid, uint64_t enabled)
{
    struct sim_device *dev = sim_lookup(vdev);
    uint32_t n_regions = 0;
    char *error;

    if (!dev) {
        return xstrdup("not a device of the software vDPA engine");
    }
    sim_lock(dev);
    if (dev->vid >= 0 || dev->paused_vid >= 0) {
        error = xasprintf("the device serves guest %d",
                          dev->vid >= 0 ? dev->vid : dev->paused_vid);
    } else {
        dev->setup_vid = vid;
        for (int i = 0; i < SIM_MAX_VRINGS; i++) {
            dev->enabled[i] = (enabled >> i) & 1;
        }
        vdpa_sim_drop_stale(dev);
        error = sim_serve__(dev, vid);
        n_regions = error ? 0 : dev->mem->nregions;
    }
    sim_unlock(dev);
    if (!error) {
        VLOG_INFO("%s: datapath configured for guest %d, %d vrings, "
                  "%"PRIu32" memory regions (live)", dev->name, vid,
                  dev->n_vrings, n_regions);
    }
    return error;
}

static void
sim_live_unserve(struct rte_vdpa_device *vdev, int vid)
{
    struct sim_device *dev = sim_lookup(vdev);

    if (!dev) {
        return;
    }
    sim_lock(dev);
    if (dev->vid == vid) {
        sim_unserve__(dev, vid);
        VLOG_INFO("%s: datapath closed for guest %d (live)", dev->name,
                  vid);
    }
    if (dev->paused_vid == vid) {
        dev->paused_vid = -1;
    }
    sim_unlock(dev);
}

static void
sim_live_set_vring_state(struct rte_vdpa_device *vdev, int vid, int vring,
                         bool enable)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct sim_device *dev = sim_lookup(vdev);
    const char *reason = NULL;

    if (!dev) {
        return;
    }
    sim_lock(dev);
    if (vring >= 0 && vring < SIM_MAX_VRINGS && vid == dev->setup_vid) {
        reason = sim_follow_vring(dev, vid, vring, enable);
    }
    sim_unlock(dev);
    if (reason) {
        /* The guest's packets on that vring stay there. */
        VLOG_ERR_RL(&rl, "%s: guest %d: %s", dev->name, vid, reason);
    }
}

/* Returns true if 'request' changes the guest's memory or vrings, which a
 * device that serves the guest live must then map anew.  (The vhost
 * library closes an attached device around them itself.) */
static bool
sim_remaps_guest(uint32_t request)
{
    return (request == VDPA_VHOST_USER_SET_FEATURES
            || request == VDPA_VHOST_USER_SET_MEM_TABLE
            || request == VDPA_VHOST_USER_SET_VRING_NUM
            || request == VDPA_VHOST_USER_SET_VRING_ADDR
            || request == VDPA_VHOST_USER_SET_VRING_BASE);
}

/* Sees the vhost-user messages of the guest the device serves (see struct
 * vdpa_engine_ops):
 *
 *   - SEND_RARP carries the guest's MAC address: a guest that has just
 *     moved here has sent nothing yet.  The vhost library then calls
 *     sim_migration_done() for an attached device; a device that serves
 *     the guest live announces it here.
 *
 *   - Served live, a message that changes the guest's memory or vrings
 *     stops the device, with the ring positions written back, and the
 *     device maps the guest anew once the vhost library handled it.
 *     SET_FEATURES is also how a live migration starts and ends:
 *     VHOST_F_LOG_ALL turns the logging of the pages written on or off.
 *
 *   - Attached, SET_VRING_ADDR, which QEMU sends to a running device to
 *     turn the logging of a vring's used ring on or off, makes the vhost
 *     library compare its own ring positions with the used index in guest
 *     memory: it gets the device's current positions first, so that they
 *     agree.  SET_VRING_ADDR or SET_VRING_BASE for a vring that is not
 *     enabled sets it up anew: the engine maps it again once it is
 *     enabled.
 *
 *   - SET_LOG_BASE, which QEMU re-sends while the device logs when the log
 *     must grow, replaces the dirty log, unmapping the old one without a
 *     lock or a device operation: the engine thread leaves the device's
 *     vrings alone until the vhost library handled it, and what it logged
 *     so far is in the old log, which QEMU reads once the vhost library
 *     has replied.  (A message that the vhost library fails to handle
 *     gets no 'done' call: the next message, or the device's closing, lets
 *     the engine go on.) */
static void
sim_vhost_msg(struct rte_vdpa_device *vdev, int vid, const void *msg,
              bool done)
{
    const uint8_t *payload = vdpa_vhost_msg_payload(msg);
    struct sim_device *dev = sim_lookup(vdev);
    bool live = dev && !dev->spec.no_live;
    char *error = NULL;
    uint32_t request = vdpa_vhost_msg_request(msg);

    if (!dev) {
        return;
    }
    sim_lock(dev);
    if (!done) {
        dev->log_switching = false;
    }
    if (request == VDPA_VHOST_USER_SET_LOG_BASE) {
        if (!done && dev->vid == vid) {
            dev->log_switching = true;
        } else if (done && dev->log_switching) {
            dev->log_switching = false;
            VLOG_DBG("%s: guest %d gave a new dirty log, the engine paused "
                     "for it", dev->name, vid);
        }
    } else if (request == VDPA_VHOST_USER_SEND_RARP) {
        if (!done) {
            memcpy(dev->guest_mac.ea, payload, ETH_ADDR_LEN);
            dev->guest_mac_known = true;
        } else if (live && dev->vid == vid) {
            sim_announce(dev);
        }
    } else if (live && sim_remaps_guest(request)) {
        if (!done && dev->vid == vid) {
            sim_unserve__(dev, vid);
            dev->paused_vid = vid;
        } else if (done && dev->paused_vid == vid) {
            dev->paused_vid = -1;
            error = sim_serve__(dev, vid);
            if (!error && request == VDPA_VHOST_USER_SET_MEM_TABLE) {
                VLOG_INFO("%s: guest %d has a new memory table, %"PRIu32
                          " memory regions", dev->name, vid,
                          dev->mem->nregions);
            }
        }
    } else if ((request == VDPA_VHOST_USER_SET_VRING_ADDR
                || request == VDPA_VHOST_USER_SET_VRING_BASE)
               && !done && dev->vid == vid) {
        uint32_t vring;

        memcpy(&vring, payload, sizeof vring);
        if (vring < dev->n_vrings && sim_vring_mapped(dev, vring)) {
            if (request == VDPA_VHOST_USER_SET_VRING_ADDR) {
                rte_vhost_set_vring_base(vid, vring,
                                         dev->vqs[vring].last_avail_idx,
                                         dev->vqs[vring].last_used_idx);
            }
            if (!dev->enabled[vring]) {
                sim_forget_vring(dev, vring);
            }
        }
    }
    sim_unlock(dev);
    if (error) {
        /* Reported by the device's counters: the guest's packets stay in
         * its vrings. */
        VLOG_ERR("%s: cannot serve guest %d again: %s", dev->name, vid,
                 error);
        free(error);
    }
}

/* "vdpa-sim/fail DEVICE on|off": makes a device fail, as a NIC's may at
 * run time (it stops moving packets and reports the failure), or work
 * again. */
static void
sim_fail_cmd(struct unixctl_conn *conn, int argc, const char *argv[],
             void *aux OVS_UNUSED)
{
    bool on = argc < 3 || !strcmp(argv[2], "on");
    struct sim_device *dev = NULL;

    if (argc >= 3 && strcmp(argv[2], "on") && strcmp(argv[2], "off")) {
        unixctl_command_reply_error(conn, "say \"on\" or \"off\"");
        return;
    }
    for (size_t i = 0; i < sim_n_devices(); i++) {
        if (!strcmp(vdpa_sim_devices[i]->name, argv[1])) {
            dev = vdpa_sim_devices[i];
        }
    }
    if (!dev) {
        unixctl_command_reply_error(conn, "no such software vDPA device");
        return;
    }
    sim_lock(dev);
    dev->broken = on;
    sim_unlock(dev);
    VLOG_INFO("%s: %s on request", dev->name, on ? "failing" : "working");
    if (on) {
        vdpa_engine_report_failure(dev->vdev, "failed on request "
                                   "(vdpa-sim/fail)");
    } else {
        vdpa_engine_report_recovery(dev->vdev);
    }
    unixctl_command_reply(conn, "OK");
}

void
vdpa_sim_register_commands(void)
{
    unixctl_command_register("vdpa-sim/fail", "DEVICE [on|off]", 1, 2,
                             sim_fail_cmd, NULL);
}

const struct vdpa_engine_ops vdpa_sim_live_ops = {
    .serve = sim_live_serve,
    .unserve = sim_live_unserve,
    .set_vring_state = sim_live_set_vring_state,
    .vhost_msg = sim_vhost_msg,
    .mode = "thread",
};

const struct vdpa_engine_ops vdpa_sim_attached_ops = {
    .vhost_msg = sim_vhost_msg,
    .mode = "thread",
};

const struct vdpa_engine_ops vdpa_sim_live_inline_ops = {
    .serve = sim_live_serve,
    .unserve = sim_live_unserve,
    .set_vring_state = sim_live_set_vring_state,
    .vhost_msg = sim_vhost_msg,
    .rx_burst = vdpa_sim_rx_burst,
    .tx_burst = vdpa_sim_tx_burst,
    .mode = "inline",
};

const struct vdpa_engine_ops vdpa_sim_attached_inline_ops = {
    .vhost_msg = sim_vhost_msg,
    .rx_burst = vdpa_sim_rx_burst,
    .tx_burst = vdpa_sim_tx_burst,
    .mode = "inline",
};

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
            counter_get(&s->packets), counter_get(&s->bytes),
            counter_get(&s->bad_descs), counter_get(&s->dropped),
            counter_get(&s->kicks), counter_get(&s->calls),
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
        struct virtq_stats *s = &dev->vqs[qid].stats;

        /* The engine thread steps aside while we hold the lock. */
        atomic_store_relaxed(&s->packets, 0);
        atomic_store_relaxed(&s->bytes, 0);
        atomic_store_relaxed(&s->bad_descs, 0);
        atomic_store_relaxed(&s->dropped, 0);
        atomic_store_relaxed(&s->kicks, 0);
        atomic_store_relaxed(&s->calls, 0);
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

struct rte_vdpa_dev_ops vdpa_sim_ops = {
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
