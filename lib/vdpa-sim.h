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

#ifndef VDPA_SIM_H
#define VDPA_SIM_H 1

/* The software vDPA engine, like Linux's vdpa_sim.
 *
 * Its devices register with DPDK's vhost library as vDPA devices.  When a
 * guest's virtqueues are ready (dev_conf), one engine thread moves packets
 * between them and the device's representor, an ethdev made from rte_rings
 * (rte_eth_from_rings()) that OVS polls as it would a NIC's VF
 * representor.  In inline mode, there is no engine thread: OVS's PMD
 * threads, when they poll a representor, move the packets between the
 * guest's virtqueues and their mbufs themselves (vdpa-sim-inline.c).
 * Every descriptor is checked against guest memory (virtq.c).
 *
 * vdpa-sim-options.c parses other_config:vdpa-sim, vdpa-sim-device.c
 * creates the devices (vdpa_sim_init()), vdpa-sim.c holds their vDPA
 * operations, vdpa-sim-thread.c the engine thread and vdpa-sim-inline.c
 * the inline mode's bursts. */

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/compiler.h"

struct smap;

/* One engine, as other_config:vdpa-sim describes it. */
struct vdpa_sim_spec {
    int n_devices;
    uint32_t queue_pairs;         /* Per device. */
    uint64_t features;            /* Offered virtio features. */
    bool no_dirty_log;            /* Cannot log dirty pages: no
                                   * VHOST_F_LOG_ALL in 'features'. */
    bool fail_conf;               /* dev_conf fails, for tests. */
    bool no_live;                 /* Cannot switch a guest live: the
                                   * vhost library attaches the device,
                                   * as it does a NIC's. */
    int n_threads;                /* Engine threads, each a share of the
                                   * devices. */
    bool inline_mode;             /* No engine threads: the PMD threads
                                   * that poll a representor move its
                                   * device's packets ("mode=inline"). */
    uint64_t cpu_mask;            /* CPUs of the threads, 0 for any. */
};

char *vdpa_sim_parse(const char *, struct vdpa_sim_spec **, size_t *n)
    OVS_WARN_UNUSED_RESULT;
void vdpa_sim_init(const struct smap *ovs_other_config);

#endif /* vdpa-sim.h */
