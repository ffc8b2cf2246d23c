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

/* The software vDPA engine's inline mode (other_config:vdpa-sim
 * "mode=inline"): a device has no engine thread.  The PMD threads that
 * poll its representor's queues call these bursts (struct vdpa_engine_ops's
 * 'rx_burst' and 'tx_burst') instead of the representor's, and they move
 * the packets straight between the guest's virtqueues and the mbufs, with
 * no ring in between: the engine's work is done where, and by as many
 * threads as, OVS polls.
 *
 * A burst works on one vring of the guest, under that vring's lock, which
 * it only tries to take: the threads that change the device (the vhost
 * library's, the main thread) take all of them with sim_lock(), and a burst
 * that finds its vring's lock taken returns 0 rather than wait for them.
 * Two PMD threads may poll two queues of one device at once, each on its
 * own vrings; two representor queues that deliver to the same guest vring
 * (a guest that enabled fewer queue pairs than the device has) take turns.
 *
 * The counters, the guest's MAC address, the calls to the guest and the
 * dirty page log are the engine thread's (virtq.c); the guest is asked not
 * to kick (sim_map_vring()), since the PMD threads poll. */

#include <config.h>

#include "vdpa-sim-private.h"

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "openvswitch/compiler.h"

/* Receives, on representor queue 'q', what the guest sent on its transmit
 * vring of queue pair 'q'. */
int
vdpa_sim_rx_burst(void *dev_, int q, struct rte_mbuf **pkts, int n)
    OVS_NO_THREAD_SAFETY_ANALYSIS
{
    struct sim_device *dev = dev_;
    rte_spinlock_t *lock;
    int v = 2 * q + 1;
    int got = 0;

    if (OVS_UNLIKELY(q < 0 || q >= dev->spec.queue_pairs)) {
        return 0;
    }
    if (OVS_UNLIKELY(!rte_ring_empty(dev->to_ovs[q]))) {
        /* The RARP that announces a guest that just migrated here
         * (sim_announce()). */
        got = rte_ring_dequeue_burst(dev->to_ovs[q], (void **) pkts, n,
                                     NULL);
        if (got) {
            return got;
        }
    }

    lock = &dev->vring_locks[v];
    if (!rte_spinlock_trylock(lock)) {
        return 0;
    }
    if (OVS_LIKELY(sim_serving(dev) && !dev->broken && dev->enabled[v]
                   && sim_vring_mapped(dev, v))) {
        struct virtq *vq = &dev->vqs[v];

        got = virtq_dequeue(vq, dev->mp, pkts, n);
        if (got) {
            sim_learn_mac(dev, pkts[0]);
            virtq_notify_guest(vq);
        }
    }
    rte_spinlock_unlock(lock);
    return got;
}

/* Delivers 'pkts', sent on representor queue 'q', to the guest's receive
 * vring that 'q' maps to (sim_guest_rx_vring()), freeing those it is done
 * with: delivered, or counted as the vring's drops because no guest buffer
 * can ever hold them.  The others, for which the guest has no buffer now,
 * stay the caller's, who may retry, and counts them as its drops, as a sw
 * port does. */
int
vdpa_sim_tx_burst(void *dev_, int q, struct rte_mbuf **pkts, int n)
    OVS_NO_THREAD_SAFETY_ANALYSIS
{
    struct sim_device *dev = dev_;
    rte_spinlock_t *lock;
    int done = 0;
    int v;

    /* Which vring that is may change only under every vring lock: read it
     * unlocked, take that vring's lock, and check it again. */
    v = sim_guest_rx_vring(dev, q);
    if (v < 0) {
        return 0;
    }
    lock = &dev->vring_locks[v];
    if (!rte_spinlock_trylock(lock)) {
        return 0;
    }
    if (OVS_LIKELY(sim_serving(dev) && !dev->broken
                   && sim_guest_rx_vring(dev, q) == v)) {
        struct virtq *vq = &dev->vqs[v];

        done = virtq_enqueue(vq, pkts, n);
        if (done) {
            virtq_notify_guest(vq);
            rte_pktmbuf_free_bulk(pkts, done);
        }
    }
    rte_spinlock_unlock(lock);
    return done;
}
