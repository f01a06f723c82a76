/* kern/wait.c over a stub scheduler: wake_one/wake_all order, deadline
 * returns of wait_event_until, and the mutex. The stub's "block" runs a
 * script standing for what other threads and handlers do meanwhile. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kern/kernel.h"
#include "kern/wait.h"
#include "kern/percpu.h"

#define UNUSED_STATE (void)state

static struct thread threads[4];
#define T(i) (&threads[i])

/* --- the stub scheduler ------------------------------------------------ */
struct thread *thread_current(void)
{
    return this_cpu()->current;
}

static struct thread *woken[16];
static unsigned nwoken;

bool thread_wake(struct thread *t)
{
    assert_true(nwoken < 16);
    woken[nwoken++] = t;
    bool was = t->state == THREAD_BLOCKED;
    t->state = THREAD_RUNNABLE;
    return was;
}

/* What happens while the current thread is blocked: returns the block's
 * result (0 woken, -ETIMEDOUT). */
static int (*while_blocked)(unsigned nth);
static unsigned nblocks;
static uint64_t block_deadline;

int sched_block_releasing(struct spinlock *l, uint64_t deadline)
{
    struct thread *self = thread_current();
    assert_false(host_irq_flags & 0x200); /* interrupts off */
    assert_true(spin_is_held(l));
    block_deadline = deadline;
    self->state = THREAD_BLOCKED;
    spin_unlock(l); /* others may take the queue meanwhile */
    int r = while_blocked(nblocks++);
    spin_lock(l);
    self->state = THREAD_RUNNING;
    return r;
}

/* --- the stub clock: counts reads ------------------------------------- */
static uint64_t now = 1000;
static unsigned clock_reads;
static uint64_t stub_now(void)
{
    clock_reads++;
    return now;
}
static void stub_oneshot(uint64_t d)
{
    (void)d;
}
static const struct clock_source stub_clock = { "stub", stub_now, stub_oneshot };

static int setup(void **state)
{
    UNUSED_STATE;
    clock_register(&stub_clock);
    memset(threads, 0, sizeof(threads));
    for (int i = 0; i < 4; i++) {
        list_init(&threads[i].wait_link);
        threads[i].state = THREAD_RUNNING;
        threads[i].id = (uint32_t)i;
    }
    this_cpu()->current = T(0);
    nwoken = nblocks = clock_reads = 0;
    block_deadline = 0;
    while_blocked = 0;
    host_irq_flags = 0x200;
    return 0;
}

/* As waitq_block leaves blocked threads: queued in order. */
static void enqueue_blocked(struct waitq *wq, struct thread *t)
{
    t->state = THREAD_BLOCKED;
    list_add_tail(&wq->waiters, &t->wait_link);
}

static unsigned queued(struct waitq *wq)
{
    unsigned n = 0;
    struct list *p;
    list_for_each(p, &wq->waiters)
        n++;
    return n;
}

static void test_wake_one_fifo(void **state)
{
    UNUSED_STATE;
    struct waitq wq = WAITQ_INIT(wq);
    enqueue_blocked(&wq, T(1));
    enqueue_blocked(&wq, T(2));
    enqueue_blocked(&wq, T(3));
    waitq_wake_one(&wq);
    assert_int_equal(nwoken, 1);
    assert_ptr_equal(woken[0], T(1));
    assert_false(list_linked(&T(1)->wait_link));
    assert_int_equal(queued(&wq), 2);
    waitq_wake_all(&wq);
    assert_int_equal(nwoken, 3);
    assert_ptr_equal(woken[1], T(2));
    assert_ptr_equal(woken[2], T(3));
    assert_int_equal(queued(&wq), 0);
    waitq_wake_one(&wq); /* nobody: nothing */
    waitq_wake_all(&wq);
    assert_int_equal(nwoken, 3);
    assert_true(host_irq_flags & 0x200);
    assert_false(spin_is_held(&wq.lock));
}

/* A waiter its deadline woke already (still queued until it runs) does
 * not use up the wake: the next blocked one gets it. */
static void test_wake_one_skips_timed_out(void **state)
{
    UNUSED_STATE;
    struct waitq wq = WAITQ_INIT(wq);
    enqueue_blocked(&wq, T(1));
    enqueue_blocked(&wq, T(2));
    T(1)->state = THREAD_RUNNABLE; /* its deadline fired */
    waitq_wake_one(&wq);
    assert_int_equal(nwoken, 2);
    assert_ptr_equal(woken[1], T(2));
    assert_int_equal(T(2)->state, THREAD_RUNNABLE);
    assert_int_equal(queued(&wq), 0);
}

static int times_out(unsigned nth)
{
    (void)nth;
    return -ETIMEDOUT;
}

static void test_cond_true_does_not_block(void **state)
{
    UNUSED_STATE;
    struct waitq wq = WAITQ_INIT(wq);
    while_blocked = times_out;
    assert_int_equal(wait_event_until(&wq, true, 5000), 0);
    assert_int_equal(nblocks, 0);
    assert_int_equal(clock_reads, 0);
    assert_true(host_irq_flags & 0x200);
}

static unsigned deadline_evals;
static uint64_t a_deadline(void)
{
    deadline_evals++;
    return 5000;
}

static void test_deadline_passes(void **state)
{
    UNUSED_STATE;
    struct waitq wq = WAITQ_INIT(wq);
    while_blocked = times_out;
    int r = wait_event_until(&wq, false, a_deadline());
    assert_int_equal(r, -ETIMEDOUT);
    assert_int_equal(nblocks, 1);
    assert_int_equal(block_deadline, 5000);
    assert_int_equal(deadline_evals, 1);
    /* It leaves the queue, lock free, interrupts back on. */
    assert_int_equal(queued(&wq), 0);
    assert_false(list_linked(&T(0)->wait_link));
    assert_false(spin_is_held(&wq.lock));
    assert_true(host_irq_flags & 0x200);
}

/* The condition came true just as the deadline passed: success. */
static bool flag;
static int sets_flag_then_times_out(unsigned nth)
{
    (void)nth;
    flag = true;
    return -ETIMEDOUT;
}

static void test_cond_at_deadline_wins(void **state)
{
    UNUSED_STATE;
    struct waitq wq = WAITQ_INIT(wq);
    flag = false;
    while_blocked = sets_flag_then_times_out;
    assert_int_equal(wait_event_until(&wq, flag, 5000), 0);
    assert_int_equal(nblocks, 1);
}

/* Woken without the condition (another waiter took it): blocks again,
 * with the same deadline, until it holds. */
static struct waitq *script_wq;
static int wakes_spuriously_then_sets(unsigned nth)
{
    /* Queued while blocked: a waker finds it. */
    assert_int_equal(queued(script_wq), 1);
    if (nth == 2)
        flag = true;
    waitq_wake_one(script_wq);
    return 0;
}

static void test_spurious_wake_blocks_again(void **state)
{
    UNUSED_STATE;
    struct waitq wq = WAITQ_INIT(wq);
    script_wq = &wq;
    flag = false;
    deadline_evals = 0;
    while_blocked = wakes_spuriously_then_sets;
    assert_int_equal(wait_event_until(&wq, flag, a_deadline()), 0);
    assert_int_equal(nblocks, 3);
    assert_int_equal(nwoken, 3);
    assert_int_equal(deadline_evals, 1);
    assert_int_equal(queued(&wq), 0);
}

static void test_mutex_trylock(void **state)
{
    UNUSED_STATE;
    struct mutex m = MUTEX_INIT(m);
    assert_true(mutex_trylock(&m));
    assert_ptr_equal(m.owner, T(0));
    this_cpu()->current = T(1);
    assert_false(mutex_trylock(&m));
    assert_ptr_equal(m.owner, T(0));
    this_cpu()->current = T(0);
    mutex_unlock(&m);
    assert_null(m.owner);
    /* Free: taken without reading the clock. */
    assert_int_equal(mutex_lock_within(&m, 1000), 0);
    assert_int_equal(clock_reads, 0);
    mutex_unlock(&m);
}

/* T(0) holds the mutex; T(1) waits; T(0) unlocks meanwhile. */
static struct mutex *script_m;
static int owner_unlocks(unsigned nth)
{
    (void)nth;
    struct thread *self = thread_current();
    this_cpu()->current = T(0);
    mutex_unlock(script_m);
    this_cpu()->current = self;
    return 0;
}

static void test_mutex_waits_for_unlock(void **state)
{
    UNUSED_STATE;
    struct mutex m = MUTEX_INIT(m);
    script_m = &m;
    assert_true(mutex_trylock(&m));
    this_cpu()->current = T(1);
    while_blocked = owner_unlocks;
    assert_int_equal(mutex_lock_within(&m, 500), 0);
    assert_ptr_equal(m.owner, T(1));
    assert_int_equal(clock_reads, 1); /* held: the clock is read once */
    assert_int_equal(block_deadline, now + 500);
    assert_int_equal(nwoken, 1);
    assert_ptr_equal(woken[0], T(1));
    mutex_unlock(&m);
}

static void test_mutex_deadline(void **state)
{
    UNUSED_STATE;
    struct mutex m = MUTEX_INIT(m);
    assert_true(mutex_trylock(&m));
    this_cpu()->current = T(1);
    while_blocked = times_out;
    assert_int_equal(mutex_lock_until(&m, 7000), -ETIMEDOUT);
    assert_ptr_equal(m.owner, T(0)); /* unchanged */
    assert_int_equal(queued(&m.wq), 0);
    /* Unlocking by a thread that does not hold it is a bug. */
    expect_assert_failure(mutex_unlock(&m));
    this_cpu()->current = T(0);
    mutex_unlock(&m);
}

static void test_mutex_relock_by_owner_is_a_bug(void **state)
{
    UNUSED_STATE;
    struct mutex m = MUTEX_INIT(m);
    assert_true(mutex_trylock(&m));
    expect_assert_failure(mutex_lock_until(&m, 7000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_wake_one_fifo, setup),
        cmocka_unit_test_setup(test_wake_one_skips_timed_out, setup),
        cmocka_unit_test_setup(test_cond_true_does_not_block, setup),
        cmocka_unit_test_setup(test_deadline_passes, setup),
        cmocka_unit_test_setup(test_cond_at_deadline_wins, setup),
        cmocka_unit_test_setup(test_spurious_wake_blocks_again, setup),
        cmocka_unit_test_setup(test_mutex_trylock, setup),
        cmocka_unit_test_setup(test_mutex_waits_for_unlock, setup),
        cmocka_unit_test_setup(test_mutex_deadline, setup),
        cmocka_unit_test_setup(test_mutex_relock_by_owner_is_a_bug, setup),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
