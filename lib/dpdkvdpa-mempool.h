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

#ifndef DPDKVDPA_MEMPOOL_H
#define DPDKVDPA_MEMPOOL_H 1

/* Mbuf pools whose mbufs are dp_packets.
 *
 * Ports with the same MTU on the same NUMA node share a pool.  A pool that
 * no port uses any more is freed only once all its mbufs came back, since
 * packets received on a port may still sit in other ports' queues. */

struct rte_mempool;

void dpdkvdpa_mempool_init(void);
struct rte_mempool *dpdkvdpa_mempool_get(int mtu, int numa_id);
void dpdkvdpa_mempool_put(struct rte_mempool *);

#endif /* dpdkvdpa-mempool.h */
