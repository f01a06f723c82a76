#ifndef XEN_EVTCHN_H
#define XEN_EVTCHN_H
/* Event channels: binding, a handler per port, the upcall. The FIFO ABI
 * when Xen offers it (2-level with evtchn=2level or when it does not). */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

#define EVTCHN_MAX_PORTS EVTCHN_FIFO_NR_CHANNELS /* ports we can bind handlers to (FIFO) */
/* The vector Xen raises for event upcalls (HVM_PARAM_CALLBACK_IRQ). */
#define XEN_CALLBACK_VECTOR 0xf3

typedef void (*evtchn_handler_t)(evtchn_port_t port, void *arg);

enum evtchn_kind { EVTCHN_FREE, EVTCHN_VIRQ, EVTCHN_UNBOUND, EVTCHN_INTERDOMAIN, EVTCHN_IPI,
                   EVTCHN_EXTERNAL };

struct evtchn_binding {
    evtchn_handler_t handler;
    void *arg;
    const char *name;
    enum evtchn_kind kind;
    uint32_t detail;      /* virq number, remote domain, or vcpu */
    uint64_t count;       /* events delivered */
    bool lateeoi;         /* masked by the upcall until its owner's evtchn_eoi */
    uint64_t spurious;    /* evtchn_eoi calls saying the event brought no work */
    uint64_t rescued;     /* work its owner found that no event had announced */
    uint64_t rescued_pending; /* of them: Xen had the port pending, yet no upcall came */
    uint64_t rescued_late; /* of them: an event that found no work came after (late, not lost) */
    bool rescue_open;     /* rescued, and no event handled since */
    bool eoi_due;         /* masked by the upcall, its evtchn_eoi not yet called */
};

/* Ports served per upcall at most: a peer that keeps raising its port
 * cannot hold the vCPU in the upcall (the rest come at the next one). */
#define EVTCHN_UPCALL_BUDGET 64

/* Sets up the callback vector. Handlers run with interrupts off, one
 * port at a time, round-robin over the pending ports. */
int evtchn_init(void);
int evtchn_bind_virq(uint32_t virq, evtchn_handler_t h, void *arg, const char *name,
                     evtchn_port_t *port);
int evtchn_alloc_unbound(domid_t remote, evtchn_handler_t h, void *arg, const char *name,
                         evtchn_port_t *port);
int evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_handler_t h,
                            void *arg, const char *name, evtchn_port_t *port);
int evtchn_bind_ipi(uint32_t vcpu, evtchn_handler_t h, void *arg, const char *name,
                    evtchn_port_t *port);
/* A port Xen or the toolstack made for us (console, XenStore). */
int evtchn_bind_existing(evtchn_port_t port, evtchn_handler_t h, void *arg, const char *name);
int evtchn_send(evtchn_port_t port);
/* Removes the handler and closes the port in Xen. */
int evtchn_close(evtchn_port_t port);
/* Removes the handler only (the port stays open). */
void evtchn_unbind(evtchn_port_t port);
/* What Xen says about one of our ports (EVTCHNOP_status): its state
 * (EVTCHNSTAT_*) and, for an interdomain port, the peer. */
int evtchn_status(evtchn_port_t port, struct evtchn_status *st);
void evtchn_mask(evtchn_port_t port);
/* Forgets an event not yet delivered (mask the port first). */
void evtchn_clear_pending(evtchn_port_t port);
/* Unmasks; a port that became pending while masked is delivered now
 * (through Xen: EVTCHNOP_unmask). */
void evtchn_unmask(evtchn_port_t port);
/* Late EOI, for ports of untrusted peers (as Linux since XSA-332): the
 * upcall masks the port before calling its handler, and it stays masked
 * until the owner's thread has done the work and calls evtchn_eoi, so a
 * peer raising it again and again costs one upcall per piece of work,
 * not one per event. Set right after binding. */
void evtchn_set_lateeoi(evtchn_port_t port);
/* The work of the last event is done: unmasks a lateeoi port (any event
 * that came meanwhile is delivered then). found_work false counts the
 * event as spurious (if an event did come since the last evtchn_eoi). A
 * no-op for a port that is not lateeoi. */
void evtchn_eoi(evtchn_port_t port, bool found_work);
/* The owner's rescue poll found work on this port no event announced.
 * Counted apart when Xen has the port pending then (the event was sent
 * and marked, but its upcall did not come: delivery lost or late), as
 * opposed to no event at all (the peer did not notify yet). On a lateeoi
 * port, an event that then finds no work (evtchn_eoi with found_work
 * false) shows the event was late rather than lost. */
void evtchn_count_rescued(evtchn_port_t port);
/* After a restore every port is gone: re-binds the VIRQs (their ports may
 * change) and forgets the rest, which their owners bind again. */
void evtchn_resume(bool cancelled);
/* Called from the callback vector. */
void evtchn_do_upcall(void);
/* A copy of the port's binding; false if no handler is bound. */
bool evtchn_binding_get(evtchn_port_t port, struct evtchn_binding *out);
unsigned evtchn_bound_count(void);
struct evtchn_stats {
    uint64_t upcalls;
    uint64_t over_budget;  /* upcalls that stopped at EVTCHN_UPCALL_BUDGET */
    uint64_t xen_unmasks;  /* unmasks of a pending port, done by Xen */
    uint64_t stray;        /* events for ports nobody handles */
};
void evtchn_get_stats(struct evtchn_stats *out);
const char *evtchn_kind_name(enum evtchn_kind k);
/* "fifo" or "2level". */
const char *evtchn_abi_name(void);
/* One line on the ABI: name, why, port limit, its state. */
void evtchn_abi_describe(char *buf, unsigned cap);
#endif
