#include "xen/evtchn_scan.h"
#include "lib/barrier.h"

#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)

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

unsigned evtchn_scan_pending(struct shared_info *s, struct vcpu_info *v, evtchn_dispatch_fn fn,
                             void *arg)
{
    unsigned count = 0;
    WRITE_ONCE(v->evtchn_upcall_pending, 0);
    xen_mb(); /* clear the flag before reading the selector */
    for (;;) {
        xen_ulong_t sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        if (!sel)
            break;
        while (sel) {
            unsigned w = (unsigned)__builtin_ctzl(sel);
            sel &= sel - 1;
            xen_ulong_t ready;
            while ((ready = READ_ONCE(s->evtchn_pending[w]) & ~READ_ONCE(s->evtchn_mask[w]))) {
                unsigned b = (unsigned)__builtin_ctzl(ready);
                evtchn_port_t port = (evtchn_port_t)(w * BITS_PER_WORD + b);
                evtchn_bit_clear(s->evtchn_pending, port);
                count++;
                fn(port, arg);
            }
        }
    }
    return count;
}

bool evtchn_unmask_bits(struct shared_info *s, struct vcpu_info *v, evtchn_port_t port)
{
    evtchn_bit_clear(s->evtchn_mask, port);
    if (!evtchn_bit_test(s->evtchn_pending, port))
        return false;
    __atomic_fetch_or(&v->evtchn_pending_sel, (xen_ulong_t)1 << (port / BITS_PER_WORD),
                      __ATOMIC_SEQ_CST);
    WRITE_ONCE(v->evtchn_upcall_pending, 1);
    return true;
}
