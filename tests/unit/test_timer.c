/* kern/timer.c over a stub clock: deadline order, when the one-shot is
 * reprogrammed, cancel, expiry in order, callbacks that arm timers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kern/kernel.h"
#include "kern/timer.h"
#include "kern/clock.h"
#include "kern/percpu.h"

#define UNUSED_STATE (void)state

/* --- the stub clock ---------------------------------------------------- */
static uint64_t now;
static uint64_t oneshots[64]; /* every set_oneshot, in order */
static unsigned noneshots;

static uint64_t stub_now(void)
{
    return now;
}

static void stub_set_oneshot(uint64_t deadline)
{
    assert_true(noneshots < 64);
    oneshots[noneshots++] = deadline;
}

static const struct clock_source stub_clock = { "stub", stub_now, stub_set_oneshot };

/* --- callbacks record the order they ran in ---------------------------- */
static struct timer *fired[16];
static unsigned nfired;

static void record(struct timer *t)
{
    assert_true(nfired < 16);
    /* Interrupt context: interrupts off, and no timer lock held (the
     * callback may arm timers). */
    assert_false(host_irq_flags & 0x200);
    assert_false(spin_is_held(&this_cpu()->timers.lock));
    fired[nfired++] = t;
}

static int setup(void **state)
{
    UNUSED_STATE;
    clock_register(&stub_clock);
    now = 0;
    noneshots = 0;
    nfired = 0;
    memset(oneshots, 0, sizeof(oneshots));
    struct timer_queue *q = &this_cpu()->timers;
    list_init(&q->timers);
    q->programmed = 0;
    spin_lock_init(&q->lock, "timers");
    host_irq_flags = 0x200;
    return 0;
}

/* Every call leaves interrupts as they were and the lock free. */
static void assert_quiet(void)
{
    assert_true(host_irq_flags & 0x200);
    assert_false(spin_is_held(&this_cpu()->timers.lock));
}

static void test_reprogram_only_when_earlier(void **state)
{
    UNUSED_STATE;
    struct timer a, b, c;
    timer_init(&a, record, 0);
    timer_init(&b, record, 0);
    timer_init(&c, record, 0);
    timer_arm(&a, 300);
    assert_int_equal(noneshots, 1);
    assert_int_equal(oneshots[0], 300);
    timer_arm(&b, 100); /* earlier: programmed */
    assert_int_equal(noneshots, 2);
    assert_int_equal(oneshots[1], 100);
    timer_arm(&c, 200); /* later than the head: not */
    assert_int_equal(noneshots, 2);
    assert_int_equal(timer_count_armed(), 3);
    assert_quiet();
    /* The head moves later (cancelled): the early one-shot is left. */
    timer_cancel(&b);
    assert_int_equal(noneshots, 2);
    assert_false(b.armed);
    assert_int_equal(timer_count_armed(), 2);
    /* It fires early: nothing due, the real head is programmed then. */
    now = 100;
    timer_run_expired();
    assert_int_equal(nfired, 0);
    assert_int_equal(noneshots, 3);
    assert_int_equal(oneshots[2], 200);
    assert_quiet();
    timer_cancel(&a);
    timer_cancel(&c);
}

static void test_expiry_in_deadline_order(void **state)
{
    UNUSED_STATE;
    struct timer t[5];
    const uint64_t dl[5] = { 50, 10, 40, 20, 30 };
    for (int i = 0; i < 5; i++) {
        timer_init(&t[i], record, 0);
        timer_arm(&t[i], dl[i]);
    }
    now = 35; /* 10, 20, 30 are due */
    timer_run_expired();
    assert_int_equal(nfired, 3);
    assert_ptr_equal(fired[0], &t[1]);
    assert_ptr_equal(fired[1], &t[3]);
    assert_ptr_equal(fired[2], &t[4]);
    for (int i = 0; i < 3; i++)
        assert_false(fired[i]->armed);
    assert_int_equal(timer_count_armed(), 2);
    assert_int_equal(oneshots[noneshots - 1], 40);
    now = 1000;
    timer_run_expired();
    assert_int_equal(nfired, 5);
    assert_ptr_equal(fired[3], &t[2]);
    assert_ptr_equal(fired[4], &t[0]);
    assert_int_equal(timer_count_armed(), 0);
    assert_quiet();
}

static void test_equal_deadlines_fire_in_arm_order(void **state)
{
    UNUSED_STATE;
    struct timer t[3];
    for (int i = 0; i < 3; i++) {
        timer_init(&t[i], record, 0);
        timer_arm(&t[i], 70);
    }
    now = 70; /* due exactly at the deadline */
    timer_run_expired();
    assert_int_equal(nfired, 3);
    for (int i = 0; i < 3; i++)
        assert_ptr_equal(fired[i], &t[i]);
}

static void test_rearm_moves_timer(void **state)
{
    UNUSED_STATE;
    struct timer a, b;
    timer_init(&a, record, 0);
    timer_init(&b, record, 0);
    timer_arm(&a, 100);
    timer_arm(&b, 200);
    timer_arm(&b, 50); /* moved ahead of a: programmed */
    assert_int_equal(oneshots[noneshots - 1], 50);
    assert_int_equal(timer_count_armed(), 2);
    unsigned before = noneshots;
    timer_arm(&b, 500); /* moved later: left, fires early */
    assert_int_equal(noneshots, before);
    now = 100;
    timer_run_expired();
    assert_int_equal(nfired, 1);
    assert_ptr_equal(fired[0], &a);
    assert_int_equal(oneshots[noneshots - 1], 500);
    timer_cancel(&b);
    timer_cancel(&b); /* twice is harmless */
    assert_int_equal(timer_count_armed(), 0);
    assert_quiet();
}

/* A periodic timer: its callback arms it again. */
static unsigned periodic_runs;
static void periodic(struct timer *t)
{
    periodic_runs++;
    timer_arm(t, t->deadline + 100);
}

static void test_callback_rearms(void **state)
{
    UNUSED_STATE;
    periodic_runs = 0;
    struct timer p;
    timer_init(&p, periodic, 0);
    timer_arm(&p, 100);
    now = 150;
    timer_run_expired();
    assert_int_equal(periodic_runs, 1);
    assert_true(p.armed);
    assert_int_equal(p.deadline, 200);
    assert_int_equal(oneshots[noneshots - 1], 200);
    now = 200;
    timer_run_expired();
    assert_int_equal(periodic_runs, 2);
    assert_int_equal(p.deadline, 300);
    timer_cancel(&p);
    assert_quiet();
}

/* The one-shot is lost with the old domain: resume programs the head
 * again even though it did not move. */
static void test_resume_reprograms(void **state)
{
    UNUSED_STATE;
    struct timer a;
    timer_init(&a, record, 0);
    timer_arm(&a, 400);
    unsigned before = noneshots;
    timer_resume();
    assert_int_equal(noneshots, before + 1);
    assert_int_equal(oneshots[noneshots - 1], 400);
    timer_cancel(&a);
    /* Nothing armed: nothing to program. */
    before = noneshots;
    timer_resume();
    assert_int_equal(noneshots, before);
}

/* Taking the timer lock again from inside (a nested take) is caught. */
static void test_nested_lock_panics(void **state)
{
    UNUSED_STATE;
    struct timer a;
    timer_init(&a, record, 0);
    unsigned long f = spin_lock_irqsave(&this_cpu()->timers.lock);
    expect_assert_failure(timer_arm(&a, 10));
    spin_unlock_irqrestore(&this_cpu()->timers.lock, f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reprogram_only_when_earlier, setup),
        cmocka_unit_test_setup(test_expiry_in_deadline_order, setup),
        cmocka_unit_test_setup(test_equal_deadlines_fire_in_arm_order, setup),
        cmocka_unit_test_setup(test_rearm_moves_timer, setup),
        cmocka_unit_test_setup(test_callback_rearms, setup),
        cmocka_unit_test_setup(test_resume_reprograms, setup),
        cmocka_unit_test_setup(test_nested_lock_panics, setup),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
