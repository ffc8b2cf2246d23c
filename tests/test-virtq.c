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

/* Drives lib/virtq.c for tests/unit-virtq.at:
 *
 *   test-virtq COMMAND [ARG]
 *
 * plays the guest's virtio-net driver against a struct virtq, on rings and
 * "guest memory" of its own (two malloc'd regions, contiguous in guest
 * physical addresses but not in the host's), and prints what the guest and
 * the device side see.  The COMMANDs are listed in main().
 *
 * Packet data follows pattern(): a packet's first byte is its "seed", which
 * the output shows, and "data ok" means all its bytes are right. */

#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpdkvdpa-counter.h"
#include "openvswitch/vlog.h"
#include "util.h"
#include "virtq.h"

/* Guest memory: region 0 is guest physical [GPA0, GPA0 + REGION_SIZE),
 * region 1 follows it at GPA1. */
#define REGION_SIZE 65536
#define GPA0 UINT64_C(0x100000)
#define GPA1 (GPA0 + REGION_SIZE)

#define F_VERSION_1 (UINT64_C(1) << VIRTIO_F_VERSION_1)
#define F_MRG_RXBUF (UINT64_C(1) << VIRTIO_NET_F_MRG_RXBUF)

#define MAX_SEGS 8
#define MAX_RING 512

static struct rte_vhost_memory *mem;
static struct rte_mempool *mp;

/* A guest buffer. */
struct seg {
    uint64_t gpa;
    uint32_t len;
};

/* The driver side of one virtqueue, and the device side under test. */
struct guest {
    uint16_t size;
    struct vring_desc *desc;
    struct vring_avail *avail;
    struct vring_used *used;
    uint16_t next_desc;         /* Next descriptor to fill. */
    uint16_t avail_idx;         /* The guest's copy of avail->idx. */
    uint16_t last_used;         /* Next used entry the guest reads. */
    uint32_t hdr_len;

    /* The buffers of each chain posted, by head, to read RX packets. */
    struct seg bufs[MAX_RING][MAX_SEGS];
    int n_bufs[MAX_RING];

    struct virtq q;
};

static uint8_t
pattern(int seed, size_t i)
{
    return seed + i * 7 + (i >> 8);
}

/* Returns the test's own mapping of guest physical 'gpa' (up to 'len'
 * bytes), which must be in guest memory. */
static uint8_t *
hva(uint64_t gpa, uint32_t len)
{
    for (int i = 0; i < mem->nregions; i++) {
        struct rte_vhost_mem_region *r = &mem->regions[i];

        if (gpa >= r->guest_phys_addr
            && gpa + len <= r->guest_phys_addr + r->size) {
            return (uint8_t *) (uintptr_t) (r->host_user_addr
                                            + (gpa - r->guest_phys_addr));
        }
    }
    ovs_fatal(0, "test bug: %#"PRIx64"+%"PRIu32" not in guest memory",
              gpa, len);
}

static void
memory_create(void)
{
    mem = xzalloc(sizeof *mem + 2 * sizeof mem->regions[0]);
    mem->nregions = 2;
    for (int i = 0; i < 2; i++) {
        struct rte_vhost_mem_region *r = &mem->regions[i];
        void *p = xmalloc(REGION_SIZE);

        memset(p, 0x55, REGION_SIZE);
        r->guest_phys_addr = i ? GPA1 : GPA0;
        r->guest_user_addr = r->guest_phys_addr;
        r->host_user_addr = (uintptr_t) p;
        r->size = REGION_SIZE;
        r->mmap_addr = p;
        r->mmap_size = REGION_SIZE;
        r->fd = -1;
    }
}

static void
memory_destroy(void)
{
    for (int i = 0; i < mem->nregions; i++) {
        free(mem->regions[i].mmap_addr);
    }
    free(mem);
}

/* Copies 'len' bytes between guest memory at 'gpa', which may span
 * adjacent regions, and 'buf': into the guest if 'to_guest'. */
static void
guest_memcpy(uint64_t gpa, void *buf_, uint32_t len, bool to_guest)
{
    uint8_t *buf = buf_;

    while (len) {
        uint64_t end = gpa < GPA1 ? GPA1 : GPA1 + REGION_SIZE;
        uint32_t piece = MIN(len, end - gpa);
        uint8_t *p = hva(gpa, piece);

        if (to_guest) {
            memcpy(p, buf, piece);
        } else {
            memcpy(buf, p, piece);
        }
        gpa += piece;
        buf += piece;
        len -= piece;
    }
}

static struct guest *
guest_create(uint16_t size, uint64_t features, uint16_t start, int callfd)
{
    struct guest *g = xzalloc(sizeof *g);
    struct rte_vhost_vring vring;
    int error;

    ovs_assert(size <= MAX_RING);
    g->size = size;

    /* Twice the descriptors the ring has: see guest_poison(). */
    g->desc = xzalloc(2 * size * sizeof *g->desc);
    g->avail = xzalloc(sizeof *g->avail + (size + 1) * sizeof(uint16_t));
    g->used = xzalloc(sizeof *g->used
                      + size * sizeof(struct vring_used_elem) + 2);
    g->avail->idx = g->used->idx = start;
    g->avail_idx = g->last_used = start;

    memset(&vring, 0, sizeof vring);
    vring.desc = g->desc;
    vring.avail = g->avail;
    vring.used = g->used;
    vring.callfd = callfd;
    vring.kickfd = -1;
    vring.size = size;
    error = virtq_init(&g->q, "testq", &vring, mem, features, start, start);
    if (error) {
        ovs_fatal(error, "virtq_init");
    }
    g->hdr_len = g->q.hdr_len;
    return g;
}

static void
guest_destroy(struct guest *g)
{
    free(g->desc);
    free(g->avail);
    free(g->used);
    free(g);
}

/* Fills the descriptors past the end of the ring with good-looking ones, of
 * 72 bytes with 'flags', so that a device that wrongly followed an index out
 * of range makes a difference in the output. */
static void
guest_poison(struct guest *g, uint16_t flags)
{
    for (int i = g->size; i < 2 * g->size; i++) {
        g->desc[i].addr = GPA0 + 0x8000;
        g->desc[i].len = 72;
        g->desc[i].flags = flags;
        g->desc[i].next = 0;
    }
}

/* Makes the chain that starts at descriptor 'head' available. */
static void
guest_publish(struct guest *g, uint16_t head)
{
    g->avail->ring[g->avail_idx++ & (g->size - 1)] = head;
    __atomic_store_n(&g->avail->idx, g->avail_idx, __ATOMIC_RELEASE);
}

/* Writes a descriptor. */
static void
guest_desc(struct guest *g, uint16_t i, uint64_t gpa, uint32_t len,
           uint16_t flags, uint16_t next)
{
    g->desc[i].addr = gpa;
    g->desc[i].len = len;
    g->desc[i].flags = flags;
    g->desc[i].next = next;
}

/* Posts a chain of the 'n' buffers in 'segs', each with 'flags', and returns
 * its head. */
static uint16_t
guest_post(struct guest *g, const struct seg *segs, int n, uint16_t flags)
{
    uint16_t head = g->next_desc;

    ovs_assert(n <= MAX_SEGS);
    for (int i = 0; i < n; i++) {
        uint16_t d = g->next_desc;

        g->next_desc = (d + 1) & (g->size - 1);
        guest_desc(g, d, segs[i].gpa, segs[i].len,
                   flags | (i < n - 1 ? VRING_DESC_F_NEXT : 0),
                   g->next_desc);
        g->bufs[head][i] = segs[i];
    }
    g->n_bufs[head] = n;
    guest_publish(g, head);
    return head;
}

/* Posts device-writable buffers 'segs', filled with garbage. */
static uint16_t
guest_post_rx(struct guest *g, const struct seg *segs, int n)
{
    for (int i = 0; i < n; i++) {
        uint8_t *garbage = xmalloc(segs[i].len);

        memset(garbage, 0xaa, segs[i].len);
        guest_memcpy(segs[i].gpa, garbage, segs[i].len, true);
        free(garbage);
    }
    return guest_post(g, segs, n, VRING_DESC_F_WRITE);
}

/* Posts a single device-writable buffer of 'len' bytes at 'gpa'. */
static void
guest_post_rx1(struct guest *g, uint64_t gpa, uint32_t len)
{
    struct seg s = { gpa, len };

    guest_post_rx(g, &s, 1);
}

/* Writes a virtio-net header (of garbage, which the device must ignore)
 * and 'len' bytes of packet 'seed' across 'segs' and posts them. */
static uint16_t
guest_tx(struct guest *g, int seed, uint32_t len, const struct seg *segs,
         int n)
{
    uint32_t total = g->hdr_len + len;
    uint32_t ofs = 0;

    for (int i = 0; i < n; i++) {
        uint8_t *p = xmalloc(segs[i].len);

        for (uint32_t j = 0; j < segs[i].len; j++, ofs++) {
            p[j] = (ofs < g->hdr_len ? 0xee
                    : ofs < total ? pattern(seed, ofs - g->hdr_len)
                    : 0);
        }
        guest_memcpy(segs[i].gpa, p, segs[i].len, true);
        free(p);
    }
    return guest_post(g, segs, n, 0);
}

/* Posts packet 'seed' of 'len' bytes in one buffer at 'gpa'. */
static uint16_t
guest_tx1(struct guest *g, int seed, uint32_t len, uint64_t gpa)
{
    struct seg s = { gpa, g->hdr_len + len };

    return guest_tx(g, seed, len, &s, 1);
}

/* Prints the used entries added since the last call. */
static void
guest_reap(struct guest *g)
{
    uint16_t used_idx = __atomic_load_n(&g->used->idx, __ATOMIC_ACQUIRE);

    printf("used:");
    if (used_idx == g->last_used) {
        printf(" none");
    }
    while (g->last_used != used_idx) {
        struct vring_used_elem *e;

        e = &g->used->ring[g->last_used++ & (g->size - 1)];
        printf(" %"PRIu32"/%"PRIu32, e->id, e->len);
    }
    printf("\n");
}

/* Copies the first 'len' bytes of the buffers of chain 'id' into 'dst' and
 * returns how many there were. */
static uint32_t
guest_read_chain(struct guest *g, uint32_t id, uint32_t len, uint8_t *dst)
{
    uint32_t n = 0;

    for (int i = 0; i < g->n_bufs[id] && n < len; i++) {
        const struct seg *s = &g->bufs[id][i];
        uint32_t chunk = MIN(s->len, len - n);

        guest_memcpy(s->gpa, dst + n, chunk, false);
        n += chunk;
    }
    return n;
}

/* Checks that the device wrote exactly 'len' bytes into chain 'id': that
 * much fits, and the byte after it, if any, is still the garbage the guest
 * filled the buffers with.  Prints a complaint otherwise. */
static void
check_used_len(struct guest *g, uint32_t id, uint32_t len)
{
    uint32_t ofs = len;

    for (int i = 0; i < g->n_bufs[id]; i++) {
        const struct seg *s = &g->bufs[id][i];

        if (ofs < s->len) {
            if (*hva(s->gpa + ofs, 1) != 0xaa) {
                printf(" OVERRUN");
            }
            return;
        }
        ofs -= s->len;
    }
    if (ofs) {
        printf(" OVERLONG");
    }
}

static void
print_data(const uint8_t *data, uint32_t len)
{
    bool ok = true;

    for (uint32_t i = 0; i < len; i++) {
        if (data[i] != pattern(data[0], i)) {
            ok = false;
            break;
        }
    }
    printf(" len %"PRIu32, len);
    if (len) {
        printf(" seed %d data %s", data[0], ok ? "ok" : "BAD");
    }
}

/* Prints the packets the device delivered to the guest since the last call,
 * checking their virtio-net headers. */
static void
guest_rx(struct guest *g)
{
    uint16_t used_idx = __atomic_load_n(&g->used->idx, __ATOMIC_ACQUIRE);

    if (used_idx == g->last_used) {
        printf("rx: none\n");
    }
    while (g->last_used != used_idx) {
        static uint8_t pkt[2 * REGION_SIZE];
        struct vring_used_elem *e;
        uint32_t n_bufs = 1, len = 0;
        bool hdr_ok = true;

        e = &g->used->ring[g->last_used & (g->size - 1)];
        if (e->len < g->hdr_len) {
            printf("rx: %"PRIu32"/%"PRIu32" empty\n", e->id, e->len);
            g->last_used++;
            continue;
        }
        len = guest_read_chain(g, e->id, e->len, pkt);
        if (g->hdr_len == 12) {
            uint16_t nb = pkt[10] | (pkt[11] << 8);

            if (g->q.mergeable) {
                n_bufs = nb;
            } else if (nb != 1) {
                hdr_ok = false;
            }
        }
        for (int i = 0; i < 10; i++) {
            if (pkt[i]) {
                hdr_ok = false;
            }
        }
        if (n_bufs == 0 || n_bufs > (uint16_t) (used_idx - g->last_used)) {
            printf("rx: bad num_buffers %"PRIu32"\n", n_bufs);
            g->last_used = used_idx;
            return;
        }

        printf("rx:");
        for (uint32_t i = 0; i < n_bufs; i++) {
            e = &g->used->ring[g->last_used++ & (g->size - 1)];
            printf(" %"PRIu32"/%"PRIu32, e->id, e->len);
            check_used_len(g, e->id, e->len);
            if (i) {
                len += guest_read_chain(g, e->id, e->len, pkt + len);
            }
        }
        printf(" hdr %s", hdr_ok ? "ok" : "BAD");
        if (g->q.mergeable) {
            printf(" num_buffers %"PRIu32, n_bufs);
        }
        print_data(pkt + g->hdr_len, len - g->hdr_len);
        printf("\n");
    }
}

static void
print_pkts(struct rte_mbuf **pkts, int n)
{
    for (int i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i];

        printf("pkt:");
        if (m->nb_segs != 1 || m->data_len != m->pkt_len) {
            printf(" BAD mbuf: %"PRIu16" segs, %"PRIu16" of %"PRIu32
                   " bytes", m->nb_segs, m->data_len, m->pkt_len);
        }
        print_data(rte_pktmbuf_mtod(m, uint8_t *), m->pkt_len);
        printf("\n");
        rte_pktmbuf_free(m);
    }
}

/* Dequeues up to 'n' packets and prints them and the used entries. */
static void
dequeue(struct guest *g, int n)
{
    struct rte_mbuf *pkts[64];
    int n_pkts;

    ovs_assert(n <= ARRAY_SIZE(pkts));
    n_pkts = virtq_dequeue(&g->q, mp, pkts, n);
    printf("dequeue %d: %d\n", n, n_pkts);
    print_pkts(pkts, n_pkts);
    guest_reap(g);
}

static struct rte_mbuf *
make_mbuf(int seed, uint32_t ofs, uint32_t len)
{
    struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
    uint8_t *p;

    ovs_assert(m);
    p = (uint8_t *) rte_pktmbuf_append(m, len);
    ovs_assert(p);
    for (uint32_t i = 0; i < len; i++) {
        p[i] = pattern(seed, ofs + i);
    }
    return m;
}

/* Returns packet 'seed' of 'len' bytes in an mbuf of 'n_segs' segments. */
static struct rte_mbuf *
make_pkt(int seed, uint32_t len, int n_segs)
{
    uint32_t seg_len = len / n_segs;
    struct rte_mbuf *m = make_mbuf(seed, 0, len - seg_len * (n_segs - 1));

    for (int i = 1; i < n_segs; i++) {
        struct rte_mbuf *tail = make_mbuf(seed, m->pkt_len, seg_len);

        ovs_assert(!rte_pktmbuf_chain(m, tail));
    }
    return m;
}

/* Enqueues the 'n' packets in 'pkts', prints the result, frees them. */
static void
enqueue(struct guest *g, struct rte_mbuf **pkts, int n)
{
    int n_done = virtq_enqueue(&g->q, pkts, n);

    printf("enqueue %d: %d\n", n, n_done);
    for (int i = 0; i < n; i++) {
        rte_pktmbuf_free(pkts[i]);
    }
    guest_rx(g);
}

/* Enqueues packet 'seed' of 'len' bytes, in one segment. */
static void
enqueue1(struct guest *g, int seed, uint32_t len)
{
    struct rte_mbuf *m = make_pkt(seed, len, 1);

    enqueue(g, &m, 1);
}

static void
print_state(const struct guest *g)
{
    const struct virtq_stats *s = &g->q.stats;

    printf("stats: packets %"PRIu64" bytes %"PRIu64" bad_descs %"PRIu64
           " dropped %"PRIu64" calls %"PRIu64"\n",
           counter_get(&s->packets), counter_get(&s->bytes),
           counter_get(&s->bad_descs), counter_get(&s->dropped),
           counter_get(&s->calls));
    printf("idx: last_avail %"PRIu16" last_used %"PRIu16" used %"PRIu16
           " has_avail %s\n", g->q.last_avail_idx, g->q.last_used_idx,
           g->used->idx, virtq_has_avail(&g->q) ? "yes" : "no");
}

/* Dequeues single- and multi-descriptor packets, with the header alone in
 * a descriptor or split across two, and packets too big for an mbuf. */
static void
test_dequeue(int hdr_len)
{
    struct guest *g = guest_create(8, hdr_len == 12 ? F_VERSION_1 : 0, 0,
                                   -1);
    struct seg segs[3], segs8[8];

    printf("hdr_len %"PRIu32"\n", g->hdr_len);
    guest_tx1(g, 1, 60, GPA0);

    /* Header alone, then data in both regions. */
    segs[0] = (struct seg) { GPA0 + 0x1000, hdr_len };
    segs[1] = (struct seg) { GPA1, 30 };
    segs[2] = (struct seg) { GPA0 + 0x2000, 30 };
    guest_tx(g, 2, 60, segs, 3);

    /* Header split, the rest in region 1. */
    segs[0] = (struct seg) { GPA1 + 0x1000, 5 };
    segs[1] = (struct seg) { GPA1 + 0x2000, hdr_len - 5 + 100 };
    guest_tx(g, 3, 100, segs, 2);

    /* A header with no data. */
    guest_tx1(g, 4, 0, GPA0 + 0x3000);
    print_state(g);

    dequeue(g, 2);
    print_state(g);
    dequeue(g, 32);
    print_state(g);

    /* Too big for an mbuf, but not for the ring: dropped. */
    guest_tx1(g, 5, 3000, GPA0 + 0x4000);
    guest_tx1(g, 6, VIRTQ_MAX_FRAME_LEN, GPA1 + 0x4000);

    /* A packet of the largest size that fits an mbuf. */
    guest_tx1(g, 7, RTE_MBUF_DEFAULT_DATAROOM, GPA0 + 0x8000);
    dequeue(g, 32);
    print_state(g);
    dequeue(g, 32);

    /* A chain of all the ring's descriptors. */
    for (int i = 0; i < 8; i++) {
        segs8[i] = (struct seg) { GPA1 + 0x8000 + i * 0x100, 20 };
    }
    guest_tx(g, 8, 8 * 20 - hdr_len, segs8, 8);
    dequeue(g, 32);
    print_state(g);

    /* A buffer that spans the two regions, which are adjacent. */
    guest_tx1(g, 9, 60, GPA1 - 30);
    dequeue(g, 32);
    print_state(g);
    guest_destroy(g);
}

/* Enqueues without VIRTIO_NET_F_MRG_RXBUF. */
static void
test_enqueue(int hdr_len)
{
    struct guest *g = guest_create(8, hdr_len == 12 ? F_VERSION_1 : 0, 0,
                                   -1);
    struct rte_mbuf *pkts[5];
    struct seg segs[2];

    printf("hdr_len %"PRIu32"\n", g->hdr_len);

    /* The guest gave no buffers. */
    enqueue1(g, 1, 60);

    guest_post_rx1(g, GPA0, 2048);
    segs[0] = (struct seg) { GPA1, hdr_len };
    segs[1] = (struct seg) { GPA0 + 0x1000, 1500 };
    guest_post_rx(g, segs, 2);
    guest_post_rx1(g, GPA1 + 0x1000, 100);
    print_state(g);

    pkts[0] = make_pkt(2, 60, 1);
    pkts[1] = make_pkt(3, 1000, 3);       /* Into the 2-buffer chain. */
    pkts[2] = make_pkt(4, 200, 1);        /* Does not fit 100 bytes. */
    pkts[3] = make_pkt(5, 100 - hdr_len, 2);      /* Fits exactly. */
    pkts[4] = make_pkt(6, 60, 1);         /* No buffer left. */
    enqueue(g, pkts, 5);
    print_state(g);

    /* A buffer exactly the size of the header takes only empty packets. */
    guest_post_rx1(g, GPA0 + 0x2000, hdr_len);
    enqueue1(g, 7, 1);
    enqueue1(g, 8, 0);
    print_state(g);

    /* A buffer that spans the two regions, which are adjacent. */
    guest_post_rx1(g, GPA1 - 50, 100);
    enqueue1(g, 9, 60);
    print_state(g);
    guest_destroy(g);
}

/* Enqueues with VIRTIO_NET_F_MRG_RXBUF. */
static void
test_enqueue_mergeable(void)
{
    struct guest *g = guest_create(8, F_MRG_RXBUF, 0, -1);
    struct rte_mbuf *pkts[4];
    struct seg segs[2];

    printf("hdr_len %"PRIu32"\n", g->hdr_len);
    enqueue1(g, 1, 60);

    for (int i = 0; i < 3; i++) {
        guest_post_rx1(g, GPA0 + i * 0x100, 100);
    }
    /* The header and its num_buffers split across two buffers. */
    segs[0] = (struct seg) { GPA1, 11 };
    segs[1] = (struct seg) { GPA1 + 0x100, 89 };
    guest_post_rx(g, segs, 2);
    guest_post_rx1(g, GPA0 + 0x400, 100);
    guest_post_rx1(g, GPA0 + 0x500, 100);

    pkts[0] = make_pkt(2, 250, 1);        /* 3 buffers. */
    pkts[1] = make_pkt(3, 150, 2);        /* 2, the first one split. */
    pkts[2] = make_pkt(4, 50, 1);         /* 1. */
    pkts[3] = make_pkt(5, 500, 1);        /* 6, but none are left. */
    enqueue(g, pkts, 4);
    print_state(g);

    /* 2 buffers are not enough: nothing is used. */
    guest_post_rx1(g, GPA0 + 0x1000, 100);
    guest_post_rx1(g, GPA0 + 0x1100, 100);
    enqueue1(g, 6, 500);
    print_state(g);

    /* 6 are. */
    for (int i = 0; i < 4; i++) {
        guest_post_rx1(g, GPA0 + 0x1200 + i * 0x100, 100);
    }
    enqueue1(g, 7, 500);
    print_state(g);

    /* No number of buffers the ring can have holds this: dropped. */
    for (int i = 0; i < 8; i++) {
        guest_post_rx1(g, GPA1 + 0x1000 + i * 0x100, 20);
    }
    enqueue1(g, 8, 500);
    print_state(g);
    guest_destroy(g);
}

/* Posts a TX chain of 'n' descriptors: the header, then one byte each. */
static void
guest_tx_long_chain(struct guest *g, int n)
{
    uint16_t head = g->next_desc;

    for (int i = 0; i < n; i++) {
        uint16_t d = (head + i) & (g->size - 1);

        guest_desc(g, d, GPA0 + 0x100 + i, i ? 1 : g->hdr_len,
                   i < n - 1 ? VRING_DESC_F_NEXT : 0,
                   (d + 1) & (g->size - 1));
    }
    g->next_desc = (head + n) & (g->size - 1);
    guest_publish(g, head);
}

/* A packet may take at most VIRTQ_MAX_PACKET_DESCS descriptors, however
 * large the ring: a longer TX chain is dropped as bad, and so is a
 * mergeable RX packet that would need more buffers, instead of walking
 * them all. */
static void
test_packet_budget(void)
{
    struct guest *g = guest_create(512, F_VERSION_1, 0, -1);
    struct rte_mbuf *pkts[2];
    int n;

    for (int n_descs = VIRTQ_MAX_PACKET_DESCS;
         n_descs <= VIRTQ_MAX_PACKET_DESCS + 1; n_descs++) {
        guest_tx_long_chain(g, n_descs);
        n = virtq_dequeue(&g->q, mp, pkts, 1);
        printf("dequeue %d descriptors: %d, len %"PRIu32"\n", n_descs, n,
               n ? pkts[0]->pkt_len : 0);
        rte_pktmbuf_free_bulk(pkts, n);
    }
    print_state(g);
    guest_destroy(g);

    /* 12-byte RX buffers: 2700 bytes and the header take 226 of them,
     * 3200 bytes would take 268. */
    g = guest_create(512, F_VERSION_1 | F_MRG_RXBUF, 0, -1);
    for (int i = 0; i < 300; i++) {
        guest_post_rx1(g, GPA0 + i * 12, 12);
    }
    pkts[0] = make_pkt(1, 2700, 2);
    printf("enqueue 2700 bytes: %d\n", virtq_enqueue(&g->q, pkts, 1));
    rte_pktmbuf_free(pkts[0]);
    for (int i = 0; i < 226; i++) {
        guest_post_rx1(g, GPA0 + i * 12, 12);
    }
    pkts[0] = make_pkt(2, 3200, 2);
    printf("enqueue 3200 bytes: %d\n", virtq_enqueue(&g->q, pkts, 1));
    rte_pktmbuf_free(pkts[0]);
    print_state(g);
    guest_destroy(g);
}

/* Runs packets through both kinds of queues across the wraparound of the
 * ring (size 4) and of the 16-bit indexes. */
static void
test_wrap(void)
{
    struct guest *tx = guest_create(4, F_VERSION_1, 65530, -1);
    struct guest *rx = guest_create(4, F_VERSION_1, 65531, -1);
    struct guest *mrg = guest_create(4, F_MRG_RXBUF, 65532, -1);
    int seed = 0;

    for (int round = 0; round < 5; round++) {
        struct rte_mbuf *pkts[3];
        struct seg segs[2];

        printf("round %d\n", round);
        guest_tx1(tx, seed++, 10 + round, GPA0 + round * 0x100);
        segs[0] = (struct seg) { GPA1 + round * 0x100, 20 };
        segs[1] = (struct seg) { GPA0 + 0x1000 + round * 0x100, 20 };
        guest_tx(tx, seed++, 28, segs, 2);
        guest_tx1(tx, seed++, 30, GPA0 + 0x2000 + round * 0x100);
        dequeue(tx, 8);
        print_state(tx);

        for (int i = 0; i < 3; i++) {
            guest_post_rx1(rx, GPA0 + 0x4000 + i * 0x100, 100);
            pkts[i] = make_pkt(seed++, 20 + i, 1);
        }
        enqueue(rx, pkts, 3);
        print_state(rx);

        /* Two packets in 3 buffers. */
        for (int i = 0; i < 3; i++) {
            guest_post_rx1(mrg, GPA0 + 0x8000 + i * 0x100, 50);
        }
        pkts[0] = make_pkt(seed++, 60, 1);
        pkts[1] = make_pkt(seed++, 10, 1);
        enqueue(mrg, pkts, 2);
        print_state(mrg);
    }
    guest_destroy(tx);
    guest_destroy(rx);
    guest_destroy(mrg);
}

/* Bad TX chains, each followed by a good packet. */
static void
test_bad_tx(void)
{
    struct guest *g = guest_create(8, F_VERSION_1, 0, -1);
    const uint16_t chain = VRING_DESC_F_NEXT;
    int seed = 0;

    guest_poison(g, 0);

    for (int i = 0; ; i++) {
        const char *name;

        /* Each case uses descriptors from 0, then a good one from 4. */
        switch (i) {
        case 0:
            name = "head out of range";
            guest_publish(g, 8);
            break;
        case 1:
            name = "next out of range";
            guest_desc(g, 0, GPA0, 12, chain, 8);
            guest_publish(g, 0);
            break;
        case 2:
            name = "loop";
            guest_desc(g, 0, GPA0, 12, chain, 1);
            guest_desc(g, 1, GPA0, 12, chain, 2);
            guest_desc(g, 2, GPA0, 12, chain, 0);
            guest_publish(g, 0);
            break;
        case 3:
            name = "outside memory";
            guest_desc(g, 0, GPA0, 12, chain, 1);
            guest_desc(g, 1, GPA1 + REGION_SIZE, 60, 0, 0);
            guest_publish(g, 0);
            break;
        case 4:
            name = "just below memory";
            guest_desc(g, 0, GPA0 - 60, 72, 0, 0);
            guest_publish(g, 0);
            break;
        case 5:
            name = "starts in a region and ends outside memory";
            guest_desc(g, 0, GPA1 + REGION_SIZE - 30, 72, 0, 0);
            guest_publish(g, 0);
            break;
        case 6:
            name = "wraps around the address space";
            guest_desc(g, 0, UINT64_MAX - 15, 72, 0, 0);
            guest_publish(g, 0);
            break;
        case 7:
            name = "past the end of the last region";
            guest_desc(g, 0, GPA1 + REGION_SIZE - 71, 72, 0, 0);
            guest_publish(g, 0);
            break;
        case 8:
            name = "device-writable";
            guest_desc(g, 0, GPA0, 12, chain, 1);
            guest_desc(g, 1, GPA0 + 12, 60, VRING_DESC_F_WRITE, 0);
            guest_publish(g, 0);
            break;
        case 9:
            name = "indirect";
            guest_desc(g, 0, GPA0, 16, VRING_DESC_F_INDIRECT, 0);
            guest_publish(g, 0);
            break;
        case 10:
            name = "shorter than the header";
            guest_desc(g, 0, GPA0, 5, chain, 1);
            guest_desc(g, 1, GPA0 + 5, 6, 0, 0);
            guest_publish(g, 0);
            break;
        case 11:
            name = "longer than the maximum frame";
            guest_desc(g, 0, GPA0, 12 + 5000, chain, 1);
            guest_desc(g, 1, GPA1, VIRTQ_MAX_FRAME_LEN - 5000 + 1, 0, 0);
            guest_publish(g, 0);
            break;
        case 12:
            name = "a 4 GiB buffer";
            guest_desc(g, 0, GPA0, UINT32_MAX, 0, 0);
            guest_publish(g, 0);
            break;
        default:
            name = NULL;
            break;
        }
        if (!name) {
            break;
        }
        printf("== %s\n", name);
        g->next_desc = 4;
        guest_tx1(g, seed++, 50, GPA0 + 0x1000);
        g->next_desc = 0;
        dequeue(g, 8);
        print_state(g);
    }

    /* The avail index runs ahead by more than the ring size. */
    printf("== avail index jump\n");
    g->avail->idx += 9;
    print_state(g);
    dequeue(g, 8);
    print_state(g);
    dequeue(g, 8);
    print_state(g);
    g->avail->idx -= 9;
    guest_tx1(g, seed++, 50, GPA0 + 0x1000);
    dequeue(g, 8);
    print_state(g);
    guest_destroy(g);
}

/* Bad RX chains, each followed by a good buffer. */
static void
test_bad_rx(bool mergeable)
{
    struct guest *g = guest_create(8, mergeable ? F_MRG_RXBUF : F_VERSION_1,
                                   0, -1);
    const uint16_t chain = VRING_DESC_F_NEXT | VRING_DESC_F_WRITE;
    const uint16_t w = VRING_DESC_F_WRITE;
    int seed = 0;

    guest_poison(g, w);

    for (int i = 0; ; i++) {
        const char *name;

        switch (i) {
        case 0:
            name = "head out of range";
            guest_publish(g, 8);
            break;
        case 1:
            name = "next out of range";
            guest_desc(g, 0, GPA0, 12, chain, 8);
            guest_publish(g, 0);
            break;
        case 2:
            name = "loop";
            guest_desc(g, 0, GPA0, 12, chain, 1);
            guest_desc(g, 1, GPA0, 12, chain, 0);
            guest_publish(g, 0);
            break;
        case 3:
            name = "outside memory";
            guest_desc(g, 0, GPA0, 12, chain, 1);
            guest_desc(g, 1, 0, 100, w, 0);
            guest_publish(g, 0);
            break;
        case 4:
            name = "starts in a region and ends outside memory";
            guest_desc(g, 0, GPA1 + REGION_SIZE - 50, 100, w, 0);
            guest_publish(g, 0);
            break;
        case 5:
            name = "wraps around the address space";
            guest_desc(g, 0, UINT64_MAX - 50, 100, w, 0);
            guest_publish(g, 0);
            break;
        case 6:
            name = "device-read-only";
            guest_desc(g, 0, GPA0, 12, chain, 1);
            guest_desc(g, 1, GPA0 + 12, 100, 0, 0);
            guest_publish(g, 0);
            break;
        case 7:
            name = "indirect";
            guest_desc(g, 0, GPA0, 16, w | VRING_DESC_F_INDIRECT, 0);
            guest_publish(g, 0);
            break;
        case 8:
            name = "shorter than the header";
            guest_desc(g, 0, GPA0, 11, w, 0);
            guest_publish(g, 0);
            break;
        default:
            name = NULL;
            break;
        }
        if (!name) {
            break;
        }
        printf("== %s\n", name);
        g->next_desc = 4;
        guest_post_rx1(g, GPA0 + 0x1000, 200);
        g->next_desc = 0;
        enqueue1(g, seed++, 50);
        print_state(g);
    }

    printf("== avail index jump\n");
    g->avail->idx += 9;
    enqueue1(g, seed++, 50);
    print_state(g);
    g->avail->idx -= 9;
    guest_post_rx1(g, GPA0 + 0x1000, 200);
    enqueue1(g, seed++, 50);
    print_state(g);

    if (mergeable) {
        struct rte_mbuf *pkts[2];

        /* A bad chain in the middle of a packet drops the packet. */
        printf("== bad chain inside a packet\n");
        g->next_desc = 0;
        guest_post_rx1(g, GPA0 + 0x1000, 100);
        guest_desc(g, 1, GPA0 + 0x2000, 100, 0, 0);
        guest_publish(g, 1);
        g->next_desc = 2;
        guest_post_rx1(g, GPA0 + 0x3000, 100);
        guest_post_rx1(g, GPA0 + 0x4000, 100);
        pkts[0] = make_pkt(seed++, 150, 1);
        pkts[1] = make_pkt(seed++, 150, 1);
        enqueue(g, pkts, 2);
        print_state(g);
    }
    guest_destroy(g);
}

static void
read_call(int fd)
{
    uint64_t value;

    if (read(fd, &value, sizeof value) == sizeof value) {
        printf("call: %"PRIu64"\n", value);
    } else if (errno == EAGAIN) {
        printf("call: none\n");
    } else {
        printf("call: error (%s)\n", ovs_strerror(errno));
    }
}

/* One packet through TX queue 'g', then a notification. */
static void
tx_notify(struct guest *g, int seed)
{
    struct rte_mbuf *m;

    guest_tx1(g, seed, 50, GPA0);
    printf("has_avail: %s\n", virtq_has_avail(&g->q) ? "yes" : "no");
    ovs_assert(virtq_dequeue(&g->q, mp, &m, 1) == 1);
    rte_pktmbuf_free(m);
    printf("has_avail: %s\n", virtq_has_avail(&g->q) ? "yes" : "no");
    virtq_notify_guest(&g->q);
}

/* Interrupts and kick suppression. */
static void
test_notify(void)
{
    int fd = eventfd(0, EFD_NONBLOCK);
    struct guest *g;

    if (fd < 0) {
        ovs_fatal(errno, "eventfd");
    }
    g = guest_create(8, F_VERSION_1, 0, fd);

    printf("== nothing used\n");
    virtq_notify_guest(&g->q);
    read_call(fd);

    printf("== one packet\n");
    tx_notify(g, 1);
    read_call(fd);
    printf("== again, with nothing new\n");
    virtq_notify_guest(&g->q);
    read_call(fd);

    printf("== two packets, then one notification\n");
    guest_tx1(g, 2, 50, GPA0);
    dequeue(g, 1);
    guest_tx1(g, 3, 50, GPA0);
    dequeue(g, 1);
    virtq_notify_guest(&g->q);
    read_call(fd);

    printf("== VRING_AVAIL_F_NO_INTERRUPT\n");
    g->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
    tx_notify(g, 4);
    read_call(fd);
    g->avail->flags = 0;
    virtq_notify_guest(&g->q);
    read_call(fd);
    printf("== interrupts back on\n");
    tx_notify(g, 5);
    read_call(fd);
    print_state(g);

    printf("== kicks\n");
    printf("used flags: %"PRIu16"\n", g->used->flags);
    virtq_set_notify(&g->q, false);
    printf("used flags: %"PRIu16"\n", g->used->flags);
    virtq_set_notify(&g->q, false);
    printf("used flags: %"PRIu16"\n", g->used->flags);
    virtq_set_notify(&g->q, true);
    printf("used flags: %"PRIu16"\n", g->used->flags);
    guest_destroy(g);

    printf("== no call eventfd\n");
    g = guest_create(8, F_VERSION_1, 0, -1);
    tx_notify(g, 6);
    read_call(fd);
    print_state(g);
    guest_destroy(g);
    close(fd);
}

/* virtq_init() of good and bad rings. */
static void
test_init(void)
{
    static const uint16_t sizes[] = { 0, 1, 2, 6, 256, 1000, 32768, 65535 };
    struct vring_desc desc;
    struct vring_avail avail;
    struct vring_used used;
    static const uint64_t features[] = {
        0, F_VERSION_1, F_MRG_RXBUF, F_VERSION_1 | F_MRG_RXBUF,
    };

    for (int i = 0; i < ARRAY_SIZE(sizes); i++) {
        struct rte_vhost_vring vring;
        struct virtq q;
        int error;

        memset(&vring, 0, sizeof vring);
        vring.desc = &desc;
        vring.avail = &avail;
        vring.used = &used;
        vring.callfd = -1;
        vring.size = sizes[i];
        error = virtq_init(&q, "q", &vring, mem, 0, 0, 0);
        printf("size %"PRIu16": %s\n", sizes[i], ovs_strerror(error));
    }
    for (int i = 0; i < ARRAY_SIZE(features); i++) {
        struct rte_vhost_vring vring;
        struct virtq q;

        memset(&vring, 0, sizeof vring);
        vring.desc = &desc;
        vring.avail = &avail;
        vring.used = &used;
        vring.callfd = 7;
        vring.size = 4;
        ovs_assert(!virtq_init(&q, "q", &vring, mem, features[i],
                               3, 5));
        printf("features %#"PRIx64": hdr_len %"PRIu32" mergeable %s "
               "last_avail %"PRIu16" last_used %"PRIu16" callfd %d\n",
               features[i], q.hdr_len, q.mergeable ? "yes" : "no",
               q.last_avail_idx, q.last_used_idx, q.callfd);
    }
}

static void
dpdk_init(void)
{
    char prefix[64];
    char *args[] = {
        program_name, "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
        "--no-telemetry", "--log-level=*:error", prefix,
    };
    int n_args = ARRAY_SIZE(args);

    snprintf(prefix, sizeof prefix, "--file-prefix=test-virtq-%ld",
             (long) getpid());
    if (rte_eal_init(n_args, args) < 0) {
        ovs_fatal(0, "rte_eal_init failed");
    }
    mp = rte_pktmbuf_pool_create("test-virtq", 1023, 0, 0,
                                 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    if (!mp) {
        ovs_fatal(0, "rte_pktmbuf_pool_create failed");
    }
}

/* Shuts DPDK down and removes the runtime directory that rte_eal_init()
 * created, which it leaves behind, empty, even with --no-shconf. */
static void
dpdk_cleanup(void)
{
    char *dir = xstrdup(rte_eal_get_runtime_dir());

    rte_eal_cleanup();
    if (rmdir(dir)) {
        printf("cannot remove %s (%s)\n", dir, ovs_strerror(errno));
    }
    free(dir);
}

int
main(int argc, char *argv[])
{
    static const char *usage = "usage: %s dequeue HDR_LEN | enqueue HDR_LEN"
        " | enqueue-mergeable | wrap | packet-budget | bad-tx | bad-rx"
        " | bad-rx-mergeable | notify | init";
    const char *cmd = argc > 1 ? argv[1] : "";
    int hdr_len = argc > 2 ? atoi(argv[2]) : 12;

    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_SYSLOG, VLL_OFF);
    vlog_set_pattern(VLF_CONSOLE, "%c|%p|%m");
    if (hdr_len != 10 && hdr_len != 12) {
        ovs_fatal(0, usage, program_name);
    }

    memory_create();
    dpdk_init();
    if (!strcmp(cmd, "dequeue")) {
        test_dequeue(hdr_len);
    } else if (!strcmp(cmd, "enqueue")) {
        test_enqueue(hdr_len);
    } else if (!strcmp(cmd, "enqueue-mergeable")) {
        test_enqueue_mergeable();
    } else if (!strcmp(cmd, "wrap")) {
        test_wrap();
    } else if (!strcmp(cmd, "packet-budget")) {
        test_packet_budget();
    } else if (!strcmp(cmd, "bad-tx")) {
        test_bad_tx();
    } else if (!strcmp(cmd, "bad-rx")) {
        test_bad_rx(false);
    } else if (!strcmp(cmd, "bad-rx-mergeable")) {
        test_bad_rx(true);
    } else if (!strcmp(cmd, "notify")) {
        test_notify();
    } else if (!strcmp(cmd, "init")) {
        test_init();
    } else {
        ovs_fatal(0, usage, program_name);
    }

    /* Every mbuf must be back: none leaked, none freed twice. */
    if (rte_mempool_avail_count(mp) != mp->size) {
        printf("mbufs leaked: %u of %u\n", rte_mempool_avail_count(mp),
               mp->size);
    }
    rte_mempool_free(mp);
    dpdk_cleanup();
    memory_destroy();
    return 0;
}
