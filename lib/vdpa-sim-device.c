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

/* Creating the software vDPA engine's devices, as other_config:vdpa-sim
 * asks: each one's rings, its registration with DPDK as a vDPA device, its
 * entry in the engine table, and its representor ethdev when a port first
 * needs it. */

#include <config.h>

#include "vdpa-sim-private.h"

#include <errno.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_eth_ring.h>
#include <rte_ring.h>

#include "dpdkvdpa-mempool.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"
#include "vdpa-engine.h"

VLOG_DEFINE_THIS_MODULE(vdpa_sim_device);

#define SIM_RING_SIZE 1024
#define SIM_MTU 1500

struct sim_device *vdpa_sim_devices[SIM_MAX_DEVICES];
atomic_size_t vdpa_sim_n_devices = ATOMIC_VAR_INIT(0);

static struct sim_device *
sim_device_create(const char *engine_name, int index,
                  const struct vdpa_sim_spec *spec)
{
    struct sim_device *dev = xzalloc(sizeof *dev);
    char name[RTE_RING_NAMESIZE];

    dev->spec = *spec;
    ovs_mutex_init(&dev->mutex);
    atomic_init(&dev->waiters, 0);
    dev->vid = dev->setup_vid = dev->paused_vid = -1;
    for (int i = 0; i < SIM_MAX_VRINGS; i++) {
        rte_spinlock_init(&dev->vring_locks[i]);
        dev->kickfds[i] = dev->vqs[i].callfd = -1;
    }
    for (uint32_t q = 0; q < spec->queue_pairs; q++) {
        snprintf(name, sizeof name, "%s_%d_in%u", engine_name, index, q);
        dev->to_ovs[q] = rte_ring_create(name, SIM_RING_SIZE, SOCKET_ID_ANY,
                                         0);
        snprintf(name, sizeof name, "%s_%d_out%u", engine_name, index, q);
        dev->from_ovs[q] = rte_ring_create(name, SIM_RING_SIZE,
                                           SOCKET_ID_ANY, 0);
        if (!dev->to_ovs[q] || !dev->from_ovs[q]) {
            VLOG_ERR("%s: cannot create rings", engine_name);
            return NULL;
        }
    }

    /* The vDPA device is named after the representor that
     * rte_eth_from_rings() will make, "net_ring_<engine>_<index>", and has
     * a DPDK device of its own by that name (see struct sim_rte_device):
     * the representor comes only when a port needs it
     * (sim_make_representor()). */
    snprintf(dev->rep_name, sizeof dev->rep_name, "%s_%d", engine_name,
             index);
    snprintf(dev->name, sizeof dev->name, "net_ring_%s", dev->rep_name);
    dev->rte_dev.name = dev->name;
    dev->rte_dev.numa_node = SOCKET_ID_ANY;
    if (strcmp(rte_dev_name((struct rte_device *) &dev->rte_dev),
               dev->name)) {
        VLOG_ERR("%s: this DPDK's struct rte_device is not the one of DPDK "
                 "22.11", dev->name);
        return NULL;
    }

    dev->mp = dpdkvdpa_mempool_get(SIM_MTU, 0);
    if (!dev->mp) {
        return NULL;
    }

    dev->vdev = rte_vdpa_register_device((struct rte_device *) &dev->rte_dev,
                                         &vdpa_sim_ops);
    if (!dev->vdev) {
        VLOG_ERR("%s: cannot register as a vDPA device", dev->name);
        return NULL;
    }
    return dev;
}

/* Makes the representor ethdev of 'vdev', a device of a software engine
 * that has none yet: the engine table's representor callback.  Returns 0
 * if it did, otherwise a positive errno value.  Called in the main thread
 * only. */
static int
sim_make_representor(struct rte_vdpa_device *vdev)
{
    struct sim_device *dev = sim_lookup(vdev);
    int port;

    if (!dev || dev->has_representor) {
        return ENODEV;
    }
    port = rte_eth_from_rings(dev->rep_name, dev->to_ovs,
                              dev->spec.queue_pairs, dev->from_ovs,
                              dev->spec.queue_pairs, SOCKET_ID_ANY);
    if (port < 0) {
        VLOG_ERR("%s: cannot create representor: %s", dev->name,
                 rte_strerror(rte_errno));
        return ENODEV;
    }
    dev->has_representor = true;
    return 0;
}

/* Creates engine 'engine_name''s devices as 'spec' says and adds them to
 * the engine table. */
static void
sim_engine_create(const char *engine_name, const struct vdpa_sim_spec *spec)
{
    struct sim_thread *threads[SIM_MAX_THREADS];
    int n = 0;

    for (int i = 0; !spec->inline_mode && i < spec->n_threads; i++) {
        threads[i] = vdpa_sim_thread_create(engine_name, i, spec->cpu_mask);
    }

    for (int i = 0; i < spec->n_devices; i++) {
        struct sim_device *dev;
        size_t n_devs = sim_n_devices();

        if (n_devs >= SIM_MAX_DEVICES) {
            VLOG_ERR("%s: more than %d devices", engine_name,
                     SIM_MAX_DEVICES);
            break;
        }
        dev = sim_device_create(engine_name, i, spec);
        if (!dev) {
            continue;
        }
        dev->thread = (spec->inline_mode ? NULL
                       : threads[n % spec->n_threads]);
        /* Publish the device only once it is complete. */
        vdpa_sim_devices[n_devs] = dev;
        atomic_store(&vdpa_sim_n_devices, n_devs + 1);
        vdpa_engine_add_device(engine_name, dev->vdev, dev->name,
                               sim_make_representor);
        if (spec->inline_mode) {
            /* The PMD threads that send do the work: nothing to wake. */
            vdpa_engine_set_ops(dev->vdev, (spec->no_live
                                            ? &vdpa_sim_attached_inline_ops
                                            : &vdpa_sim_live_inline_ops),
                                dev);
        } else {
            vdpa_engine_set_notify(dev->vdev, vdpa_sim_notify, dev);
            vdpa_engine_set_ops(dev->vdev, (spec->no_live
                                            ? &vdpa_sim_attached_ops
                                            : &vdpa_sim_live_ops), dev);
        }
        n++;
    }

    /* A thread without devices would only sleep: start only those that
     * have some. */
    for (int i = 0; !spec->inline_mode && i < spec->n_threads && i < n;
         i++) {
        vdpa_sim_thread_start(threads[i]);
    }
}

/* Creates the software engines that other_config:vdpa-sim asks for, named
 * "vdpa_simN". */
void
vdpa_sim_init(const struct smap *ovs_other_config)
{
    const char *sim = smap_get(ovs_other_config, "vdpa-sim");
    struct vdpa_sim_spec *specs;
    size_t n_specs;
    char *error;

    error = vdpa_sim_parse(sim, &specs, &n_specs);
    if (error) {
        VLOG_ERR("other_config:vdpa-sim: %s", error);
        free(error);
    }
    for (size_t i = 0; i < n_specs; i++) {
        char *engine_name = xasprintf("vdpa_sim%"PRIuSIZE, i);

        sim_engine_create(engine_name, &specs[i]);
        free(engine_name);
    }
    free(specs);
    vdpa_sim_register_commands();
}
