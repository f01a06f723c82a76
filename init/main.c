/* Start-up: from the PVH entry to "domu: ready". The one place that
 * knows every layer: it wires the hooks the lower layers offer (clock,
 * console, panic, upcall) and starts the drivers; nothing calls up here. */
#include "kern/kernel.h"
#include "kern/cmdline.h"
#include "kern/log.h"
#include "kern/panic.h"
#include "net/stack.h"
#include "kern/memmap.h"
#include "kern/mm.h"
#include "kern/sched.h"
#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"
#include "dev/console/console.h"
#include "xen/hypervisor.h"
#include "xen/platform.h"
#include "xen/hypercall.h"
#include "xen/time.h"
#include "xen/evtchn.h"
#include "xen/gnttab.h"
#include "xen/gnttab_map.h"
#include "xen/xenstore.h"
#include "xen/shutdown.h"
#include "xen/xenbus_bus.h"
#include "dev/balloon/balloon.h"
#include "dev/blkfront/blkfront.h"
#include "dev/blkback/blkback.h"
#include "dev/netfront/netfront.h"
#include "dev/evtchn/evtchn_user.h"
#include "dev/control/control.h"
#include "shell/shell.h"
#include <xen/features.h>

#define CMDLINE_MAX 1024

static char cmdline_buf[CMDLINE_MAX];
static char name_buf[64] = "?";
const char *domain_name = name_buf;
const char *kernel_cmdline = cmdline_buf;
static struct memmap memmap;

static void print_memmap(void)
{
    for (unsigned i = 0; i < memmap.n; i++)
        pr_debug("  mem %012llx-%012llx %s", (unsigned long long)memmap.r[i].start,
                 (unsigned long long)memmap.r[i].end - 1, memmap_type_name(memmap.r[i].type));
}

static void crash_test(void)
{
    char how[16];
    if (cmdline_get(kernel_cmdline, "crash-test", how, sizeof(how)) > 0 &&
        strcmp(how, "stack") == 0) {
        /* A fault that cannot be delivered on this stack: the double
         * fault handler, on a stack of its own, must still report it. */
        printk("crash-test: running on an unmapped stack on purpose");
        __asm__ volatile("movq $0x1000, %%rsp; pushq $0" ::: "memory");
    }
    if (cmdline_get(kernel_cmdline, "crash-test", how, sizeof(how)) > 0 &&
        strcmp(how, "triple") == 0) {
        /* No IDT at all: nothing can be delivered and the CPU shuts down
         * (Xen: "Triple fault"), for testing what the test host does then. */
        printk("crash-test: a fault with no IDT on purpose (a triple fault)");
        struct {
            uint16_t limit;
            uint64_t base;
        } __attribute__((packed)) none = { 0, 0 };
        __asm__ volatile("lidt %0; int3" ::"m"(none) : "memory");
    }
    printk("crash-test: writing to address 0 on purpose");
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)0;
    *p = 0xdead;
}

/* Front-end drivers join the XenBus device model before it scans device/. */
static void drivers_register(void)
{
    blkfront_init();
    netfront_init();
    blkback_init();
}

static void init_thread(void *arg)
{
    int rc = xs_init();
    if (rc)
        panic("xenstore: cannot start (%s)", errno_name(rc));
    if (platform->machine_frames) {
        /* Grants and the balloon hand Xen machine frames on PV: not done yet. */
        printk("gnttab: not on %s yet; drivers that share memory will not work",
               platform->name);
    } else {
        rc = gnttab_init();
        if (rc)
            printk("gnttab: not available (%s); drivers that share memory will not work",
                   errno_name(rc));
        gnttab_map_init(&memmap); /* says why when it fails */
    }

    uint64_t domid = 0;
    rc = xs_read_uint(XS_TX_NONE, "domid", 0x7fef, &domid);
    if (rc)
        printk("xenstore: cannot read 'domid': %s", errno_name(rc));
    else
        xen_info.domid = (domid_t)domid;
    rc = xs_read(XS_TX_NONE, "name", name_buf, sizeof(name_buf));
    if (rc < 0) {
        printk("xenstore: cannot read 'name': %s", errno_name(rc));
        strlcpy_k(name_buf, "?", sizeof(name_buf));
    }
    struct mm_stats ms;
    mm_get_stats(&ms);
    printk("domu: domain %llu '%s', %llu KiB RAM, %llu KiB free", (unsigned long long)domid,
           name_buf, (unsigned long long)ms.total_pages * 4, (unsigned long long)ms.free_pages * 4);

    if (control_init())
        printk("control: not available; xl shutdown/reboot will not reach domu");
    evtchn_user_init();
    if (platform->machine_frames)
        printk("balloon: not on %s yet; xl mem-set will not change domu's size",
               platform->name);
    else if (balloon_init())
        printk("balloon: not available; xl mem-set will not change domu's size");
    drivers_register();
    if (xenbus_bus_init())
        printk("xenbus: cannot start; no devices will be found");
    if (shell_start())
        printk("shell: cannot start");
    /* The status page answers on port 80 once an interface has an address
     * (httpd=off on the command line keeps it closed). */
    char httpd[8];
    if (cmdline_get(kernel_cmdline, "httpd", httpd, sizeof(httpd)) < 0 || strcmp(httpd, "off"))
        if (net_httpd_start(80))
            printk("httpd: cannot listen on port 80");
    uint64_t ms_ready = time_since_entry_ns() / NS_PER_MS;
    printk("domu: ready in %llu ms", (unsigned long long)ms_ready);

    if (cmdline_has(kernel_cmdline, "crash-test") ||
        cmdline_get(kernel_cmdline, "crash-test", 0, 0) != -ENOENT)
        crash_test();
    if (cmdline_has(kernel_cmdline, "poweroff"))
        domain_shutdown(SHUTDOWN_poweroff);
}

static void end_crashed(void)
{
    xen_shutdown(SHUTDOWN_crash);
}

/* Both entries end here: the PVH one (arch/x86/boot.S) with the physical
 * address of hvm_start_info, the PV one (arch/x86/pv) with start_info's
 * VA, after it chose the platform. */
void kmain(uintptr_t start_info)
{
    log_flush = console_flush;
    console_early_init();
    if (platform->hypercalls_init())
        panic("start: not running on Xen (no XenVMMXenVMM CPUID leaf)");
    panic_end = end_crashed;
    platform->start(start_info, &memmap, cmdline_buf, sizeof(cmdline_buf));
    char level[16];
    if (cmdline_get(kernel_cmdline, "loglevel", level, sizeof(level)) > 0 &&
        strcmp(level, "debug") == 0)
        log_debug_enabled = true;
    platform->traps_init();
    xen_read_version();
    printk("domu 0.1 on Xen %u.%u%s (%s), command line '%s'", xen_info.major, xen_info.minor,
           xen_info.extra, platform->name, kernel_cmdline);
    print_memmap();

    int rc = mm_init(&memmap, xen_current_reservation());
    if (rc)
        panic("mm: cannot set up the page allocator (%s)", errno_name(rc));
    rc = platform->map_shared_info();
    if (rc)
        panic("start: cannot map shared_info (%s)", errno_name(rc));
    if (time_init())
        panic("time: the PV clock is not running (tsc_to_system_mul is 0)");
    printk("xen: features 0x%x%s%s", xen_info.features,
           xen_feature(XENFEAT_hvm_callback_vector) ? " callback-vector" : "",
           xen_feature(XENFEAT_hvm_safe_pvclock) ? " safe-pvclock" : "");

    sched_init();
    if (evtchn_init())
        panic("evtchn: cannot set up event delivery");
    if (time_bind_timer_virq())
        panic("time: cannot bind VIRQ_TIMER");
    irq_enable();
    if (console_pv_init())
        printk("console: staying on the early console");

    if (!thread_create("init", init_thread, 0))
        panic("start: cannot create the init thread");
    sched_idle_loop();
}
