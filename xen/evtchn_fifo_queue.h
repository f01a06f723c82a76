#ifndef XEN_EVTCHN_FIFO_QUEUE_H
#define XEN_EVTCHN_FIFO_QUEUE_H
/* The FIFO event channel ABI's shared structures, walked by the guest:
 * the event array (one 32-bit word per port, in pages the guest hands to
 * Xen with EVTCHNOP_expand_array) and a vCPU's control block (ready bits
 * and the head of each of its 16 priority queues). Pure: works on any
 * memory, the pages given to Xen or a test's. */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

#define EVTCHN_FIFO_PAGE_SIZE 4096u
#define EVTCHN_FIFO_WORDS_PER_PAGE (EVTCHN_FIFO_PAGE_SIZE / sizeof(event_word_t))
#define EVTCHN_FIFO_MAX_PAGES (EVTCHN_FIFO_NR_CHANNELS / EVTCHN_FIFO_WORDS_PER_PAGE)

/* The pages of the event array given to Xen so far, in port order. */
struct evtchn_fifo_array {
    event_word_t *page[EVTCHN_FIFO_MAX_PAGES];
    unsigned npages;
};

/* A vCPU's own view of its queues: where the guest is in each (0 when it
 * reached the tail; the next head is then the control block's). */
struct evtchn_fifo_queues {
    evtchn_port_t head[EVTCHN_FIFO_MAX_QUEUES];
    uint64_t bad_links; /* heads or links naming a port beyond the array */
};

typedef void (*evtchn_fifo_dispatch_fn)(evtchn_port_t port, void *arg);

/* The port's word, or NULL if the array does not reach it yet. */
event_word_t *evtchn_fifo_word(const struct evtchn_fifo_array *a, evtchn_port_t port);
/* A new array page: every port masked (a zero word would be unmasked). */
void evtchn_fifo_page_init(event_word_t *page);

void evtchn_fifo_set_mask(event_word_t *w);
void evtchn_fifo_clear_pending(event_word_t *w);
bool evtchn_fifo_test_pending(const event_word_t *w);
bool evtchn_fifo_test_masked(const event_word_t *w);
/* Clears MASKED unless the port is pending (then only Xen's
 * EVTCHNOP_unmask, which links it, delivers it: returns true and leaves
 * it masked). Waits out BUSY (Xen linking the word) by compare-exchange. */
bool evtchn_fifo_unmask_needs_xen(event_word_t *w);

/* Serves the vCPU's queues, highest priority (queue 0) first: takes the
 * ready bits, then one event at a time the head of the first ready
 * queue: unlinks it (clears LINKED, taking its link as the next head;
 * none ends the queue and drops its ready bit) and, if it is pending and
 * not masked, clears PENDING and calls fn. After each event the ready
 * bits Xen set meanwhile are taken too, so a higher priority preempts.
 * At most budget events: the ready bits left go back to the control
 * block and *more is set (the caller raises the upcall again); FIFO order
 * makes it round-robin, a port raised again joins its queue's tail.
 * A head or link beyond the array ends that queue (counted). Returns the
 * count served. */
unsigned evtchn_fifo_consume(struct evtchn_fifo_control_block *cb, struct evtchn_fifo_queues *q,
                             const struct evtchn_fifo_array *a, unsigned budget,
                             evtchn_fifo_dispatch_fn fn, void *arg, bool *more);
#endif
