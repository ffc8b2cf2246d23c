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

#include "virtq.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>

#include <rte_atomic.h>
#include <rte_mbuf.h>

#include "dpdkvdpa-counter.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(virtq);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Offset of num_buffers in struct virtio_net_hdr_mrg_rxbuf. */
#define NUM_BUFFERS_OFS 10

/* What is wrong with a descriptor chain. */
enum chain_error {
    CHAIN_OK,
    CHAIN_BAD_HEAD,             /* Head index >= ring size. */
    CHAIN_BAD_NEXT,             /* Next index >= ring size. */
    CHAIN_LOOP,                 /* More descriptors than the ring has. */
    CHAIN_INDIRECT,             /* VRING_DESC_F_INDIRECT, not negotiated. */
    CHAIN_WRITABLE,             /* TX buffer marked device-writable. */
    CHAIN_READ_ONLY,            /* RX buffer not marked device-writable. */
    CHAIN_BAD_ADDR,             /* Buffer (or part) outside guest memory. */
    CHAIN_SHORT,                /* Shorter than the virtio-net header. */
    CHAIN_LONG,                 /* TX frame longer than the maximum. */
    CHAIN_TOO_MANY,             /* Packet over VIRTQ_MAX_PACKET_DESCS. */
};

static const char *
chain_error_to_string(enum chain_error error)
{
    switch (error) {
    case CHAIN_OK:
        return "ok";
    case CHAIN_BAD_HEAD:
        return "head index out of range";
    case CHAIN_BAD_NEXT:
        return "next index out of range";
    case CHAIN_LOOP:
        return "chain longer than the ring (loop)";
    case CHAIN_INDIRECT:
        return "indirect descriptor";
    case CHAIN_WRITABLE:
        return "device-writable buffer in a TX chain";
    case CHAIN_READ_ONLY:
        return "device-read-only buffer in an RX chain";
    case CHAIN_BAD_ADDR:
        return "buffer outside guest memory";
    case CHAIN_SHORT:
        return "chain shorter than the virtio-net header";
    case CHAIN_LONG:
        return "chain longer than the maximum frame";
    case CHAIN_TOO_MANY:
        return "packet in more descriptors than allowed";
    }
    return "unknown error";
}

/* Walks the descriptors of one chain, checking each before handing out its
 * buffer. */
struct chain_iter {
    const struct virtq *q;
    uint16_t head;              /* First descriptor of the chain. */
    uint16_t next;              /* Next descriptor to visit. */
    uint32_t n_descs;           /* Descriptors visited so far. */
    uint32_t max_descs;         /* The packet's budget of descriptors. */
    bool writable;              /* True for RX (device-writable) chains. */
    bool done;                  /* True once all was handed out. */

    /* What is left of the current descriptor's buffer, which may span
     * adjacent memory regions and then comes in pieces. */
    uint64_t gpa;
    uint32_t left;
    bool last;                  /* It is the chain's last descriptor. */
};

/* Translates the start of the guest physical range [gpa, gpa + len) into a
 * host virtual address, if a region of 'mem' has it, and stores in
 * '*piecep' how many of the 'len' bytes that region holds; otherwise returns
 * NULL.  A range that spans adjacent regions takes several calls, as the
 * vhost library and Linux's vringh split it. */
static uint8_t *
gpa_to_hva(const struct rte_vhost_memory *mem, uint64_t gpa, uint32_t len,
           uint32_t *piecep)
{
    for (uint32_t i = 0; i < mem->nregions; i++) {
        const struct rte_vhost_mem_region *r = &mem->regions[i];

        /* Written so that nothing overflows: 'ofs' is checked to be inside
         * the region before the region's remaining size is computed. */
        if (gpa >= r->guest_phys_addr) {
            uint64_t ofs = gpa - r->guest_phys_addr;

            if (ofs < r->size) {
                *piecep = MIN(len, r->size - ofs);
                return (uint8_t *) (uintptr_t) (r->host_user_addr + ofs);
            }
        }
    }
    return NULL;
}

/* Starts walking the chain at 'head' of 'q', which may have up to
 * 'max_descs' descriptors. */
static enum chain_error
chain_start(struct chain_iter *it, const struct virtq *q, uint16_t head,
            bool writable, uint32_t max_descs)
{
    it->q = q;
    it->head = head;
    it->next = head;
    it->n_descs = 0;
    it->max_descs = max_descs;
    it->writable = writable;
    it->done = false;
    it->left = 0;
    it->last = false;
    return head < q->size ? CHAIN_OK : CHAIN_BAD_HEAD;
}

/* Reads and checks the next descriptor of the chain. */
static enum chain_error
chain_next_desc(struct chain_iter *it)
{
    const struct vring_desc *d = &it->q->desc[it->next];
    uint64_t addr = __atomic_load_n(&d->addr, __ATOMIC_RELAXED);
    uint32_t len = __atomic_load_n(&d->len, __ATOMIC_RELAXED);
    uint16_t flags = __atomic_load_n(&d->flags, __ATOMIC_RELAXED);
    uint16_t next = __atomic_load_n(&d->next, __ATOMIC_RELAXED);

    if (++it->n_descs > it->q->size) {
        return CHAIN_LOOP;
    }
    if (it->n_descs > it->max_descs) {
        return CHAIN_TOO_MANY;
    }
    if (flags & VRING_DESC_F_INDIRECT) {
        return CHAIN_INDIRECT;
    }
    if (it->writable && !(flags & VRING_DESC_F_WRITE)) {
        return CHAIN_READ_ONLY;
    }
    if (!it->writable && (flags & VRING_DESC_F_WRITE)) {
        return CHAIN_WRITABLE;
    }
    if (flags & VRING_DESC_F_NEXT) {
        if (next >= it->q->size) {
            return CHAIN_BAD_NEXT;
        }
        it->next = next;
    }
    it->gpa = addr;
    it->left = len;
    it->last = !(flags & VRING_DESC_F_NEXT);
    return CHAIN_OK;
}

/* Stores the next piece of buffer of the chain in '*bufp' and '*lenp',
 * after checking its descriptor, and returns CHAIN_OK; or returns what is
 * wrong.  Must not be called once it->done is true.  Each field of a
 * descriptor is read exactly once, so that a guest rewriting the descriptor
 * meanwhile cannot make us use anything we did not check. */
static enum chain_error
chain_next(struct chain_iter *it, uint8_t **bufp, uint32_t *lenp)
{
    uint32_t piece;

    if (!it->left) {
        enum chain_error error = chain_next_desc(it);

        if (error) {
            return error;
        }
    }

    *bufp = gpa_to_hva(it->q->mem, it->gpa, it->left, &piece);
    if (!*bufp) {
        return CHAIN_BAD_ADDR;
    }
    *lenp = piece;
    it->gpa += piece;
    it->left -= piece;
    if (!it->left && it->last) {
        it->done = true;
    }
    return CHAIN_OK;
}

static void
log_bad_chain(const struct virtq *q, const char *dir, uint16_t head,
              enum chain_error error)
{
    VLOG_WARN_RL(&rl, "%s: dropped bad %s descriptor chain (head %"PRIu16
                 "): %s", q->name, dir, head, chain_error_to_string(error));
}

/* Initializes 'q' to serve the split virtqueue 'vring' (as returned by
 * rte_vhost_get_vhost_vring()) of a device that negotiated 'features', in
 * guest memory 'mem' (from rte_vhost_get_mem_table(), which must stay valid
 * while 'q' is in use), starting at the ring positions 'last_avail_idx' and
 * 'last_used_idx' (from rte_vhost_get_vring_base()).  'name' identifies the
 * queue in log messages.
 *
 * Returns 0, or EINVAL if the ring is missing or its size is not a power of
 * 2 between 1 and VIRTQ_MAX_SIZE. */
int
virtq_init(struct virtq *q, const char *name,
           const struct rte_vhost_vring *vring,
           const struct rte_vhost_memory *mem, uint64_t features,
           uint16_t last_avail_idx, uint16_t last_used_idx)
{
    memset(q, 0, sizeof *q);
    ovs_strlcpy(q->name, name, sizeof q->name);
    q->callfd = -1;
    q->bad_avail_idx = -1;
    q->log_vid = -1;
    if (!vring->desc || !vring->avail || !vring->used || !mem
        || !vring->size || vring->size > VIRTQ_MAX_SIZE
        || !is_pow2(vring->size)) {
        return EINVAL;
    }

    q->desc = vring->desc;
    q->avail = vring->avail;
    q->used = vring->used;
    q->size = vring->size;
    q->last_avail_idx = last_avail_idx;
    q->last_used_idx = last_used_idx;
    q->signalled_used = last_used_idx;
    q->callfd = vring->callfd;
    q->mem = mem;
    q->mergeable = (features & (1ULL << VIRTIO_NET_F_MRG_RXBUF)) != 0;
    q->hdr_len = (q->mergeable || features & (1ULL << VIRTIO_F_VERSION_1)
                  ? sizeof(struct virtio_net_hdr_mrg_rxbuf)
                  : sizeof(struct virtio_net_hdr));
    return 0;
}

/* Returns how many avail ring entries the guest made available beyond the
 * ones 'q' took already, or -1 if the guest's avail index is more than the
 * ring size ahead, which no correct guest does. */
static int
avail_count(const struct virtq *q)
{
    uint16_t avail_idx = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);
    uint16_t n = avail_idx - q->last_avail_idx;

    return n <= q->size ? n : -1;
}

/* Returns the count of new avail entries, like avail_count(), but returns 0
 * for a bad avail index, which it counts and logs once, however often it is
 * polled. */
static int
avail_count_checked(struct virtq *q, const char *dir)
{
    int n = avail_count(q);

    if (n < 0) {
        uint16_t idx = __atomic_load_n(&q->avail->idx, __ATOMIC_RELAXED);

        if (q->bad_avail_idx != idx) {
            q->bad_avail_idx = idx;
            counter_add(&q->stats.bad_descs, 1);
            VLOG_WARN_RL(&rl, "%s: bad %s avail index %"PRIu16": more than "
                         "the ring size %"PRIu16" ahead of %"PRIu16,
                         q->name, dir, idx, q->size, q->last_avail_idx);
        }
        return 0;
    }
    q->bad_avail_idx = -1;
    return n;
}

/* Takes the next avail ring entry.  The caller checked there is one. */
static uint16_t
take_avail(struct virtq *q)
{
    uint16_t slot = q->last_avail_idx++ & (q->size - 1);

    return __atomic_load_n(&q->avail->ring[slot], __ATOMIC_RELAXED);
}

/* Makes 'q' log the guest memory it writes while 'features' has
 * VHOST_F_LOG_ALL, for the vhost library's device 'vid', where 'q' is vring
 * 'vring'.  Called again whenever the negotiated features change: the
 * front-end turns logging on and off during a live migration. */
void
virtq_set_log(struct virtq *q, int vid, uint16_t vring, uint64_t features)
{
    q->log_vid = RTE_VHOST_NEED_LOG(features) ? vid : -1;
    q->log_vring = vring;
}

/* Logs the 'len' bytes at 'gpa' that 'q' just wrote, if it logs.  Always
 * after the write: QEMU may read and clear the log at any time, and a page
 * logged before it is written could be sent without the write. */
static inline void
log_write(const struct virtq *q, uint64_t gpa, uint32_t len)
{
    if (OVS_UNLIKELY(q->log_vid >= 0) && len) {
        rte_vhost_log_write(q->log_vid, gpa, len);
    }
}

/* Logs the 'len' bytes at offset 'ofs' of the used ring of 'q', which 'q'
 * just wrote, if it logs. */
static inline void
log_used(const struct virtq *q, size_t ofs, size_t len)
{
    if (OVS_UNLIKELY(q->log_vid >= 0)) {
        rte_vhost_log_used_vring(q->log_vid, q->log_vring, ofs, len);
    }
}

/* Logs used ring entry 'idx' of 'q'. */
static void
log_used_elem(const struct virtq *q, uint16_t idx)
{
    log_used(q, offsetof(struct vring_used, ring)
             + (idx & (q->size - 1)) * sizeof(struct vring_used_elem),
             sizeof(struct vring_used_elem));
}

/* Fills the next used ring entry, which the guest sees only once
 * publish_used() updates the used index. */
static void
put_used(struct virtq *q, uint16_t id, uint32_t len)
{
    struct vring_used_elem *e;
    uint16_t idx = q->last_used_idx++;

    e = &q->used->ring[idx & (q->size - 1)];
    e->id = id;
    e->len = len;
    log_used_elem(q, idx);
}

/* Makes the used entries filled so far visible to the guest, after the
 * buffers and used entries they describe. */
static void
publish_used(struct virtq *q)
{
    __atomic_store_n(&q->used->idx, q->last_used_idx, __ATOMIC_RELEASE);
    log_used(q, offsetof(struct vring_used, idx), sizeof q->used->idx);
}

/* Copies the packet in the chain that starts at 'head' of TX queue 'q' into
 * empty mbuf 'm', without the virtio-net header.  Returns CHAIN_OK, stores
 * the packet's length in '*lenp' and sets '*fitsp' to whether it fit in 'm';
 * or returns what is wrong with the chain. */
static enum chain_error
dequeue_chain(struct virtq *q, uint16_t head, struct rte_mbuf *m,
              uint32_t *lenp, bool *fitsp)
{
    uint32_t room = rte_pktmbuf_tailroom(m);
    uint8_t *dst = rte_pktmbuf_mtod(m, uint8_t *);
    uint64_t total = 0;         /* Bytes in the chain, header included. */
    uint32_t copied = 0;        /* Bytes copied to 'dst'. */
    struct chain_iter it;
    enum chain_error error;

    *fitsp = true;
    error = chain_start(&it, q, head, false, VIRTQ_MAX_PACKET_DESCS);
    while (!error && !it.done) {
        uint8_t *buf;
        uint32_t len;

        error = chain_next(&it, &buf, &len);
        if (error) {
            break;
        }

        /* Skip whatever part of the buffer belongs to the header. */
        if (total < q->hdr_len) {
            uint32_t skip = MIN(len, q->hdr_len - total);

            buf += skip;
            len -= skip;
            total += skip;
        }
        total += len;
        if (total > q->hdr_len + VIRTQ_MAX_FRAME_LEN) {
            error = CHAIN_LONG;
        } else if (len > room - copied) {
            *fitsp = false;
        } else if (*fitsp) {
            memcpy(dst + copied, buf, len);
            copied += len;
        }
    }
    if (!error && total < q->hdr_len) {
        error = CHAIN_SHORT;
    }
    if (!error) {
        *lenp = total - q->hdr_len;
        if (*fitsp) {
            m->data_len = copied;
            m->pkt_len = copied;
        }
    }
    return error;
}

/* For the fast paths: returns the buffer of descriptor 'head' of 'q' if it
 * is a chain of one descriptor, device-writable if and only if 'writable',
 * whose buffer lies in one memory region, and stores the buffer's guest
 * physical address in '*gpap' and its length in '*lenp'; otherwise
 * returns NULL, and the general path, which reads the chain again, takes
 * it.  Each field of the descriptor is read once. */
static uint8_t *
one_desc_buffer(const struct virtq *q, uint16_t head, bool writable,
                uint64_t *gpap, uint32_t *lenp)
{
    const struct vring_desc *d;
    uint32_t piece;
    uint16_t flags;
    uint8_t *buf;

    if (head >= q->size) {
        return NULL;
    }
    d = &q->desc[head];
    *gpap = __atomic_load_n(&d->addr, __ATOMIC_RELAXED);
    *lenp = __atomic_load_n(&d->len, __ATOMIC_RELAXED);
    flags = __atomic_load_n(&d->flags, __ATOMIC_RELAXED);
    if ((flags & (VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT
                  | VRING_DESC_F_WRITE))
        != (writable ? VRING_DESC_F_WRITE : 0)) {
        return NULL;
    }
    buf = gpa_to_hva(q->mem, *gpap, *lenp, &piece);
    return buf && piece == *lenp ? buf : NULL;
}

/* The common case of dequeue_chain(): a chain of one descriptor whose
 * buffer lies in one memory region and whose packet fits in 'm'.  Copies
 * the packet into 'm' and returns true if the chain at 'head' is one;
 * otherwise returns false having changed nothing. */
static bool
dequeue_simple(const struct virtq *q, uint16_t head, struct rte_mbuf *m)
{
    uint64_t gpa;
    uint32_t len;
    uint8_t *buf = one_desc_buffer(q, head, false, &gpa, &len);

    if (!buf || len < q->hdr_len
        || len - q->hdr_len > MIN(rte_pktmbuf_tailroom(m),
                                  VIRTQ_MAX_FRAME_LEN)) {
        return false;
    }
    len -= q->hdr_len;
    memcpy(rte_pktmbuf_mtod(m, uint8_t *), buf + q->hdr_len, len);
    m->data_len = len;
    m->pkt_len = len;
    return true;
}

/* Takes up to 'n' packets that the guest transmitted on TX queue 'q', each
 * into a new single-segment mbuf from 'mp' without the virtio-net header,
 * stored in 'pkts'.  Returns the number of packets stored; the caller owns
 * them.  Their descriptors go back to the guest in the used ring.
 *
 * A bad descriptor chain, and a packet that does not fit in an mbuf from
 * 'mp', are dropped and counted.  Stops early if 'mp' runs out of mbufs,
 * leaving the rest of the packets in the ring. */
int
virtq_dequeue(struct virtq *q, struct rte_mempool *mp,
              struct rte_mbuf **pkts, int n)
{
    int n_avail = avail_count_checked(q, "TX");
    uint16_t used_start = q->last_used_idx;
    int n_pkts = 0;

    while (n_pkts < n && n_avail > 0) {
        struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
        enum chain_error error;
        uint32_t len = 0;
        uint16_t head;
        bool fits;

        if (!m) {
            break;
        }
        n_avail--;
        head = take_avail(q);
        if (dequeue_simple(q, head, m)) {
            error = CHAIN_OK;
            fits = true;
        } else {
            error = dequeue_chain(q, head, m, &len, &fits);
        }
        put_used(q, head, 0);
        if (error) {
            counter_add(&q->stats.bad_descs, 1);
            log_bad_chain(q, "TX", head, error);
            rte_pktmbuf_free(m);
        } else if (!fits) {
            counter_add(&q->stats.dropped, 1);
            VLOG_WARN_RL(&rl, "%s: dropped a %"PRIu32"-byte TX packet, "
                         "longer than the %"PRIu16" bytes an mbuf holds",
                         q->name, len, rte_pktmbuf_tailroom(m));
            rte_pktmbuf_free(m);
        } else {
            counter_add(&q->stats.packets, 1);
            counter_add(&q->stats.bytes, m->pkt_len);
            pkts[n_pkts++] = m;
        }
    }
    if (q->last_used_idx != used_start) {
        publish_used(q);
    }
    return n_pkts;
}

/* A packet on its way into an RX queue: its virtio-net header, then its
 * data. */
struct rx_stream {
    uint8_t hdr[sizeof(struct virtio_net_hdr_mrg_rxbuf)];
    uint32_t hdr_len;
    const struct rte_mbuf *seg; /* Segment holding the next data byte. */
    uint32_t seg_ofs;           /* Offset of that byte in 'seg'. */
    uint32_t ofs;               /* Bytes of the stream written so far. */
    uint32_t len;               /* Header plus data. */

    /* Where the bytes of num_buffers landed in guest memory, or NULL, and
     * their guest physical addresses, to log them again when they
     * change. */
    uint8_t *num_buffers[2];
    uint64_t num_buffers_gpa[2];
};

static void
rx_stream_init(struct rx_stream *s, const struct virtq *q,
               const struct rte_mbuf *m)
{
    memset(s, 0, sizeof *s);
    s->hdr_len = q->hdr_len;
    if (s->hdr_len > NUM_BUFFERS_OFS) {
        /* A single buffer unless rx_stream_set_num_buffers() says more. */
        s->hdr[NUM_BUFFERS_OFS] = 1;
    }
    s->seg = m;
    s->len = s->hdr_len;
    for (const struct rte_mbuf *seg = m; seg; seg = seg->next) {
        s->len += seg->data_len;
    }
}

static bool
rx_stream_done(const struct rx_stream *s)
{
    return s->ofs >= s->len;
}

/* Writes as much of 's' as fits into 'len' bytes at 'dst', which is at
 * guest physical address 'gpa', and returns how much that is. */
static uint32_t
rx_stream_write(struct rx_stream *s, uint8_t *dst, uint64_t gpa,
                uint32_t len)
{
    uint32_t written = 0;

    while (written < len && s->ofs < s->hdr_len) {
        if (s->ofs == NUM_BUFFERS_OFS || s->ofs == NUM_BUFFERS_OFS + 1) {
            s->num_buffers[s->ofs - NUM_BUFFERS_OFS] = dst + written;
            s->num_buffers_gpa[s->ofs - NUM_BUFFERS_OFS] = gpa + written;
        }
        dst[written++] = s->hdr[s->ofs++];
    }
    while (written < len && s->seg) {
        uint32_t chunk = MIN(len - written, s->seg->data_len - s->seg_ofs);

        memcpy(dst + written,
               rte_pktmbuf_mtod_offset(s->seg, const uint8_t *, s->seg_ofs),
               chunk);
        written += chunk;
        s->ofs += chunk;
        s->seg_ofs += chunk;
        if (s->seg_ofs >= s->seg->data_len) {
            s->seg = s->seg->next;
            s->seg_ofs = 0;
        }
    }
    return written;
}

/* Rewrites num_buffers in the header already written to the guest memory
 * of 'q'. */
static void
rx_stream_set_num_buffers(const struct virtq *q, struct rx_stream *s,
                          uint16_t num_buffers)
{
    /* Little-endian, as VIRTIO_F_VERSION_1 says and x86 guests use. */
    if (s->num_buffers[0] && s->num_buffers[1]) {
        *s->num_buffers[0] = num_buffers & 0xff;
        *s->num_buffers[1] = num_buffers >> 8;
        log_write(q, s->num_buffers_gpa[0], 1);
        log_write(q, s->num_buffers_gpa[1], 1);
    }
}

/* Writes as much of 's' as fits into the chain that starts at 'head' of RX
 * queue 'q'.  Stores in '*writtenp' the number of bytes written.  Returns
 * what is wrong with the chain, if anything, checking all of it even after
 * 's' is all written.  On error, 's' may have advanced past bytes written
 * into the bad chain: the caller must restore it.  The chain may take up to
 * '*budget' descriptors, which is reduced by the number it took. */
static enum chain_error
enqueue_chain(struct virtq *q, uint16_t head, struct rx_stream *s,
              uint32_t *writtenp, uint32_t *budget)
{
    uint64_t capacity = 0;
    uint32_t written = 0;
    struct chain_iter it;
    enum chain_error error;

    error = chain_start(&it, q, head, true, *budget);
    while (!error && !it.done) {
        uint8_t *buf;
        uint32_t len;

        error = chain_next(&it, &buf, &len);
        if (!error) {
            uint64_t gpa = it.gpa - len;
            uint32_t n = rx_stream_write(s, buf, gpa, len);

            log_write(q, gpa, n);
            capacity += len;
            written += n;
        }
    }
    if (!error && capacity < q->hdr_len) {
        error = CHAIN_SHORT;
    }
    *writtenp = written;
    *budget -= MIN(it.n_descs, *budget);
    return error;
}

/* Takes the next chain that the guest made available in RX queue 'q' (the
 * caller checked, through '*n_avail', that there is one), stores its head
 * in '*headp' and writes as much of 's' into it as fits, as
 * enqueue_chain() does.  A bad chain is counted and logged, and 's' is put
 * back as it was before it. */
static enum chain_error
take_rx_chain(struct virtq *q, struct rx_stream *s, int *n_avail,
              uint16_t *headp, uint32_t *writtenp, uint32_t *budget)
{
    struct rx_stream saved = *s;
    enum chain_error error;

    (*n_avail)--;
    *headp = take_avail(q);
    error = enqueue_chain(q, *headp, s, writtenp, budget);
    if (error) {
        counter_add(&q->stats.bad_descs, 1);
        log_bad_chain(q, "RX", *headp, error);
        *s = saved;
    }
    return error;
}

/* Empties the 'n' used entries from 'start' on, filled in but not yet
 * published, so that their buffers go back to the guest holding nothing. */
static void
zero_used_lens(struct virtq *q, uint16_t start, uint16_t n)
{
    for (uint16_t i = 0; i < n; i++) {
        q->used->ring[(uint16_t) (start + i) & (q->size - 1)].len = 0;
        log_used_elem(q, start + i);
    }
}

/* Delivers 's' into one chain of RX queue 'q' without VIRTIO_NET_F_MRG_RXBUF.
 * Returns 1 if it did, 0 if the guest has no buffer now, or -1 if the packet
 * was dropped because it does not fit the next buffer. */
static int
enqueue_one(struct virtq *q, struct rx_stream *s, int *n_avail)
{
    while (*n_avail > 0) {
        uint32_t budget = VIRTQ_MAX_PACKET_DESCS;
        uint32_t written;
        uint16_t head;

        if (take_rx_chain(q, s, n_avail, &head, &written, &budget)) {
            put_used(q, head, 0);
        } else if (!rx_stream_done(s)) {
            /* Leave the buffer to a smaller packet, as vhost-net does. */
            q->last_avail_idx--;
            (*n_avail)++;
            return -1;
        } else {
            put_used(q, head, written);
            return 1;
        }
    }
    return 0;
}

/* Delivers 's' into as many chains of RX queue 'q' as it takes, with
 * VIRTIO_NET_F_MRG_RXBUF.  Returns 1 if it did, 0 if the guest has too few
 * buffers now, or -1 if the packet was dropped. */
static int
enqueue_mergeable(struct virtq *q, struct rx_stream *s, int *n_avail)
{
    uint32_t budget = VIRTQ_MAX_PACKET_DESCS;
    uint16_t avail_start = q->last_avail_idx;
    uint16_t used_start = q->last_used_idx;
    uint16_t n_bufs = 0;

    while (*n_avail > 0) {
        uint32_t written;
        uint16_t head;

        if (take_rx_chain(q, s, n_avail, &head, &written, &budget)) {
            if (n_bufs) {
                /* The packet's used entries are filled in but not yet
                 * published.  A stray entry cannot go between them, so drop
                 * the packet: its buffers go back empty. */
                zero_used_lens(q, used_start, n_bufs);
                put_used(q, head, 0);
                return -1;
            }
            put_used(q, head, 0);
            used_start = q->last_used_idx;
            avail_start = q->last_avail_idx;
            budget = VIRTQ_MAX_PACKET_DESCS;
            continue;
        }
        put_used(q, head, written);
        n_bufs++;
        if (rx_stream_done(s)) {
            rx_stream_set_num_buffers(q, s, n_bufs);
            return 1;
        }
    }

    if (n_bufs && (uint16_t) (q->last_avail_idx - avail_start) == q->size) {
        /* Even all the ring's buffers cannot hold the packet. */
        zero_used_lens(q, used_start, n_bufs);
        return -1;
    }

    /* Give the buffers back to the avail ring to wait for more; nothing
     * about them reached the guest. */
    *n_avail += (uint16_t) (q->last_avail_idx - avail_start);
    q->last_avail_idx = avail_start;
    q->last_used_idx = used_start;
    return 0;
}

/* The common case of delivering 'm' to RX queue 'q': a packet in one
 * segment, for a chain of one descriptor whose buffer lies in one memory
 * region and holds the header and the packet.  Delivers 'm' into the next
 * chain and returns true if that chain is one (the caller checked there is
 * a chain); otherwise returns false having changed nothing. */
static bool
enqueue_simple(struct virtq *q, const struct rte_mbuf *m)
{
    uint16_t slot = q->last_avail_idx & (q->size - 1);
    uint16_t head = __atomic_load_n(&q->avail->ring[slot], __ATOMIC_RELAXED);
    uint32_t total = q->hdr_len + m->data_len;
    uint64_t gpa;
    uint32_t len;
    uint8_t *buf;

    if (m->next) {
        return false;
    }
    buf = one_desc_buffer(q, head, true, &gpa, &len);
    if (!buf || len < total) {
        return false;
    }

    memset(buf, 0, sizeof(struct virtio_net_hdr));
    if (q->hdr_len > NUM_BUFFERS_OFS) {
        uint16_t one = 1;       /* num_buffers, little-endian. */

        memcpy(buf + NUM_BUFFERS_OFS, &one, sizeof one);
    }
    memcpy(buf + q->hdr_len, rte_pktmbuf_mtod(m, const uint8_t *),
           m->data_len);
    log_write(q, gpa, total);

    q->last_avail_idx++;
    put_used(q, head, total);
    return true;
}

/* Copies up to 'n' packets from 'pkts' into the buffers the guest made
 * available in RX queue 'q', each behind a virtio-net header that is all
 * zeros except for num_buffers.  Returns the number of packets, from the
 * start of 'pkts', that are done with: delivered, or dropped (and counted in
 * stats.dropped) because no guest buffer can ever hold them.  The rest found
 * no guest buffer now.  The caller still owns all the mbufs.
 *
 * Without VIRTIO_NET_F_MRG_RXBUF a packet goes into a single descriptor
 * chain, and one that does not fit the next chain is dropped, leaving the
 * chain for the next packet.  With it, a packet spans as many chains as
 * needed. */
int
virtq_enqueue(struct virtq *q, struct rte_mbuf **pkts, int n)
{
    int n_avail = avail_count_checked(q, "RX");
    uint16_t used_start = q->last_used_idx;
    int i;

    for (i = 0; i < n && n_avail > 0; i++) {
        struct rx_stream s;
        int retval;

        if (enqueue_simple(q, pkts[i])) {
            n_avail--;
            counter_add(&q->stats.packets, 1);
            counter_add(&q->stats.bytes, pkts[i]->data_len);
            continue;
        }
        rx_stream_init(&s, q, pkts[i]);
        retval = (q->mergeable
                  ? enqueue_mergeable(q, &s, &n_avail)
                  : enqueue_one(q, &s, &n_avail));
        if (retval > 0) {
            counter_add(&q->stats.packets, 1);
            counter_add(&q->stats.bytes, s.len - s.hdr_len);
        } else if (retval < 0) {
            counter_add(&q->stats.dropped, 1);
            VLOG_WARN_RL(&rl, "%s: dropped a %"PRIu32"-byte RX packet that "
                         "no guest buffer can hold", q->name,
                         s.len - s.hdr_len);
        } else {
            break;
        }
    }
    if (q->last_used_idx != used_start) {
        publish_used(q);
    }
    return i;
}

/* Returns true if the guest made descriptor chains available in 'q' that
 * were not processed yet.  A bad avail index counts as none, so that a
 * thread waits for the guest's next kick instead of spinning. */
bool
virtq_has_avail(const struct virtq *q)
{
    return avail_count(q) > 0;
}

/* Asks the guest to kick 'q' when it makes buffers available ('enable') or
 * not to.  After enabling, the caller must check virtq_has_avail() again,
 * since the guest may have added buffers just before it saw the change. */
void
virtq_set_notify(struct virtq *q, bool enable)
{
    uint16_t flags = __atomic_load_n(&q->used->flags, __ATOMIC_RELAXED);

    if (enable) {
        flags &= ~VRING_USED_F_NO_NOTIFY;
    } else {
        flags |= VRING_USED_F_NO_NOTIFY;
    }
    __atomic_store_n(&q->used->flags, flags, __ATOMIC_RELAXED);
    log_used(q, offsetof(struct vring_used, flags), sizeof flags);

    /* Order the store before the caller's next read of the avail index. */
    rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Interrupts the guest through the call eventfd of 'q', if used entries were
 * added since the last call to this function and the guest did not ask not
 * to be interrupted. */
void
virtq_notify_guest(struct virtq *q)
{
    struct pollfd pfd;
    uint64_t one = 1;
    ssize_t retval;
    uint16_t flags;

    if (q->last_used_idx == q->signalled_used) {
        return;
    }
    q->signalled_used = q->last_used_idx;

    /* Order the used index store before the read of the guest's flags: a
     * guest that turns interrupts back on then checks the used index. */
    rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
    flags = __atomic_load_n(&q->avail->flags, __ATOMIC_RELAXED);
    if ((flags & VRING_AVAIL_F_NO_INTERRUPT) || q->callfd < 0) {
        return;
    }

    /* A guest can fill its eventfd's counter, which would make write()
     * block: write only while there is room. */
    pfd.fd = q->callfd;
    pfd.events = POLLOUT;
    if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLOUT)) {
        return;
    }
    do {
        retval = write(q->callfd, &one, sizeof one);
    } while (retval < 0 && errno == EINTR);
    if (retval == sizeof one) {
        counter_add(&q->stats.calls, 1);
    } else if (retval < 0 && errno != EAGAIN) {
        VLOG_WARN_RL(&rl, "%s: failed to interrupt the guest (%s)", q->name,
                     ovs_strerror(errno));
    }
}
