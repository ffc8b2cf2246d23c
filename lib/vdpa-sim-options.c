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

/* other_config:vdpa-sim: how many software vDPA engines to create, and
 * what each one's devices offer. */

#include <config.h>

#include "vdpa-sim.h"

#include <string.h>

#include "util.h"
#include "vdpa-sim-private.h"

/* Parses other_config:vdpa-sim, a ";"-separated list of engines, each a
 * ","-separated list of "devices=N", "queues=Q", "features=MASK" (ANDed
 * with what the engine can do), "dirty-log=no" (the devices cannot log the
 * guest pages they write, as NICs without dirty page tracking, so they
 * offer no VHOST_F_LOG_ALL and their guests cannot be live migrated),
 * "live=no" (the devices cannot switch a guest live: ports attach them to
 * their vhost-user sockets, as they do a NIC's), "fail=conf", and the mode:
 * "mode=inline" (the default: the PMD threads that poll a representor move
 * the packets, in its bursts, and there are no engine threads) or
 * "mode=thread" (engine threads move the packets), which alone takes
 * "threads=N" (engine threads, which share the devices out) and
 * "cpu-mask=MASK" (the CPUs the threads may run on, as pmd-cpu-mask).
 * Either of those two without "mode=" means "mode=thread"; with
 * "mode=inline" it is an error. */
char *
vdpa_sim_parse(const char *s, struct vdpa_sim_spec **specsp, size_t *np)
{
    char *copy, *engine_save, *engine;
    char *error = NULL;

    *specsp = NULL;
    *np = 0;
    if (!s || !s[0]) {
        return NULL;
    }

    copy = xstrdup(s);
    for (engine = strtok_r(copy, ";", &engine_save); engine && !error;
         engine = strtok_r(NULL, ";", &engine_save)) {
        struct vdpa_sim_spec spec = {
            .n_devices = 1,
            .queue_pairs = 1,
            .features = SIM_FEATURES,
            .n_threads = 1,
            .inline_mode = true,
        };
        bool mode_given = false;
        bool thread_settings = false;
        char *kv_save, *kv;

        for (kv = strtok_r(engine, ", ", &kv_save); kv && !error;
             kv = strtok_r(NULL, ", ", &kv_save)) {
            char *value = strchr(kv, '=');
            unsigned long long mask;
            int n;

            if (value) {
                *value++ = '\0';
            }
            if (!value) {
                error = xasprintf("\"%s\" is not KEY=VALUE", kv);
            } else if (!strcmp(kv, "devices")) {
                if (!str_to_int(value, 10, &n) || n < 1 || n > 64) {
                    error = xasprintf("devices=%s: not 1 to 64", value);
                }
                spec.n_devices = n;
            } else if (!strcmp(kv, "queues")) {
                if (!str_to_int(value, 10, &n) || n < 1
                    || n > SIM_MAX_QUEUE_PAIRS) {
                    error = xasprintf("queues=%s: not 1 to %d", value,
                                      SIM_MAX_QUEUE_PAIRS);
                }
                spec.queue_pairs = n;
            } else if (!strcmp(kv, "features")) {
                if (!str_to_ullong(value, 0, &mask)) {
                    error = xasprintf("features=%s: not a number", value);
                }
                spec.features = SIM_FEATURES & mask;
            } else if (!strcmp(kv, "threads")) {
                if (!str_to_int(value, 10, &n) || n < 1
                    || n > SIM_MAX_THREADS) {
                    error = xasprintf("threads=%s: not 1 to %d", value,
                                      SIM_MAX_THREADS);
                }
                spec.n_threads = n;
                thread_settings = true;
            } else if (!strcmp(kv, "cpu-mask")) {
                if (!str_to_ullong(value, 16, &mask) || !mask) {
                    error = xasprintf("cpu-mask=%s: not a hexadecimal CPU "
                                      "mask", value);
                }
                spec.cpu_mask = mask;
                thread_settings = true;
            } else if (!strcmp(kv, "dirty-log")
                       && (!strcmp(value, "no") || !strcmp(value, "yes"))) {
                spec.no_dirty_log = !strcmp(value, "no");
            } else if (!strcmp(kv, "live")
                       && (!strcmp(value, "no") || !strcmp(value, "yes"))) {
                spec.no_live = !strcmp(value, "no");
            } else if (!strcmp(kv, "mode")
                       && (!strcmp(value, "inline")
                           || !strcmp(value, "thread"))) {
                spec.inline_mode = !strcmp(value, "inline");
                mode_given = true;
            } else if (!strcmp(kv, "fail") && !strcmp(value, "conf")) {
                spec.fail_conf = true;
            } else {
                error = xasprintf("unknown setting %s=%s", kv, value);
            }
        }
        if (!error && thread_settings) {
            if (!mode_given) {
                spec.inline_mode = false;
            } else if (spec.inline_mode) {
                error = xstrdup("mode=inline has no engine threads: threads "
                                "and cpu-mask need mode=thread");
            }
        }
        if (spec.no_dirty_log) {
            spec.features &= ~VDPA_BIT(VHOST_F_LOG_ALL);
        }
        if (!error) {
            *specsp = xrealloc(*specsp, (*np + 1) * sizeof **specsp);
            (*specsp)[(*np)++] = spec;
        }
    }
    free(copy);
    return error;
}
