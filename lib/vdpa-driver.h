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

#ifndef VDPA_DRIVER_H
#define VDPA_DRIVER_H 1

/* The vDPA driver interface of DPDK's vhost library.
 *
 * A vDPA driver hands the vhost library a table of device operations.
 * DPDK 22.11 exports the functions for that (as internal API) but does not
 * install the header that declares them, vdpa_driver.h, so this file
 * declares DPDK 22.11's layout unless configure found the header.  The
 * asserts pin the layout either way: a DPDK whose table differs fails to
 * build rather than calling the wrong operation. */

#include <stddef.h>
#include <stdint.h>

#include <rte_vdpa.h>
#include <rte_vhost.h>

#ifdef HAVE_VDPA_DRIVER_H
#include <vdpa_driver.h>
#else
struct rte_device;

struct rte_vdpa_dev_ops {
    int (*get_queue_num)(struct rte_vdpa_device *, uint32_t *queue_num);
    int (*get_features)(struct rte_vdpa_device *, uint64_t *features);
    int (*get_protocol_features)(struct rte_vdpa_device *,
                                 uint64_t *protocol_features);
    int (*dev_conf)(int vid);
    int (*dev_close)(int vid);
    int (*dev_cleanup)(int vid);
    int (*set_vring_state)(int vid, int vring, int state);
    int (*set_features)(int vid);
    int (*migration_done)(int vid);
    int (*get_vfio_group_fd)(int vid);
    int (*get_vfio_device_fd)(int vid);
    int (*get_notify_area)(int vid, int qid, uint64_t *offset,
                           uint64_t *size);
    int (*get_stats_names)(struct rte_vdpa_device *,
                           struct rte_vdpa_stat_name *, unsigned int size);
    int (*get_stats)(struct rte_vdpa_device *, int qid,
                     struct rte_vdpa_stat *, unsigned int n);
    int (*reset_stats)(struct rte_vdpa_device *, int qid);
    int (*get_config)(int vid, uint8_t *config, uint32_t size);
    int (*set_config)(int vid, uint8_t *config, uint32_t offset,
                      uint32_t size, uint32_t flags);
    int (*get_dev_type)(struct rte_vdpa_device *, uint32_t *type);
};

struct rte_vdpa_device *rte_vdpa_register_device(struct rte_device *,
                                                 struct rte_vdpa_dev_ops *);
int rte_vdpa_unregister_device(struct rte_vdpa_device *);
#endif

#define VDPA_OPS_SLOT(MEMBER) \
    (offsetof(struct rte_vdpa_dev_ops, MEMBER) / sizeof(void (*)(void)))
_Static_assert(sizeof(struct rte_vdpa_dev_ops) == 18 * sizeof(void (*)(void)),
               "struct rte_vdpa_dev_ops is not DPDK 22.11's");
_Static_assert(VDPA_OPS_SLOT(dev_conf) == 3
               && VDPA_OPS_SLOT(set_vring_state) == 6
               && VDPA_OPS_SLOT(migration_done) == 8
               && VDPA_OPS_SLOT(get_stats) == 13
               && VDPA_OPS_SLOT(get_dev_type) == 17,
               "struct rte_vdpa_dev_ops is not DPDK 22.11's");

#endif /* vdpa-driver.h */
