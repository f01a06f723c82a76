/* The FIFO event channel ABI (Xen 4.4+): a control block per vCPU
 * (EVTCHNOP_init_control) with 16 priority queues, and an event array of
 * one word per port that grows a page (1024 ports) at a time as ports
 * are bound (EVTCHNOP_expand_array), up to 2^17 ports. The queue walk is
 * the pure xen/evtchn_fifo_queue.c. */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/mm.h"
#include "kern/page_alloc.h"
#include "kern/percpu.h"
#include "kern/spinlock.h"
#include "lib/string.h"
#include "lib/barrier.h"
#include "xen/evtchn_abi.h"
#include "xen/evtchn_fifo_queue.h"
#include "xen/hypervisor.h"
#include "xen/hypercall.h"

/* vCPUs that can have a control block (only vCPU 0 runs today). */
#define FIFO_MAX_VCPUS 8

struct fifo_vcpu {
    struct evtchn_fifo_control_block *cb; /* its page, kept across restores */
    struct evtchn_fifo_queues q;          /* only its own upcall touches it */
    bool active;                          /* Xen has it (init_control done) */
};

static struct fifo_vcpu vcpus[FIFO_MAX_VCPUS];
/* The upcall reads the array unlocked: a page goes in page[] before
 * npages counts it. Growth (thread context) is under array_lock. */
static struct evtchn_fifo_array array;
static struct spinlock array_lock = SPINLOCK_INIT("evtchn-fifo-array");
static uint8_t link_bits;

static uint64_t gfn_of(const void *p)
{
    return (uint64_t)(uintptr_t)p >> PAGE_SHIFT;
}

static int init_control(unsigned vcpu)
{
    struct fifo_vcpu *fv = &vcpus[vcpu];
    if (!fv->cb) {
        fv->cb = pages_alloc(1);
        if (!fv->cb)
            return -ENOMEM;
    }
    memset(fv->cb, 0, PAGE_SIZE);
    fv->q = (struct evtchn_fifo_queues){ 0 };
    struct evtchn_init_control op = { .control_gfn = gfn_of(fv->cb), .offset = 0,
                                      .vcpu = vcpu };
    int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &op);
    if (rc)
        return rc;
    link_bits = op.link_bits;
    fv->active = true;
    return 0;
}

int evtchn_fifo_start(void)
{
    int rc = init_control(0);
    if (rc == 0)
        printk("evtchn: FIFO ABI: vCPU 0's control block at gfn 0x%llx, %u link bits",
               (unsigned long long)gfn_of(vcpus[0].cb), link_bits);
    return rc;
}

/* Grows the array to cover port: one page at a time, each masked in full
 * before Xen sees it. Pages stay ours for good (reused after a restore). */
static int fifo_setup(evtchn_port_t port)
{
    if (port >= EVTCHN_FIFO_NR_CHANNELS)
        return -ENOSPC;
    unsigned need = port / EVTCHN_FIFO_WORDS_PER_PAGE + 1;
    while (READ_ONCE(array.npages) < need) {
        unsigned long f = spin_lock_irqsave(&array_lock);
        unsigned n = array.npages;
        event_word_t *pg = n < need ? array.page[n] : 0;
        spin_unlock_irqrestore(&array_lock, f);
        if (n >= need)
            break;
        if (!pg) {
            pg = pages_alloc(1);
            if (!pg) {
                printk("evtchn: no page to grow the FIFO event array past %u ports",
                       n * (unsigned)EVTCHN_FIFO_WORDS_PER_PAGE);
                return -ENOMEM;
            }
        }
        f = spin_lock_irqsave(&array_lock);
        int rc = 0;
        if (array.npages == n) {
            if (!array.page[n] || array.page[n] == pg) {
                array.page[n] = pg;
                pg = 0;
            }
            evtchn_fifo_page_init(array.page[n]);
            struct evtchn_expand_array op = { .array_gfn = gfn_of(array.page[n]) };
            rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_expand_array, &op);
            if (rc == 0) {
                xen_wmb(); /* the page before the count that makes it visible */
                WRITE_ONCE(array.npages, n + 1);
            }
        }
        /* A page we did not need (another thread grew the array): later. */
        for (unsigned i = array.npages; pg && i < EVTCHN_FIFO_MAX_PAGES; i++)
            if (!array.page[i]) {
                array.page[i] = pg;
                pg = 0;
            }
        spin_unlock_irqrestore(&array_lock, f);
        if (rc) {
            printk("evtchn: EVTCHNOP_expand_array to %u pages failed: %d", n + 1, rc);
            return rc;
        }
    }
    return 0;
}

static event_word_t *word(evtchn_port_t port)
{
    return evtchn_fifo_word(&array, port);
}

static void fifo_mask(evtchn_port_t port)
{
    event_word_t *w = word(port);
    if (w)
        evtchn_fifo_set_mask(w);
}

static void fifo_clear_pending(evtchn_port_t port)
{
    event_word_t *w = word(port);
    if (w)
        evtchn_fifo_clear_pending(w);
}

static bool fifo_is_pending(evtchn_port_t port)
{
    event_word_t *w = word(port);
    return w && evtchn_fifo_test_pending(w);
}

static bool fifo_unmask_needs_xen(evtchn_port_t port)
{
    event_word_t *w = word(port);
    /* Beyond the array Xen keeps the event itself; its unmask sorts it. */
    return !w || evtchn_fifo_unmask_needs_xen(w);
}

static unsigned fifo_handle_events(unsigned budget, evtchn_abi_dispatch_fn fn, void *arg)
{
    unsigned cpu = this_cpu()->id;
    struct vcpu_info *vi = xen_vcpu_info();
    WRITE_ONCE(vi->evtchn_upcall_pending, 0);
    xen_mb(); /* clear the flag before reading the ready bits */
    if (cpu >= FIFO_MAX_VCPUS || !vcpus[cpu].active)
        return 0;
    bool more;
    unsigned n = evtchn_fifo_consume(vcpus[cpu].cb, &vcpus[cpu].q, &array, budget, fn, arg,
                                     &more);
    if (more)
        WRITE_ONCE(vi->evtchn_upcall_pending, 1); /* the rest at the next upcall */
    return n;
}

static int fifo_resume(void)
{
    /* The new domain starts 2-level with no array: ask again, then grow
     * the array again (same pages) as ports are bound. */
    unsigned long f = spin_lock_irqsave(&array_lock);
    array.npages = 0;
    spin_unlock_irqrestore(&array_lock, f);
    for (unsigned v = 0; v < FIFO_MAX_VCPUS; v++) {
        if (!vcpus[v].active)
            continue;
        vcpus[v].active = false;
        int rc = init_control(v);
        if (rc) {
            printk("evtchn: EVTCHNOP_init_control for vCPU %u after the restore failed: %d",
                   v, rc);
            return rc;
        }
    }
    printk("evtchn: FIFO ABI again after the restore");
    return 0;
}

static void fifo_describe(char *buf, unsigned cap)
{
    uint64_t bad = 0;
    unsigned nv = 0;
    for (unsigned v = 0; v < FIFO_MAX_VCPUS; v++)
        if (vcpus[v].active) {
            nv++;
            bad += vcpus[v].q.bad_links;
        }
    k_snprintf(buf, cap, "%u control block%s, event array %u pages (%u ports), %llu bad links",
               nv, nv == 1 ? "" : "s", array.npages,
               array.npages * (unsigned)EVTCHN_FIFO_WORDS_PER_PAGE, (unsigned long long)bad);
}

const struct evtchn_abi evtchn_abi_fifo = {
    .name = "fifo",
    .max_ports = EVTCHN_FIFO_NR_CHANNELS,
    .setup = fifo_setup,
    .mask = fifo_mask,
    .clear_pending = fifo_clear_pending,
    .is_pending = fifo_is_pending,
    .unmask_needs_xen = fifo_unmask_needs_xen,
    .handle_events = fifo_handle_events,
    .resume = fifo_resume,
    .describe = fifo_describe,
};
