/*
 * Mailboxes: wfcqueue plus an eventcount for parking.
 *
 * Parking is Dekker-style. The owner announces xparked = 1, then (after a
 * full fence) checks the queue; a producer enqueues (uatomic_xchg on the
 * tail: a full barrier), then reads xparked. At least one of them sees the
 * other: either the owner sees the message and does not sleep, or the
 * producer sees xparked and bumps xseq and wakes it. futex_wait only sleeps
 * while xseq still holds the value read before announcing, so a wake that
 * lands between the check and the wait is not lost. The owner's check is a
 * predicate (quiet), so the same holds for whatever else it waits for that
 * its changer announces with gy__mailbox_wake: returned and drained batches
 * under flow control (runtime/flow.c).
 */
#include "runtime/mailbox.h"

#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime/tsan.h"

void gy__mailbox_init(struct gy__mailbox *mb)
{
    __cds_wfcq_init(&mb->head, &mb->tail);
    atomic_init(&mb->xseq, 0);
    atomic_init(&mb->xparked, 0);
}

static void futex_wait(_Atomic uint32_t *addr, uint32_t expected, int timeout_ms)
{
    struct timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000L};
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, expected, &ts, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *addr)
{
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

void gy__mailbox_wake(struct gy__mailbox *mb)
{
    /* Pairs with the owner's seq_cst store of xparked in gy__mailbox_park. */
    if (atomic_load_explicit(&mb->xparked, memory_order_seq_cst)) {
        atomic_fetch_add_explicit(&mb->xseq, 1, memory_order_release);
        futex_wake(&mb->xseq);
    }
}

void gy__mailbox_push(struct gy__mailbox *mb, struct gy_batch *b)
{
    cds_wfcq_node_init(&b->node);
    GY_TSAN_RELEASE(b);
    cds_wfcq_enqueue(&mb->head, &mb->tail, &b->node);
    gy__mailbox_wake(mb);
}

uint32_t gy__mailbox_drain(struct gy__mailbox *mb, struct gy_bqueue *q)
{
    struct __cds_wfcq_head h;
    struct cds_wfcq_tail t;
    struct cds_wfcq_node *n;
    uint32_t count = 0;

    __cds_wfcq_init(&h, &t);
    if (__cds_wfcq_splice_blocking(&h, &t, &mb->head, &mb->tail) == CDS_WFCQ_RET_SRC_EMPTY)
        return 0;
    while ((n = __cds_wfcq_dequeue_blocking(&h, &t)) != NULL) {
        struct gy_batch *b = caa_container_of(n, struct gy_batch, node);
        GY_TSAN_ACQUIRE(b);
        gy_bqueue_push(q, b);
        count++;
    }
    return count;
}

bool gy__mailbox_empty(struct gy__mailbox *mb)
{
    return cds_wfcq_empty(&mb->head, &mb->tail);
}

void gy__mailbox_park(struct gy__mailbox *mb, const _Atomic bool *stop, bool (*quiet)(void *),
                      void *arg, int timeout_ms)
{
    /* Acquire pairs with the waker's release increment. */
    uint32_t seq = atomic_load_explicit(&mb->xseq, memory_order_acquire);

    atomic_store_explicit(&mb->xparked, 1, memory_order_seq_cst);
    atomic_thread_fence(memory_order_seq_cst);
    if (quiet(arg) && !atomic_load_explicit(stop, memory_order_acquire))
        futex_wait(&mb->xseq, seq, timeout_ms);
    atomic_store_explicit(&mb->xparked, 0, memory_order_relaxed);
}
