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

#ifndef VIRTQ_H
#define VIRTQ_H 1

/* Device side of one virtio-net split virtqueue, for the software vDPA
 * engine.
 *
 * The engine's thread owns the queue: nothing here takes locks, and one
 * thread at a time may call these functions on a given queue.  The guest
 * (the driver side) is not trusted: every descriptor is checked against the
 * guest memory table before a byte of its buffer is touched, and a bad
 * descriptor chain is counted in stats.bad_descs, handed back to the guest
 * with used length 0 and dropped.
 *
 * Only what the engine negotiates is supported: no VIRTIO_RING_F_EVENT_IDX,
 * no VIRTIO_RING_F_INDIRECT_DESC (an indirect descriptor is bad), no
 * VIRTIO_F_RING_PACKED.  Ring fields and the virtio-net header are accessed
 * in host byte order, which is the guest's little-endian order on the hosts
 * DPDK's vhost library supports. */

#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_ring.h>
#include <rte_vhost.h>
#include "ovs-atomic.h"

struct rte_mbuf;
struct rte_mempool;

/* Longest Ethernet frame, without the virtio-net header, that the guest may
 * transmit. */
#define VIRTQ_MAX_FRAME_LEN 9728

/* Longest virtqueue the virtio specification allows for split rings. */
#define VIRTQ_MAX_SIZE 32768

/* Most descriptors one packet may take, across all the chains it spans, as
 * the vhost library's BUF_VECTOR_MAX allows: the work per packet stays
 * bounded whatever the ring size and the guest's buffers. */
#define VIRTQ_MAX_PACKET_DESCS 256

/* Written by the thread that serves the queue, read by any thread. */
struct virtq_stats {
    atomic_uint64_t packets;    /* Packets moved through the queue. */
    atomic_uint64_t bytes;      /* Their bytes, virtio-net headers
                                 * excluded. */
    atomic_uint64_t bad_descs;  /* Malformed descriptor chains (and avail
                                 * index jumps), each dropped. */
    atomic_uint64_t dropped;    /* Good packets dropped: no mbuf big enough
                                 * (TX), no guest buffer could ever hold it
                                 * (RX). */
    atomic_uint64_t kicks;      /* Guest kicks; counted by the caller. */
    atomic_uint64_t calls;      /* Interrupts sent to the guest. */
};

struct virtq {
    /* The rings, as host virtual addresses. */
    struct vring_desc *desc;
    struct vring_avail *avail;
    struct vring_used *used;
    uint16_t size;              /* Ring size, a power of 2. */

    uint16_t last_avail_idx;    /* Next avail ring entry to take. */
    uint16_t last_used_idx;     /* Next used ring entry to fill. */
    uint16_t signalled_used;    /* last_used_idx at the last notification. */
    int32_t bad_avail_idx;      /* The bad avail index counted last, so that
                                 * one bad index counts once; -1 if none. */

    int callfd;                 /* Eventfd to interrupt the guest, or -1. */
    const struct rte_vhost_memory *mem; /* Guest memory: GPA -> host VA. */
    uint32_t hdr_len;           /* Virtio-net header length: 12 or 10. */
    bool mergeable;             /* VIRTIO_NET_F_MRG_RXBUF negotiated. */
    char name[32];              /* For log messages, e.g. "vdpa0 rxq 0". */

    /* Dirty page logging for live migration: while the vhost library's
     * device 'log_vid' negotiated VHOST_F_LOG_ALL, every byte of guest
     * memory written through 'q' (receive buffers, used ring entries) is
     * logged with rte_vhost_log_write() and rte_vhost_log_used_vring(), so
     * that QEMU sends those pages again.  -1 when not logging. */
    int log_vid;
    uint16_t log_vring;         /* The vhost library's index of 'q'. */

    struct virtq_stats stats;
};

int virtq_init(struct virtq *, const char *name,
               const struct rte_vhost_vring *,
               const struct rte_vhost_memory *, uint64_t features,
               uint16_t last_avail_idx, uint16_t last_used_idx);

int virtq_dequeue(struct virtq *, struct rte_mempool *,
                  struct rte_mbuf **pkts, int n);
int virtq_enqueue(struct virtq *, struct rte_mbuf **pkts, int n);

void virtq_set_log(struct virtq *, int vid, uint16_t vring, uint64_t features);

bool virtq_has_avail(const struct virtq *);
void virtq_set_notify(struct virtq *, bool enable);
void virtq_notify_guest(struct virtq *);

#endif /* virtq.h */
