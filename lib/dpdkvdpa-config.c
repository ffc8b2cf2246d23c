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

/* Parses 'value' (may be NULL, then 'dflt' is used) of option 'key' as an
 * integer from 'min' to 'max' into '*out'. */
static char *
parse_int(const char *value, const char *key, int min, int max, int dflt,
          int *out)
{
    *out = dflt;
    if (value && (!str_to_int(value, 10, out) || *out < min || *out > max)) {
        return xasprintf("%s \"%s\" is not an integer from %d to %d",
                         key, value, min, max);
    }
    return NULL;
}

/* Returns the value of option 'key', or of its alias 'alias' (another
 * project's name for the same option), in '*valuep'.  Returns an error if
 * both are set to different values. */
static char *
get_aliased(const struct smap *options, const char *key, const char *alias,
            const char **valuep)
{
    const char *value = smap_get(options, key);
    const char *alias_value = smap_get(options, alias);

    if (value && alias_value && strcmp(value, alias_value)) {
        return xasprintf("%s \"%s\" and %s \"%s\" disagree",
                         key, value, alias, alias_value);
    }
    *valuep = value ? value : alias_value;
    return NULL;
}

/* Returns NULL if 'value' is unset or "-1", which mean "no vDPA", otherwise
 * a copy of it. */
static char *
vdpa_selector(const char *value)
{
    return value && value[0] && strcmp(value, "-1") ? xstrdup(value) : NULL;
}

/* Parses the vDPA options of 'options' into 'config'.  The Mellanox names
 * "vdpa-accelerator-devargs" (the device), "vdpa-sw" and "dpdk-devargs"
 * (the representor) are accepted too. */
static char *
parse_vdpa(const struct smap *options, struct dpdkvdpa_config *config)
{
    const char *engine = smap_get(options, "vdpa-engine");
    const char *mode = smap_get(options, "vdpa-mode");
    const char *device, *representor, *queues;
    char *error;

    error = get_aliased(options, "vdpa-device", "vdpa-accelerator-devargs",
                        &device);
    if (!error) {
        error = get_aliased(options, "vdpa-representor", "dpdk-devargs",
                            &representor);
    }
    if (!error) {
        error = get_aliased(options, "vdpa-max-queues", "n_rxq", &queues);
    }
    if (!error) {
        error = parse_int(queues, "vdpa-max-queues", 1,
                          DPDKVDPA_MAX_QUEUE_PAIRS, 1,
                          &config->max_queue_pairs);
    }
    if (error) {
        return error;
    }

    if (!mode || !strcmp(mode, "auto")) {
        config->mode = DPDKVDPA_MODE_AUTO;
    } else if (!strcmp(mode, "hw")) {
        config->mode = DPDKVDPA_MODE_HW;
    } else if (!strcmp(mode, "sw")) {
        config->mode = DPDKVDPA_MODE_SW;
    } else {
        return xasprintf("vdpa-mode \"%s\" is not one of auto, hw, sw",
                         mode);
    }
    if (smap_get_bool(options, "vdpa-sw", false)) {
        if (config->mode == DPDKVDPA_MODE_HW) {
            return xstrdup("vdpa-sw=true contradicts vdpa-mode=hw");
        }
        config->mode = DPDKVDPA_MODE_SW;
    }

    config->vdpa_engine = vdpa_selector(engine);
    config->vdpa_device = vdpa_selector(device);
    config->vdpa_representor = nullable_xstrdup(representor);
    if (config->mode == DPDKVDPA_MODE_HW
        && !config->vdpa_engine && !config->vdpa_device) {
        return xstrdup("vdpa-mode=hw needs vdpa-engine or vdpa-device");
    }
    if (config->vdpa_device && !config->vdpa_engine
        && config->vdpa_device[strspn(config->vdpa_device, "0123456789")]
           == '\0') {
        return xasprintf("vdpa-device %s is a device number: it needs "
                         "vdpa-engine", config->vdpa_device);
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
    const char *mask = smap_get(options, "virtio-features-mask");
    char *error;

    memset(config, 0, sizeof *config);
    config->features_mask = UINT64_MAX;
    if (mask) {
        unsigned long long int value;

        if (!str_to_ullong(mask, 0, &value)) {
            return xasprintf("virtio-features-mask \"%s\" is not a number",
                             mask);
        }
        config->features_mask = value;
    }

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

    error = parse_int(retries, "tx-retries-max", 0, DPDKVDPA_TX_RETRIES_MAX,
                      DPDKVDPA_TX_RETRIES_DEFAULT, &config->tx_retries_max);
    if (!error) {
        error = parse_vdpa(options, config);
    }
    if (error) {
        dpdkvdpa_config_destroy(config);
    }
    return error;
}

/* Returns true if 'a' and 'b' describe the same vhost-user socket and vDPA
 * device selection, so that changing from one to the other needs no new
 * socket. */
bool
dpdkvdpa_config_socket_equal(const struct dpdkvdpa_config *a,
                             const struct dpdkvdpa_config *b)
{
    return (a->client_mode == b->client_mode
            && nullable_string_is_equal(a->socket_path, b->socket_path)
            && nullable_string_is_equal(a->vdpa_engine, b->vdpa_engine)
            && nullable_string_is_equal(a->vdpa_device, b->vdpa_device)
            && nullable_string_is_equal(a->vdpa_representor,
                                        b->vdpa_representor)
            && a->mode == b->mode
            && a->features_mask == b->features_mask
            && a->max_queue_pairs == b->max_queue_pairs);
}

void
dpdkvdpa_config_copy(struct dpdkvdpa_config *dst,
                     const struct dpdkvdpa_config *src)
{
    *dst = *src;
    dst->socket_path = nullable_xstrdup(src->socket_path);
    dst->vdpa_engine = nullable_xstrdup(src->vdpa_engine);
    dst->vdpa_device = nullable_xstrdup(src->vdpa_device);
    dst->vdpa_representor = nullable_xstrdup(src->vdpa_representor);
}

void
dpdkvdpa_config_destroy(struct dpdkvdpa_config *config)
{
    if (config) {
        free(config->socket_path);
        free(config->vdpa_engine);
        free(config->vdpa_device);
        free(config->vdpa_representor);
        config->socket_path = NULL;
        config->vdpa_engine = NULL;
        config->vdpa_device = NULL;
        config->vdpa_representor = NULL;
    }
}

const char *
dpdkvdpa_mode_to_string(enum dpdkvdpa_mode mode)
{
    return (mode == DPDKVDPA_MODE_HW ? "hw"
            : mode == DPDKVDPA_MODE_SW ? "sw"
            : "auto");
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
