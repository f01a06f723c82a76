/* Shell commands that inspect and control the kernel itself. */
#include "kern/kernel.h"
#include "kern/cmdline.h"
#include "kern/mm.h"
#include "kern/sched.h"
#include "kern/log.h"
#include "shell/shell.h"
#include "dev/console/console.h"
#include "xen/hypervisor.h"
#include "xen/time.h"
#include "xen/shutdown.h"
#include "xen/suspend.h"
#include "xen/gnttab.h"
#include "xen/evtchn.h"
#include "xen/platform.h"

extern const char *domain_name;

static int cmd_info(int argc, char **argv)
{
    uint64_t up = time_since_entry_ns();
    uint64_t sec;
    uint32_t nsec;
    time_wallclock(&sec, &nsec);
    shell_printf("domu 0.1 (%s) on Xen %u.%u%s\n", platform->name, xen_info.major,
                 xen_info.minor, xen_info.extra);
    shell_printf("domain   %u '%s'\n", xen_info.domid, domain_name ? domain_name : "?");
    shell_printf("features 0x%x\n", xen_info.features);
    shell_printf("uptime   %llu.%03llu s\n", (unsigned long long)(up / NS_PER_SEC),
                 (unsigned long long)(up % NS_PER_SEC / NS_PER_MS));
    shell_printf("wallclock %llu.%09u (UTC seconds)\n", (unsigned long long)sec, nsec);
    shell_printf("cmdline  '%s'\n", kernel_cmdline);
    struct suspend_stats ss;
    suspend_get_stats(&ss);
    shell_printf("suspends %u (%u cancelled, %u refused)\n", ss.suspends, ss.cancelled, ss.failed);
    return 0;
}

static int cmd_mem(int argc, char **argv)
{
    struct mm_stats st;
    mm_get_stats(&st);
    shell_printf("pages    %llu total, %llu free, %llu used (KiB: %llu / %llu / %llu)\n",
                 (unsigned long long)st.total_pages, (unsigned long long)st.free_pages,
                 (unsigned long long)(st.total_pages - st.free_pages),
                 (unsigned long long)st.total_pages * 4, (unsigned long long)st.free_pages * 4,
                 (unsigned long long)(st.total_pages - st.free_pages) * 4);
    shell_printf("heap     %llu objects, %llu bytes, %llu slab pages, %llu large pages\n",
                 (unsigned long long)st.heap.objects, (unsigned long long)st.heap.bytes_in_use,
                 (unsigned long long)st.heap.slab_pages, (unsigned long long)st.heap.large_pages);
    shell_printf("heap     %llu failed allocations, %llu bad frees\n",
                 (unsigned long long)st.heap.failed, (unsigned long long)st.heap.bad_frees);
    return 0;
}

/* Every resource count on one line, so a scenario compares them before
 * and after a cycle (save/restore, hot-plug) with one string. */
static int cmd_counts(int argc, char **argv)
{
    struct gnttab_stats gs;
    struct mm_stats ms;
    gnttab_get_stats(&gs);
    mm_get_stats(&ms);
    shell_printf("counts: grants %u ports %u free-pages %llu heap-objects %llu heap-bytes %llu "
                 "threads %u\n",
                 gs.in_use, evtchn_bound_count(), (unsigned long long)ms.free_pages,
                 (unsigned long long)ms.heap.objects, (unsigned long long)ms.heap.bytes_in_use,
                 sched_thread_count());
    return 0;
}

static void print_thread(struct thread *t, void *arg)
{
    shell_printf("  %3u %-16s %-9s %llu switches\n", t->id, t->name,
                 thread_state_name(t->state), (unsigned long long)t->switches);
}

static int cmd_threads(int argc, char **argv)
{
    shell_printf("   id name             state\n");
    sched_for_each(print_thread, 0);
    return 0;
}

static void log_out(const char *s, size_t n)
{
    console_write(s, n);
}

static int cmd_log(int argc, char **argv)
{
    log_replay(log_out);
    return 0;
}

static int cmd_poweroff(int argc, char **argv)
{
    domain_shutdown(SHUTDOWN_poweroff);
}

static int cmd_reboot(int argc, char **argv)
{
    domain_shutdown(SHUTDOWN_reboot);
}

static struct shell_cmd cmds[] = {
    { "info", "", "Xen version, domain, features, uptime", cmd_info, { 0, 0 } },
    { "mem", "", "page allocator and heap use", cmd_mem, { 0, 0 } },
    { "threads", "", "kernel threads", cmd_threads, { 0, 0 } },
    { "counts", "", "grants in use, ports bound, free pages, heap use, threads", cmd_counts,
      { 0, 0 } },
    { "log", "", "the kernel log ring", cmd_log, { 0, 0 } },
    { "poweroff", "", "end the domain (SHUTDOWN_poweroff)", cmd_poweroff, { 0, 0 } },
    { "reboot", "", "restart the domain (SHUTDOWN_reboot)", cmd_reboot, { 0, 0 } },
};

void shell_cmds_sys_init(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        shell_register(&cmds[i]);
}
