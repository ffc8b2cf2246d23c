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

#ifndef DPDKVDPA_CONFIG_H
#define DPDKVDPA_CONFIG_H 1

/* Interface options of a dpdkvdpa port.
 *
 * This module turns a port's "options" column into a validated
 * 'struct dpdkvdpa_config', with no DPDK calls, so that the rules can be
 * unit tested and the netdev class only applies what passed them. */

#include <stdbool.h>

#include <rte_ether.h>

#include "openvswitch/compiler.h"

struct smap;

#define DPDKVDPA_TX_RETRIES_DEFAULT 8
#define DPDKVDPA_TX_RETRIES_MAX 32

/* A vhost-user device has up to this many queue pairs (DPDK's own limit). */
#define DPDKVDPA_MAX_QUEUE_PAIRS 128

/* The longest frame that a packet of 'MTU' bytes makes on a port: the
 * Ethernet header, one VLAN tag and the CRC on top of the MTU, as OVS's
 * netdev-dpdk sizes its mbufs. */
#define DPDKVDPA_MTU_TO_FRAME_LEN(MTU) \
    ((MTU) + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN)

/* The largest MTU of a port: 9728 bytes, the longest frame OVS's
 * netdev-dpdk takes (its NETDEV_DPDK_MAX_PKT_LEN), less the Ethernet header
 * and the CRC, which makes 9710. */
/* The smallest MTU of a port: 68, IPv4's minimum, as OVS's netdev-dpdk
 * takes (DPDK's RTE_ETHER_MIN_MTU). */
#define DPDKVDPA_MIN_MTU RTE_ETHER_MIN_MTU

#define DPDKVDPA_MAX_FRAME_LEN 9728
#define DPDKVDPA_MAX_MTU \
    (DPDKVDPA_MAX_FRAME_LEN - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN)

/* Which datapath a port may use. */
enum dpdkvdpa_mode {
    DPDKVDPA_MODE_AUTO,         /* The engine's if its device fits, else sw. */
    DPDKVDPA_MODE_HW,           /* The engine's, or an error. */
    DPDKVDPA_MODE_SW,           /* OVS's PMD threads. */
};

struct dpdkvdpa_config {
    char *socket_path;          /* vhost-user socket. */
    bool client_mode;           /* True: OVS connects to 'socket_path'. */
    int tx_retries_max;         /* Enqueue retries when the guest is full. */
    uint64_t features_mask;     /* Virtio features the port may offer. */

    /* The vDPA device, as given: each NULL when not set, or set to -1. */
    char *vdpa_engine;          /* Engine number (eid) or name. */
    char *vdpa_device;          /* Device number (did) or DPDK name. */
    char *vdpa_representor;     /* Representor ethdev name, if not the
                                 * default one of the device. */
    enum dpdkvdpa_mode mode;
    int max_queue_pairs;        /* Queue pairs the device must serve. */
};

char *dpdkvdpa_config_parse(const struct smap *options, const char *port_name,
                            const char *sock_dir,
                            struct dpdkvdpa_config *config)
    OVS_WARN_UNUSED_RESULT;
bool dpdkvdpa_config_socket_equal(const struct dpdkvdpa_config *,
                                  const struct dpdkvdpa_config *);
void dpdkvdpa_config_copy(struct dpdkvdpa_config *dst,
                          const struct dpdkvdpa_config *src);
void dpdkvdpa_config_destroy(struct dpdkvdpa_config *);
const char *dpdkvdpa_mode_to_string(enum dpdkvdpa_mode);

char *dpdkvdpa_sock_dir(const char *vhost_sock_dir, const char *rundir,
                        char **errp);

#endif /* dpdkvdpa-config.h */
