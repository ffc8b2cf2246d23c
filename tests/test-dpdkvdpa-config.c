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
 *       VHOST_SOCK_DIR, and the error, if any. */

#include <config.h>

#include <stdio.h>
#include <string.h>

#include "dpdkvdpa-config.h"
#include "smap.h"
#include "util.h"

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

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc >= 4 && !strcmp(argv[1], "parse")) {
        return do_parse(argc, argv);
    } else if (argc >= 3 && !strcmp(argv[1], "sock-dir")) {
        return do_sock_dir(argc, argv);
    }
    ovs_fatal(0, "usage: %s parse PORT SOCK_DIR [KEY=VALUE]... | "
              "sock-dir RUNDIR [VHOST_SOCK_DIR]", program_name);
}
