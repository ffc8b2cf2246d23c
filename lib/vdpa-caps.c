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

/* What a vDPA device offers and what a port needs of one: the capability
 * check and the names of virtio and vhost-user protocol feature bits. */

#include <config.h>

#include "vdpa-caps.h"

#include <linux/virtio_net.h>

#include "openvswitch/dynamic-string.h"
#include "util.h"

/* What a port with 'queue_pairs' queue pairs needs of a device: the queues,
 * virtio 1.0 (OVS exchanges only modern virtio-net headers with vDPA
 * devices), and multiqueue negotiation when there is more than one. */
void
vdpa_caps_for_port(int queue_pairs, struct vdpa_caps *need)
{
    need->queue_pairs = queue_pairs;
    need->features = (VDPA_BIT(VIRTIO_F_VERSION_1)
                      | VDPA_BIT(VHOST_USER_F_PROTOCOL_FEATURES));
    need->protocol_features = (queue_pairs > 1
                               ? VDPA_BIT(VHOST_USER_PROTOCOL_F_MQ)
                               : 0);
}
/* Returns NULL if 'have' covers 'need', otherwise why not. */
char *
vdpa_caps_check(const char *device, const struct vdpa_caps *have,
                const struct vdpa_caps *need)
{
    struct ds missing = DS_EMPTY_INITIALIZER;
    uint64_t lack;

    if (have->queue_pairs < need->queue_pairs) {
        return xasprintf("device %s has %"PRIu32" queue pairs, the port "
                         "needs %"PRIu32, device, have->queue_pairs,
                         need->queue_pairs);
    }
    lack = need->features & ~have->features;
    if (lack) {
        vdpa_format_features(&missing, lack);
        return xasprintf("device %s lacks virtio features %s", device,
                         ds_steal_cstr(&missing));
    }
    lack = need->protocol_features & ~have->protocol_features;
    if (lack) {
        vdpa_format_protocol_features(&missing, lack);
        return xasprintf("device %s lacks vhost-user protocol features %s",
                         device, ds_steal_cstr(&missing));
    }
    return NULL;
}

static void
format_bits(struct ds *ds, uint64_t bits, const char *const names[64])
{
    bool first = true;

    for (int i = 0; i < 64; i++) {
        if (bits & (UINT64_C(1) << i)) {
            if (names[i]) {
                ds_put_format(ds, "%s%s", first ? "" : ",", names[i]);
            } else {
                ds_put_format(ds, "%sbit%d", first ? "" : ",", i);
            }
            first = false;
        }
    }
    if (first) {
        ds_put_cstr(ds, "none");
    }
}

/* Puts the names of virtio-net 'features' in 'ds', comma separated. */
void
vdpa_format_features(struct ds *ds, uint64_t features)
{
    static const char *const names[64] = {
        [VIRTIO_NET_F_CSUM] = "CSUM",
        [VIRTIO_NET_F_GUEST_CSUM] = "GUEST_CSUM",
        [VIRTIO_NET_F_MTU] = "MTU",
        [VIRTIO_NET_F_MAC] = "MAC",
        [VIRTIO_NET_F_GUEST_TSO4] = "GUEST_TSO4",
        [VIRTIO_NET_F_GUEST_TSO6] = "GUEST_TSO6",
        [VIRTIO_NET_F_GUEST_ECN] = "GUEST_ECN",
        [VIRTIO_NET_F_GUEST_UFO] = "GUEST_UFO",
        [VIRTIO_NET_F_HOST_TSO4] = "HOST_TSO4",
        [VIRTIO_NET_F_HOST_TSO6] = "HOST_TSO6",
        [VIRTIO_NET_F_HOST_ECN] = "HOST_ECN",
        [VIRTIO_NET_F_HOST_UFO] = "HOST_UFO",
        [VIRTIO_NET_F_MRG_RXBUF] = "MRG_RXBUF",
        [VIRTIO_NET_F_STATUS] = "STATUS",
        [VIRTIO_NET_F_CTRL_VQ] = "CTRL_VQ",
        [VIRTIO_NET_F_CTRL_RX] = "CTRL_RX",
        [VIRTIO_NET_F_CTRL_VLAN] = "CTRL_VLAN",
        [VIRTIO_NET_F_GUEST_ANNOUNCE] = "GUEST_ANNOUNCE",
        [VIRTIO_NET_F_MQ] = "MQ",
        [VIRTIO_NET_F_CTRL_MAC_ADDR] = "CTRL_MAC_ADDR",
        [VIRTIO_F_NOTIFY_ON_EMPTY] = "NOTIFY_ON_EMPTY",
        [VIRTIO_F_ANY_LAYOUT] = "ANY_LAYOUT",
        [VIRTIO_RING_F_INDIRECT_DESC] = "INDIRECT_DESC",
        [VIRTIO_RING_F_EVENT_IDX] = "EVENT_IDX",
        [VHOST_F_LOG_ALL] = "LOG_ALL",
        [VHOST_USER_F_PROTOCOL_FEATURES] = "PROTOCOL_FEATURES",
        [VIRTIO_F_VERSION_1] = "VERSION_1",
        [VIRTIO_F_ACCESS_PLATFORM] = "ACCESS_PLATFORM",
        [VIRTIO_F_RING_PACKED] = "RING_PACKED",
        [VIRTIO_F_IN_ORDER] = "IN_ORDER",
        [VIRTIO_F_ORDER_PLATFORM] = "ORDER_PLATFORM",
        [VIRTIO_F_SR_IOV] = "SR_IOV",
        [VIRTIO_F_NOTIFICATION_DATA] = "NOTIFICATION_DATA",
        [VIRTIO_F_RING_RESET] = "RING_RESET",
        [VIRTIO_NET_F_RSC_EXT] = "RSC_EXT",
        [VIRTIO_NET_F_STANDBY] = "STANDBY",
    };

    format_bits(ds, features, names);
}

/* Puts the names of vhost-user protocol 'features' in 'ds'. */
void
vdpa_format_protocol_features(struct ds *ds, uint64_t features)
{
    static const char *const names[64] = {
        [VHOST_USER_PROTOCOL_F_MQ] = "MQ",
        [VHOST_USER_PROTOCOL_F_LOG_SHMFD] = "LOG_SHMFD",
        [VHOST_USER_PROTOCOL_F_RARP] = "RARP",
        [VHOST_USER_PROTOCOL_F_REPLY_ACK] = "REPLY_ACK",
        [VHOST_USER_PROTOCOL_F_NET_MTU] = "NET_MTU",
        [VHOST_USER_PROTOCOL_F_BACKEND_REQ] = "BACKEND_REQ",
        [VHOST_USER_PROTOCOL_F_CROSS_ENDIAN] = "CROSS_ENDIAN",
        [VHOST_USER_PROTOCOL_F_CRYPTO_SESSION] = "CRYPTO_SESSION",
        [VHOST_USER_PROTOCOL_F_PAGEFAULT] = "PAGEFAULT",
        [VHOST_USER_PROTOCOL_F_CONFIG] = "CONFIG",
        [VHOST_USER_PROTOCOL_F_BACKEND_SEND_FD] = "BACKEND_SEND_FD",
        [VHOST_USER_PROTOCOL_F_HOST_NOTIFIER] = "HOST_NOTIFIER",
        [VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD] = "INFLIGHT_SHMFD",
        [VHOST_USER_PROTOCOL_F_RESET_DEVICE] = "RESET_DEVICE",
        [VHOST_USER_PROTOCOL_F_CONFIG_MEM] = "CONFIG_MEM",
        [VHOST_USER_PROTOCOL_F_STATUS] = "STATUS",
    };

    format_bits(ds, features, names);
}
