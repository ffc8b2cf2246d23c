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

#include "dpdkvdpa-config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "openvswitch/util.h"
#include "smap.h"
#include "util.h"

/* The longest socket path that fits in a sockaddr_un. */
#define SOCKET_PATH_MAX (sizeof ((struct sockaddr_un *) NULL)->sun_path - 1)

static char *
check_socket_path(const char *path, const char *what)
{
    if (strlen(path) > SOCKET_PATH_MAX) {
        return xasprintf("%s \"%s\" is longer than the %"PRIuSIZE" bytes a "
                         "unix socket path may have", what, path,
                         SOCKET_PATH_MAX);
    }
    return NULL;
}

/* Returns NULL if 'dir' is a directory where a socket can be created,
 * otherwise an error message that the caller must free. */
static char *
check_socket_dir(const char *dir)
{
    struct stat s;

    if (stat(dir, &s)) {
        return xasprintf("vhost socket directory %s: %s",
                         dir, ovs_strerror(errno));
    }
    if (!S_ISDIR(s.st_mode)) {
        return xasprintf("vhost socket directory %s: %s",
                         dir, ovs_strerror(ENOTDIR));
    }
    if (access(dir, W_OK | X_OK)) {
        return xasprintf("vhost socket directory %s: %s",
                         dir, ovs_strerror(errno));
    }
    return NULL;
}

/* Parses the Interface 'options' of dpdkvdpa port 'port_name' into 'config'
 * (which the caller must later pass to dpdkvdpa_config_destroy()).  Server
 * mode sockets are created in 'sock_dir'.
 *
 * Returns NULL on success, otherwise a message for the Interface "error"
 * column, which the caller must free; then 'config' holds nothing. */
char *
dpdkvdpa_config_parse(const struct smap *options, const char *port_name,
                      const char *sock_dir, struct dpdkvdpa_config *config)
{
    const char *path = smap_get(options, "vhost-server-path");
    const char *alias = smap_get(options, "vdpa-socket-path");
    const char *retries = smap_get(options, "tx-retries-max");
    char *error;

    memset(config, 0, sizeof *config);

    /* "vdpa-socket-path" is the name Mellanox's dpdkvdpa used. */
    if (path && alias && strcmp(path, alias)) {
        return xasprintf("vhost-server-path \"%s\" and vdpa-socket-path "
                         "\"%s\" name different sockets", path, alias);
    }
    if (!path) {
        path = alias;
    }

    if (path) {
        if (!path[0]) {
            return xstrdup("vhost-server-path is empty");
        }
        error = check_socket_path(path, "vhost-server-path");
        if (error) {
            return error;
        }
        config->client_mode = true;
        config->socket_path = xstrdup(path);
    } else {
        if (strchr(port_name, '/')) {
            return xasprintf("port name \"%s\" cannot name a socket in %s",
                             port_name, sock_dir);
        }
        error = check_socket_dir(sock_dir);
        if (error) {
            return error;
        }
        config->socket_path = xasprintf("%s/%s", sock_dir, port_name);
        error = check_socket_path(config->socket_path, "socket path");
        if (error) {
            dpdkvdpa_config_destroy(config);
            return error;
        }
    }

    config->tx_retries_max = DPDKVDPA_TX_RETRIES_DEFAULT;
    if (retries) {
        int value;

        if (!str_to_int(retries, 10, &value)
            || value < 0 || value > DPDKVDPA_TX_RETRIES_MAX) {
            dpdkvdpa_config_destroy(config);
            return xasprintf("tx-retries-max \"%s\" is not an integer from "
                             "0 to %d", retries, DPDKVDPA_TX_RETRIES_MAX);
        }
        config->tx_retries_max = value;
    }

    return NULL;
}

/* Returns true if 'a' and 'b' describe the same vhost-user socket, so that
 * changing from one to the other needs no new socket. */
bool
dpdkvdpa_config_socket_equal(const struct dpdkvdpa_config *a,
                             const struct dpdkvdpa_config *b)
{
    return (a->client_mode == b->client_mode
            && nullable_string_is_equal(a->socket_path, b->socket_path));
}

void
dpdkvdpa_config_copy(struct dpdkvdpa_config *dst,
                     const struct dpdkvdpa_config *src)
{
    *dst = *src;
    dst->socket_path = nullable_xstrdup(src->socket_path);
}

void
dpdkvdpa_config_destroy(struct dpdkvdpa_config *config)
{
    if (config) {
        free(config->socket_path);
        config->socket_path = NULL;
    }
}

/* Returns the directory for server mode sockets, as OVS does for its
 * dpdkvhostuser ports: other_config:vhost-sock-dir ('vhost_sock_dir', may be
 * NULL) taken relative to 'rundir'.  A value that climbs out of 'rundir' is
 * refused with a message in '*errp' (which the caller must free) and
 * 'rundir' is used instead.  The caller must free the returned string. */
char *
dpdkvdpa_sock_dir(const char *vhost_sock_dir, const char *rundir,
                  char **errp)
{
    *errp = NULL;
    if (!vhost_sock_dir || !vhost_sock_dir[0]) {
        return xstrdup(rundir);
    }
    if (strstr(vhost_sock_dir, "..")) {
        *errp = xasprintf("other_config:vhost-sock-dir \"%s\" must not "
                          "contain \"..\", using %s", vhost_sock_dir, rundir);
        return xstrdup(rundir);
    }
    return xasprintf("%s/%s", rundir, vhost_sock_dir);
}
