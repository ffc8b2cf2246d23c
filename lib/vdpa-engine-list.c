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

/* The "dpdkvdpa/engine-list" command: every vDPA engine and its devices,
 * with what each offers and the port that uses it, as
 * "vdpa mgmtdev show" and "vdpa dev show" show them for the kernel. */

#include <config.h>

#include "vdpa-engine.h"

#include <inttypes.h>

#include "openvswitch/dynamic-string.h"
#include "unixctl.h"
#include "util.h"

static void
format_engine_or_device(int eid, const char *engine_name,
                        const struct vdpa_device *dev, void *ds_)
{
    struct ds *ds = ds_;

    if (!dev) {
        ds_put_format(ds, "engine %d: %s\n", eid, engine_name);
        return;
    }
    ds_put_format(ds, "  device %d: %s\n", dev->did, dev->name);
    ds_put_format(ds, "    queue pairs: %"PRIu32"\n", dev->caps.queue_pairs);
    if (dev->ops && dev->ops->mode) {
        ds_put_format(ds, "    mode: %s\n", dev->ops->mode);
    }
    ds_put_format(ds, "    features: 0x%016"PRIx64" ", dev->caps.features);
    vdpa_format_features(ds, dev->caps.features);
    ds_put_format(ds, "\n    protocol features: 0x%"PRIx64" ",
                  dev->caps.protocol_features);
    vdpa_format_protocol_features(ds, dev->caps.protocol_features);
    ds_put_format(ds, "\n    port: %s\n", dev->port ? dev->port : "none");
}

static void
engine_list(struct unixctl_conn *conn, int argc OVS_UNUSED,
            const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    vdpa_engine_visit(format_engine_or_device, &ds);
    if (!ds.length) {
        ds_put_cstr(&ds, "no vDPA engines\n");
    }
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

/* Registers "dpdkvdpa/engine-list". */
void
vdpa_engine_list_register(void)
{
    unixctl_command_register("dpdkvdpa/engine-list", "", 0, 0,
                             engine_list, NULL);
}
