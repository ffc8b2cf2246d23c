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

#include "dpdkvdpa-mempool.h"

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp-packet.h"
#include "dpdkvdpa-config.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(dpdkvdpa_mempool);

/* Enough mbufs for a few queues of 2048 descriptors each, and for the
 * packets in flight between them. */
#define MEMPOOL_N_MBUFS 16384
#define MEMPOOL_CACHE_SIZE 256

struct dpdkvdpa_mempool {
    struct ovs_list list_node;      /* In 'mempools'. */
    struct rte_mempool *mp;
    int mtu;
    int numa_id;
    int refcount;                   /* 0: waiting for its mbufs to return. */
};

static struct ovs_mutex mempool_mutex = OVS_MUTEX_INITIALIZER;
static struct ovs_list mempools OVS_GUARDED_BY(mempool_mutex)
    = OVS_LIST_INITIALIZER(&mempools);

static void
init_dp_packet(struct rte_mempool *mp OVS_UNUSED, void *opaque OVS_UNUSED,
               void *mbuf, unsigned int i OVS_UNUSED)
{
    dp_packet_init_dpdk(mbuf);
}

/* Frees the pools that no port uses and whose mbufs are all back. */
static void
mempool_sweep(void)
    OVS_REQUIRES(mempool_mutex)
{
    struct dpdkvdpa_mempool *pool;

    LIST_FOR_EACH_SAFE (pool, list_node, &mempools) {
        if (!pool->refcount && rte_mempool_full(pool->mp)) {
            VLOG_DBG("freeing mempool \"%s\"", pool->mp->name);
            ovs_list_remove(&pool->list_node);
            rte_mempool_free(pool->mp);
            free(pool);
        }
    }
}

static struct rte_mempool *
mempool_create(int mtu, int numa_id)
{
    static unsigned int serial;
    uint32_t priv_size = sizeof(struct dp_packet) - sizeof(struct rte_mbuf);
    uint32_t data_size = DPDKVDPA_MTU_TO_FRAME_LEN(mtu) + RTE_PKTMBUF_HEADROOM;
    char name[RTE_MEMPOOL_NAMESIZE];
    struct rte_mempool *mp;

    /* dp_packet's private area must keep the mbuf data cache aligned. */
    priv_size = ROUND_UP(priv_size, RTE_MBUF_PRIV_ALIGN);
    snprintf(name, sizeof name, "vdpa_mp_%d_%d_%u", mtu, numa_id, serial++);
    mp = rte_pktmbuf_pool_create(name, MEMPOOL_N_MBUFS, MEMPOOL_CACHE_SIZE,
                                 priv_size, data_size, numa_id);
    if (!mp) {
        VLOG_ERR("could not create a mempool of %d mbufs for MTU %d on "
                 "NUMA node %d: %s", MEMPOOL_N_MBUFS, mtu, numa_id,
                 rte_strerror(rte_errno));
        return NULL;
    }
    rte_mempool_obj_iter(mp, init_dp_packet, NULL);
    VLOG_INFO("created mempool \"%s\" of %d mbufs for MTU %d",
              name, MEMPOOL_N_MBUFS, mtu);
    return mp;
}

/* Returns a pool for packets of up to 'mtu' bytes on NUMA node 'numa_id',
 * or NULL if there is no memory for one.  Release it with
 * dpdkvdpa_mempool_put(). */
struct rte_mempool *
dpdkvdpa_mempool_get(int mtu, int numa_id)
{
    struct dpdkvdpa_mempool *pool;
    struct rte_mempool *mp = NULL;

    ovs_mutex_lock(&mempool_mutex);
    mempool_sweep();
    LIST_FOR_EACH (pool, list_node, &mempools) {
        if (pool->mtu == mtu && pool->numa_id == numa_id) {
            pool->refcount++;
            mp = pool->mp;
            goto out;
        }
    }

    mp = mempool_create(mtu, numa_id);
    if (mp) {
        pool = xzalloc(sizeof *pool);
        pool->mp = mp;
        pool->mtu = mtu;
        pool->numa_id = numa_id;
        pool->refcount = 1;
        ovs_list_push_back(&mempools, &pool->list_node);
    }
out:
    ovs_mutex_unlock(&mempool_mutex);
    return mp;
}

/* Releases 'mp' (which may be NULL), got from dpdkvdpa_mempool_get(). */
void
dpdkvdpa_mempool_put(struct rte_mempool *mp)
{
    struct dpdkvdpa_mempool *pool;

    if (!mp) {
        return;
    }

    ovs_mutex_lock(&mempool_mutex);
    LIST_FOR_EACH (pool, list_node, &mempools) {
        if (pool->mp == mp) {
            ovs_assert(pool->refcount > 0);
            pool->refcount--;
            break;
        }
    }
    mempool_sweep();
    ovs_mutex_unlock(&mempool_mutex);
}

static void
mempool_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct dpdkvdpa_mempool *pool;

    ovs_mutex_lock(&mempool_mutex);
    LIST_FOR_EACH (pool, list_node, &mempools) {
        ds_put_format(&ds, "%s: mtu %d, numa %d, users %d, mbufs %u, "
                      "in use %u\n", pool->mp->name, pool->mtu,
                      pool->numa_id, pool->refcount, pool->mp->size,
                      rte_mempool_in_use_count(pool->mp));
    }
    ovs_mutex_unlock(&mempool_mutex);
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

/* Registers "dpdkvdpa/mempool-show", which lists the pools and how many of
 * their mbufs are in use. */
void
dpdkvdpa_mempool_init(void)
{
    unixctl_command_register("dpdkvdpa/mempool-show", "", 0, 0,
                             mempool_show, NULL);
}
