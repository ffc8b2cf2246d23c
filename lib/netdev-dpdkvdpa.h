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

#ifndef NETDEV_DPDKVDPA_H
#define NETDEV_DPDKVDPA_H 1

struct smap;

/* Registers the "dpdkvdpa" netdev class.  Must be called once DPDK's EAL is
 * initialized, with the Open_vSwitch table's other_config. */
void netdev_dpdkvdpa_register(const struct smap *ovs_other_config);

#endif /* netdev-dpdkvdpa.h */
