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

#include "dpdkvdpa-qos.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_meter.h>
#include <rte_spinlock.h>

#include "dp-packet.h"
#include "hash.h"
#include "netdev.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(dpdkvdpa_qos);

/* The ingress policer: a single rate three color marker (RFC 2697) without
 * excess burst, so that every packet it does not color green is dropped.
 * 'lock' serializes the PMD threads of the port's rx queues. */
struct dpdkvdpa_policer {
    rte_spinlock_t lock;
    struct rte_meter_srtcm_profile profile;
    struct rte_meter_srtcm meter;
};

/* A queue of a "trtcm-policer": its own two rate marker (RFC 4115) whose
 * color the port's marker then takes into account. */
struct trtcm_queue {
    struct hmap_node node;          /* In struct dpdkvdpa_egress 'queues'. */
    uint32_t id;
    struct rte_meter_trtcm_rfc4115_params params;
    struct rte_meter_trtcm_rfc4115_profile profile;
    struct rte_meter_trtcm_rfc4115 meter;
    struct netdev_queue_stats stats;
};

enum egress_kind {
    EGRESS_POLICER,                 /* "egress-policer". */
    TRTCM_POLICER,                  /* "trtcm-policer". */
};

/* The egress QoS.  The PMD threads that send on the port's tx queues use
 * it under 'lock', which the main thread also takes to change the queues
 * of a "trtcm-policer" in place, as OVS changes a QoS row's queues without
 * replacing the QoS. */
struct dpdkvdpa_egress {
    enum egress_kind kind;
    rte_spinlock_t lock;

    /* EGRESS_POLICER. */
    struct rte_meter_srtcm_params srtcm_params;
    struct rte_meter_srtcm_profile srtcm_profile;
    struct rte_meter_srtcm srtcm;

    /* TRTCM_POLICER. */
    struct rte_meter_trtcm_rfc4115_params trtcm_params;
    struct rte_meter_trtcm_rfc4115_profile trtcm_profile;
    struct rte_meter_trtcm_rfc4115 trtcm;
    struct hmap queues;             /* Of struct trtcm_queue, by 'id'. */
};

static const char *const egress_names[] = {
    [EGRESS_POLICER] = "egress-policer",
    [TRTCM_POLICER] = "trtcm-policer",
};

/* What a meter counts of a packet: as OVS's DPDK ports, its length without
 * the Ethernet header. */
static uint32_t
metered_len(const struct rte_mbuf *pkt)
{
    uint32_t len = rte_pktmbuf_pkt_len(pkt);

    return len > RTE_ETHER_HDR_LEN ? len - RTE_ETHER_HDR_LEN : 0;
}

/* Keeps at the start of 'pkts' the packets of the 'n' for which 'pass'
 * returns true, in order, frees the others and returns how many it kept. */
static int
filter_packets(struct rte_mbuf **pkts, int n,
               bool (*pass)(void *aux, struct rte_mbuf *, uint64_t now),
               void *aux)
{
    uint64_t now = rte_rdtsc();
    int kept = 0;

    for (int i = 0; i < n; i++) {
        if (pass(aux, pkts[i], now)) {
            pkts[kept++] = pkts[i];
        } else {
            rte_pktmbuf_free(pkts[i]);
        }
    }
    return kept;
}

/* Configures 'profile' and 'meter' from 'params'.  Returns 0 or a positive
 * errno value. */
static int
srtcm_config(struct rte_meter_srtcm_params *params,
             struct rte_meter_srtcm_profile *profile,
             struct rte_meter_srtcm *meter)
{
    int error = rte_meter_srtcm_profile_config(profile, params);

    if (!error) {
        error = rte_meter_srtcm_config(meter, profile);
    }
    return -error;
}

static int
trtcm_config(struct rte_meter_trtcm_rfc4115_params *params,
             struct rte_meter_trtcm_rfc4115_profile *profile,
             struct rte_meter_trtcm_rfc4115 *meter)
{
    int error = rte_meter_trtcm_rfc4115_profile_config(profile, params);

    if (!error) {
        error = rte_meter_trtcm_rfc4115_config(meter, profile);
    }
    return -error;
}

void
dpdkvdpa_qos_init(struct dpdkvdpa_qos *qos)
{
    ovsrcu_init(&qos->ingress, NULL);
    ovsrcu_init(&qos->egress, NULL);
    qos->policing_rate = 0;
    qos->policing_burst = 0;
}

static void egress_destroy(struct dpdkvdpa_egress *);

/* Frees what 'qos' holds, once the PMD threads are done with it. */
void
dpdkvdpa_qos_destroy(struct dpdkvdpa_qos *qos)
{
    struct dpdkvdpa_policer *policer;
    struct dpdkvdpa_egress *egress;

    policer = ovsrcu_get_protected(struct dpdkvdpa_policer *, &qos->ingress);
    egress = ovsrcu_get_protected(struct dpdkvdpa_egress *, &qos->egress);
    ovsrcu_set(&qos->ingress, NULL);
    ovsrcu_set(&qos->egress, NULL);
    if (policer) {
        ovsrcu_postpone(free, policer);
    }
    if (egress) {
        ovsrcu_postpone(egress_destroy, egress);
    }
}

/* The ingress policer. */

static struct dpdkvdpa_policer *
policer_create(unsigned int kbits_rate, unsigned int kbits_burst)
{
    struct dpdkvdpa_policer *policer = xzalloc(sizeof *policer);
    struct rte_meter_srtcm_params params = {
        .cir = kbits_rate * 1000ULL / 8,
        .cbs = kbits_burst * 1000ULL / 8,
        .ebs = 0,
    };

    rte_spinlock_init(&policer->lock);
    if (srtcm_config(&params, &policer->profile, &policer->meter)) {
        VLOG_ERR("Could not create rte meter for ingress policer");
        free(policer);
        return NULL;
    }
    return policer;
}

/* Polices what the guest sends at 'kbits_rate' kbit/s with bursts of
 * 'kbits_burst' kbit (8000 if 0), or not at all if 'kbits_rate' is 0.  A
 * policer that DPDK refuses is logged and leaves the port unpoliced, as on
 * OVS's DPDK ports.  Returns 0. */
int
dpdkvdpa_qos_set_policing(struct dpdkvdpa_qos *qos, unsigned int kbits_rate,
                          unsigned int kbits_burst)
{
    struct dpdkvdpa_policer *old, *new = NULL;

    kbits_burst = !kbits_rate ? 0 : !kbits_burst ? 8000 : kbits_burst;
    if (qos->policing_rate == kbits_rate
        && qos->policing_burst == kbits_burst) {
        return 0;
    }

    if (kbits_rate) {
        new = policer_create(kbits_rate, kbits_burst);
    }
    old = ovsrcu_get_protected(struct dpdkvdpa_policer *, &qos->ingress);
    ovsrcu_set(&qos->ingress, new);
    if (old) {
        ovsrcu_postpone(free, old);
    }
    qos->policing_rate = kbits_rate;
    qos->policing_burst = kbits_burst;
    return 0;
}

static bool
policer_pass(void *policer_, struct rte_mbuf *pkt, uint64_t now)
{
    struct dpdkvdpa_policer *policer = policer_;

    return (rte_meter_srtcm_color_blind_check(&policer->meter,
                                              &policer->profile, now,
                                              metered_len(pkt))
            == RTE_COLOR_GREEN);
}

/* Applies the ingress policer to the 'n' packets in 'pkts' that the guest
 * sent: frees those over the rate and moves the others to the start of
 * 'pkts'.  Returns how many are left. */
int
dpdkvdpa_qos_police_rx(struct dpdkvdpa_qos *qos, struct rte_mbuf **pkts,
                       int n)
{
    struct dpdkvdpa_policer *policer;

    policer = ovsrcu_get(struct dpdkvdpa_policer *, &qos->ingress);
    if (OVS_LIKELY(!policer)) {
        return n;
    }
    rte_spinlock_lock(&policer->lock);
    n = filter_packets(pkts, n, policer_pass, policer);
    rte_spinlock_unlock(&policer->lock);
    return n;
}

/* Egress QoS. */

static void
details_to_srtcm(const struct smap *details,
                 struct rte_meter_srtcm_params *params)
{
    memset(params, 0, sizeof *params);
    params->cir = smap_get_ullong(details, "cir", 0);
    params->cbs = smap_get_ullong(details, "cbs", 0);
}

static void
details_to_trtcm(const struct smap *details,
                 struct rte_meter_trtcm_rfc4115_params *params)
{
    memset(params, 0, sizeof *params);
    params->cir = smap_get_ullong(details, "cir", 0);
    params->eir = smap_get_ullong(details, "eir", 0);
    params->cbs = smap_get_ullong(details, "cbs", 0);
    params->ebs = smap_get_ullong(details, "ebs", 0);
}

static void
trtcm_to_details(const struct rte_meter_trtcm_rfc4115_params *params,
                 struct smap *details)
{
    smap_add_format(details, "cir", "%"PRIu64, params->cir);
    smap_add_format(details, "eir", "%"PRIu64, params->eir);
    smap_add_format(details, "cbs", "%"PRIu64, params->cbs);
    smap_add_format(details, "ebs", "%"PRIu64, params->ebs);
}

static void
egress_destroy(struct dpdkvdpa_egress *egress)
{
    struct trtcm_queue *queue;

    if (!egress) {
        return;
    }
    if (egress->kind == TRTCM_POLICER) {
        HMAP_FOR_EACH_POP (queue, node, &egress->queues) {
            free(queue);
        }
        hmap_destroy(&egress->queues);
    }
    free(egress);
}

/* Creates an egress QoS of 'kind' from 'details' in '*egressp'.  Returns 0
 * or a positive errno value. */
static int
egress_create(enum egress_kind kind, const struct smap *details,
              struct dpdkvdpa_egress **egressp)
{
    struct dpdkvdpa_egress *egress = xzalloc(sizeof *egress);
    int error;

    egress->kind = kind;
    rte_spinlock_init(&egress->lock);
    if (kind == EGRESS_POLICER) {
        details_to_srtcm(details, &egress->srtcm_params);
        error = srtcm_config(&egress->srtcm_params, &egress->srtcm_profile,
                             &egress->srtcm);
        if (error) {
            VLOG_ERR("Could not create rte meter for egress policer");
        }
    } else {
        details_to_trtcm(details, &egress->trtcm_params);
        error = trtcm_config(&egress->trtcm_params, &egress->trtcm_profile,
                             &egress->trtcm);
        hmap_init(&egress->queues);
    }
    if (error) {
        egress_destroy(egress);
        egress = NULL;
    }
    *egressp = egress;
    return error;
}

/* Returns true if 'egress' already is what 'kind' and 'details' ask. */
static bool
egress_equals(const struct dpdkvdpa_egress *egress, enum egress_kind kind,
              const struct smap *details)
{
    if (egress->kind != kind) {
        return false;
    } else if (kind == EGRESS_POLICER) {
        struct rte_meter_srtcm_params params;

        details_to_srtcm(details, &params);
        return !memcmp(&params, &egress->srtcm_params, sizeof params);
    } else {
        struct rte_meter_trtcm_rfc4115_params params;

        details_to_trtcm(details, &params);
        return !memcmp(&params, &egress->trtcm_params, sizeof params);
    }
}

void
dpdkvdpa_qos_get_types(struct sset *types)
{
    for (size_t i = 0; i < ARRAY_SIZE(egress_names); i++) {
        sset_add(types, egress_names[i]);
    }
}

/* Stores the egress QoS type of 'qos' in '*typep' ("" for none) and its
 * parameters in 'details'.  Returns 0. */
int
dpdkvdpa_qos_get(const struct dpdkvdpa_qos *qos, const char **typep,
                 struct smap *details)
{
    struct dpdkvdpa_egress *egress;

    egress = ovsrcu_get_protected(struct dpdkvdpa_egress *, &qos->egress);
    if (!egress) {
        *typep = "";
    } else if (egress->kind == EGRESS_POLICER) {
        *typep = egress_names[EGRESS_POLICER];
        smap_add_format(details, "cir", "%"PRIu64, egress->srtcm_params.cir);
        smap_add_format(details, "cbs", "%"PRIu64, egress->srtcm_params.cbs);
    } else {
        *typep = egress_names[TRTCM_POLICER];
        trtcm_to_details(&egress->trtcm_params, details);
    }
    return 0;
}

/* Sets the egress QoS of 'qos' to 'type' with 'details', or to none if
 * 'type' is NULL or empty.  An unknown type or parameters that DPDK refuses
 * leave the port without egress QoS.  Returns 0 or a positive errno
 * value. */
int
dpdkvdpa_qos_set(struct dpdkvdpa_qos *qos, const char *port_name,
                 const char *type, const struct smap *details)
{
    struct dpdkvdpa_egress *old, *new = NULL;
    int error = 0;
    size_t kind;

    for (kind = 0; kind < ARRAY_SIZE(egress_names); kind++) {
        if (type && !strcmp(type, egress_names[kind])) {
            break;
        }
    }

    old = ovsrcu_get_protected(struct dpdkvdpa_egress *, &qos->egress);
    if (kind == ARRAY_SIZE(egress_names)) {
        error = type && type[0] ? EOPNOTSUPP : 0;
    } else if (old && egress_equals(old, kind, details)) {
        new = old;
    } else {
        error = egress_create(kind, details, &new);
    }
    if (error) {
        VLOG_ERR("Failed to set QoS type %s on port %s: %s",
                 type, port_name, ovs_strerror(error));
    }

    if (new != old) {
        ovsrcu_set(&qos->egress, new);
        if (old) {
            ovsrcu_postpone(egress_destroy, old);
        }
    }
    return error;
}

static struct trtcm_queue *
find_queue(const struct dpdkvdpa_egress *egress, uint32_t id)
{
    struct trtcm_queue *queue;

    HMAP_FOR_EACH_WITH_HASH (queue, node, hash_int(id, 0), &egress->queues) {
        if (queue->id == id) {
            return queue;
        }
    }
    return NULL;
}

/* Returns the "trtcm-policer" of 'qos', or NULL if it has another or none
 * (queues are then not supported). */
static struct dpdkvdpa_egress *
get_trtcm(const struct dpdkvdpa_qos *qos)
{
    struct dpdkvdpa_egress *egress;

    egress = ovsrcu_get_protected(struct dpdkvdpa_egress *, &qos->egress);
    return egress && egress->kind == TRTCM_POLICER ? egress : NULL;
}

int
dpdkvdpa_qos_get_queue(const struct dpdkvdpa_qos *qos, uint32_t queue_id,
                       struct smap *details)
{
    struct dpdkvdpa_egress *egress = get_trtcm(qos);
    struct trtcm_queue *queue;

    if (!egress) {
        return EOPNOTSUPP;
    }
    queue = find_queue(egress, queue_id);
    if (!queue) {
        return ENOENT;
    }
    trtcm_to_details(&queue->params, details);
    return 0;
}

/* Creates or changes queue 'queue_id' of the "trtcm-policer" of 'qos'.
 * Queue 0, the one for packets whose queue does not exist, takes the
 * policer's own parameters when 'details' is empty.  Returns 0 or a
 * positive errno value. */
int
dpdkvdpa_qos_set_queue(struct dpdkvdpa_qos *qos, const char *port_name,
                       uint32_t queue_id, const struct smap *details)
{
    struct dpdkvdpa_egress *egress = get_trtcm(qos);
    struct trtcm_queue *new, *old;
    int error;

    if (!egress) {
        return EOPNOTSUPP;
    }

    new = xzalloc(sizeof *new);
    new->id = queue_id;
    if (queue_id == 0 && smap_is_empty(details)) {
        new->params = egress->trtcm_params;
    } else {
        details_to_trtcm(details, &new->params);
    }
    error = trtcm_config(&new->params, &new->profile, &new->meter);
    if (error) {
        VLOG_ERR("Failed to set QoS queue %"PRIu32" on port %s: %s",
                 queue_id, port_name, ovs_strerror(error));
        free(new);
        return error;
    }

    rte_spinlock_lock(&egress->lock);
    old = find_queue(egress, queue_id);
    if (old && !memcmp(&old->params, &new->params, sizeof new->params)) {
        rte_spinlock_unlock(&egress->lock);
        free(new);
        return 0;
    }
    if (old) {
        new->stats = old->stats;
        hmap_remove(&egress->queues, &old->node);
    } else {
        new->stats.created = time_msec();
    }
    hmap_insert(&egress->queues, &new->node, hash_int(queue_id, 0));
    rte_spinlock_unlock(&egress->lock);
    free(old);
    return 0;
}

int
dpdkvdpa_qos_delete_queue(struct dpdkvdpa_qos *qos, uint32_t queue_id)
{
    struct dpdkvdpa_egress *egress = get_trtcm(qos);
    struct trtcm_queue *queue;

    if (!egress) {
        return EOPNOTSUPP;
    }
    rte_spinlock_lock(&egress->lock);
    queue = find_queue(egress, queue_id);
    if (queue) {
        hmap_remove(&egress->queues, &queue->node);
    }
    rte_spinlock_unlock(&egress->lock);
    free(queue);
    return queue ? 0 : ENOENT;
}

int
dpdkvdpa_qos_get_queue_stats(const struct dpdkvdpa_qos *qos,
                             uint32_t queue_id,
                             struct netdev_queue_stats *stats)
{
    struct dpdkvdpa_egress *egress = get_trtcm(qos);
    struct trtcm_queue *queue;

    if (!egress) {
        return EOPNOTSUPP;
    }
    rte_spinlock_lock(&egress->lock);
    queue = find_queue(egress, queue_id);
    if (queue) {
        *stats = queue->stats;
    }
    rte_spinlock_unlock(&egress->lock);
    return queue ? 0 : ENOENT;
}

/* A dump of the queues of a "trtcm-policer": their ids when it began. */
struct queue_dump {
    uint32_t *ids;
    size_t n, next;
};

/* Begins a dump of the queues of the "trtcm-policer" of 'qos' in
 * '*statep'.  Returns 0 or EOPNOTSUPP. */
int
dpdkvdpa_qos_queue_dump_start(const struct dpdkvdpa_qos *qos, void **statep)
{
    struct dpdkvdpa_egress *egress = get_trtcm(qos);
    struct trtcm_queue *queue;
    struct queue_dump *dump;

    if (!egress) {
        return EOPNOTSUPP;
    }
    dump = xzalloc(sizeof *dump);
    dump->ids = xmalloc((hmap_count(&egress->queues) + 1) * sizeof *dump->ids);
    HMAP_FOR_EACH (queue, node, &egress->queues) {
        dump->ids[dump->n++] = queue->id;
    }
    *statep = dump;
    return 0;
}

/* Stores the next queue of the dump 'state' that still exists in
 * '*queue_id' and 'details'.  Returns 0, or EOF at the end. */
int
dpdkvdpa_qos_queue_dump_next(const struct dpdkvdpa_qos *qos, void *state,
                             unsigned int *queue_id, struct smap *details)
{
    struct queue_dump *dump = state;

    while (dump->next < dump->n) {
        uint32_t id = dump->ids[dump->next++];

        if (!dpdkvdpa_qos_get_queue(qos, id, details)) {
            *queue_id = id;
            return 0;
        }
    }
    return EOF;
}

void
dpdkvdpa_qos_queue_dump_done(void *state)
{
    struct queue_dump *dump = state;

    free(dump->ids);
    free(dump);
}

static bool
srtcm_pass(void *egress_, struct rte_mbuf *pkt, uint64_t now)
{
    struct dpdkvdpa_egress *egress = egress_;

    return (rte_meter_srtcm_color_blind_check(&egress->srtcm,
                                              &egress->srtcm_profile, now,
                                              metered_len(pkt))
            == RTE_COLOR_GREEN);
}

/* A "trtcm-policer" colors a packet first with its queue's marker (the
 * queue that a set_queue action chose, else queue 0; without queue 0 the
 * packet is dropped), then with the port's marker aware of that color, and
 * drops it if red. */
static bool
trtcm_pass(void *egress_, struct rte_mbuf *pkt, uint64_t now)
{
    struct dpdkvdpa_egress *egress = egress_;
    struct dp_packet *packet = CONTAINER_OF(pkt, struct dp_packet, mbuf);
    uint32_t len = metered_len(pkt);
    struct trtcm_queue *queue;
    enum rte_color color;

    queue = find_queue(egress, packet->md.skb_priority);
    if (!queue) {
        queue = find_queue(egress, 0);
        if (!queue) {
            return false;
        }
    }

    color = rte_meter_trtcm_rfc4115_color_blind_check(&queue->meter,
                                                      &queue->profile,
                                                      now, len);
    if (color == RTE_COLOR_RED) {
        queue->stats.tx_errors++;
    } else {
        queue->stats.tx_packets++;
        queue->stats.tx_bytes += len;
    }
    color = rte_meter_trtcm_rfc4115_color_aware_check(&egress->trtcm,
                                                      &egress->trtcm_profile,
                                                      now, len, color);
    return color != RTE_COLOR_RED;
}

/* Applies the egress QoS to the 'n' packets in 'pkts' that the port is
 * about to send to the guest, as dpdkvdpa_qos_police_rx() does. */
int
dpdkvdpa_qos_police_tx(struct dpdkvdpa_qos *qos, struct rte_mbuf **pkts,
                       int n)
{
    struct dpdkvdpa_egress *egress;

    egress = ovsrcu_get(struct dpdkvdpa_egress *, &qos->egress);
    if (OVS_LIKELY(!egress)) {
        return n;
    }
    rte_spinlock_lock(&egress->lock);
    n = filter_packets(pkts, n,
                       egress->kind == EGRESS_POLICER ? srtcm_pass
                       : trtcm_pass, egress);
    rte_spinlock_unlock(&egress->lock);
    return n;
}
