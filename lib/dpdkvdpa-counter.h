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

#ifndef DPDKVDPA_COUNTER_H
#define DPDKVDPA_COUNTER_H 1

/* Packet counters that one thread writes and any thread reads.
 *
 * The writer is a PMD or the engine thread, so an increment is a relaxed
 * read and store rather than an atomic read-modify-write: on x86 that costs
 * what a plain increment does, and readers never see a torn value. */

#include <stdint.h>
#include "ovs-atomic.h"

/* Adds 'n' to 'counter', which only the calling thread writes. */
static inline void
counter_add(atomic_uint64_t *counter, uint64_t n)
{
    uint64_t value;

    atomic_read_relaxed(counter, &value);
    atomic_store_relaxed(counter, value + n);
}

static inline uint64_t
counter_get(const atomic_uint64_t *counter)
{
    uint64_t value;

    atomic_read_relaxed(CONST_CAST(atomic_uint64_t *, counter), &value);
    return value;
}

#endif /* dpdkvdpa-counter.h */
