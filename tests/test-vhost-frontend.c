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

/* A vhost-user front-end (the guest side) that misbehaves, for
 * tests/system-vdpa-fuzz.at, or replaces its dirty log again and again,
 * for tests/system-vdpa-migration.at:
 *
 *   test-vhost-frontend [OPTIONS] SOCKET COMMAND...
 *
 * connects to the vhost-user socket SOCKET that a server mode dpdkvdpa port
 * serves, brings up one queue pair in guest memory of its own (a memfd),
 * then runs the COMMANDs in turn on the transmit vring (vring 1), or the
 * receive vring (vring 0) for "rx-" commands, each of which puts
 * descriptor chains there, kicks, and waits until the back end has handed
 * them all back in the used ring.  With --stdin, it then runs the commands
 * that come on standard input, which lets a test check what each one did
 * on one connection.  See usage() for the commands and options.
 *
 * It prints what it sends and what comes back, keeps the connection open
 * for --hold seconds (or until SIGTERM or SIGINT), and ends with a line
 * "result: ok", exit status 0, or "result: FAILED", exit status 1. */

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "openvswitch/compiler.h"
#include "util.h"

/* vhost-user requests (see the vhost-user specification). */
enum {
    VHOST_USER_GET_FEATURES = 1,
    VHOST_USER_SET_FEATURES = 2,
    VHOST_USER_SET_OWNER = 3,
    VHOST_USER_SET_MEM_TABLE = 5,
    VHOST_USER_SET_LOG_BASE = 6,
    VHOST_USER_SET_VRING_NUM = 8,
    VHOST_USER_SET_VRING_ADDR = 9,
    VHOST_USER_SET_VRING_BASE = 10,
    VHOST_USER_SET_VRING_KICK = 12,
    VHOST_USER_SET_VRING_CALL = 13,
    VHOST_USER_GET_PROTOCOL_FEATURES = 15,
    VHOST_USER_SET_PROTOCOL_FEATURES = 16,
    VHOST_USER_SET_VRING_ENABLE = 18,
};

#define VHOST_USER_VERSION 0x1
#define VHOST_USER_REPLY 0x4
#define VHOST_USER_NEED_REPLY 0x8

#define F_LOG_ALL 26                        /* VHOST_F_LOG_ALL. */
#define F_PROTOCOL_FEATURES 30              /* VHOST_USER_F_... */
#define PROTOCOL_F_REPLY_ACK 3              /* VHOST_USER_PROTOCOL_F_... */
#define PROTOCOL_F_LOG_SHMFD 1
#define LOG_PAGE 4096u                      /* Guest memory per log bit. */

struct vu_header {
    uint32_t request;
    uint32_t flags;
    uint32_t size;                          /* Of the payload. */
};

struct vu_state {
    uint32_t index;
    uint32_t num;
};

struct vu_addr {
    uint32_t index;
    uint32_t flags;
    uint64_t desc;                          /* Front-end virtual addresses. */
    uint64_t used;
    uint64_t avail;
    uint64_t log;
};

struct vu_log {
    uint64_t mmap_size;
    uint64_t mmap_offset;
};

struct vu_region {
    uint64_t guest_phys_addr;
    uint64_t memory_size;
    uint64_t userspace_addr;
    uint64_t mmap_offset;
};

struct vu_mem {
    uint32_t nregions;
    uint32_t padding;
    struct vu_region regions[1];
};

/* Guest memory: one region.  Its guest physical addresses start at
 * GUEST_BASE, so that a small address such as 0x1000 is outside it. */
#define GUEST_BASE UINT64_C(0x40000000)
#define GUEST_SIZE (4u << 20)
#define VRING_OFS(V) ((V) * (256u << 10))   /* Each vring's rings. */
#define BUF_OFS (1u << 20)                  /* Packet buffers. */
#define BUF_SIZE 2048u
#define USED_ALIGN 4096u
#define MAX_BATCH 128                       /* Chains at a time, 'good'. */
#define RX_BUF_LEN 1024u                    /* Receive buffers, 'rx-good'. */
#define RX_CANARY_LEN (BUF_SIZE - RX_BUF_LEN)

#define RX_VRING 0
#define TX_VRING 1
#define N_VRINGS 2
#define FRAME_LEN 64

struct guest_vring {
    struct vring_desc *desc;
    struct vring_avail *avail;
    struct vring_used *used;
    uint16_t avail_idx;                     /* Next avail->idx to publish. */
    uint16_t used_idx;                      /* Used entries seen so far. */
    int kickfd;
    int callfd;
};

static int sock = -1;
static uint8_t *mem;                        /* Guest memory, mapped here. */
static int memfd = -1;
static uint16_t qsize = 256;
static uint32_t hdr_len;                    /* Virtio-net header length. */
static bool reply_ack;
static struct guest_vring vrings[N_VRINGS];
static int timeout_ms = 10000;
static volatile sig_atomic_t stop_signal;
static uint64_t n_interrupts;               /* Via the call eventfd. */
static uint64_t features;                   /* Negotiated. */
static uint64_t protocol_features;          /* Negotiated. */

/* The dirty log ("log-on"), a memfd that the back end maps, and what the
 * logs it replaced held ("rx-log"): a bit per guest page, by guest
 * physical address, as in the vhost-user specification. */
static int log_fd = -1;
static uint8_t *log_map;
static size_t log_size;
static uint8_t *log_seen;
static bool log_resend;                     /* wait_used() replaces it. */
static unsigned int n_log_bases;            /* Logs given so far. */

/* The vring that the current command works on, and the flags that its
 * buffers need: VRING_DESC_F_WRITE for the receive vring. */
static int cur_vring = TX_VRING;
static uint16_t wflag;

static void fatal(const char *format, ...)
    OVS_PRINTF_FORMAT(1, 2) OVS_NO_RETURN;

/* Prints an error message, then "result: FAILED", and exits. */
static void
fatal(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    fputs("test-vhost-frontend: ", stdout);
    vprintf(format, args);
    va_end(args);
    printf("\nresult: FAILED\n");
    exit(EXIT_FAILURE);
}

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void
catch_signal(int signr)
{
    stop_signal = signr;
}

static uint64_t
gpa(const void *p)
{
    return GUEST_BASE + ((const uint8_t *) p - mem);
}

static uint64_t
uva(const void *p)
{
    return (uintptr_t) p;
}

/* The vhost-user connection. */

static void
vu_connect(const char *path)
{
    long long deadline = now_ms() + timeout_ms;
    struct sockaddr_un sun;

    if (strlen(path) >= sizeof sun.sun_path) {
        fatal("%s: socket path too long", path);
    }
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    ovs_strlcpy(sun.sun_path, path, sizeof sun.sun_path);

    for (;;) {
        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0) {
            fatal("socket: %s", ovs_strerror(errno));
        }
        if (!connect(sock, (struct sockaddr *) &sun, sizeof sun)) {
            break;
        }
        if ((errno != ENOENT && errno != ECONNREFUSED)
            || now_ms() >= deadline) {
            fatal("%s: connect failed (%s)", path, ovs_strerror(errno));
        }
        close(sock);
        usleep(100 * 1000);
    }
    printf("connected to %s\n", path);
}

/* Reads exactly 'n' bytes into 'p', waiting at most until 'deadline'. */
static void
read_fully(void *p, size_t n, long long deadline, uint32_t request)
{
    uint8_t *dst = p;

    while (n) {
        struct pollfd pfd = { .fd = sock, .events = POLLIN };
        long long left = deadline - now_ms();
        ssize_t retval;

        if (left <= 0) {
            fatal("request %"PRIu32": no reply from the back end", request);
        }
        retval = poll(&pfd, 1, left);
        if (retval < 0 && errno != EINTR) {
            fatal("poll: %s", ovs_strerror(errno));
        } else if (retval <= 0) {
            continue;
        }
        retval = read(sock, dst, n);
        if (retval < 0 && errno != EINTR && errno != EAGAIN) {
            fatal("request %"PRIu32": read failed (%s)", request,
                  ovs_strerror(errno));
        } else if (!retval) {
            fatal("request %"PRIu32": the back end closed the connection",
                  request);
        } else if (retval > 0) {
            dst += retval;
            n -= retval;
        }
    }
}

/* Receives the reply to 'request' into 'payload', which must be 'size'
 * bytes long. */
static void
vu_recv(uint32_t request, void *payload, uint32_t size)
{
    long long deadline = now_ms() + timeout_ms;
    struct vu_header hdr;

    read_fully(&hdr, sizeof hdr, deadline, request);
    if (hdr.request != request) {
        fatal("request %"PRIu32": reply is for request %"PRIu32, request,
              hdr.request);
    }
    if ((hdr.flags & 0x3) != VHOST_USER_VERSION
        || !(hdr.flags & VHOST_USER_REPLY)) {
        fatal("request %"PRIu32": bad reply flags %#"PRIx32, request,
              hdr.flags);
    }
    if (hdr.size != size) {
        fatal("request %"PRIu32": reply has %"PRIu32" bytes, expected %"
              PRIu32, request, hdr.size, size);
    }
    read_fully(payload, size, deadline, request);
}

/* Sends request 'request' with 'size' bytes of 'payload' and the 'n_fds'
 * file descriptors in 'fds'.  If 'ack' and REPLY_ACK was negotiated, asks
 * for and checks the back end's acknowledgement. */
static void
vu_send(uint32_t request, const void *payload, uint32_t size,
        const int *fds, int n_fds, bool ack)
{
    struct vu_header hdr = {
        .request = request,
        .flags = VHOST_USER_VERSION,
        .size = size,
    };
    char control[CMSG_SPACE(sizeof(int) * 8)];
    struct iovec iov[2];
    struct msghdr msg;
    ssize_t retval;

    ack = ack && reply_ack;
    if (ack) {
        hdr.flags |= VHOST_USER_NEED_REPLY;
    }
    iov[0].iov_base = &hdr;
    iov[0].iov_len = sizeof hdr;
    iov[1].iov_base = (void *) payload;
    iov[1].iov_len = size;

    memset(&msg, 0, sizeof msg);
    msg.msg_iov = iov;
    msg.msg_iovlen = size ? 2 : 1;
    if (n_fds) {
        struct cmsghdr *cmsg;

        memset(control, 0, sizeof control);
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
        cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
        memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * n_fds);
    }

    do {
        retval = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (retval < 0 && errno == EINTR);
    if (retval != (ssize_t) (sizeof hdr + size)) {
        fatal("request %"PRIu32": send failed (%s)", request,
              retval < 0 ? ovs_strerror(errno) : "short write");
    }

    if (ack) {
        uint64_t status;

        vu_recv(request, &status, sizeof status);
        if (status) {
            fatal("request %"PRIu32": back end says it failed (%"PRIu64")",
                  request, status);
        }
    }
}

static uint64_t
vu_get_u64(uint32_t request)
{
    uint64_t value;

    vu_send(request, NULL, 0, NULL, 0, false);
    vu_recv(request, &value, sizeof value);
    return value;
}

static void
vu_set_u64(uint32_t request, uint64_t value)
{
    vu_send(request, &value, sizeof value, NULL, 0, true);
}

static void
vu_set_state(uint32_t request, uint32_t index, uint32_t num)
{
    struct vu_state state = { .index = index, .num = num };

    vu_send(request, &state, sizeof state, NULL, 0, true);
}

static void
vu_set_fd(uint32_t request, uint32_t index, int fd)
{
    uint64_t value = index;

    vu_send(request, &value, sizeof value, &fd, 1, true);
}

/* Guest memory and the vrings. */

static void
setup_memory(void)
{
    memfd = memfd_create("vhost-frontend", MFD_CLOEXEC);
    if (memfd < 0) {
        fatal("memfd_create: %s", ovs_strerror(errno));
    }
    if (ftruncate(memfd, GUEST_SIZE)) {
        fatal("ftruncate: %s", ovs_strerror(errno));
    }
    mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
               0);
    if (mem == MAP_FAILED) {
        fatal("mmap: %s", ovs_strerror(errno));
    }
}

/* Returns the offset of the used ring of a 'size'-entry vring from its
 * descriptor table. */
static size_t
used_offset(uint16_t size)
{
    size_t ofs = (size * sizeof(struct vring_desc)
                  + sizeof(struct vring_avail)
                  + (size + 1) * sizeof(uint16_t));

    return (ofs + USED_ALIGN - 1) / USED_ALIGN * USED_ALIGN;
}

/* Returns the bytes that the rings of a 'size'-entry vring take. */
static size_t
vring_bytes(uint16_t size)
{
    return (used_offset(size) + sizeof(struct vring_used)
            + size * sizeof(struct vring_used_elem) + sizeof(uint16_t));
}

static void
setup_vring(int v)
{
    struct guest_vring *vr = &vrings[v];
    uint8_t *base = mem + VRING_OFS(v);
    struct vu_addr addr;

    vr->desc = (struct vring_desc *) base;
    vr->avail = (struct vring_avail *) (base + qsize * sizeof *vr->desc);
    vr->used = (struct vring_used *) (base + used_offset(qsize));
    vr->avail_idx = vr->used_idx = 0;

    vr->kickfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    vr->callfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (vr->kickfd < 0 || vr->callfd < 0) {
        fatal("eventfd: %s", ovs_strerror(errno));
    }

    vu_set_state(VHOST_USER_SET_VRING_NUM, v, qsize);
    vu_set_state(VHOST_USER_SET_VRING_BASE, v, 0);
    memset(&addr, 0, sizeof addr);
    addr.index = v;
    addr.desc = uva(vr->desc);
    addr.used = uva(vr->used);
    addr.avail = uva(vr->avail);
    vu_send(VHOST_USER_SET_VRING_ADDR, &addr, sizeof addr, NULL, 0, true);
    vu_set_fd(VHOST_USER_SET_VRING_KICK, v, vr->kickfd);
    vu_set_fd(VHOST_USER_SET_VRING_CALL, v, vr->callfd);
}

static void
vu_setup(void)
{
    uint64_t wanted = ((UINT64_C(1) << VIRTIO_F_VERSION_1)
                       | (UINT64_C(1) << F_PROTOCOL_FEATURES)
                       | (UINT64_C(1) << VIRTIO_NET_F_MRG_RXBUF));
    uint64_t offered;
    struct vu_mem table;

    offered = vu_get_u64(VHOST_USER_GET_FEATURES);
    features = offered & wanted;
    printf("features: offered %#"PRIx64", using %#"PRIx64"\n", offered,
           features);
    if (features & (UINT64_C(1) << F_PROTOCOL_FEATURES)) {
        uint64_t protocol = vu_get_u64(VHOST_USER_GET_PROTOCOL_FEATURES);

        protocol &= ((UINT64_C(1) << PROTOCOL_F_REPLY_ACK)
                     | (UINT64_C(1) << PROTOCOL_F_LOG_SHMFD));
        vu_send(VHOST_USER_SET_PROTOCOL_FEATURES, &protocol, sizeof protocol,
                NULL, 0, false);
        reply_ack = protocol & (UINT64_C(1) << PROTOCOL_F_REPLY_ACK);
        protocol_features = protocol;
        printf("protocol features: using %#"PRIx64"\n", protocol);
    }
    vu_send(VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, true);
    vu_set_u64(VHOST_USER_SET_FEATURES, features);
    hdr_len = (features & ((UINT64_C(1) << VIRTIO_F_VERSION_1)
                           | (UINT64_C(1) << VIRTIO_NET_F_MRG_RXBUF))
               ? sizeof(struct virtio_net_hdr_mrg_rxbuf)
               : sizeof(struct virtio_net_hdr));

    setup_memory();
    memset(&table, 0, sizeof table);
    table.nregions = 1;
    table.regions[0].guest_phys_addr = GUEST_BASE;
    table.regions[0].memory_size = GUEST_SIZE;
    table.regions[0].userspace_addr = uva(mem);
    table.regions[0].mmap_offset = 0;
    vu_send(VHOST_USER_SET_MEM_TABLE, &table, sizeof table, &memfd, 1, true);

    for (int v = 0; v < N_VRINGS; v++) {
        setup_vring(v);
    }
    if (features & (UINT64_C(1) << F_PROTOCOL_FEATURES)) {
        for (int v = 0; v < N_VRINGS; v++) {
            vu_set_state(VHOST_USER_SET_VRING_ENABLE, v, 1);
        }
    }
    printf("guest memory: %#"PRIx64"-%#"PRIx64", %"PRIu16"-entry vrings, "
           "%"PRIu32"-byte virtio-net header\n", GUEST_BASE,
           GUEST_BASE + GUEST_SIZE - 1, qsize, hdr_len);
}

/* Building descriptor chains on the current vring. */

static uint8_t *
buf(int i)
{
    return mem + BUF_OFS + (size_t) i * BUF_SIZE;
}

/* Writes a virtio-net header and a 64-byte Ethernet frame, number 'seq', to
 * 'p' and returns their total length. */
static uint32_t
put_frame(uint8_t *p, uint32_t seq)
{
    static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0xfe, 0x01 };
    static const uint8_t src[6] = { 0x02, 0, 0, 0, 0xfe, 0x02 };
    uint8_t *eth = p + hdr_len;

    memset(p, 0, hdr_len + FRAME_LEN);
    memcpy(eth, dst, sizeof dst);
    memcpy(eth + 6, src, sizeof src);
    eth[12] = 0x88;                         /* Local experimental type. */
    eth[13] = 0xb5;
    memcpy(eth + 14, &seq, sizeof seq);
    return hdr_len + FRAME_LEN;
}

static void
set_desc(int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    struct vring_desc *d = &vrings[cur_vring].desc[i];

    d->addr = addr;
    d->len = len;
    d->flags = flags;
    d->next = next;
}

/* Makes the chain with head 'head' available, without kicking. */
static void
post(uint16_t head)
{
    struct guest_vring *vr = &vrings[cur_vring];

    vr->avail->ring[vr->avail_idx++ % qsize] = head;
    __atomic_store_n(&vr->avail->idx, vr->avail_idx, __ATOMIC_RELEASE);
}

static void
kick(void)
{
    uint64_t one = 1;

    if (write(vrings[cur_vring].kickfd, &one, sizeof one) != sizeof one) {
        fatal("kick: %s", ovs_strerror(errno));
    }
}

/* Waits up to 'ms' milliseconds for the back end to interrupt us, or for
 * 'fd' (if nonnegative) to become readable, which it reports in '*readyp',
 * and dies if the back end closed the connection.  Returns false if a
 * signal asked us to stop, otherwise true. */
static bool
wait_event_fd(int ms, int fd, bool *readyp)
{
    struct pollfd pfds[3] = {
        { .fd = vrings[cur_vring].callfd, .events = POLLIN },
        { .fd = sock, .events = POLLIN },
        { .fd = fd, .events = POLLIN },
    };
    uint64_t count;

    if (!stop_signal && poll(pfds, fd >= 0 ? 3 : 2, ms) < 0
        && errno != EINTR) {
        fatal("poll: %s", ovs_strerror(errno));
    }
    if (pfds[0].revents & POLLIN) {
        if (read(pfds[0].fd, &count, sizeof count) == sizeof count) {
            n_interrupts += count;
        } else if (errno != EAGAIN) {
            fatal("reading the call eventfd: %s", ovs_strerror(errno));
        }
    }
    if (pfds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        char c;

        if (recv(sock, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) {
            fatal("the back end closed the connection");
        }
        fatal("unexpected message from the back end");
    }
    if (readyp) {
        *readyp = fd >= 0 && pfds[2].revents & (POLLIN | POLLHUP | POLLERR);
    }
    return !stop_signal;
}

static bool
wait_event(int ms)
{
    return wait_event_fd(ms, -1, NULL);
}

/* Gives the back end a new dirty log (SET_LOG_BASE), as QEMU does when the
 * log must grow, and once it replied, adds what the old one held to
 * 'log_seen' and drops it, as QEMU does. */
static void
log_new(void)
{
    struct vu_log log = { .mmap_size = log_size, .mmap_offset = 0 };
    uint8_t *old_map = log_map;
    int old_fd = log_fd;

    log_fd = memfd_create("vhost-frontend-log", MFD_CLOEXEC);
    if (log_fd < 0) {
        fatal("memfd_create: %s", ovs_strerror(errno));
    }
    if (ftruncate(log_fd, log_size)) {
        fatal("ftruncate: %s", ovs_strerror(errno));
    }
    log_map = mmap(NULL, log_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                   log_fd, 0);
    if (log_map == MAP_FAILED) {
        fatal("mmap: %s", ovs_strerror(errno));
    }
    vu_send(VHOST_USER_SET_LOG_BASE, &log, sizeof log, &log_fd, 1, false);
    vu_recv(VHOST_USER_SET_LOG_BASE, NULL, 0);
    n_log_bases++;
    if (old_map) {
        for (size_t i = 0; i < log_size; i++) {
            log_seen[i] |= old_map[i];
        }
        munmap(old_map, log_size);
        close(old_fd);
    }
}

/* Whether the log bit of the guest page at 'gpa_' is set in 'log_seen'. */
static bool
log_has(uint64_t gpa_)
{
    uint64_t page = gpa_ / LOG_PAGE;

    return page / 8 < log_size && log_seen[page / 8] & (1u << (page % 8));
}

/* Waits until the back end has returned every available chain in the used
 * ring, and prints the used entries. */
static void
wait_used(void)
{
    struct guest_vring *vr = &vrings[cur_vring];
    long long deadline = now_ms() + timeout_ms;
    uint16_t used_start = vr->used_idx;
    int n_printed = 0;

    while (vr->used_idx != vr->avail_idx) {
        uint16_t used = __atomic_load_n(&vr->used->idx, __ATOMIC_ACQUIRE);

        if ((uint16_t) (used - vr->used_idx)
            > (uint16_t) (vr->avail_idx - vr->used_idx)) {
            fatal("used index %"PRIu16" is beyond the avail index %"PRIu16,
                  used, vr->avail_idx);
        }
        for (; vr->used_idx != used; vr->used_idx++) {
            struct vring_used_elem *e = &vr->used->ring[vr->used_idx % qsize];

            if (n_printed++ < 8) {
                printf("  used: id %"PRIu32" len %"PRIu32"\n", e->id,
                       e->len);
            }
        }
        if (vr->used_idx == vr->avail_idx) {
            break;
        }
        if (now_ms() >= deadline) {
            fatal("the back end used %d of %d chains in %d ms",
                  (uint16_t) (vr->used_idx - used_start),
                  (uint16_t) (vr->avail_idx - used_start), timeout_ms);
        }
        if (log_resend) {
            log_new();
        }
        if (!wait_event(log_resend ? 0 : 10)) {
            fatal("stopped by signal %d while waiting for the back end",
                  (int) stop_signal);
        }
    }
    if (n_printed > 8) {
        printf("  (%d used entries in all)\n", n_printed);
    }
}

/* Sends one chain with head descriptor 0, kicks and waits for it back. */
static void
send_chain(const char *what)
{
    printf("%s\n", what);
    fflush(stdout);
    post(0);
    kick();
    wait_used();
}

/* The commands. */

static void
cmd_good(int n)
{
    int max_batch = qsize / 2 < MAX_BATCH ? qsize / 2 : MAX_BATCH;
    uint64_t interrupts = n_interrupts;
    int seq = 0;

    printf("sending %d good %d-byte frames\n", n, FRAME_LEN);
    fflush(stdout);
    if (!max_batch) {
        max_batch = 1;
    }
    while (seq < n) {
        int batch = n - seq < max_batch ? n - seq : max_batch;

        for (int i = 0; i < batch; i++) {
            uint32_t len = put_frame(buf(i), seq++);

            set_desc(i, gpa(buf(i)), len, 0, 0);
            post(i);
        }
        kick();
        wait_used();
    }

    /* The back end interrupts us after it fills the used ring, unless we
     * asked it not to, which we do not. */
    wait_event(100);
    printf("interrupted: %s\n", n_interrupts > interrupts ? "yes" : "no");
}

static void
cmd_outside(void)
{
    set_desc(0, 0x1000, hdr_len + FRAME_LEN, wflag, 0);
    send_chain("buffer at 0x1000, below guest memory");
}

static void
cmd_beyond(void)
{
    put_frame(buf(0), 0);
    set_desc(0, GUEST_BASE + GUEST_SIZE + 0x1000, hdr_len + FRAME_LEN, wflag,
             0);
    send_chain("buffer past the end of guest memory");
}

static void
cmd_straddle(void)
{
    set_desc(0, GUEST_BASE + GUEST_SIZE - 32, hdr_len + FRAME_LEN, wflag,
             0);
    send_chain("buffer straddling the end of guest memory");
}

static void
cmd_wrap(void)
{
    set_desc(0, UINT64_MAX - 15, hdr_len + FRAME_LEN, wflag, 0);
    send_chain("buffer whose end wraps around 2**64");
}

static void
cmd_huge_len(void)
{
    put_frame(buf(0), 0);
    set_desc(0, gpa(buf(0)), UINT32_MAX, wflag, 0);
    send_chain("buffer of 0xffffffff bytes");
}

static void
cmd_too_long(void)
{
    put_frame(buf(0), 0);
    set_desc(0, gpa(buf(0)), 1u << 20, 0, 0);
    send_chain("buffer of 1 MiB inside guest memory (longer than a frame)");
}

static void
cmd_bad_head(void)
{
    printf("avail ring entry %"PRIu16" (ring size %"PRIu16")\n", qsize + 5,
           qsize);
    fflush(stdout);
    post(qsize + 5);
    kick();
    wait_used();
}

static void
cmd_bad_next(void)
{
    uint32_t len = put_frame(buf(0), 0);

    set_desc(0, gpa(buf(0)), len, wflag | VRING_DESC_F_NEXT, 0xffff);
    send_chain("chain whose next index is 65535");
}

static void
cmd_loop(void)
{
    put_frame(buf(0), 0);
    set_desc(0, gpa(buf(0)), 12, wflag | VRING_DESC_F_NEXT, 1);
    set_desc(1, gpa(buf(1)), 12, wflag | VRING_DESC_F_NEXT, 0);
    send_chain("chain 0 -> 1 -> 0 -> ... (a loop)");
}

static void
cmd_self_loop(void)
{
    set_desc(0, gpa(buf(0)), 0, wflag | VRING_DESC_F_NEXT, 0);
    send_chain("chain 0 -> 0 -> ... of empty buffers (a loop)");
}

static void
cmd_indirect(void)
{
    struct vring_desc *table = (struct vring_desc *) buf(1);
    uint32_t len = put_frame(buf(0), 0);

    table[0].addr = gpa(buf(0));
    table[0].len = len;
    table[0].flags = wflag;
    table[0].next = 0;
    set_desc(0, gpa(table), sizeof *table,
             wflag | VRING_DESC_F_INDIRECT, 0);
    send_chain("indirect descriptor (INDIRECT_DESC not negotiated)");
}

static void
cmd_writable(void)
{
    uint32_t len = put_frame(buf(0), 0);

    set_desc(0, gpa(buf(0)), len, VRING_DESC_F_WRITE, 0);
    send_chain("device-writable buffer in a TX chain");
}

static void
cmd_readonly(void)
{
    set_desc(0, gpa(buf(0)), BUF_SIZE, 0, 0);
    send_chain("device-read-only buffer in an RX chain");
}

/* Makes 'n' receive buffers of RX_BUF_LEN bytes available, each followed
 * by RX_CANARY_LEN bytes the back end must not touch, waits until it fills
 * them all, and checks what it wrote. */
static void
cmd_rx_good(int n)
{
    int max_batch = qsize < MAX_BATCH ? qsize : MAX_BATCH;
    struct guest_vring *vr = &vrings[cur_vring];
    uint32_t min_len = UINT32_MAX, max_len = 0;
    int done = 0;

    printf("receiving %d frames\n", n);
    fflush(stdout);
    while (done < n) {
        int batch = n - done < max_batch ? n - done : max_batch;
        uint16_t used_start = vr->used_idx;

        for (int i = 0; i < batch; i++) {
            memset(buf(i), 0x5a, RX_BUF_LEN);
            memset(buf(i) + RX_BUF_LEN, 0xa5, RX_CANARY_LEN);
            set_desc(i, gpa(buf(i)), RX_BUF_LEN, VRING_DESC_F_WRITE, 0);
            post(i);
        }
        wait_used();

        for (uint16_t u = used_start; u != vr->used_idx; u++) {
            const struct vring_used_elem *e = &vr->used->ring[u % qsize];
            struct virtio_net_hdr_mrg_rxbuf hdr;

            if (e->id >= batch) {
                fatal("used id %"PRIu32" was not made available", e->id);
            }
            if (e->len < hdr_len + 14 || e->len > RX_BUF_LEN) {
                fatal("used length %"PRIu32" for a %u-byte buffer", e->len,
                      RX_BUF_LEN);
            }
            memcpy(&hdr, buf(e->id), sizeof hdr);
            if (hdr_len == sizeof hdr && hdr.num_buffers != 1) {
                fatal("frame in %"PRIu16" buffers, expected 1",
                      hdr.num_buffers);
            }
            min_len = e->len < min_len ? e->len : min_len;
            max_len = e->len > max_len ? e->len : max_len;
        }
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < RX_CANARY_LEN; j++) {
                if (buf(i)[RX_BUF_LEN + j] != 0xa5) {
                    fatal("the back end wrote past receive buffer %d", i);
                }
            }
        }
        done += batch;
    }
    printf("received %d frames of %"PRIu32" to %"PRIu32" bytes with their "
           "headers\n", n, min_len, max_len);
    printf("nothing written past the buffers\n");
}

/* Turns dirty page logging on, as QEMU does when a live migration starts:
 * a log (SET_LOG_BASE), then VHOST_F_LOG_ALL (SET_FEATURES). */
static void
cmd_log_on(void)
{
    if (!(protocol_features & (UINT64_C(1) << PROTOCOL_F_LOG_SHMFD))
        || !(vu_get_u64(VHOST_USER_GET_FEATURES)
             & (UINT64_C(1) << F_LOG_ALL))) {
        fatal("the back end offers no dirty page logging");
    }
    log_size = ((GUEST_BASE + GUEST_SIZE) / LOG_PAGE + 7) / 8;
    free(log_seen);
    log_seen = xzalloc(log_size);
    log_new();
    features |= UINT64_C(1) << F_LOG_ALL;
    vu_set_u64(VHOST_USER_SET_FEATURES, features);
    printf("dirty page logging on, %zu-byte log\n", log_size);
}

/* As "rx-good:N", and while the back end fills each batch of receive
 * buffers, gives it one new dirty log after another; then checks that the
 * logs, old and current, have every page that it wrote marked. */
static void
cmd_rx_log(int n)
{
    int max_batch = qsize < MAX_BATCH ? qsize : MAX_BATCH;
    struct guest_vring *vr = &vrings[cur_vring];
    unsigned int n_bases = n_log_bases;
    int done = 0;

    if (!log_map) {
        fatal("rx-log needs log-on first");
    }
    printf("receiving %d frames while replacing the dirty log\n", n);
    fflush(stdout);
    while (done < n) {
        int batch = n - done < max_batch ? n - done : max_batch;
        uint16_t used_start = vr->used_idx;

        /* Each batch starts with no page marked, as after QEMU syncs the
         * log.  (The back end writes nothing while no buffer is
         * available.) */
        memset(log_map, 0, log_size);
        memset(log_seen, 0, log_size);
        for (int i = 0; i < batch; i++) {
            memset(buf(i), 0x5a, RX_BUF_LEN);
            set_desc(i, gpa(buf(i)), RX_BUF_LEN, VRING_DESC_F_WRITE, 0);
            post(i);
        }
        log_resend = true;
        wait_used();
        log_resend = false;
        for (size_t i = 0; i < log_size; i++) {
            log_seen[i] |= log_map[i];
        }

        for (uint16_t u = used_start; u != vr->used_idx; u++) {
            const struct vring_used_elem *e = &vr->used->ring[u % qsize];
            uint64_t start;

            if (e->id >= batch || !e->len || e->len > RX_BUF_LEN) {
                fatal("used entry: id %"PRIu32" len %"PRIu32, e->id, e->len);
            }
            start = gpa(buf(e->id));
            for (uint64_t p = start / LOG_PAGE;
                 p <= (start + e->len - 1) / LOG_PAGE; p++) {
                if (!log_has(p * LOG_PAGE)) {
                    fatal("receive buffer %"PRIu32" (guest page %#"PRIx64") "
                          "written but not logged", e->id, p * LOG_PAGE);
                }
            }
        }
        done += batch;
    }
    printf("received %d frames, every page written logged, %u new logs\n",
           n, n_log_bases - n_bases);
}

/* Takes the chains the back end returned on the current vring and pushes
 * their heads on 'free_ids', returning how many; calls 'cb' for each. */
static int
reap_used(uint16_t *free_ids, int *n_free,
          void (*cb)(const struct vring_used_elem *))
{
    struct guest_vring *vr = &vrings[cur_vring];
    uint16_t used = __atomic_load_n(&vr->used->idx, __ATOMIC_ACQUIRE);
    int n = 0;

    if ((uint16_t) (used - vr->used_idx)
        > (uint16_t) (vr->avail_idx - vr->used_idx)) {
        fatal("used index %"PRIu16" is beyond the avail index %"PRIu16,
              used, vr->avail_idx);
    }
    for (; vr->used_idx != used; vr->used_idx++, n++) {
        const struct vring_used_elem *e = &vr->used->ring[vr->used_idx
                                                         % qsize];

        if (e->id >= qsize) {
            fatal("used id %"PRIu32" was not made available", e->id);
        }
        if (cb) {
            cb(e);
        }
        free_ids[(*n_free)++] = e->id;
    }
    return n;
}

/* Kicks, unless the back end said it polls. */
static void
kick_if_needed(void)
{
    struct guest_vring *vr = &vrings[cur_vring];

    if (!(__atomic_load_n(&vr->used->flags, __ATOMIC_ACQUIRE)
          & VRING_USED_F_NO_NOTIFY)) {
        kick();
    }
}

/* Sends 'n' frames numbered 0 to n - 1 as a steady stream, one every 'us'
 * microseconds, reusing each buffer once the back end returned it. */
static void
cmd_pace(int n, int us)
{
    uint16_t free_ids[32768];
    long long start = now_ms(), deadline;
    struct timespec next;
    int n_free = 0;

    printf("sending %d numbered frames, one every %d us\n", n, us);
    fflush(stdout);
    for (int i = 0; i < qsize; i++) {
        free_ids[n_free++] = qsize - 1 - i;
    }
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (int seq = 0; seq < n && !stop_signal; seq++) {
        uint16_t id;

        reap_used(free_ids, &n_free, NULL);
        deadline = now_ms() + timeout_ms;
        while (!n_free) {
            if (now_ms() >= deadline) {
                fatal("the back end took no frame for %d ms", timeout_ms);
            }
            wait_event(1);
            reap_used(free_ids, &n_free, NULL);
        }
        id = free_ids[--n_free];
        set_desc(id, gpa(buf(id)), put_frame(buf(id), seq), 0, 0);
        post(id);
        kick_if_needed();

        next.tv_nsec += us * 1000L;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    kick();
    wait_used();
    printf("sent %d numbered frames in %lld ms\n", n, now_ms() - start);
}

/* What cmd_rx_seq() has seen. */
static uint8_t *seq_seen;
static int seq_n, seq_received, seq_dups, seq_reordered, seq_other;
static int seq_highest = -1;
static long long seq_last_ms;

static void
rx_seq_frame(const struct vring_used_elem *e)
{
    const uint8_t *eth = buf(e->id) + hdr_len;
    uint32_t seq;

    seq_last_ms = now_ms();
    if (e->len < hdr_len + 18 || eth[12] != 0x88 || eth[13] != 0xb5) {
        seq_other++;
        return;
    }
    memcpy(&seq, eth + 14, sizeof seq);
    if (seq >= seq_n) {
        seq_other++;
    } else if (seq_seen[seq]) {
        seq_dups++;
    } else {
        seq_seen[seq] = 1;
        seq_received++;
        if ((int) seq < seq_highest) {
            seq_reordered++;
        } else {
            seq_highest = seq;
        }
    }
}

/* Receives the frames that "pace:N:US" sends, numbered 0 to n - 1, until
 * it has them all or none came for 'idle_ms' milliseconds, and tells how
 * many were lost, duplicated or reordered, the longest run of lost ones
 * and where the first few runs are. */
static void
cmd_rx_seq(int n, int idle_ms)
{
    uint16_t free_ids[32768];
    int n_free = 0, longest = 0, run = 0, runs = 0;

    printf("receiving up to %d numbered frames\n", n);
    fflush(stdout);
    seq_seen = xzalloc(n);
    seq_n = n;
    seq_last_ms = now_ms();
    for (int i = 0; i < qsize; i++) {
        free_ids[n_free++] = i;
    }
    while (seq_received < n && !stop_signal
           && now_ms() - seq_last_ms < (seq_received ? idle_ms
                                        : timeout_ms)) {
        while (n_free) {
            uint16_t id = free_ids[--n_free];

            set_desc(id, gpa(buf(id)), RX_BUF_LEN, VRING_DESC_F_WRITE, 0);
            post(id);
        }
        kick_if_needed();
        wait_event(1);
        reap_used(free_ids, &n_free, rx_seq_frame);
    }
    for (int i = 0; i <= seq_highest; i++) {
        if (!seq_seen[i]) {
            runs += !run;
            run++;
            longest = run > longest ? run : longest;
        } else {
            run = 0;
        }
    }
    printf("received %d of %d numbered frames: lost %d (%d after the last "
           "received), duplicated %d, reordered %d, other frames %d\n",
           seq_received, n, n - seq_received, n - 1 - seq_highest,
           seq_dups, seq_reordered, seq_other);
    printf("gaps: %d, longest %d frames\n", runs, longest);
    for (int i = 0, shown = 0; i <= seq_highest && shown < 4; i++) {
        if (!seq_seen[i] && (!i || seq_seen[i - 1])) {
            int end = i;

            while (end < seq_highest && !seq_seen[end + 1]) {
                end++;
            }
            printf("gap: frames %d to %d\n", i, end);
            shown++;
        }
    }
    free(seq_seen);
}

static void
cmd_short(void)
{
    memset(buf(0), 0, 8);
    set_desc(0, gpa(buf(0)), 8, wflag, 0);
    send_chain("8-byte chain, shorter than the virtio-net header");
}

static void
cmd_runt(void)
{
    put_frame(buf(0), 0);
    set_desc(0, gpa(buf(0)), hdr_len, 0, 0);
    send_chain("virtio-net header and no frame (0-byte packet)");
    set_desc(0, gpa(buf(0)), hdr_len + 1, 0, 0);
    send_chain("virtio-net header and 1 byte of frame");
    set_desc(0, gpa(buf(0)), hdr_len + 13, 0, 0);
    send_chain("virtio-net header and 13 bytes of frame");
}

static void
cmd_jumbo(void)
{
    /* A valid 4000-byte frame in 4 buffers, longer than an mbuf. */
    for (int i = 0; i < 4; i++) {
        memset(buf(i), 0, BUF_SIZE);
        set_desc(i, gpa(buf(i)), (i ? 1000 : hdr_len + 1000),
                 i < 3 ? VRING_DESC_F_NEXT : 0, i + 1);
    }
    put_frame(buf(0), 0);
    send_chain("4000-byte frame in 4 buffers (valid, but jumbo)");
}

/* Replaces the TX vring's call (if 'call') or kick eventfd with a new one
 * while the back end runs, as a guest may. */
static void
cmd_new_eventfd(bool call)
{
    struct guest_vring *vr = &vrings[TX_VRING];
    int *fdp = call ? &vr->callfd : &vr->kickfd;
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

    if (fd < 0) {
        fatal("eventfd: %s", ovs_strerror(errno));
    }
    printf("new %s eventfd for vring %d\n", call ? "call" : "kick",
           TX_VRING);
    vu_set_fd(call ? VHOST_USER_SET_VRING_CALL : VHOST_USER_SET_VRING_KICK,
              TX_VRING, fd);
    close(*fdp);
    *fdp = fd;
}

static void
cmd_new_call(void)
{
    cmd_new_eventfd(true);
}

static void
cmd_new_kick(void)
{
    cmd_new_eventfd(false);
}

static void
sleep_ms(int ms)
{
    long long deadline = now_ms() + ms;

    while (now_ms() < deadline) {
        long long left = deadline - now_ms();

        if (!wait_event(left < 100 ? left : 100)) {
            fatal("stopped by signal %d while sleeping", (int) stop_signal);
        }
    }
}

static void
cmd_avail_ahead(int settle_ms)
{
    struct guest_vring *vr = &vrings[cur_vring];
    uint16_t bad = vr->avail_idx + qsize + 100;

    printf("avail index %"PRIu16", %d ahead of the used index %"PRIu16
           ", for %d ms\n", bad, qsize + 100, vr->used_idx, settle_ms);
    fflush(stdout);
    __atomic_store_n(&vr->avail->idx, bad, __ATOMIC_RELEASE);
    kick();
    sleep_ms(settle_ms);
    if (__atomic_load_n(&vr->used->idx, __ATOMIC_ACQUIRE) != vr->used_idx) {
        fatal("the back end used entries past a bad avail index");
    }
    __atomic_store_n(&vr->avail->idx, vr->avail_idx, __ATOMIC_RELEASE);
    printf("avail index back to %"PRIu16"\n", vr->avail_idx);
}

static void
usage(void)
{
    printf("usage: test-vhost-frontend [OPTIONS] SOCKET COMMAND...\n"
           "Connects to vhost-user server socket SOCKET as a guest with one\n"
           "queue pair and runs each COMMAND on its transmit vring (vring\n"
           "1), or with an \"rx-\" prefix on its receive vring (vring 0),\n"
           "waiting for the back end to use all that it made available:\n"
           "  good[:N]     N valid %d-byte Ethernet frames (default 1),\n"
           "               then whether the back end interrupted us\n"
           "               (TX only)\n"
           "  outside      a buffer below guest memory\n"
           "  beyond       a buffer past the end of guest memory\n"
           "  straddle     a buffer across the end of guest memory\n"
           "  wrap         a buffer whose address plus length wraps around\n"
           "  huge-len     a buffer of 0xffffffff bytes\n"
           "  too-long     a 1 MiB buffer inside guest memory (TX only)\n"
           "  bad-head     an avail ring entry beyond the ring\n"
           "  bad-next     a next index beyond the ring\n"
           "  loop         a chain 0 -> 1 -> 0 -> ...\n"
           "  self-loop    a chain 0 -> 0 -> ...\n"
           "  indirect     an indirect descriptor\n"
           "  writable     a device-writable buffer (TX only)\n"
           "  readonly     a device-read-only buffer (RX only)\n"
           "  short        a chain shorter than the virtio-net header\n"
           "  runt         frames of 0, 1 and 13 bytes, valid virtio but\n"
           "               not Ethernet (TX only)\n"
           "  jumbo        a valid 4000-byte frame in 4 buffers (TX only)\n"
           "  rx-good:N    N receive buffers, checking what the back end\n"
           "               writes\n"
           "  log-on       turns dirty page logging on (no rx- prefix)\n"
           "  rx-log:N     N receive buffers, while giving the back end\n"
           "               one new dirty log after another (SET_LOG_BASE),\n"
           "               checking that the logs mark every page it wrote\n"
           "  avail-ahead  an avail index far ahead, for --settle ms, then\n"
           "               back\n"
           "  new-call     a new call eventfd (SET_VRING_CALL) (TX only)\n"
           "  new-kick     a new kick eventfd (SET_VRING_KICK) (TX only)\n"
           "  sleep:MS     waits MS milliseconds (no rx- prefix)\n"
           "  pace:N:US    N %d-byte frames numbered 0 to N-1, one every US\n"
           "               microseconds (TX only)\n"
           "  rx-seq:N:MS  receives what pace:N sends until it has all or\n"
           "               none came for MS ms, and tells how many were\n"
           "               lost, duplicated or reordered\n"
           "Commands without \"(TX only)\" or \"(RX only)\" work on both\n"
           "vrings.\n"
           "Options:\n"
           "  --hold=SECS     keep the connection SECS seconds after the\n"
           "                  commands (default 0), or until SIGTERM or\n"
           "                  SIGINT\n"
           "  --timeout=SECS  wait at most SECS seconds for the back end\n"
           "                  (default 10)\n"
           "  --settle=MS     how long avail-ahead lasts (default 1000)\n"
           "  --qsize=N       vring size, a power of 2 (default 256)\n"
           "  --stdin         after the COMMANDs, run the ones that come on\n"
           "                  standard input, one a line, until it ends\n"
           "Prints \"done: COMMAND\" after each command, and\n"
           "\"result: ok\" or \"result: FAILED\" at the end.\n",
           FRAME_LEN, FRAME_LEN);
}

/* Parses a nonnegative decimal integer up to 'max' from 's', or dies. */
static int
parse_int(const char *s, const char *what, int max)
{
    char *end;
    long value;

    errno = 0;
    value = strtol(s, &end, 10);
    if (errno || end == s || *end || value < 0 || value > max) {
        fatal("%s: \"%s\" is not a number from 0 to %d", what, s, max);
    }
    return value;
}

/* Parses "A:B", two nonnegative decimal integers up to 'max', or dies. */
static void
parse_int_pair(const char *s, const char *what, int max, int *a, int *b)
{
    const char *colon = strchr(s, ':');
    char *first;

    if (!colon) {
        fatal("%s: \"%s\" is not two numbers, as N:M", what, s);
    }
    first = xmemdup0(s, colon - s);
    *a = parse_int(first, what, max);
    free(first);
    *b = parse_int(colon + 1, what, max);
}

/* Runs command 'cmd', or if 'check_only' just checks that it is valid. */
static void
run_command(const char *cmd, int settle_ms, bool check_only)
{
    enum { TX = 1, RX = 2 };
    static const struct {
        const char *name;
        void (*function)(void);
        int dirs;                           /* TX, RX or both. */
    } simple[] = {
        { "outside", cmd_outside, TX | RX },
        { "beyond", cmd_beyond, TX | RX },
        { "straddle", cmd_straddle, TX | RX },
        { "wrap", cmd_wrap, TX | RX },
        { "huge-len", cmd_huge_len, TX | RX },
        { "too-long", cmd_too_long, TX },
        { "bad-head", cmd_bad_head, TX | RX },
        { "bad-next", cmd_bad_next, TX | RX },
        { "loop", cmd_loop, TX | RX },
        { "self-loop", cmd_self_loop, TX | RX },
        { "indirect", cmd_indirect, TX | RX },
        { "writable", cmd_writable, TX },
        { "readonly", cmd_readonly, RX },
        { "short", cmd_short, TX | RX },
        { "runt", cmd_runt, TX },
        { "jumbo", cmd_jumbo, TX },
        { "new-call", cmd_new_call, TX },
        { "new-kick", cmd_new_kick, TX },
    };
    const char *name = cmd;
    int dir = TX;

    if (!strncmp(cmd, "rx-", 3)) {
        name = cmd + 3;
        dir = RX;
    }
    if (!check_only) {
        printf("== %s\n", cmd);
        cur_vring = dir == RX ? RX_VRING : TX_VRING;
        wflag = dir == RX ? VRING_DESC_F_WRITE : 0;
    }
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (!strcmp(name, simple[i].name) && simple[i].dirs & dir) {
            if (!check_only) {
                simple[i].function();
            }
            return;
        }
    }
    if (dir == TX && (!strcmp(name, "good") || !strncmp(name, "good:", 5))) {
        int n = name[4] ? parse_int(name + 5, "good", 1000000) : 1;

        if (!check_only) {
            cmd_good(n);
        }
    } else if (dir == TX && !strncmp(name, "pace:", 5)) {
        int n, us;

        parse_int_pair(name + 5, "pace", 10000000, &n, &us);
        if (!check_only) {
            cmd_pace(n, us);
        }
    } else if (dir == RX && !strncmp(name, "seq:", 4)) {
        int n, ms;

        parse_int_pair(name + 4, "rx-seq", 10000000, &n, &ms);
        if (!check_only) {
            cmd_rx_seq(n, ms);
        }
    } else if (dir == RX && !strncmp(name, "good:", 5)) {
        int n = parse_int(name + 5, "rx-good", 1000000);

        if (!check_only) {
            cmd_rx_good(n);
        }
    } else if (dir == RX && !strncmp(name, "log:", 4)) {
        int n = parse_int(name + 4, "rx-log", 1000000);

        if (!check_only) {
            cmd_rx_log(n);
        }
    } else if (dir == TX && !strcmp(name, "log-on")) {
        if (!check_only) {
            cmd_log_on();
        }
    } else if (!strcmp(name, "avail-ahead")) {
        if (!check_only) {
            cmd_avail_ahead(settle_ms);
        }
    } else if (dir == TX && !strncmp(name, "sleep:", 6)) {
        int ms = parse_int(name + 6, "sleep", 3600 * 1000);

        if (!check_only) {
            sleep_ms(ms);
        }
    } else {
        fatal("unknown command \"%s\" (--help lists them)", cmd);
    }
}

/* Runs the commands that come on standard input, one a line, until it
 * ends or a signal asks us to stop. */
static void
run_stdin_commands(int settle_ms)
{
    char line[256];
    size_t len = 0;
    bool eof = false;

    while (!eof) {
        bool ready;
        ssize_t n;

        if (!wait_event_fd(100, STDIN_FILENO, &ready)) {
            return;
        } else if (!ready) {
            continue;
        }

        n = read(STDIN_FILENO, line + len, sizeof line - 1 - len);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            fatal("reading standard input: %s", ovs_strerror(errno));
        } else if (!n) {
            eof = true;
            if (len) {
                line[len++] = '\n';
            }
        }
        len += n > 0 ? n : 0;

        for (;;) {
            char *nl = memchr(line, '\n', len);
            size_t used;

            if (!nl) {
                if (len >= sizeof line - 1) {
                    fatal("command line on standard input too long");
                }
                break;
            }
            *nl = '\0';
            used = nl - line + 1;
            line[strcspn(line, " \t\r")] = '\0';
            if (line[0]) {
                run_command(line, settle_ms, true);
                run_command(line, settle_ms, false);
                printf("done: %s\n", line);
            }
            memmove(line, line + used, len - used);
            len -= used;
        }
    }
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        { "hold", required_argument, NULL, 'H' },
        { "timeout", required_argument, NULL, 't' },
        { "settle", required_argument, NULL, 's' },
        { "qsize", required_argument, NULL, 'q' },
        { "stdin", no_argument, NULL, 'i' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct sigaction sa;
    bool from_stdin = false;
    int settle_ms = 1000;
    int hold_ms = 0;
    int c;

    setvbuf(stdout, NULL, _IOLBF, 0);
    while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        switch (c) {
        case 'H':
            hold_ms = parse_int(optarg, "--hold", 3600) * 1000;
            break;
        case 't':
            timeout_ms = parse_int(optarg, "--timeout", 3600) * 1000;
            break;
        case 's':
            settle_ms = parse_int(optarg, "--settle", 3600 * 1000);
            break;
        case 'q':
            qsize = parse_int(optarg, "--qsize", 32768);
            if (!qsize || qsize & (qsize - 1)) {
                fatal("--qsize: %"PRIu16" is not a power of 2", qsize);
            }
            break;
        case 'i':
            from_stdin = true;
            break;
        case 'h':
            usage();
            return EXIT_SUCCESS;
        default:
            return EXIT_FAILURE;
        }
    }
    if (argc - optind < 1) {
        fatal("missing SOCKET (--help for help)");
    }
    if (vring_bytes(qsize) > VRING_OFS(1)) {
        fatal("--qsize: %"PRIu16" is too big for this guest's memory",
              qsize);
    }
    for (int i = optind + 1; i < argc; i++) {
        run_command(argv[i], settle_ms, true);
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = catch_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    vu_connect(argv[optind]);
    vu_setup();
    for (int i = optind + 1; i < argc; i++) {
        run_command(argv[i], settle_ms, false);
        printf("done: %s\n", argv[i]);
    }
    if (from_stdin) {
        run_stdin_commands(settle_ms);
    }

    if (hold_ms) {
        long long deadline = now_ms() + hold_ms;

        printf("holding the connection for %d s\n", hold_ms / 1000);
        while (now_ms() < deadline) {
            long long left = deadline - now_ms();

            if (!wait_event(left < 100 ? left : 100)) {
                break;
            }
        }
    }
    if (stop_signal) {
        printf("stopped by signal %d\n", (int) stop_signal);
    }
    close(sock);
    munmap(mem, GUEST_SIZE);
    close(memfd);
    for (int v = 0; v < N_VRINGS; v++) {
        close(vrings[v].kickfd);
        close(vrings[v].callfd);
    }
    printf("result: ok\n");
    return EXIT_SUCCESS;
}
