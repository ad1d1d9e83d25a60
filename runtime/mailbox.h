/*
 * A worker's mailbox: one wait-free multi-producer queue (liburcu wfcqueue)
 * that every other worker enqueues batches into, data and progress alike,
 * and an eventcount the owner parks on when it has nothing to do.
 *
 * One queue per receiver, not one per sender: enqueues from all senders are
 * linearized at the tail exchange, so if worker A enqueues progress to C and
 * then data to B, and B (having dequeued it) enqueues to C, C dequeues A's
 * message first. The progress protocol relies on this (runtime/worker.c).
 *
 * Synchronization table:
 *   gy__mailbox_push   any thread, wait-free
 *   gy__mailbox_drain  owner only
 *   gy__mailbox_key    owner only
 *   gy__mailbox_park   owner only
 *   gy__mailbox_wake   any thread
 *   gy__mailbox_signal any thread
 */
#ifndef GY_RUNTIME_MAILBOX_H
#define GY_RUNTIME_MAILBOX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/batch.h"

struct gy__mailbox {
    _Alignas(GY_CACHELINE) struct __cds_wfcq_head head;  /* owner */
    _Alignas(GY_CACHELINE) struct cds_wfcq_tail tail;    /* producers' exchange point */
    _Alignas(GY_CACHELINE) _Atomic uint32_t xseq;        /* eventcount: bumped by wakers */
    _Atomic uint32_t xparked;                            /* owner sleeps (1) or not (0) */
};

void gy__mailbox_init(struct gy__mailbox *mb);
/* Enqueues b and wakes the owner if it sleeps. */
void gy__mailbox_push(struct gy__mailbox *mb, struct gy_batch *b);
/* Moves everything queued so far to the end of q, in order. Returns the count. */
uint32_t gy__mailbox_drain(struct gy__mailbox *mb, struct gy_bqueue *q);
bool gy__mailbox_empty(struct gy__mailbox *mb);
/* The eventcount's current key, read by the owner before it checks what
 * it waits for (acquire: pairs with gy__mailbox_signal). */
uint32_t gy__mailbox_key(struct gy__mailbox *mb);
/* True once a signal (or a wake of a parked owner) came after key was read. */
bool gy__mailbox_signaled(struct gy__mailbox *mb, uint32_t key);
/* Sleeps until a push, wake or signal, or timeout_ms, unless *stop is set,
 * quiet(arg) is false, or xseq moved past key (the value of
 * gy__mailbox_key read before the owner last checked its conditions).
 * quiet is read after the owner announced it parks (with a full fence), so
 * whoever changes what quiet reads and then wakes the mailbox cannot be
 * missed; it must at least check that the mailbox is empty. */
void gy__mailbox_park(struct gy__mailbox *mb, uint32_t key, const _Atomic bool *stop,
                      bool (*quiet)(void *), void *arg, int timeout_ms);
/* Wakes the owner if it sleeps (for what quiet reads: a parked owner only). */
void gy__mailbox_wake(struct gy__mailbox *mb);
/* Bumps the key whether or not the owner sleeps, and wakes it if it does:
 * for events the owner checks outside the park (it read its key before).
 * Publish the event first, with a release store or stronger. */
void gy__mailbox_signal(struct gy__mailbox *mb);

#endif
