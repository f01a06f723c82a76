/* The FIFO event channel queues over a host-allocated event array and
 * control block, with a fake Xen that links events as Xen does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "xen/evtchn_fifo_queue.h"

#define B(n) ((event_word_t)1 << (n))
#define NPAGES 2
#define NO_BUDGET 100000

struct fx {
    struct evtchn_fifo_array a;
    struct evtchn_fifo_control_block cb;
    struct evtchn_fifo_queues q;
    evtchn_port_t tail[EVTCHN_FIFO_MAX_QUEUES]; /* Xen's own */
    unsigned prio[NPAGES * EVTCHN_FIFO_WORDS_PER_PAGE];
    unsigned upcalls; /* ready bits Xen set from clear: upcalls raised */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    for (unsigned i = 0; i < NPAGES; i++) {
        f->a.page[i] = calloc(EVTCHN_FIFO_WORDS_PER_PAGE, sizeof(event_word_t));
        if (!f->a.page[i])
            return -1;
        evtchn_fifo_page_init(f->a.page[i]);
    }
    f->a.npages = NPAGES;
    for (unsigned i = 0; i < NPAGES * EVTCHN_FIFO_WORDS_PER_PAGE; i++)
        f->prio[i] = EVTCHN_FIFO_PRIORITY_DEFAULT;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    for (unsigned i = 0; i < NPAGES; i++)
        free(f->a.page[i]);
    free(f);
    return 0;
}

static event_word_t *w(struct fx *f, evtchn_port_t p)
{
    event_word_t *x = evtchn_fifo_word(&f->a, p);
    assert_non_null(x);
    return x;
}

/* Xen's evtchn_fifo_set_pending: PENDING, and if unmasked and not yet
 * linked, LINKED and onto the tail of the port's queue: behind the tail
 * if the tail is still linked, else as the new head (with the ready bit). */
static void xen_raise(struct fx *f, evtchn_port_t p)
{
    event_word_t *x = w(f, p);
    *x |= B(EVTCHN_FIFO_PENDING);
    if ((*x & B(EVTCHN_FIFO_MASKED)) || (*x & B(EVTCHN_FIFO_LINKED)))
        return;
    *x |= B(EVTCHN_FIFO_LINKED);
    unsigned q = f->prio[p];
    bool linked = false;
    if (f->tail[q]) {
        event_word_t *t = w(f, f->tail[q]);
        if (*t & B(EVTCHN_FIFO_LINKED)) {
            *t = (*t & ~(event_word_t)EVTCHN_FIFO_LINK_MASK) | p;
            linked = true;
        }
    }
    if (!linked)
        f->cb.head[q] = p;
    f->tail[q] = p;
    if (!linked && !(f->cb.ready & (1u << q))) {
        f->cb.ready |= 1u << q;
        f->upcalls++;
    }
}

/* Xen's EVTCHNOP_unmask. */
static void xen_unmask(struct fx *f, evtchn_port_t p)
{
    event_word_t *x = w(f, p);
    *x &= ~B(EVTCHN_FIFO_MASKED);
    if (*x & B(EVTCHN_FIFO_PENDING)) {
        *x &= ~B(EVTCHN_FIFO_PENDING);
        xen_raise(f, p);
    }
}

static void bind(struct fx *f, evtchn_port_t p)
{
    assert_false(evtchn_fifo_unmask_needs_xen(w(f, p)));
}

struct rec {
    evtchn_port_t ports[256];
    unsigned n;
    struct fx *f;
    evtchn_port_t raise_on, raise_what;
    bool raise_once_done;
};

static void record(evtchn_port_t port, void *arg)
{
    struct rec *r = arg;
    assert_true(r->n < 256);
    assert_false(evtchn_fifo_test_pending(w(r->f, port))); /* cleared before the call */
    r->ports[r->n++] = port;
    if (port == r->raise_on && r->raise_what && !r->raise_once_done) {
        r->raise_once_done = true;
        xen_raise(r->f, r->raise_what);
    }
}

static unsigned consume(struct fx *f, struct rec *r, unsigned budget, bool *more)
{
    bool m;
    unsigned n = evtchn_fifo_consume(&f->cb, &f->q, &f->a, budget, record, r, more ? more : &m);
    return n;
}

static void test_word_and_page_init(void **state)
{
    struct fx *f = *state;
    assert_int_equal(EVTCHN_FIFO_WORDS_PER_PAGE, 1024);
    assert_int_equal(EVTCHN_FIFO_MAX_PAGES, 128);
    assert_ptr_equal(evtchn_fifo_word(&f->a, 1025), &f->a.page[1][1]);
    assert_null(evtchn_fifo_word(&f->a, NPAGES * 1024));
    assert_null(evtchn_fifo_word(&f->a, EVTCHN_FIFO_NR_CHANNELS));
    for (unsigned i = 0; i < 1024; i++)
        assert_int_equal(f->a.page[0][i], B(EVTCHN_FIFO_MASKED));
}

static void test_one_event(void **state)
{
    struct fx *f = *state;
    bind(f, 5);
    xen_raise(f, 5);
    assert_int_equal(f->cb.ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT);
    struct rec r = { .f = f };
    bool more;
    assert_int_equal(consume(f, &r, NO_BUDGET, &more), 1);
    assert_false(more);
    assert_int_equal(r.ports[0], 5);
    assert_int_equal(f->cb.ready, 0);
    assert_int_equal(*w(f, 5), 0); /* not linked, not pending, not masked */
    assert_int_equal(f->q.head[EVTCHN_FIFO_PRIORITY_DEFAULT], 0);
}

static void test_fifo_order(void **state)
{
    struct fx *f = *state;
    evtchn_port_t order[] = { 3, 1500, 4, 9 };
    for (unsigned i = 0; i < 4; i++) {
        bind(f, order[i]);
        xen_raise(f, order[i]);
    }
    assert_int_equal(f->upcalls, 1); /* one ready bit for the whole queue */
    struct rec r = { .f = f };
    assert_int_equal(consume(f, &r, NO_BUDGET, 0), 4);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(r.ports[i], order[i]);
}

/* A port raised again by its handler goes behind the others queued. */
static void test_reraise_goes_to_tail(void **state)
{
    struct fx *f = *state;
    bind(f, 3);
    bind(f, 9);
    xen_raise(f, 3);
    xen_raise(f, 9);
    struct rec r = { .f = f, .raise_on = 3, .raise_what = 3 };
    assert_int_equal(consume(f, &r, NO_BUDGET, 0), 3);
    assert_int_equal(r.ports[0], 3);
    assert_int_equal(r.ports[1], 9);
    assert_int_equal(r.ports[2], 3);
}

/* Raised while the queue is walked, behind a tail still linked. */
static void test_raise_behind_linked_tail(void **state)
{
    struct fx *f = *state;
    bind(f, 5);
    bind(f, 6);
    bind(f, 7);
    xen_raise(f, 5);
    xen_raise(f, 6);
    struct rec r = { .f = f, .raise_on = 5, .raise_what = 7 };
    assert_int_equal(consume(f, &r, NO_BUDGET, 0), 3);
    assert_int_equal(r.ports[2], 7);
    assert_int_equal(f->cb.ready, 0);
}

/* The queue walked to its end: the next event is the control block's head. */
static void test_after_tail_new_head(void **state)
{
    struct fx *f = *state;
    bind(f, 5);
    bind(f, 6);
    xen_raise(f, 5);
    struct rec r = { .f = f };
    assert_int_equal(consume(f, &r, NO_BUDGET, 0), 1);
    xen_raise(f, 6);
    assert_int_equal(f->cb.head[EVTCHN_FIFO_PRIORITY_DEFAULT], 6);
    assert_int_equal(f->upcalls, 2);
    assert_int_equal(consume(f, &r, NO_BUDGET, 0), 1);
    assert_int_equal(r.ports[1], 6);
}

static void test_priorities(void **state)
{
    struct fx *f = *state;
    f->prio[11] = 2;
    f->prio[12] = EVTCHN_FIFO_PRIORITY_MAX;
    bind(f, 10);
    bind(f, 11);
    bind(f, 12);
    bind(f, 13);
    xen_raise(f, 10);
    xen_raise(f, 13);
    xen_raise(f, 11);
    /* 11 (priority 2) first; while 10 runs, 12 (priority 0) is raised and
     * goes before 13 although 13 was queued first. */
    struct rec r = { .f = f, .raise_on = 10, .raise_what = 12 };
    assert_int_equal(consume(f, &r, NO_BUDGET, 0), 4);
    assert_int_equal(r.ports[0], 11);
    assert_int_equal(r.ports[1], 10);
    assert_int_equal(r.ports[2], 12);
    assert_int_equal(r.ports[3], 13);
}

static void test_budget(void **state)
{
    struct fx *f = *state;
    for (evtchn_port_t p = 20; p < 30; p++) {
        bind(f, p);
        xen_raise(f, p);
    }
    struct rec r = { .f = f };
    bool more;
    assert_int_equal(consume(f, &r, 4, &more), 4);
    assert_true(more);
    /* The bit went back to the control block for the next upcall. */
    assert_int_equal(f->cb.ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT);
    assert_int_equal(consume(f, &r, 4, &more), 4);
    assert_true(more);
    assert_int_equal(consume(f, &r, 4, &more), 2);
    assert_false(more);
    for (unsigned i = 0; i < 10; i++)
        assert_int_equal(r.ports[i], 20 + i);
    assert_int_equal(consume(f, &r, 0, &more), 0);
    assert_false(more);
}

/* A port masked after it was linked: unlinked, not served, stays
 * pending; the unmask must go through Xen, which links it again. */
static void test_masked_in_queue(void **state)
{
    struct fx *f = *state;
    bind(f, 5);
    bind(f, 6);
    xen_raise(f, 5);
    xen_raise(f, 6);
    evtchn_fifo_set_mask(w(f, 5));
    struct rec r = { .f = f };
    assert_int_equal(consume(f, &r, NO_BUDGET, 0), 1);
    assert_int_equal(r.ports[0], 6);
    assert_true(evtchn_fifo_test_pending(w(f, 5)));
    assert_true(evtchn_fifo_test_masked(w(f, 5)));
    assert_true(evtchn_fifo_unmask_needs_xen(w(f, 5)));
    assert_true(evtchn_fifo_test_masked(w(f, 5))); /* left for Xen */
    xen_unmask(f, 5);
    assert_int_equal(consume(f, &r, NO_BUDGET, 0), 1);
    assert_int_equal(r.ports[1], 5);
}

/* Pending cleared by the guest (evtchn_clear_pending) before the walk. */
static void test_cleared_not_served(void **state)
{
    struct fx *f = *state;
    bind(f, 5);
    xen_raise(f, 5);
    evtchn_fifo_clear_pending(w(f, 5));
    struct rec r = { .f = f };
    assert_int_equal(consume(f, &r, NO_BUDGET, 0), 0);
    assert_int_equal(f->cb.ready, 0);
}

static void test_unmask(void **state)
{
    struct fx *f = *state;
    assert_true(evtchn_fifo_test_masked(w(f, 8)));
    assert_false(evtchn_fifo_unmask_needs_xen(w(f, 8)));
    assert_false(evtchn_fifo_test_masked(w(f, 8)));
    assert_false(evtchn_fifo_unmask_needs_xen(w(f, 8))); /* already unmasked */
    evtchn_fifo_set_mask(w(f, 8));
    *w(f, 8) |= B(EVTCHN_FIFO_PENDING);
    assert_true(evtchn_fifo_unmask_needs_xen(w(f, 8)));
}

/* Shared memory is the guest's too: a head or a link beyond the array
 * ends the queue, counted, and nothing outside the array is touched. */
static void test_bad_head_and_link(void **state)
{
    struct fx *f = *state;
    f->cb.head[3] = NPAGES * 1024 + 7;
    f->cb.ready = 1u << 3;
    struct rec r = { .f = f };
    bool more;
    assert_int_equal(consume(f, &r, NO_BUDGET, &more), 0);
    assert_int_equal(f->q.bad_links, 1);
    assert_int_equal(f->cb.ready, 0);

    *w(f, 5) = B(EVTCHN_FIFO_PENDING) | B(EVTCHN_FIFO_LINKED) | (EVTCHN_FIFO_LINK_MASK - 1);
    f->cb.head[3] = 5;
    f->cb.ready = 1u << 3;
    assert_int_equal(consume(f, &r, NO_BUDGET, &more), 1);
    assert_int_equal(r.ports[0], 5);
    assert_int_equal(f->q.bad_links, 2);
    assert_int_equal(f->q.head[3], 0);
    /* Ready bits beyond the 16 queues are ignored. */
    f->cb.ready = 0xffff0000u;
    assert_int_equal(consume(f, &r, NO_BUDGET, &more), 0);
}

/* A queue of ports that serve nothing (masked) still ends the upcall. */
static void test_junk_bounded(void **state)
{
    struct fx *f = *state;
    for (evtchn_port_t p = 1; p < 200; p++) {
        bind(f, p);
        xen_raise(f, p);
        evtchn_fifo_set_mask(w(f, p));
    }
    struct rec r = { .f = f };
    bool more;
    assert_int_equal(consume(f, &r, 8, &more), 0);
    assert_true(more);
    assert_int_equal(f->cb.ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_word_and_page_init), T(test_one_event), T(test_fifo_order),
        T(test_reraise_goes_to_tail), T(test_raise_behind_linked_tail),
        T(test_after_tail_new_head), T(test_priorities), T(test_budget),
        T(test_masked_in_queue), T(test_cleared_not_served), T(test_unmask),
        T(test_bad_head_and_link), T(test_junk_bounded),
    };
    return cmocka_run_group_tests_name("evtchn_fifo_queue", tests, NULL, NULL);
}
