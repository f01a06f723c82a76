#include "kern/kernel.h"
#include "kern/timer.h"
#include "xen/time.h"
#include "arch/x86/cpu.h"

static struct list timers = LIST_INIT(timers);
static uint64_t programmed; /* deadline given to Xen, 0 if none */

/* Xen's one-shot timer is reprogrammed only when the earliest deadline
 * moves earlier. When it moves later (the head was cancelled, which
 * happens on every wake-up before its deadline) the old one-shot is left
 * to fire early: timer_run_expired finds nothing due and programs the
 * real head then. That saves two hypercalls per wait on busy paths. */
static void reprogram(void)
{
    uint64_t next = list_empty(&timers) ? 0
                                         : list_entry(timers.next, struct timer, link)->deadline;
    if (next && (!programmed || next < programmed)) {
        programmed = next;
        time_program_timer(next);
    }
}

void timer_init(struct timer *t, void (*fn)(struct timer *), void *arg)
{
    list_init(&t->link);
    t->fn = fn;
    t->arg = arg;
    t->armed = false;
    t->deadline = 0;
}

void timer_arm(struct timer *t, uint64_t deadline)
{
    unsigned long f = irq_save();
    if (t->armed)
        list_del(&t->link);
    t->deadline = deadline;
    t->armed = true;
    struct list *pos;
    list_for_each(pos, &timers) {
        if (list_entry(pos, struct timer, link)->deadline > deadline)
            break;
    }
    /* insert before pos */
    list_add_tail(pos, &t->link);
    reprogram();
    irq_restore(f);
}

void timer_cancel(struct timer *t)
{
    unsigned long f = irq_save();
    if (t->armed) {
        list_del(&t->link);
        t->armed = false;
        reprogram();
    }
    irq_restore(f);
}

void timer_run_expired(void)
{
    unsigned long f = irq_save();
    programmed = 0; /* the one-shot has fired (or we are polling) */
    uint64_t now = time_now_ns();
    while (!list_empty(&timers)) {
        struct timer *t = list_entry(timers.next, struct timer, link);
        if (t->deadline > now)
            break;
        list_del(&t->link);
        t->armed = false;
        t->fn(t);
        now = time_now_ns();
    }
    reprogram();
    irq_restore(f);
}

void timer_resume(void)
{
    unsigned long f = irq_save();
    programmed = 0;
    reprogram();
    irq_restore(f);
}

unsigned timer_count_armed(void)
{
    unsigned n = 0;
    struct list *pos;
    unsigned long f = irq_save();
    list_for_each(pos, &timers)
        n++;
    irq_restore(f);
    return n;
}
