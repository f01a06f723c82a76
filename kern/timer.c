#include "kern/kernel.h"
#include "kern/timer.h"
#include "kern/clock.h"
#include "kern/percpu.h"

/* The one-shot is reprogrammed only when the earliest deadline moves
 * earlier. When it moves later (the head was cancelled, which happens on
 * every wake-up before its deadline) the old one-shot is left to fire
 * early: timer_run_expired finds nothing due and programs the real head
 * then. That saves two hypercalls per wait on busy paths. Lock held. */
static void reprogram(struct timer_queue *q)
{
    if (list_empty(&q->timers))
        return;
    uint64_t next = list_entry(q->timers.next, struct timer, link)->deadline;
    if (!q->programmed || next < q->programmed) {
        q->programmed = next;
        clock_set_oneshot(next);
    }
}

void timer_init(struct timer *t, void (*fn)(struct timer *), void *arg)
{
    list_init(&t->link);
    t->fn = fn;
    t->arg = arg;
    t->armed = false;
    t->deadline = 0;
    t->queue = 0;
}

/* Takes t off its queue if it is on one. q->lock held. */
static void timer_unlink(struct timer *t)
{
    if (t->armed) {
        list_del(&t->link);
        t->armed = false;
        t->queue = 0;
    }
}

void timer_arm(struct timer *t, uint64_t deadline)
{
    struct timer_queue *q = &this_cpu()->timers;
    unsigned long f = spin_lock_irqsave(&q->lock);
    /* One CPU today: a timer armed elsewhere is on this same queue. */
    BUG_ON(t->armed && t->queue != q);
    timer_unlink(t);
    t->deadline = deadline;
    struct list *pos;
    list_for_each(pos, &q->timers) {
        if (list_entry(pos, struct timer, link)->deadline > deadline)
            break;
    }
    list_add_tail(pos, &t->link); /* before pos: after equal deadlines */
    t->armed = true;
    t->queue = q;
    reprogram(q);
    spin_unlock_irqrestore(&q->lock, f);
}

void timer_cancel(struct timer *t)
{
    struct timer_queue *q = &this_cpu()->timers;
    unsigned long f = spin_lock_irqsave(&q->lock);
    if (t->armed) {
        BUG_ON(t->queue != q);
        timer_unlink(t);
        reprogram(q);
    }
    spin_unlock_irqrestore(&q->lock, f);
}

void timer_run_expired(void)
{
    struct timer_queue *q = &this_cpu()->timers;
    unsigned long f = spin_lock_irqsave(&q->lock);
    q->programmed = 0; /* the one-shot has fired (or we are polling) */
    uint64_t now = time_now_ns();
    while (!list_empty(&q->timers)) {
        struct timer *t = list_entry(q->timers.next, struct timer, link);
        if (t->deadline > now)
            break;
        timer_unlink(t);
        /* Unlocked, interrupts still off: the callback may arm timers. */
        spin_unlock(&q->lock);
        t->fn(t);
        spin_lock(&q->lock);
        now = time_now_ns();
    }
    reprogram(q);
    spin_unlock_irqrestore(&q->lock, f);
}

void timer_resume(void)
{
    struct timer_queue *q = &this_cpu()->timers;
    unsigned long f = spin_lock_irqsave(&q->lock);
    q->programmed = 0;
    reprogram(q);
    spin_unlock_irqrestore(&q->lock, f);
}

unsigned timer_count_armed(void)
{
    struct timer_queue *q = &this_cpu()->timers;
    unsigned n = 0;
    struct list *pos;
    unsigned long f = spin_lock_irqsave(&q->lock);
    list_for_each(pos, &q->timers)
        n++;
    spin_unlock_irqrestore(&q->lock, f);
    return n;
}
