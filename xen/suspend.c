#include "kern/kernel.h"
#include "xen/suspend.h"
#include "xen/platform.h"
#include "xen/hypervisor.h"
#include "xen/hypercall.h"
#include "xen/evtchn.h"
#include "xen/gnttab.h"
#include "xen/gnttab_map.h"
#include "xen/time.h"
#include "xen/xenstore.h"
#include "dev/console/console.h"
#include "arch/x86/cpu.h"

static struct list hooks = LIST_INIT(hooks);
static struct suspend_stats stats;

void suspend_hook_add(struct suspend_hook *h)
{
    list_add_tail(&hooks, &h->link);
}

/* Resumes the hooks before `end` (the list head: all), newest first: the
 * reverse of the suspend order. */
static void resume_hooks(struct list *end, bool cancelled)
{
    for (struct list *pos = end->prev; pos != &hooks; pos = pos->prev) {
        struct suspend_hook *h = list_entry(pos, struct suspend_hook, link);
        if (h->resume)
            h->resume(cancelled);
    }
}

int domain_suspend(void)
{
    if (platform->machine_frames) {
        /* PV save needs the p2m published and frames canonicalised: not yet. */
        printk("domu: suspend is not done on %s yet; carrying on", platform->name);
        stats.failed++;
        return -EOPNOTSUPP;
    }
    printk("domu: suspending");
    struct list *pos;
    list_for_each(pos, &hooks) {
        struct suspend_hook *h = list_entry(pos, struct suspend_hook, link);
        int rc = h->suspend ? h->suspend() : 0;
        if (rc) {
            printk("domu: %s refused to suspend (%s); carrying on", h->name, errno_name(rc));
            resume_hooks(pos, true);
            stats.failed++;
            return rc;
        }
    }
    int rc = xs_suspend();
    if (rc) {
        resume_hooks(&hooks, true);
        stats.failed++;
        return rc;
    }
    console_flush(time_now_ns() + NS_PER_SEC);

    unsigned long f = irq_save();
    time_suspend();
    long r = xen_shutdown(SHUTDOWN_suspend);
    bool cancelled = r != 0;
    /* Put back, in order, what a new domain does not have. */
    if (!cancelled)
        xen_map_shared_info(xen_info.shared_info_gfn);
    evtchn_resume(cancelled);
    time_resume(cancelled);
    gnttab_resume(cancelled);
    console_resume(cancelled);
    irq_restore(f);
    gnttab_map_resume(cancelled); /* before the back-ends' resume, which unmap */

    stats.suspends++;
    if (cancelled)
        stats.cancelled++;
    xs_resume(cancelled);
    resume_hooks(&hooks, cancelled);
    if (!cancelled) {
        uint64_t domid;
        if (xs_read_uint(XS_TX_NONE, "domid", 0x7fef, &domid) == 0)
            xen_info.domid = (domid_t)domid;
    }
    printk("domu: resumed (%s), domain %u, %llu ms away",
           cancelled ? "suspend cancelled, same domain" : "new domain", xen_info.domid,
           (unsigned long long)(time_last_away_ns() / NS_PER_MS));
    return 0;
}

void suspend_get_stats(struct suspend_stats *st)
{
    *st = stats;
}
