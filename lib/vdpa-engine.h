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

#ifndef VDPA_ENGINE_H
#define VDPA_ENGINE_H 1

/* vDPA engines and devices.
 *
 * A device is a DPDK vDPA device: a NIC's vDPA function probed by DPDK
 * (e.g. "-a BDF,class=vdpa"), or a device of our software engine
 * (vdpa-sim.c).  An engine is a group of devices of one kind: one per DPDK
 * driver, one per software engine.  Engines are numbered (eid) and so are
 * the devices inside each (did); every device also has DPDK's name.
 *
 * This module keeps that table, picks the device a port names, checks that
 * it can serve the port, passes a device's failure on to the port using it,
 * and shows all of it with "dpdkvdpa/engine-list" (vdpa-engine-list.c).
 * What a device offers and the check itself are in vdpa-caps.c.  An engine
 * that DPDK does not probe (the software engine) adds its devices here.
 *
 * Threads: the table changes only in the main thread, under a mutex that
 * every lookup takes too, so any thread may look a device up (the vhost
 * library's and the engines' threads do, through
 * vdpa_engine_report_failure()).  A device, once added, is never freed nor
 * moved, and only its 'port' changes (under that mutex). */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "openvswitch/compiler.h"
#include "vdpa-caps.h"

struct ds;
struct rte_mbuf;
struct rte_vdpa_device;
struct rte_vdpa_stat;
struct rte_vdpa_stat_name;

/* Makes the representor ethdev of 'vdev' (see vdpa_engine_representor()).
 * Returns 0 if it did, otherwise a positive errno value.  Called in the
 * main thread only. */
typedef int vdpa_engine_representor_cb(struct rte_vdpa_device *vdev);

/* Tells a device's engine that OVS queued packets on the representor's
 * queue 'qid' (see vdpa_engine_notify()).  'aux' is what the engine passed
 * to vdpa_engine_set_notify(). */
typedef void vdpa_engine_notify_cb(void *aux, int qid);

/* Operations that an engine may give its devices beyond DPDK's vDPA device
 * operations.  A NIC's engine gives none.
 *
 * Live switching ('serve', 'unserve' and 'set_vring_state': all or none):
 * the device can take a connected guest's virtqueues over from OVS's PMD
 * threads, and give them back, on the port's request, while the guest stays
 * connected.  A port whose device can do that does not attach the device to
 * its vhost-user socket: the vhost library keeps serving the connection as
 * a plain vhost-user net device (its builtin datapath stays usable for the
 * PMD threads) and the port itself tells the device when to serve the
 * guest.  The vhost library keeps the ring positions of every vring
 * (rte_vhost_get_vring_base()); a device starts from them and writes its
 * own back (rte_vhost_set_vring_base()) when it stops, with no buffer in
 * flight, which is what DPDK's ifc and mlx5 drivers do in dev_close().
 *
 * Every operation takes the device and the guest's vid, may be called from
 * the main thread or the vhost library's thread (the last two with the
 * guest's vring locks held), and must not call back into the port layer
 * (vdpa_engine_report_failure()) nor wait for those threads. */
struct vdpa_engine_ops {
    /* Starts serving guest 'vid', whose vring N is enabled if bit N of
     * 'enabled' is set.  Returns NULL, or why not (the caller frees it). */
    char *(*serve)(struct rte_vdpa_device *, int vid, uint64_t enabled);

    /* Stops serving 'vid': finishes the buffers in flight (what OVS sent
     * to the representor goes to the guest; what the guest sent stays in
     * the representor, which the port drains before it polls the guest
     * itself), and writes the ring positions back. */
    void (*unserve)(struct rte_vdpa_device *, int vid);

    /* The guest enabled or disabled a vring of 'vid'. */
    void (*set_vring_state)(struct rte_vdpa_device *, int vid, int vring,
                            bool enable);

    /* Sees each vhost-user message 'msg' (DPDK's struct VhostUserMsg) of a
     * guest 'vid' that the device serves, live or attached, before the
     * vhost library handles it ('done' false) and after ('done' true): the
     * messages that change the guest's memory or vrings under a device
     * that serves it live, and those of a live migration (see
     * vdpa_engine_vhost_msg()). */
    void (*vhost_msg)(struct rte_vdpa_device *, int vid, const void *msg,
                      bool done);

    /* Inline datapath ('rx_burst' and 'tx_burst': both or none): the
     * device has no thread or hardware of its own to move packets between
     * the guest and its representor; the PMD threads that poll the
     * representor's queue 'qid' do that work by calling these instead of
     * rte_eth_rx_burst() and rte_eth_tx_burst(), with the same contract:
     * 'rx_burst' returns up to 'n' packets that the guest sent, 'tx_burst'
     * takes (and frees) the first of 'pkts' that it delivered to the guest
     * and returns how many, leaving the others to the caller.  Several
     * threads may call them at once on different queues; a call that would
     * wait for a change of the device (a guest being served or unserved,
     * its memory mapped anew) returns 0 instead.  'aux' is what the
     * engine passed to vdpa_engine_set_ops(). */
    int (*rx_burst)(void *aux, int qid, struct rte_mbuf **pkts, int n);
    int (*tx_burst)(void *aux, int qid, struct rte_mbuf **pkts, int n);

    /* How the engine moves the device's packets, for
     * "dpdkvdpa/engine-list", e.g. "thread" or "inline"; NULL to say
     * nothing. */
    const char *mode;
};

struct vdpa_device {
    int eid;
    int did;
    char *name;                   /* DPDK's name of the vDPA device. */
    const char *engine_name;
    struct rte_vdpa_device *vdev;
    struct vdpa_caps caps;
    char *port;                   /* Name of the port using it, or NULL. */

    /* Makes the device's representor ethdev, for an engine that makes one
     * only when a port first needs it; NULL for the devices that DPDK
     * probes (see vdpa_engine_add_device()). */
    vdpa_engine_representor_cb *make_representor;

    /* Wakes the device's engine when OVS sends on the representor, for an
     * engine whose thread sleeps when idle; NULL for a NIC, whose hardware
     * sees the packets at once.  Set before a port can use the device,
     * read without locks. */
    vdpa_engine_notify_cb *notify;
    void *notify_aux;
    /* The engine's own operations, or NULL (a NIC's, in DPDK 22.11).  Set
     * before a port can use the device, read without locks. */
    const struct vdpa_engine_ops *ops;
    void *ops_aux;
};

void vdpa_engine_init(void);
void vdpa_engine_add_device(const char *engine_name, struct rte_vdpa_device *,
                            const char *name,
                            vdpa_engine_representor_cb *);
void vdpa_engine_set_ops(struct rte_vdpa_device *,
                         const struct vdpa_engine_ops *, void *aux);
uint64_t vdpa_engine_live_features(void);

/* Returns true if 'dev' can switch a connected guest live. */
static inline bool
vdpa_engine_can_switch_live(const struct vdpa_device *dev)
{
    return dev && dev->ops && dev->ops->serve;
}

/* Returns true if the PMD threads that poll 'dev''s representor move its
 * packets themselves (see 'rx_burst' in struct vdpa_engine_ops). */
static inline bool
vdpa_engine_is_inline(const struct vdpa_device *dev)
{
    return dev->ops && dev->ops->rx_burst;
}

void vdpa_engine_vhost_msg(struct vdpa_device *serving, int vid,
                           const void *msg, bool done);

/* The vhost-user requests that ports and engines look at in the messages
 * that vdpa_engine_vhost_msg() passes (DPDK's vhost_user.h numbers, which
 * DPDK does not install). */
enum vdpa_vhost_request {
    VDPA_VHOST_USER_SET_FEATURES = 2,
    VDPA_VHOST_USER_SET_MEM_TABLE = 5,
    VDPA_VHOST_USER_SET_LOG_BASE = 6,
    VDPA_VHOST_USER_SET_VRING_NUM = 8,
    VDPA_VHOST_USER_SET_VRING_ADDR = 9,
    VDPA_VHOST_USER_SET_VRING_BASE = 10,
    VDPA_VHOST_USER_SEND_RARP = 19,
};

/* Returns the request of vhost-user message 'msg'. */
static inline uint32_t
vdpa_vhost_msg_request(const void *msg)
{
    uint32_t request;

    memcpy(&request, msg, sizeof request);
    return request;
}

/* Returns the payload of vhost-user message 'msg': DPDK 22.11's struct
 * VhostUserMsg is packed, the request, flags and size, then the payload. */
static inline const void *
vdpa_vhost_msg_payload(const void *msg)
{
    return (const uint8_t *) msg + 12;
}

void vdpa_engine_set_notify(struct rte_vdpa_device *,
                            vdpa_engine_notify_cb *, void *aux);

/* Called by a port after it sent packets on 'dev''s representor queue
 * 'qid': wakes a software engine that sleeps, and costs a NIC nothing. */
static inline void
vdpa_engine_notify(const struct vdpa_device *dev, int qid)
{
    if (dev->notify) {
        dev->notify(dev->notify_aux, qid);
    }
}

/* Device events, reported by drivers and handled by the ports. */
typedef void vdpa_engine_failure_cb(struct vdpa_device *, const char *reason);
void vdpa_engine_set_failure_cb(vdpa_engine_failure_cb *);
void vdpa_engine_report_failure(struct rte_vdpa_device *, const char *reason);
typedef void vdpa_engine_recovery_cb(struct vdpa_device *);
void vdpa_engine_set_recovery_cb(vdpa_engine_recovery_cb *);
void vdpa_engine_report_recovery(struct rte_vdpa_device *);

char *vdpa_engine_find(const char *engine, const char *device,
                       const char *port, struct vdpa_device **)
    OVS_WARN_UNUSED_RESULT;
char *vdpa_engine_claim(struct vdpa_device *, const char *port)
    OVS_WARN_UNUSED_RESULT;
void vdpa_engine_release(struct vdpa_device *, const char *port);
int vdpa_engine_representor(const struct vdpa_device *,
                            const char *representor, uint16_t *port_id,
                            char **errp);


/* Walking the table, for "dpdkvdpa/engine-list". */
typedef void vdpa_engine_visit_cb(int eid, const char *engine_name,
                                  const struct vdpa_device *, void *aux);
void vdpa_engine_visit(vdpa_engine_visit_cb *, void *aux);
void vdpa_engine_list_register(void);

/* A device's per-vring counters. */
typedef void vdpa_device_stats_cb(int vring,
                                  const struct rte_vdpa_stat_name *names,
                                  const struct rte_vdpa_stat *stats, int n,
                                  void *aux);
void vdpa_device_stats(struct rte_vdpa_device *, int n_vrings,
                       vdpa_device_stats_cb *, void *aux);
void vdpa_format_device_stats(struct ds *, struct rte_vdpa_device *,
                              int n_vrings);

#endif /* vdpa-engine.h */
