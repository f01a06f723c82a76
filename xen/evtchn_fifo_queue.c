#include "xen/evtchn_fifo_queue.h"
#include "lib/barrier.h"

#define BIT(n) ((event_word_t)1 << (n))

event_word_t *evtchn_fifo_word(const struct evtchn_fifo_array *a, evtchn_port_t port)
{
    unsigned pg = port / EVTCHN_FIFO_WORDS_PER_PAGE;
    if (port >= EVTCHN_FIFO_NR_CHANNELS || pg >= a->npages || !a->page[pg])
        return 0;
    return &a->page[pg][port % EVTCHN_FIFO_WORDS_PER_PAGE];
}

void evtchn_fifo_page_init(event_word_t *page)
{
    for (unsigned i = 0; i < EVTCHN_FIFO_WORDS_PER_PAGE; i++)
        page[i] = BIT(EVTCHN_FIFO_MASKED);
}

void evtchn_fifo_set_mask(event_word_t *w)
{
    __atomic_fetch_or(w, BIT(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
}

void evtchn_fifo_clear_pending(event_word_t *w)
{
    __atomic_fetch_and(w, ~BIT(EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
}

bool evtchn_fifo_test_pending(const event_word_t *w)
{
    return (READ_ONCE(*w) & BIT(EVTCHN_FIFO_PENDING)) != 0;
}

bool evtchn_fifo_test_masked(const event_word_t *w)
{
    return (READ_ONCE(*w) & BIT(EVTCHN_FIFO_MASKED)) != 0;
}

bool evtchn_fifo_unmask_needs_xen(event_word_t *w)
{
    event_word_t cur = READ_ONCE(*w);
    for (;;) {
        if (!(cur & BIT(EVTCHN_FIFO_MASKED)))
            return false;
        if (cur & BIT(EVTCHN_FIFO_PENDING))
            return true;
        /* Expect BUSY clear: while Xen links the word the exchange fails. */
        event_word_t old = cur & ~BIT(EVTCHN_FIFO_BUSY);
        if (__atomic_compare_exchange_n(w, &old, old & ~BIT(EVTCHN_FIFO_MASKED), false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return false;
        cur = old;
    }
}

/* Clears LINKED and the link in one step; returns the link. Once LINKED
 * is clear Xen no longer appends behind this word: its next event for
 * the queue becomes the control block's head. */
static evtchn_port_t unlink(event_word_t *w)
{
    event_word_t old = READ_ONCE(*w);
    while (!__atomic_compare_exchange_n(w, &old,
                                        old & ~(BIT(EVTCHN_FIFO_LINKED) | EVTCHN_FIFO_LINK_MASK),
                                        false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
    return old & EVTCHN_FIFO_LINK_MASK;
}

/* One event off queue qi; the queue's bit leaves *ready once it is
 * empty. Sets *served when fn was called. */
static void consume_one(struct evtchn_fifo_control_block *cb, struct evtchn_fifo_queues *q,
                        const struct evtchn_fifo_array *a, unsigned qi, uint32_t *ready,
                        evtchn_fifo_dispatch_fn fn, void *arg, bool *served)
{
    *served = false;
    evtchn_port_t port = q->head[qi];
    if (port == 0) {
        xen_rmb(); /* the ready bit before the head Xen wrote with it */
        port = READ_ONCE(cb->head[qi]);
    }
    event_word_t *w = evtchn_fifo_word(a, port);
    if (!w) {
        q->bad_links++;
        q->head[qi] = 0;
        *ready &= ~(1u << qi);
        return;
    }
    evtchn_port_t next = unlink(w);
    if (next != 0 && !evtchn_fifo_word(a, next)) {
        q->bad_links++;
        next = 0;
    }
    if (next == 0)
        *ready &= ~(1u << qi);
    q->head[qi] = next;
    event_word_t v = READ_ONCE(*w);
    if ((v & BIT(EVTCHN_FIFO_PENDING)) && !(v & BIT(EVTCHN_FIFO_MASKED))) {
        evtchn_fifo_clear_pending(w);
        *served = true;
        fn(port, arg);
    }
}

unsigned evtchn_fifo_consume(struct evtchn_fifo_control_block *cb, struct evtchn_fifo_queues *q,
                             const struct evtchn_fifo_array *a, unsigned budget,
                             evtchn_fifo_dispatch_fn fn, void *arg, bool *more)
{
    const uint32_t all = (1u << EVTCHN_FIFO_MAX_QUEUES) - 1;
    unsigned count = 0;
    /* Unlinks that served nothing (masked or cleared ports) also cost:
     * bound them too, so a queue of junk cannot hold the vCPU. */
    unsigned steps = 0, max_steps = budget * 4 + EVTCHN_FIFO_MAX_QUEUES;
    *more = false;
    uint32_t ready = __atomic_exchange_n(&cb->ready, 0, __ATOMIC_SEQ_CST) & all;
    while (ready) {
        if (count == budget || steps == max_steps) {
            __atomic_fetch_or(&cb->ready, ready, __ATOMIC_SEQ_CST);
            *more = true;
            break;
        }
        unsigned qi = (unsigned)__builtin_ctz(ready);
        bool served;
        consume_one(cb, q, a, qi, &ready, fn, arg, &served);
        steps++;
        if (served)
            count++;
        ready |= __atomic_exchange_n(&cb->ready, 0, __ATOMIC_SEQ_CST) & all;
    }
    return count;
}
