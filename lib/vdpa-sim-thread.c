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

/* The software vDPA engine's threads: each one serves a share of an
 * engine's devices (other_config:vdpa-sim "threads=N", one by default),
 * moving packets between each device's guest virtqueues and its
 * representor's rings while there are any, and otherwise sleeps on the
 * guests' kicks and on OVS's notifications (vdpa_sim_notify()). */

#include <config.h>

#include "vdpa-sim-private.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "coverage.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"
#include "ovs-thread.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vdpa_sim_thread);

COVERAGE_DEFINE(vdpa_sim_wake);

#define SIM_BURST 32

/* How many idle device visits (a pass over 2 devices is 2) the thread
 * makes before it sleeps on the kicks and OVS's notifications, and how
 * long it sleeps at most: a guest whose kick fd it does not poll (see
 * SIM_MAX_POLL) is served at least that often.  Counting visits, not
 * passes, keeps the idle cost of an engine with many devices as low as of
 * one with few. */
#define SIM_IDLE_VISITS 512
#define SIM_SLEEP_MS 1

/* The most transmit vrings whose kicks the thread waits on: 64 devices with
 * 8 queue pairs each.  It looks at the others every SIM_SLEEP_MS. */
#define SIM_MAX_POLL 512

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

    if (q < guest_qps && dev->enabled[2 * q + 1]
        && sim_vring_mapped(dev, 2 * q + 1)) {
        struct virtq *guest_tx = &dev->vqs[2 * q + 1];

        n = virtq_dequeue(guest_tx, dev->mp, pkts, SIM_BURST);
        if (n) {
            unsigned int sent;

            sim_learn_mac(dev, pkts[0]);
            sent = rte_ring_enqueue_burst(dev->to_ovs[q], (void **) pkts,
                                          n, NULL);
            if (sent < n) {
                counter_add(&guest_tx->stats.dropped, n - sent);
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

        counter_add(&guest_rx->stats.dropped, n - delivered);
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

/* Before the device stops serving its guest live: delivers to the guest
 * what OVS already sent to the representor, so that it is not lost.  What
 * the guest sent stays in the representor for the port to take. */
void
vdpa_sim_flush(struct sim_device *dev)
    OVS_REQUIRES(dev->mutex)
{
    struct rte_mbuf *pkts[SIM_BURST];

    for (int q = 0; q < dev->spec.queue_pairs; q++) {
        unsigned int n;

        if (dev->vid >= 0 && dev->n_vrings >= 2) {
            int rx_vring = sim_guest_rx_vring(dev, q);

            while ((n = rte_ring_dequeue_burst(dev->from_ovs[q],
                                               (void **) pkts, SIM_BURST,
                                               NULL))) {
                struct virtq *guest_rx = &dev->vqs[rx_vring < 0
                                                   ? 0 : rx_vring];
                int delivered = (rx_vring >= 0
                                 ? virtq_enqueue(guest_rx, pkts, n) : 0);

                counter_add(&guest_rx->stats.dropped, n - delivered);
                rte_pktmbuf_free_bulk(pkts, n);
                if (delivered) {
                    virtq_notify_guest(guest_rx);
                }
            }
        }
    }
}

/* Before the device serves a new guest: drops what a previous guest sent
 * that no port took from the representor, and what OVS sent to a guest
 * that the device no longer served, counted as the vrings' drops, as when
 * a ring is full. */
void
vdpa_sim_drop_stale(struct sim_device *dev)
    OVS_REQUIRES(dev->mutex)
{
    struct rte_mbuf *pkts[SIM_BURST];

    for (int q = 0; q < dev->spec.queue_pairs; q++) {
        unsigned int n;

        while ((n = rte_ring_dequeue_burst(dev->to_ovs[q], (void **) pkts,
                                           SIM_BURST, NULL))) {
            counter_add(&dev->vqs[2 * q + 1].stats.dropped, n);
            rte_pktmbuf_free_bulk(pkts, n);
        }
        while ((n = rte_ring_dequeue_burst(dev->from_ovs[q],
                                           (void **) pkts, SIM_BURST,
                                           NULL))) {
            counter_add(&dev->vqs[2 * q].stats.dropped, n);
            rte_pktmbuf_free_bulk(pkts, n);
        }
    }
}

/* Sleeps until a guest kicks one of thread 't''s devices' transmit
 * queues, OVS sends to one of their representors (vdpa_sim_notify()), or
 * SIM_SLEEP_MS.  The guests are asked to kick only while the thread
 * sleeps. */
static void
sim_sleep(struct sim_thread *t)
{
    struct pollfd fds[SIM_MAX_POLL + 1];
    struct sim_device *owners[SIM_MAX_POLL];
    int vrings[SIM_MAX_POLL];
    bool pending = false;
    int n_fds = 0;

    /* From here on, a sender that queues packets also wakes the thread:
     * so what it queued before is seen below, and what it queues after
     * writes 'wakefd'. */
    atomic_store(&t->sleeping, true);
    atomic_thread_fence(memory_order_seq_cst);

    for (size_t i = 0; i < sim_n_devices(); i++) {
        struct sim_device *dev = vdpa_sim_devices[i];

        if (dev->thread != t) {
            continue;
        }
        for (int q = 0; q < dev->spec.queue_pairs; q++) {
            pending |= !rte_ring_empty(dev->from_ovs[q]);
        }
        ovs_mutex_lock(&dev->mutex);
        for (int v = 1; sim_serving(dev) && !dev->broken && v < dev->n_vrings;
             v += 2) {
            struct virtq *vq = &dev->vqs[v];

            if (!dev->enabled[v] || dev->kickfds[v] < 0
                || !sim_vring_mapped(dev, v) || n_fds >= SIM_MAX_POLL) {
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
    fds[n_fds].fd = t->wakefd;
    fds[n_fds].events = POLLIN;
    fds[n_fds].revents = 0;

    if (!pending) {
        poll(fds, n_fds + 1, SIM_SLEEP_MS);
    }
    atomic_store(&t->sleeping, false);
    if (fds[n_fds].revents & POLLIN) {
        uint64_t count;

        ignore(read(t->wakefd, &count, sizeof count));
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
            counter_add(&dev->vqs[vrings[i]].stats.kicks, count);
        }
        if (sim_serving(dev) && sim_vring_mapped(dev, vrings[i])) {
            virtq_set_notify(&dev->vqs[vrings[i]], false);
        }
        ovs_mutex_unlock(&dev->mutex);
    }
}

/* Wakes the thread of device 'dev_', a struct sim_device, if it sleeps:
 * OVS sent packets to its representor's queue 'qid'.  The engine table's
 * notify callback, called by the PMD threads after each send. */
void
vdpa_sim_notify(void *dev_, int qid OVS_UNUSED)
{
    struct sim_device *dev = dev_;
    struct sim_thread *t = dev->thread;
    bool sleeping = true;

    /* Pairs with the fence in sim_sleep(): the packets were queued before
     * 'sleeping' is read. */
    atomic_thread_fence(memory_order_seq_cst);
    atomic_read_relaxed(&t->sleeping, &sleeping);
    if (sleeping
        && atomic_compare_exchange_strong(&t->sleeping, &sleeping, false)) {
        uint64_t one = 1;

        COVERAGE_INC(vdpa_sim_wake);
        ignore(write(t->wakefd, &one, sizeof one));
    }
}

/* Restricts the calling thread to the CPUs of 't''s mask. */
static void
sim_set_affinity(const struct sim_thread *t)
{
    cpu_set_t cpus;
    int error;

    CPU_ZERO(&cpus);
    for (int cpu = 0; cpu < 64 && cpu < CPU_SETSIZE; cpu++) {
        if (t->cpu_mask & (UINT64_C(1) << cpu)) {
            CPU_SET(cpu, &cpus);
        }
    }
    error = pthread_setaffinity_np(pthread_self(), sizeof cpus, &cpus);
    if (error) {
        VLOG_ERR("%s: cannot set CPU affinity to mask 0x%"PRIx64": %s",
                 t->name, t->cpu_mask, ovs_strerror(error));
    } else {
        VLOG_INFO("%s: engine thread on CPU mask 0x%"PRIx64, t->name,
                  t->cpu_mask);
    }
}

static void *
sim_thread_main(void *t_)
{
    struct sim_thread *t = t_;
    size_t idle = 0;

    if (t->cpu_mask) {
        sim_set_affinity(t);
    }

    /* This thread uses no RCU-protected data: it must not hold back OVS's
     * grace periods. */
    ovsrcu_quiesce_start();
    for (;;) {
        size_t visits = 0;
        int moved = 0;

        for (size_t i = 0; i < sim_n_devices(); i++) {
            struct sim_device *dev = vdpa_sim_devices[i];
            unsigned int waiters;

            if (dev->thread != t) {
                continue;
            }
            visits++;
            ovs_mutex_lock(&dev->mutex);
            if (dev->log_switching) {
                /* Its packets wait in the rings until the log is back. */
            } else if (dev->vid < 0 || dev->n_vrings < 2 || dev->broken) {
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
        } else if ((idle += MAX(visits, 1)) >= SIM_IDLE_VISITS) {
            sim_sleep(t);
            idle = 0;
        }
    }
    return NULL;
}

/* Returns a new thread, number 'index' of engine 'engine_name', to run on
 * the CPUs of 'cpu_mask' (0: any), not started yet: give it devices (their
 * 'thread'), then vdpa_sim_thread_start() it. */
struct sim_thread *
vdpa_sim_thread_create(const char *engine_name, int index, uint64_t cpu_mask)
{
    struct sim_thread *t = xzalloc(sizeof *t);

    t->name = xasprintf("%s thread %d", engine_name, index);
    t->cpu_mask = cpu_mask;
    atomic_init(&t->sleeping, false);
    t->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (t->wakefd < 0) {
        /* It then wakes every SIM_SLEEP_MS only. */
        VLOG_ERR("%s: eventfd failed: %s", t->name, ovs_strerror(errno));
    }
    return t;
}

void
vdpa_sim_thread_start(struct sim_thread *t)
{
    ovs_thread_create("vdpa_sim", sim_thread_main, t);
}
