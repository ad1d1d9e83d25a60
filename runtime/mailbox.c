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
 *
 * Events the predicate cannot see (an operator waits for something another
 * worker publishes, gy_worker_wake_peers) use the eventcount proper: the
 * owner reads xseq as its key before it checks its condition (at the start
 * of a step), gy__mailbox_signal always bumps xseq after the event is
 * published, and the owner neither spins on nor sleeps through a key that
 * is stale. Either the owner's check saw the event, or the bump comes after
 * the key was read and the park returns at once.
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

uint32_t gy__mailbox_key(struct gy__mailbox *mb)
{
    /* Acquire pairs with the release in gy__mailbox_signal's increment: a
     * key that includes a signal shows the event published before it. */
    return atomic_load_explicit(&mb->xseq, memory_order_acquire);
}

bool gy__mailbox_signaled(struct gy__mailbox *mb, uint32_t key)
{
    return atomic_load_explicit(&mb->xseq, memory_order_acquire) != key;
}

void gy__mailbox_signal(struct gy__mailbox *mb)
{
    /* Unconditional, unlike gy__mailbox_wake: the owner may have read its
     * key and checked its condition before the event, and not have
     * announced xparked yet. seq_cst: if the load of xparked below reads 0,
     * this increment precedes the owner's store of xparked, hence its fence,
     * in the total order, and the owner's check of the key after that fence
     * sees the new value (and it does not sleep). If it reads 1, the owner
     * is woken or its futex_wait finds xseq != key. */
    atomic_fetch_add_explicit(&mb->xseq, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&mb->xparked, memory_order_seq_cst))
        futex_wake(&mb->xseq);
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

void gy__mailbox_park(struct gy__mailbox *mb, uint32_t key, const _Atomic bool *stop,
                      bool (*quiet)(void *), void *arg, int timeout_ms)
{
    atomic_store_explicit(&mb->xparked, 1, memory_order_seq_cst);
    atomic_thread_fence(memory_order_seq_cst);
    /* futex_wait itself returns at once when xseq moved past key (a wake or
     * signal since the key was read); the check here saves the system call. */
    if (quiet(arg) && !gy__mailbox_signaled(mb, key) &&
        !atomic_load_explicit(stop, memory_order_acquire))
        futex_wait(&mb->xseq, key, timeout_ms);
    atomic_store_explicit(&mb->xparked, 0, memory_order_relaxed);
}
