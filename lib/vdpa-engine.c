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

#include <config.h>

#include "vdpa-engine.h"

#include <errno.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_vdpa.h>
#include <rte_vhost.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vdpa_engine);

struct vdpa_engine {
    int eid;
    char *name;                 /* "vdpa_simN" or the DPDK driver's name. */
};

/* The table, changed only in the main thread, always under 'engine_mutex',
 * which any thread takes to look a device up (see vdpa-engine.h). */
static struct ovs_mutex engine_mutex = OVS_MUTEX_INITIALIZER;
static struct vdpa_engine *engines;
static size_t n_engines;
/* Each device is allocated on its own and never freed: ports keep pointers
 * to them while the table grows. */
static struct vdpa_device **devices;
static size_t n_devices, allocated_devices;

static struct vdpa_engine *
engine_lookup_or_add(const char *name)
{
    for (size_t i = 0; i < n_engines; i++) {
        if (!strcmp(engines[i].name, name)) {
            return &engines[i];
        }
    }
    engines = xrealloc(engines, (n_engines + 1) * sizeof *engines);
    engines[n_engines].eid = n_engines;
    engines[n_engines].name = xstrdup(name);
    return &engines[n_engines++];
}

static struct vdpa_device *
device_lookup(const struct rte_vdpa_device *vdev)
{
    for (size_t i = 0; i < n_devices; i++) {
        if (devices[i]->vdev == vdev) {
            return devices[i];
        }
    }
    return NULL;
}

static void
device_add(const char *engine_name, struct rte_vdpa_device *vdev,
           const char *name, vdpa_engine_representor_cb *make_representor)
{
    struct vdpa_engine *engine = engine_lookup_or_add(engine_name);
    struct vdpa_device *dev;
    int did = 0;

    for (size_t i = 0; i < n_devices; i++) {
        did += devices[i]->eid == engine->eid;
    }
    if (n_devices >= allocated_devices) {
        devices = x2nrealloc(devices, &allocated_devices, sizeof *devices);
    }
    dev = devices[n_devices++] = xzalloc(sizeof *dev);
    dev->eid = engine->eid;
    dev->did = did;
    dev->name = xstrdup(name);
    dev->engine_name = engine->name;
    dev->vdev = vdev;
    dev->make_representor = make_representor;
    rte_vdpa_get_queue_num(vdev, &dev->caps.queue_pairs);
    rte_vdpa_get_features(vdev, &dev->caps.features);
    rte_vdpa_get_protocol_features(vdev, &dev->caps.protocol_features);
    VLOG_INFO("vDPA engine %d (%s) device %d: %s, %"PRIu32" queue pairs, "
              "features 0x%"PRIx64", protocol features 0x%"PRIx64,
              dev->eid, dev->engine_name, dev->did, dev->name,
              dev->caps.queue_pairs, dev->caps.features,
              dev->caps.protocol_features);
}

/* Has vdpa_engine_notify() on 'vdev''s device call 'cb' with 'aux'.  For an
 * engine that adds its devices, right after vdpa_engine_add_device(). */
void
vdpa_engine_set_notify(struct rte_vdpa_device *vdev,
                       vdpa_engine_notify_cb *cb, void *aux)
{
    struct vdpa_device *dev;

    ovs_mutex_lock(&engine_mutex);
    dev = device_lookup(vdev);
    if (dev) {
        dev->notify_aux = aux;
        dev->notify = cb;
    }
    ovs_mutex_unlock(&engine_mutex);
}

/* Adds the vDPA devices that DPDK probed and the table lacks, grouped into
 * one engine per driver. */
static void
scan_devices(void)
{
    struct rte_dev_iterator it;
    struct rte_device *rte_dev;

    ovs_mutex_lock(&engine_mutex);
    RTE_DEV_FOREACH (rte_dev, "class=vdpa", &it) {
        struct rte_vdpa_device *vdev;
        const char *name = rte_dev_name(rte_dev);

        vdev = rte_vdpa_find_device_by_name(name);
        if (vdev && !device_lookup(vdev)) {
            const struct rte_driver *drv = rte_dev_driver(rte_dev);

            device_add(drv ? rte_driver_name(drv) : "unknown", vdev, name,
                       NULL);
        }
    }
    ovs_mutex_unlock(&engine_mutex);
}

static bool
is_number(const char *s, int *n)
{
    return s[strspn(s, "0123456789")] == '\0' && str_to_int(s, 10, n);
}

static void
list_devices(struct ds *ds, int eid)
{
    bool first = true;

    for (size_t i = 0; i < n_devices; i++) {
        if (eid < 0 || devices[i]->eid == eid) {
            ds_put_format(ds, "%s%d/%d %s", first ? "" : ", ",
                          devices[i]->eid, devices[i]->did, devices[i]->name);
            first = false;
        }
    }
    if (first) {
        ds_put_cstr(ds, "none");
    }
}

/* Finds the device that vdpa-engine 'engine' and vdpa-device 'device' (each
 * a number, a name, or NULL) select for port 'port'.  With only an engine,
 * that is its first device that no other port uses.  Returns NULL and the
 * device in '*devp', or an error that names what exists.  A device named
 * in 'device' may be claimed by another port: see vdpa_engine_claim(). */
char *
vdpa_engine_find(const char *engine, const char *device, const char *port,
                 struct vdpa_device **devp)
{
    struct ds what = DS_EMPTY_INITIALIZER;
    int eid = -1, did = -1;
    char *error = NULL;

    *devp = NULL;
    scan_devices();

    ovs_mutex_lock(&engine_mutex);
    if (engine && !is_number(engine, &eid)) {
        for (size_t i = 0; i < n_engines; i++) {
            if (!strcmp(engines[i].name, engine)) {
                eid = engines[i].eid;
            }
        }
        if (eid < 0) {
            for (size_t i = 0; i < n_engines; i++) {
                ds_put_format(&what, "%s%d %s", i ? ", " : "",
                              engines[i].eid, engines[i].name);
            }
            error = xasprintf("no vDPA engine \"%s\" (engines: %s)", engine,
                              n_engines ? ds_cstr(&what) : "none");
            goto out;
        }
    }
    if (eid >= (int) n_engines) {
        error = xasprintf("no vDPA engine %d (there are %"PRIuSIZE")", eid,
                          n_engines);
        goto out;
    }

    for (size_t i = 0; i < n_devices; i++) {
        struct vdpa_device *dev = devices[i];

        if (eid >= 0 && dev->eid != eid) {
            continue;
        }
        if (device) {
            if (is_number(device, &did) ? dev->did == did
                                        : !strcmp(dev->name, device)) {
                *devp = dev;
                break;
            }
        } else if (dev->port && !strcmp(dev->port, port)) {
            /* Keep the device the port has. */
            *devp = dev;
            break;
        } else if (!dev->port && !*devp) {
            *devp = dev;
        }
    }
    if (!*devp) {
        list_devices(&what, eid);
        error = (device
                 ? xasprintf("no vDPA device \"%s\"%s (devices: %s)", device,
                             eid >= 0 ? " in that engine" : "",
                             ds_cstr(&what))
                 : xasprintf("vDPA engine %d has no free device "
                             "(devices: %s)", eid, ds_cstr(&what)));
    }
out:
    ovs_mutex_unlock(&engine_mutex);
    ds_destroy(&what);
    return error;
}

/* Records that 'port' uses 'dev', unless another port does.  Returns NULL
 * if 'port' has 'dev' now, otherwise the name of the port that has it (the
 * caller frees it). */
char *
vdpa_engine_claim(struct vdpa_device *dev, const char *port)
{
    char *holder = NULL;

    ovs_mutex_lock(&engine_mutex);
    if (!dev->port) {
        dev->port = xstrdup(port);
    } else if (strcmp(dev->port, port)) {
        holder = xstrdup(dev->port);
    }
    ovs_mutex_unlock(&engine_mutex);
    return holder;
}

/* Records that 'port' no longer uses 'dev' (which may be NULL). */
void
vdpa_engine_release(struct vdpa_device *dev, const char *port)
{
    if (dev) {
        ovs_mutex_lock(&engine_mutex);
        if (dev->port && !strcmp(dev->port, port)) {
            free(dev->port);
            dev->port = NULL;
        }
        ovs_mutex_unlock(&engine_mutex);
    }
}

/* Finds the ethdev through which OVS sends and receives the packets of the
 * guest on 'dev': the one named 'representor' if nonnull (a NIC's VF
 * representor), otherwise the ethdev named after 'dev''s DPDK device, as
 * our software engine's devices have.  If that one does not exist yet, the
 * engine that added 'dev' makes it now, if it can.  Called in the main
 * thread only. */
int
vdpa_engine_representor(const struct vdpa_device *dev,
                        const char *representor, uint16_t *port_id,
                        char **errp)
{
    const char *own = rte_dev_name(rte_vdpa_get_rte_device(dev->vdev));
    const char *name = representor ? representor : own;

    if (rte_eth_dev_get_port_by_name(name, port_id)
        && (!dev->make_representor || strcmp(name, own)
            || dev->make_representor(dev->vdev)
            || rte_eth_dev_get_port_by_name(name, port_id))) {
        *errp = xasprintf("vDPA device %s has no representor ethdev%s%s%s",
                          dev->name, representor ? " \"" : "",
                          representor ? representor : "",
                          representor ? "\"" : " (set vdpa-representor)");
        return ENODEV;
    }
    return 0;
}

/* Calls 'cb' once for each of the first 'n_vrings' vrings of 'vdev', with
 * the counters that the device keeps for that vring (the vDPA stats ops):
 * 'n' values in 'stats', each naming its counter by an index into 'names'.
 * 'aux' goes to 'cb' as is.  Does nothing if the device keeps no
 * counters. */
void
vdpa_device_stats(struct rte_vdpa_device *vdev, int n_vrings,
                  vdpa_device_stats_cb *cb, void *aux)
{
    struct rte_vdpa_stat_name *names;
    struct rte_vdpa_stat *stats;
    int n;

    n = rte_vdpa_get_stats_names(vdev, NULL, 0);
    if (n <= 0) {
        return;
    }
    names = xcalloc(n, sizeof *names);
    stats = xcalloc(n, sizeof *stats);
    n = rte_vdpa_get_stats_names(vdev, names, n);
    for (int q = 0; q < n_vrings && n > 0; q++) {
        int got = rte_vdpa_get_stats(vdev, q, stats, n);

        cb(q, names, stats, MAX(got, 0), aux);
    }
    free(names);
    free(stats);
}

static void
format_vring_stats(int vring, const struct rte_vdpa_stat_name *names,
                   const struct rte_vdpa_stat *stats, int n, void *ds_)
{
    struct ds *ds = ds_;

    ds_put_format(ds, "    vring %d (guest %s %d):", vring,
                  vring % 2 ? "tx" : "rx", vring / 2);
    for (int i = 0; i < n; i++) {
        ds_put_format(ds, " %s=%"PRIu64, names[stats[i].id].name,
                      stats[i].value);
    }
    ds_put_char(ds, '\n');
}

/* Puts the per-queue counters that 'vdev' keeps (the vDPA stats ops) for
 * its first 'n_vrings' vrings in 'ds', one line per vring. */
void
vdpa_format_device_stats(struct ds *ds, struct rte_vdpa_device *vdev,
                         int n_vrings)
{
    vdpa_device_stats(vdev, n_vrings, format_vring_stats, ds);
}

/* Calls 'cb' with 'aux' for each engine, with a null 'dev', and then for
 * each of its devices, after adding the devices that DPDK probed since the
 * last look.  'cb' runs with the table locked: it must not call back into
 * this module. */
void
vdpa_engine_visit(vdpa_engine_visit_cb *cb, void *aux)
{
    scan_devices();
    ovs_mutex_lock(&engine_mutex);
    for (size_t e = 0; e < n_engines; e++) {
        cb(engines[e].eid, engines[e].name, NULL, aux);
        for (size_t i = 0; i < n_devices; i++) {
            if (devices[i]->eid == engines[e].eid) {
                cb(engines[e].eid, engines[e].name, devices[i], aux);
            }
        }
    }
    ovs_mutex_unlock(&engine_mutex);
}

/* Adds device 'vdev', named 'name', to engine 'engine_name', for an engine
 * whose devices DPDK does not probe itself (our software engine).  If the
 * engine makes a device's representor ethdev only when a port first needs
 * it, 'make_representor' is how, otherwise it is NULL. */
void
vdpa_engine_add_device(const char *engine_name, struct rte_vdpa_device *vdev,
                       const char *name,
                       vdpa_engine_representor_cb *make_representor)
{
    ovs_mutex_lock(&engine_mutex);
    if (!device_lookup(vdev)) {
        device_add(engine_name, vdev, name, make_representor);
    }
    ovs_mutex_unlock(&engine_mutex);
}

static vdpa_engine_failure_cb *failure_cb;
static vdpa_engine_recovery_cb *recovery_cb;

/* Gives device 'vdev' the engine's own operations 'ops', which get 'aux'
 * where they take it.  For an engine that has them, right after
 * vdpa_engine_add_device(). */
void
vdpa_engine_set_ops(struct rte_vdpa_device *vdev,
                    const struct vdpa_engine_ops *ops, void *aux)
{
    struct vdpa_device *dev;

    ovs_mutex_lock(&engine_mutex);
    dev = device_lookup(vdev);
    if (dev) {
        dev->ops = ops;
        dev->ops_aux = aux;
    }
    ovs_mutex_unlock(&engine_mutex);
}

/* The ports' hook on every vhost-user message of their guests, called by
 * the vhost library's thread before it handles message 'msg' of guest 'vid'
 * ('done' false) and after ('done' true): passes it to the device that
 * serves the guest, 'serving' if the port has one serve it live, otherwise
 * the device attached to the guest's socket, if any.  One hook for both,
 * since the vhost library keeps one per guest. */
void
vdpa_engine_vhost_msg(struct vdpa_device *serving, int vid, const void *msg,
                      bool done)
{
    struct vdpa_device *dev = serving;

    if (!dev) {
        struct rte_vdpa_device *vdev = rte_vhost_get_vdpa_device(vid);

        if (vdev) {
            ovs_mutex_lock(&engine_mutex);
            dev = device_lookup(vdev);
            ovs_mutex_unlock(&engine_mutex);
        }
    }
    if (dev && dev->ops && dev->ops->vhost_msg) {
        dev->ops->vhost_msg(dev->vdev, vid, msg, done);
    }
}

/* Returns the virtio features that every device able to switch live
 * serves, or all of them if there is no such device: what a port that may
 * move its guest between the datapaths offers, so that the guest never
 * negotiates something one datapath cannot serve. */
uint64_t
vdpa_engine_live_features(void)
{
    uint64_t features = UINT64_MAX;

    ovs_mutex_lock(&engine_mutex);
    for (size_t i = 0; i < n_devices; i++) {
        if (vdpa_engine_can_switch_live(devices[i])) {
            /* While the guest is live migrated, a device that cannot log
             * dirty pages gives it to the sw datapath, which can. */
            features &= (devices[i]->caps.features
                         | VDPA_BIT(VHOST_F_LOG_ALL));
        }
    }
    ovs_mutex_unlock(&engine_mutex);
    return features;
}

/* Sets the function that learns that a failed device works again. */
void
vdpa_engine_set_recovery_cb(vdpa_engine_recovery_cb *cb)
{
    recovery_cb = cb;
}

/* Reports, from the main thread, that 'vdev', which failed, works again:
 * the ports that it served may take it back. */
void
vdpa_engine_report_recovery(struct rte_vdpa_device *vdev)
{
    struct vdpa_device *dev;

    ovs_mutex_lock(&engine_mutex);
    dev = device_lookup(vdev);
    ovs_mutex_unlock(&engine_mutex);
    if (dev && recovery_cb) {
        recovery_cb(dev);
    }
}

/* Sets the function that learns of device failures: the port's. */
void
vdpa_engine_set_failure_cb(vdpa_engine_failure_cb *cb)
{
    failure_cb = cb;
}

/* Reports, from any thread, that 'vdev' cannot serve the guest attached to
 * it, for the reason 'reason'.  A driver calls it where the vDPA ops give it
 * no way to say so (a failed dev_conf is only logged by the vhost
 * library). */
void
vdpa_engine_report_failure(struct rte_vdpa_device *vdev, const char *reason)
{
    struct vdpa_device *dev;

    ovs_mutex_lock(&engine_mutex);
    dev = device_lookup(vdev);
    ovs_mutex_unlock(&engine_mutex);
    if (dev && failure_cb) {
        failure_cb(dev, reason);
    }
}

/* Adds the vDPA devices DPDK probed to the table and registers
 * "dpdkvdpa/engine-list" (vdpa-engine-list.c). */
void
vdpa_engine_init(void)
{
    scan_devices();
    vdpa_engine_list_register();
}
