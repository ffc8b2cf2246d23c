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

/* Where "dpdkvdpa" joins OVS's netdev classes.
 *
 * OVS registers its DPDK classes in netdev_dpdk_register(), which lib/dpdk.c
 * calls once the EAL is up.  Our ovs-vswitchd is linked with
 * -Wl,--wrap=netdev_dpdk_register, so that call lands here and our class is
 * registered at the same moment, without changing any OVS file, followed by
 * the software vDPA engine's devices that other_config:vdpa-sim asks for. */

#include <config.h>

#include "netdev-dpdk.h"
#include "netdev-dpdkvdpa.h"
#include "vdpa-sim.h"

void __real_netdev_dpdk_register(const struct smap *);
void __wrap_netdev_dpdk_register(const struct smap *);

void
__wrap_netdev_dpdk_register(const struct smap *ovs_other_config)
{
    __real_netdev_dpdk_register(ovs_other_config);
    netdev_dpdkvdpa_register(ovs_other_config);
    vdpa_sim_init(ovs_other_config);
}
