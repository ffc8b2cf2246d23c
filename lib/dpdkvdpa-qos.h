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

#ifndef DPDKVDPA_QOS_H
#define DPDKVDPA_QOS_H 1

/* A dpdkvdpa port's rate limits: the ingress policer (Interface columns
 * ingress_policing_rate and ingress_policing_burst) on what the guest
 * sends, and the egress QoS (a QoS row of type "egress-policer" or
 * "trtcm-policer") on what the port sends to the guest.  They behave as a
 * dpdkvhostuserclient port's do: both meter packets with DPDK's rte_meter,
 * counting each packet's length without its Ethernet header, and drop what
 * is over the rate.
 *
 * The port's main thread functions run under the port's mutex; the PMD
 * threads' dpdkvdpa_qos_police_rx() and dpdkvdpa_qos_police_tx() take no
 * mutex: they see a change through RCU. */

#include <stdint.h>

#include "ovs-rcu.h"

struct netdev_queue_stats;
struct rte_mbuf;
struct smap;
struct sset;
struct dpdkvdpa_policer;
struct dpdkvdpa_egress;

struct dpdkvdpa_qos {
    OVSRCU_TYPE(struct dpdkvdpa_policer *) ingress;    /* NULL: none. */
    OVSRCU_TYPE(struct dpdkvdpa_egress *) egress;      /* NULL: none. */
    unsigned int policing_rate;     /* kbit/s as applied, 0: none. */
    unsigned int policing_burst;    /* kbit as applied. */
};

void dpdkvdpa_qos_init(struct dpdkvdpa_qos *);
void dpdkvdpa_qos_destroy(struct dpdkvdpa_qos *);

int dpdkvdpa_qos_set_policing(struct dpdkvdpa_qos *, unsigned int kbits_rate,
                              unsigned int kbits_burst);

void dpdkvdpa_qos_get_types(struct sset *types);
int dpdkvdpa_qos_get(const struct dpdkvdpa_qos *, const char **typep,
                     struct smap *details);
int dpdkvdpa_qos_set(struct dpdkvdpa_qos *, const char *port_name,
                     const char *type, const struct smap *details);

int dpdkvdpa_qos_get_queue(const struct dpdkvdpa_qos *, uint32_t queue_id,
                           struct smap *details);
int dpdkvdpa_qos_set_queue(struct dpdkvdpa_qos *, const char *port_name,
                           uint32_t queue_id, const struct smap *details);
int dpdkvdpa_qos_delete_queue(struct dpdkvdpa_qos *, uint32_t queue_id);
int dpdkvdpa_qos_get_queue_stats(const struct dpdkvdpa_qos *,
                                 uint32_t queue_id,
                                 struct netdev_queue_stats *);
int dpdkvdpa_qos_queue_dump_start(const struct dpdkvdpa_qos *,
                                  void **statep);
int dpdkvdpa_qos_queue_dump_next(const struct dpdkvdpa_qos *, void *state,
                                 unsigned int *queue_id, struct smap *details);
void dpdkvdpa_qos_queue_dump_done(void *state);

int dpdkvdpa_qos_police_rx(struct dpdkvdpa_qos *, struct rte_mbuf **pkts,
                           int n);
int dpdkvdpa_qos_police_tx(struct dpdkvdpa_qos *, struct rte_mbuf **pkts,
                           int n);

#endif /* dpdkvdpa-qos.h */
