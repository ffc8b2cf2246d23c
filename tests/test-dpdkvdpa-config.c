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

/* Drives lib/dpdkvdpa-config.c for tests/unit-config.at:
 *
 *   test-dpdkvdpa-config parse PORT SOCK_DIR [KEY=VALUE]...
 *       Parses the options KEY=VALUE of dpdkvdpa port PORT and prints the
 *       resulting configuration, or "error: " and the message.
 *
 *   test-dpdkvdpa-config sock-dir RUNDIR [VHOST_SOCK_DIR]
 *       Prints the server socket directory for other_config:vhost-sock-dir
 *       VHOST_SOCK_DIR, and the error, if any.
 *
 *   test-dpdkvdpa-config fit QUEUE_PAIRS FEATURES PROTOCOL_FEATURES PORT_QPS
 *       Prints whether a vDPA device with these capabilities can serve a
 *       port with PORT_QPS queue pairs, and why not.
 *
 *   test-dpdkvdpa-config sim SPEC
 *       Prints the software vDPA engines that other_config:vdpa-sim=SPEC
 *       describes. */

#include <config.h>

#include <stdio.h>
#include <string.h>

#include "dpdkvdpa-config.h"
#include "openvswitch/dynamic-string.h"
#include "smap.h"
#include "util.h"
#include "vdpa-engine.h"
#include "vdpa-sim.h"

static int
do_parse(int argc, char *argv[])
{
    struct dpdkvdpa_config config;
    struct smap options = SMAP_INITIALIZER(&options);
    char *error;

    for (int i = 4; i < argc; i++) {
        char *eq = strchr(argv[i], '=');

        if (!eq) {
            ovs_fatal(0, "%s: option must be KEY=VALUE", argv[i]);
        }
        *eq = '\0';
        smap_add(&options, argv[i], eq + 1);
    }

    error = dpdkvdpa_config_parse(&options, argv[2], argv[3], &config);
    if (error) {
        printf("error: %s\n", error);
        free(error);
    } else {
        printf("mode: %s\n", config.client_mode ? "client" : "server");
        printf("socket: %s\n", config.socket_path);
        printf("tx-retries-max: %d\n", config.tx_retries_max);
        printf("vdpa-mode: %s\n", dpdkvdpa_mode_to_string(config.mode));
        printf("vdpa-engine: %s\n", config.vdpa_engine ? config.vdpa_engine
                                                      : "(none)");
        printf("vdpa-device: %s\n", config.vdpa_device ? config.vdpa_device
                                                      : "(none)");
        printf("vdpa-representor: %s\n", (config.vdpa_representor
                                           ? config.vdpa_representor
                                           : "(default)"));
        printf("vdpa-max-queues: %d\n", config.max_queue_pairs);
        dpdkvdpa_config_destroy(&config);
    }
    smap_destroy(&options);
    return 0;
}

static int
do_sock_dir(int argc, char *argv[])
{
    char *error;
    char *dir = dpdkvdpa_sock_dir(argc > 3 ? argv[3] : NULL, argv[2],
                                  &error);

    printf("%s\n", dir);
    if (error) {
        printf("error: %s\n", error);
        free(error);
    }
    free(dir);
    return 0;
}

static int
do_fit(char *argv[])
{
    struct vdpa_caps have = {
        .queue_pairs = strtoul(argv[2], NULL, 0),
        .features = strtoull(argv[3], NULL, 0),
        .protocol_features = strtoull(argv[4], NULL, 0),
    };
    struct vdpa_caps need;
    char *why;

    vdpa_caps_for_port(atoi(argv[5]), &need);
    why = vdpa_caps_check("dev", &have, &need);
    printf("%s\n", why ? why : "fits");
    free(why);
    return 0;
}

static int
do_sim(char *argv[])
{
    struct vdpa_sim_spec *specs;
    size_t n;
    char *error = vdpa_sim_parse(argv[2], &specs, &n);

    if (error) {
        printf("error: %s\n", error);
        free(error);
    }
    for (size_t i = 0; i < n; i++) {
        struct ds features = DS_EMPTY_INITIALIZER;

        vdpa_format_features(&features, specs[i].features);
        printf("engine %"PRIuSIZE": %d devices, %"PRIu32" queue pairs, "
               "features %s%s", i, specs[i].n_devices,
               specs[i].queue_pairs, ds_cstr(&features),
               specs[i].fail_conf ? ", fails dev_conf" : "");
        if (specs[i].n_threads != 1) {
            printf(", %d threads", specs[i].n_threads);
        }
        if (specs[i].cpu_mask) {
            printf(", CPU mask 0x%"PRIx64, specs[i].cpu_mask);
        }
        if (!specs[i].inline_mode) {
            printf(", thread mode");
        }
        putchar('\n');
        ds_destroy(&features);
    }
    free(specs);
    return 0;
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc >= 4 && !strcmp(argv[1], "parse")) {
        return do_parse(argc, argv);
    } else if (argc >= 3 && !strcmp(argv[1], "sock-dir")) {
        return do_sock_dir(argc, argv);
    } else if (argc == 6 && !strcmp(argv[1], "fit")) {
        return do_fit(argv);
    } else if (argc == 3 && !strcmp(argv[1], "sim")) {
        return do_sim(argv);
    }
    ovs_fatal(0, "usage: %s parse PORT SOCK_DIR [KEY=VALUE]... | "
              "sock-dir RUNDIR [VHOST_SOCK_DIR] | "
              "fit QUEUE_PAIRS FEATURES PROTOCOL_FEATURES PORT_QPS | "
              "sim SPEC", program_name);
}
