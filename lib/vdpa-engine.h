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

#ifndef VDPA_ENGINE_H
#define VDPA_ENGINE_H 1

/* vDPA engines and devices.
 *
 * A device is a DPDK vDPA device: a NIC's vDPA function probed by DPDK
 * (e.g. "-a BDF,class=vdpa"), or a device of our software engine
 * (vdpa-sim.c).  An engine is a group of devices of one kind: one per DPDK
 * driver, one per software engine.  Engines are numbered (eid) and so are
 * the devices inside each (did); every device also has DPDK's name.
 *
 * This module keeps that table, picks the device a port names, checks that
 * it can serve the port, passes a device's failure on to the port using it,
 * and shows all of it with "dpdkvdpa/engine-list".  An engine that DPDK does
 * not probe (the software engine) adds its devices here.  The table is
 * changed in the main thread; vdpa_engine_report_failure() may be called
 * from any thread. */

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/compiler.h"

struct ds;
struct rte_vdpa_device;

/* What a device offers, or what a port needs of one. */
struct vdpa_caps {
    uint32_t queue_pairs;
    uint64_t features;            /* Virtio feature bits. */
    uint64_t protocol_features;   /* vhost-user protocol feature bits. */
};

struct vdpa_device {
    int eid;
    int did;
    char *name;                   /* DPDK's name of the vDPA device. */
    const char *engine_name;
    struct rte_vdpa_device *vdev;
    struct vdpa_caps caps;
    char *port;                   /* Name of the port using it, or NULL. */
};

void vdpa_engine_init(void);
void vdpa_engine_add_device(const char *engine_name, struct rte_vdpa_device *,
                            const char *name);

/* Device events, reported by drivers and handled by the ports. */
typedef void vdpa_engine_failure_cb(struct vdpa_device *, const char *reason);
void vdpa_engine_set_failure_cb(vdpa_engine_failure_cb *);
void vdpa_engine_report_failure(struct rte_vdpa_device *, const char *reason);

char *vdpa_engine_find(const char *engine, const char *device,
                       const char *port, struct vdpa_device **)
    OVS_WARN_UNUSED_RESULT;
void vdpa_engine_claim(struct vdpa_device *, const char *port);
void vdpa_engine_release(struct vdpa_device *, const char *port);
int vdpa_engine_representor(const struct vdpa_device *,
                            const char *representor, uint16_t *port_id,
                            char **errp);

void vdpa_caps_for_port(int queue_pairs, struct vdpa_caps *need);
char *vdpa_caps_check(const char *device, const struct vdpa_caps *have,
                      const struct vdpa_caps *need)
    OVS_WARN_UNUSED_RESULT;
void vdpa_format_features(struct ds *, uint64_t features);
void vdpa_format_protocol_features(struct ds *, uint64_t features);
void vdpa_format_device_stats(struct ds *, struct rte_vdpa_device *,
                              int n_vrings);

#endif /* vdpa-engine.h */
