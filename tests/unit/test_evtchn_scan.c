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
};

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
    evtchn_port_t ports[64];
    unsigned n;
    struct fx *f;
    evtchn_port_t raise_on, raise_what; /* for re-raising during dispatch */
};

static void record(evtchn_port_t port, void *arg)
{
    struct rec *r = arg;
    assert_true(r->n < 64);
    /* the pending bit is cleared before the handler runs */
    if (r->f)
        assert_false(evtchn_bit_test(r->f->s->evtchn_pending, port));
    r->ports[r->n++] = port;
    if (r->f && port == r->raise_on && r->raise_what)
        raise_port(r->f, r->raise_what);
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
    unsigned n = evtchn_scan_pending(f->s, f->v, record, &r);
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
    assert_int_equal(evtchn_scan_pending(f->s, f->v, record, &r), 0);
    assert_int_equal(r.n, 0);
}

static void test_scan_needs_selector(void **state)
{
    struct fx *f = *state;
    /* pending without its selector bit: not looked at in this scan */
    f->s->evtchn_pending[3] = 1;
    f->v->evtchn_upcall_pending = 1;
    struct rec r = { .f = f };
    assert_int_equal(evtchn_scan_pending(f->s, f->v, record, &r), 0);
    assert_int_equal(f->v->evtchn_upcall_pending, 0);
    assert_true(evtchn_bit_test(f->s->evtchn_pending, 3 * 64));
    /* the selector alone without pending ports dispatches nothing, and is
     * consumed */
    f->v->evtchn_pending_sel = (xen_ulong_t)1 << 7;
    assert_int_equal(evtchn_scan_pending(f->s, f->v, record, &r), 0);
    assert_int_equal(f->v->evtchn_pending_sel, 0);
    /* upcall_pending is cleared even with nothing to do */
    f->v->evtchn_upcall_pending = 1;
    assert_int_equal(evtchn_scan_pending(f->s, f->v, record, &r), 0);
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
    unsigned n = evtchn_scan_pending(f->s, f->v, count_fn, seen);
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
    unsigned n = evtchn_scan_pending(f->s, f->v, record, &r);
    assert_int_equal(n, 2);
    assert_int_equal(r.ports[0], 200);
    assert_int_equal(r.ports[1], 10);
    assert_int_equal(f->v->evtchn_pending_sel, 0);

    raise_port(f, 200);
    r = (struct rec){ .f = f, .raise_on = 200, .raise_what = 201 };
    n = evtchn_scan_pending(f->s, f->v, record, &r);
    assert_int_equal(n, 2);
    assert_int_equal(r.ports[0], 200);
    assert_int_equal(r.ports[1], 201);
    /* upcall_pending was set again by the raise during the scan: the scan
     * only clears it at the start, so a new upcall is not lost */
    assert_int_equal(f->v->evtchn_upcall_pending, 1);
}

static void test_unmask(void **state)
{
    struct fx *f = *state;
    mask_port(f, 70);
    raise_port(f, 70); /* masked: no selector, no upcall */
    assert_int_equal(f->v->evtchn_pending_sel, 0);
    assert_int_equal(f->v->evtchn_upcall_pending, 0);
    struct rec r = { .f = f };
    assert_int_equal(evtchn_scan_pending(f->s, f->v, record, &r), 0);

    /* unmasking re-raises it */
    assert_true(evtchn_unmask_bits(f->s, f->v, 70));
    assert_false(evtchn_bit_test(f->s->evtchn_mask, 70));
    assert_true(evtchn_bit_test(f->s->evtchn_pending, 70));
    assert_int_equal(f->v->evtchn_pending_sel, (xen_ulong_t)1 << 1);
    assert_int_equal(f->v->evtchn_upcall_pending, 1);
    assert_int_equal(evtchn_scan_pending(f->s, f->v, record, &r), 1);
    assert_int_equal(r.ports[0], 70);
    assert_false(evtchn_bit_test(f->s->evtchn_pending, 70));

    /* unmasking a port that is not pending: just the mask bit */
    mask_port(f, 71);
    mask_port(f, 72);
    assert_false(evtchn_unmask_bits(f->s, f->v, 71));
    assert_false(evtchn_bit_test(f->s->evtchn_mask, 71));
    assert_true(evtchn_bit_test(f->s->evtchn_mask, 72));
    assert_int_equal(f->v->evtchn_pending_sel, 0);
    assert_int_equal(f->v->evtchn_upcall_pending, 0);

    /* the last port */
    mask_port(f, 4095);
    raise_port(f, 4095);
    assert_true(evtchn_unmask_bits(f->s, f->v, 4095));
    assert_int_equal(f->v->evtchn_pending_sel, (xen_ulong_t)1 << 63);
    r.n = 0;
    assert_int_equal(evtchn_scan_pending(f->s, f->v, record, &r), 1);
    assert_int_equal(r.ports[0], 4095);
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
    };
    return cmocka_run_group_tests_name("evtchn_scan", tests, NULL, NULL);
}
