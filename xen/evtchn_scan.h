#ifndef XEN_EVTCHN_SCAN_H
#define XEN_EVTCHN_SCAN_H
/* The 2-level event channel bitmaps: find pending, unmasked ports and
 * mask/unmask/clear them with atomic bit operations. Pure: works on any
 * shared_info/vcpu_info, the real ones or a test's. */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

#define EVTCHN_2L_NR_PORTS (sizeof(xen_ulong_t) * 8 * sizeof(xen_ulong_t) * 8)

typedef void (*evtchn_dispatch_fn)(evtchn_port_t port, void *arg);

/* Clears upcall_pending, then for every port that is pending and not
 * masked: clears its pending bit and calls fn. Returns the count. */
unsigned evtchn_scan_pending(struct shared_info *s, struct vcpu_info *v, evtchn_dispatch_fn fn,
                             void *arg);

void evtchn_bit_set(xen_ulong_t *words, evtchn_port_t port);
void evtchn_bit_clear(xen_ulong_t *words, evtchn_port_t port);
bool evtchn_bit_test(const xen_ulong_t *words, evtchn_port_t port);
/* Unmasks a port; if it was pending meanwhile, marks the vCPU's selector
 * and upcall_pending so that the event is not lost. Returns true if the
 * caller should expect an upcall (the port is pending). */
bool evtchn_unmask_bits(struct shared_info *s, struct vcpu_info *v, evtchn_port_t port);
#endif
