#include "xen/evtchn_scan.h"
#include "lib/barrier.h"

#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)
#define NR_WORDS (EVTCHN_2L_NR_PORTS / BITS_PER_WORD)

void evtchn_bit_set(xen_ulong_t *words, evtchn_port_t port)
{
    __atomic_fetch_or(&words[port / BITS_PER_WORD], (xen_ulong_t)1 << (port % BITS_PER_WORD),
                      __ATOMIC_SEQ_CST);
}

void evtchn_bit_clear(xen_ulong_t *words, evtchn_port_t port)
{
    __atomic_fetch_and(&words[port / BITS_PER_WORD], ~((xen_ulong_t)1 << (port % BITS_PER_WORD)),
                       __ATOMIC_SEQ_CST);
}

bool evtchn_bit_test(const xen_ulong_t *words, evtchn_port_t port)
{
    return (READ_ONCE(words[port / BITS_PER_WORD]) >> (port % BITS_PER_WORD)) & 1;
}

static xen_ulong_t ready_bits(const struct shared_info *s, unsigned w)
{
    return READ_ONCE(s->evtchn_pending[w]) & ~READ_ONCE(s->evtchn_mask[w]);
}

/* The first ready port at or after `from`, cyclically, among the words
 * in *sel; words found empty leave *sel. Returns false if none. The
 * start word is looked at twice: its bits from `from` up first, its
 * lower bits last (after every other word). */
static bool next_ready(const struct shared_info *s, xen_ulong_t *sel, evtchn_port_t from,
                       evtchn_port_t *port)
{
    unsigned w0 = (from / BITS_PER_WORD) % NR_WORDS, b0 = from % BITS_PER_WORD;
    for (unsigned i = 0; i <= NR_WORDS && *sel; i++) {
        unsigned w = (w0 + i) % NR_WORDS;
        xen_ulong_t wbit = (xen_ulong_t)1 << w;
        if (!(*sel & wbit))
            continue;
        xen_ulong_t ready = ready_bits(s, w);
        if (i == 0)
            ready &= ~(xen_ulong_t)0 << b0;
        if (ready) {
            *port = (evtchn_port_t)(w * BITS_PER_WORD + (unsigned)__builtin_ctzl(ready));
            return true;
        }
        if (i > 0 || b0 == 0)
            *sel &= ~wbit; /* the whole word was looked at */
    }
    return false;
}

unsigned evtchn_scan_pending(struct shared_info *s, struct vcpu_info *v,
                             struct evtchn_scan_pos *pos, unsigned budget, evtchn_dispatch_fn fn,
                             void *arg)
{
    unsigned count = 0;
    WRITE_ONCE(v->evtchn_upcall_pending, 0);
    xen_mb(); /* clear the flag before reading the selector */
    xen_ulong_t sel = 0;
    for (;;) {
        evtchn_port_t port;
        if (!next_ready(s, &sel, pos->next, &port)) {
            /* Words marked meanwhile (by Xen, or by a handler's events). */
            sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
            if (!sel || !next_ready(s, &sel, pos->next, &port))
                break;
        }
        if (count == budget) {
            /* Over budget: the rest waits for the next upcall. */
            __atomic_fetch_or(&v->evtchn_pending_sel, sel, __ATOMIC_SEQ_CST);
            WRITE_ONCE(v->evtchn_upcall_pending, 1);
            break;
        }
        evtchn_bit_clear(s->evtchn_pending, port);
        pos->next = (port + 1) % EVTCHN_2L_NR_PORTS;
        count++;
        fn(port, arg);
    }
    return count;
}

bool evtchn_unmask_needs_xen(struct shared_info *s, evtchn_port_t port)
{
    if (evtchn_bit_test(s->evtchn_pending, port))
        return true;
    evtchn_bit_clear(s->evtchn_mask, port);
    if (!evtchn_bit_test(s->evtchn_pending, port))
        return false;
    /* Raised between the test and the clear: Xen saw it masked and
     * delivered nothing (or it did, and one upcall more is harmless). */
    evtchn_bit_set(s->evtchn_mask, port);
    return true;
}
