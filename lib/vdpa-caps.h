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

#ifndef VDPA_CAPS_H
#define VDPA_CAPS_H 1

/* What a vDPA device offers and what a port needs of one.
 *
 * A device can serve a port when its queue pairs, virtio features and
 * vhost-user protocol features cover what the port needs.  This module
 * says what a port needs, checks a device against it, and names the
 * feature bits for logs and for "dpdkvdpa/engine-list".
 *
 * The bits are spelled as Linux's virtio headers and DPDK's rte_vhost.h
 * spell them; the few that this DPDK does not name yet are defined below,
 * and nowhere else. */

#include <stdint.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <rte_vhost.h>

#include "openvswitch/compiler.h"

struct ds;

/* Feature bits newer than this system's headers. */
#ifndef VIRTIO_F_NOTIFICATION_DATA
#define VIRTIO_F_NOTIFICATION_DATA 38
#endif
#ifndef VIRTIO_F_RING_RESET
#define VIRTIO_F_RING_RESET 40
#endif
#ifndef VIRTIO_NET_F_RSC_EXT
#define VIRTIO_NET_F_RSC_EXT 61
#endif
#ifndef VIRTIO_NET_F_STANDBY
#define VIRTIO_NET_F_STANDBY 62
#endif
#ifndef VHOST_USER_PROTOCOL_F_BACKEND_REQ
#define VHOST_USER_PROTOCOL_F_BACKEND_REQ 5  /* DPDK 22.11: F_SLAVE_REQ. */
#endif
#ifndef VHOST_USER_PROTOCOL_F_CROSS_ENDIAN
#define VHOST_USER_PROTOCOL_F_CROSS_ENDIAN 6
#endif
#ifndef VHOST_USER_PROTOCOL_F_BACKEND_SEND_FD
#define VHOST_USER_PROTOCOL_F_BACKEND_SEND_FD 10 /* DPDK: F_SLAVE_SEND_FD. */
#endif
#ifndef VHOST_USER_PROTOCOL_F_RESET_DEVICE
#define VHOST_USER_PROTOCOL_F_RESET_DEVICE 13
#endif
#ifndef VHOST_USER_PROTOCOL_F_CONFIG_MEM
#define VHOST_USER_PROTOCOL_F_CONFIG_MEM 15
#endif
#ifndef VHOST_USER_PROTOCOL_F_STATUS
#define VHOST_USER_PROTOCOL_F_STATUS 16
#endif

/* The mask of feature bit 'BIT'. */
#define VDPA_BIT(BIT) (UINT64_C(1) << (BIT))

/* What a device offers, or what a port needs of one. */
struct vdpa_caps {
    uint32_t queue_pairs;
    uint64_t features;            /* Virtio feature bits. */
    uint64_t protocol_features;   /* vhost-user protocol feature bits. */
};

void vdpa_caps_for_port(int queue_pairs, struct vdpa_caps *need);
char *vdpa_caps_check(const char *device, const struct vdpa_caps *have,
                      const struct vdpa_caps *need)
    OVS_WARN_UNUSED_RESULT;
void vdpa_format_features(struct ds *, uint64_t features);
void vdpa_format_protocol_features(struct ds *, uint64_t features);

#endif /* vdpa-caps.h */
