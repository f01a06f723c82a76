/* The 2-level event channel scan over a host-allocated shared_info. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "xen/evtchn_scan.h"

#define UNUSED_STATE (void)state
#define BPW (sizeof(xen_ulong_t) * 8)

struct fx {
    struct shared_info *s;
    struct vcpu_info *v;
    struct evtchn_scan_pos pos;
};

/* No bound: every pending port in one call. */
#define NO_BUDGET (2 * EVTCHN_2L_NR_PORTS)

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->s = calloc(1, sizeof(*f->s));
    if (!f->s)
        return -1;
    f->v = &f->s->vcpu_info[0];
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    free(f->s);
    free(f);
    return 0;
}

/* What Xen does to raise a port. */
static void raise_port(struct fx *f, evtchn_port_t p)
{
    f->s->evtchn_pending[p / BPW] |= (xen_ulong_t)1 << (p % BPW);
    if (!(f->s->evtchn_mask[p / BPW] & ((xen_ulong_t)1 << (p % BPW)))) {
        f->v->evtchn_pending_sel |= (xen_ulong_t)1 << (p / BPW);
        f->v->evtchn_upcall_pending = 1;
    }
}

static void mask_port(struct fx *f, evtchn_port_t p)
{
    f->s->evtchn_mask[p / BPW] |= (xen_ulong_t)1 << (p % BPW);
}

struct rec {
    evtchn_port_t ports[256];
    unsigned n;
    struct fx *f;
    evtchn_port_t raise_on, raise_what; /* for re-raising during dispatch */
    bool reraise_self; /* every port served is raised again (a storm) */
};

static void record(evtchn_port_t port, void *arg)
{
    struct rec *r = arg;
    assert_true(r->n < 256);
    /* the pending bit is cleared before the handler runs */
    if (r->f)
        assert_false(evtchn_bit_test(r->f->s->evtchn_pending, port));
    r->ports[r->n++] = port;
    if (r->f && port == r->raise_on && r->raise_what)
        raise_port(r->f, r->raise_what);
    if (r->f && r->reraise_self && port == r->raise_on)
        raise_port(r->f, port);
}

static unsigned scan(struct fx *f, evtchn_dispatch_fn fn, void *arg)
{
    return evtchn_scan_pending(f->s, f->v, &f->pos, NO_BUDGET, fn, arg);
}

static void test_nr_ports(void **state)
{
    UNUSED_STATE;
    assert_int_equal(EVTCHN_2L_NR_PORTS, 4096);
    assert_int_equal(sizeof(((struct shared_info *)0)->evtchn_pending) * 8,
                     EVTCHN_2L_NR_PORTS);
}

static void test_bit_ops(void **state)
{
    UNUSED_STATE;
    xen_ulong_t w[BPW];
    memset(w, 0, sizeof(w));
    evtchn_port_t ports[] = { 0, 1, 63, 64, 65, 127, 128, 1000, 4095 };
    for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        assert_false(evtchn_bit_test(w, ports[i]));
        evtchn_bit_set(w, ports[i]);
        assert_true(evtchn_bit_test(w, ports[i]));
    }
    assert_int_equal(w[0], (xen_ulong_t)1 | 2 | (xen_ulong_t)1 << 63);
    assert_int_equal(w[1], (xen_ulong_t)1 | 2 | (xen_ulong_t)1 << 63);
    assert_int_equal(w[2], 1);
    assert_int_equal(w[1000 / 64], (xen_ulong_t)1 << (1000 % 64));
    assert_int_equal(w[63], (xen_ulong_t)1 << 63);
    evtchn_bit_set(w, 64); /* idempotent */
    assert_int_equal(w[1], (xen_ulong_t)1 | 2 | (xen_ulong_t)1 << 63);
    evtchn_bit_clear(w, 64);
    assert_false(evtchn_bit_test(w, 64));
    assert_true(evtchn_bit_test(w, 65));
    assert_int_equal(w[1], 2 | (xen_ulong_t)1 << 63);
    evtchn_bit_clear(w, 64); /* idempotent */
    assert_int_equal(w[1], 2 | (xen_ulong_t)1 << 63);
}

static void test_scan_dispatches_unmasked(void **state)
{
    struct fx *f = *state;
    mask_port(f, 5);
    mask_port(f, 130);
    evtchn_port_t raised[] = { 4095, 130, 64, 5, 1, 127, 3000 };
    for (unsigned i = 0; i < sizeof(raised) / sizeof(raised[0]); i++)
        raise_port(f, raised[i]);
    /* 130 is masked, yet another port in its word sets the selector bit */
    raise_port(f, 131);
    assert_int_equal(f->v->evtchn_upcall_pending, 1);

    struct rec r = { .f = f };
    unsigned n = scan(f, record, &r);
    assert_int_equal(n, 6);
    assert_int_equal(r.n, 6);
    /* word by word, low bits first */
    evtchn_port_t want[] = { 1, 64, 127, 131, 3000, 4095 };
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(r.ports[i], want[i]);

    for (unsigned i = 0; i < 6; i++)
        assert_false(evtchn_bit_test(f->s->evtchn_pending, want[i]));
    /* masked ports stay pending and masked */
    assert_true(evtchn_bit_test(f->s->evtchn_pending, 5));
    assert_true(evtchn_bit_test(f->s->evtchn_pending, 130));
    assert_true(evtchn_bit_test(f->s->evtchn_mask, 5));
    assert_true(evtchn_bit_test(f->s->evtchn_mask, 130));
    assert_int_equal(f->v->evtchn_upcall_pending, 0);
    assert_int_equal(f->v->evtchn_pending_sel, 0);

    /* nothing more to do */
    r.n = 0;
    assert_int_equal(scan(f, record, &r), 0);
    assert_int_equal(r.n, 0);
}

static void test_scan_needs_selector(void **state)
{
    struct fx *f = *state;
    /* pending without its selector bit: not looked at in this scan */
    f->s->evtchn_pending[3] = 1;
    f->v->evtchn_upcall_pending = 1;
    struct rec r = { .f = f };
    assert_int_equal(scan(f, record, &r), 0);
    assert_int_equal(f->v->evtchn_upcall_pending, 0);
    assert_true(evtchn_bit_test(f->s->evtchn_pending, 3 * 64));
    /* the selector alone without pending ports dispatches nothing, and is
     * consumed */
    f->v->evtchn_pending_sel = (xen_ulong_t)1 << 7;
    assert_int_equal(scan(f, record, &r), 0);
    assert_int_equal(f->v->evtchn_pending_sel, 0);
    /* upcall_pending is cleared even with nothing to do */
    f->v->evtchn_upcall_pending = 1;
    assert_int_equal(scan(f, record, &r), 0);
    assert_int_equal(f->v->evtchn_upcall_pending, 0);
}

static void count_fn(evtchn_port_t port, void *arg)
{
    unsigned *seen = arg;
    assert_true(port < EVTCHN_2L_NR_PORTS);
    seen[port]++;
}

static void test_scan_all_ports(void **state)
{
    struct fx *f = *state;
    for (evtchn_port_t p = 0; p < EVTCHN_2L_NR_PORTS; p++)
        if (p % 3 == 0)
            mask_port(f, p);
    for (evtchn_port_t p = 0; p < EVTCHN_2L_NR_PORTS; p++)
        raise_port(f, p);
    /* everything pending: the selector has every word */
    assert_int_equal(f->v->evtchn_pending_sel, ~(xen_ulong_t)0);
    static unsigned seen[EVTCHN_2L_NR_PORTS];
    memset(seen, 0, sizeof(seen));
    unsigned count = 0;
    unsigned n = scan(f, count_fn, seen);
    for (evtchn_port_t p = 0; p < EVTCHN_2L_NR_PORTS; p++) {
        assert_int_equal(seen[p], p % 3 ? 1 : 0);
        count += seen[p];
        assert_int_equal(evtchn_bit_test(f->s->evtchn_pending, p), p % 3 == 0);
    }
    assert_int_equal(n, count);
    assert_int_equal(n, EVTCHN_2L_NR_PORTS - (EVTCHN_2L_NR_PORTS + 2) / 3);
}

static void test_scan_raised_during_dispatch(void **state)
{
    struct fx *f = *state;
    raise_port(f, 200);
    /* while handling 200, Xen raises 10 (an earlier word) and 201 */
    struct rec r = { .f = f, .raise_on = 200, .raise_what = 10 };
    unsigned n = scan(f, record, &r);
    assert_int_equal(n, 2);
    assert_int_equal(r.ports[0], 200);
    assert_int_equal(r.ports[1], 10);
    assert_int_equal(f->v->evtchn_pending_sel, 0);

    raise_port(f, 200);
    r = (struct rec){ .f = f, .raise_on = 200, .raise_what = 201 };
    n = scan(f, record, &r);
    assert_int_equal(n, 2);
    assert_int_equal(r.ports[0], 200);
    assert_int_equal(r.ports[1], 201);
    /* upcall_pending was set again by the raise during the scan: the scan
     * only clears it at the start, so a new upcall is not lost */
    assert_int_equal(f->v->evtchn_upcall_pending, 1);
}

/* What Xen's EVTCHNOP_unmask does (2-level): clears the mask bit and, if
 * it was set and the port is pending, marks the selector and the upcall. */
static void xen_unmask(struct fx *f, evtchn_port_t p)
{
    xen_ulong_t bit = (xen_ulong_t)1 << (p % BPW);
    bool was = f->s->evtchn_mask[p / BPW] & bit;
    f->s->evtchn_mask[p / BPW] &= ~bit;
    if (was && (f->s->evtchn_pending[p / BPW] & bit)) {
        f->v->evtchn_pending_sel |= (xen_ulong_t)1 << (p / BPW);
        f->v->evtchn_upcall_pending = 1;
    }
}

static void test_unmask(void **state)
{
    struct fx *f = *state;
    mask_port(f, 70);
    raise_port(f, 70); /* masked: no selector, no upcall */
    assert_int_equal(f->v->evtchn_pending_sel, 0);
    assert_int_equal(f->v->evtchn_upcall_pending, 0);
    struct rec r = { .f = f };
    assert_int_equal(scan(f, record, &r), 0);

    /* pending: left masked for Xen, which then delivers it */
    assert_true(evtchn_unmask_needs_xen(f->s, 70));
    assert_true(evtchn_bit_test(f->s->evtchn_mask, 70));
    assert_int_equal(f->v->evtchn_upcall_pending, 0);
    xen_unmask(f, 70);
    assert_false(evtchn_bit_test(f->s->evtchn_mask, 70));
    assert_int_equal(f->v->evtchn_pending_sel, (xen_ulong_t)1 << 1);
    assert_int_equal(f->v->evtchn_upcall_pending, 1);
    assert_int_equal(scan(f, record, &r), 1);
    assert_int_equal(r.ports[0], 70);
    assert_false(evtchn_bit_test(f->s->evtchn_pending, 70));

    /* not pending: just the mask bit, no hypercall */
    mask_port(f, 71);
    mask_port(f, 72);
    assert_false(evtchn_unmask_needs_xen(f->s, 71));
    assert_false(evtchn_bit_test(f->s->evtchn_mask, 71));
    assert_true(evtchn_bit_test(f->s->evtchn_mask, 72));
    assert_int_equal(f->v->evtchn_pending_sel, 0);
    assert_int_equal(f->v->evtchn_upcall_pending, 0);

    /* the last port */
    mask_port(f, 4095);
    raise_port(f, 4095);
    assert_true(evtchn_unmask_needs_xen(f->s, 4095));
    xen_unmask(f, 4095);
    assert_int_equal(f->v->evtchn_pending_sel, (xen_ulong_t)1 << 63);
    r.n = 0;
    assert_int_equal(scan(f, record, &r), 1);
    assert_int_equal(r.ports[0], 4095);
}

/* A port served, then raised again by its peer while masked (the
 * lateeoi case): unmasking through Xen delivers it, not the next exit. */
static void test_unmask_after_late_event(void **state)
{
    struct fx *f = *state;
    raise_port(f, 9);
    struct rec r = { .f = f };
    assert_int_equal(scan(f, record, &r), 1);
    mask_port(f, 9); /* the upcall masks a lateeoi port */
    raise_port(f, 9); /* the peer sends while the thread works */
    assert_int_equal(f->v->evtchn_upcall_pending, 0);
    assert_true(evtchn_unmask_needs_xen(f->s, 9));
    xen_unmask(f, 9);
    assert_int_equal(f->v->evtchn_upcall_pending, 1);
    r.n = 0;
    assert_int_equal(scan(f, record, &r), 1);
    assert_int_equal(r.ports[0], 9);
}

/* Served in port order cyclically from after the last port served, across
 * calls, and a call stops at its budget with the rest still pending. */
static void test_scan_round_robin_budget(void **state)
{
    struct fx *f = *state;
    raise_port(f, 5);
    raise_port(f, 10);
    raise_port(f, 70);
    struct rec r = { .f = f };
    assert_int_equal(evtchn_scan_pending(f->s, f->v, &f->pos, 2, record, &r), 2);
    assert_int_equal(r.ports[0], 5);
    assert_int_equal(r.ports[1], 10);
    /* 70 waits, and the next upcall is asked for */
    assert_true(evtchn_bit_test(f->s->evtchn_pending, 70));
    assert_int_equal(f->v->evtchn_upcall_pending, 1);
    assert_true(f->v->evtchn_pending_sel & ((xen_ulong_t)1 << 1));
    assert_int_equal(f->pos.next, 11);

    /* 5 again and 80: after 10 come 70 and 80, then 5 */
    raise_port(f, 5);
    raise_port(f, 80);
    r.n = 0;
    assert_int_equal(evtchn_scan_pending(f->s, f->v, &f->pos, 2, record, &r), 2);
    assert_int_equal(r.ports[0], 70);
    assert_int_equal(r.ports[1], 80);
    r.n = 0;
    assert_int_equal(evtchn_scan_pending(f->s, f->v, &f->pos, 2, record, &r), 1);
    assert_int_equal(r.ports[0], 5);
    assert_int_equal(f->v->evtchn_upcall_pending, 0);
    assert_int_equal(f->v->evtchn_pending_sel, 0);

    /* inside one word: from bit 20, 40 comes before 3 */
    f->pos.next = 20;
    raise_port(f, 3);
    raise_port(f, 40);
    r.n = 0;
    assert_int_equal(scan(f, record, &r), 2);
    assert_int_equal(r.ports[0], 40);
    assert_int_equal(r.ports[1], 3);
    /* wrapping past the last port */
    f->pos.next = 4095;
    raise_port(f, 4095);
    raise_port(f, 0);
    r.n = 0;
    assert_int_equal(scan(f, record, &r), 2);
    assert_int_equal(r.ports[0], 4095);
    assert_int_equal(r.ports[1], 0);
    assert_int_equal(f->pos.next, 1);
}

/* A port raised again by its own handler (a peer that never stops) does
 * not starve higher ports, and each call ends at its budget. */
static void test_scan_storm_does_not_starve(void **state)
{
    struct fx *f = *state;
    raise_port(f, 1);
    raise_port(f, 100);
    raise_port(f, 3000);
    struct rec r = { .f = f, .raise_on = 1, .reraise_self = true };
    assert_int_equal(evtchn_scan_pending(f->s, f->v, &f->pos, 16, record, &r), 16);
    assert_int_equal(r.ports[0], 1);
    assert_int_equal(r.ports[1], 100);
    assert_int_equal(r.ports[2], 3000);
    for (unsigned i = 3; i < 16; i++)
        assert_int_equal(r.ports[i], 1);
    assert_int_equal(f->v->evtchn_upcall_pending, 1);
    assert_true(evtchn_bit_test(f->s->evtchn_pending, 1));

    /* Ports raised between upcalls are each served within the next call,
     * however busy port 1 keeps itself. */
    for (unsigned round = 0; round < 8; round++) {
        evtchn_port_t p = (evtchn_port_t)(200 + round * 300);
        raise_port(f, p);
        r.n = 0;
        assert_int_equal(evtchn_scan_pending(f->s, f->v, &f->pos, 4, record, &r), 4);
        bool seen = false;
        for (unsigned i = 0; i < r.n; i++)
            seen |= r.ports[i] == p;
        assert_true(seen);
        assert_false(evtchn_bit_test(f->s->evtchn_pending, p));
    }
}

/* Without a budget a storm would never end the call: with one the count
 * is exactly the budget, and a budget of 0 serves nothing but keeps the
 * upcall asked for. */
static void test_scan_budget_zero(void **state)
{
    struct fx *f = *state;
    raise_port(f, 7);
    struct rec r = { .f = f };
    assert_int_equal(evtchn_scan_pending(f->s, f->v, &f->pos, 0, record, &r), 0);
    assert_true(evtchn_bit_test(f->s->evtchn_pending, 7));
    assert_int_equal(f->v->evtchn_upcall_pending, 1);
    assert_int_equal(f->v->evtchn_pending_sel, 1);
    assert_int_equal(scan(f, record, &r), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nr_ports),
        cmocka_unit_test(test_bit_ops),
        cmocka_unit_test_setup_teardown(test_scan_dispatches_unmasked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_needs_selector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_all_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_raised_during_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmask_after_late_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_round_robin_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_storm_does_not_starve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_budget_zero, setup, teardown),
    };
    return cmocka_run_group_tests_name("evtchn_scan", tests, NULL, NULL);
}
