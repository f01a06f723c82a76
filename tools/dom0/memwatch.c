/* memwatch: how long a guest takes to balloon to a new size, measured in
 * Dom0 by the hypervisor's own count of the domain's pages.
 *
 *   memwatch [-n] [-v] [-t TOL_KIB] [-w DEADLINE_S] [-i POLL_US] [-s SETTLE_MS]
 *            DOMID TARGET_KIB
 *
 * Sets the domain's memory target the way `xl mem-set DOMID TARGET_KIBk`
 * does, with the same libxl call (libxl_set_memory_target with enforce:
 * maxmem, PoD target, then memory/target in XenStore), on a thread of its
 * own. Meanwhile it polls, every POLL_US (1000):
 *  - memory/target in XenStore, until it changes: the guest learns its new
 *    target then. The clock starts when the last read that still saw the
 *    old value was sent, so the start is never after the guest could know;
 *  - the domain's tot_pages (xc_domain_getinfolist), until tot_pages * 4 KiB
 *    is within TOL_KIB (default 128) of the target.
 * Prints one line:
 *
 *   ms=E call_ms=C vis_ms=V set_ms=S first_ms=F cpu_ms=U kib=K polls=N max_gap_ms=G
 *
 * E: ms from the target's appearance to reached; C: from the libxl call to
 * reached; V: from the call to the target's appearance; S: how long the
 * call took; F: when tot_pages first moved (from the appearance); U: the
 * domain's CPU time (all vCPUs) over E; K: tot_pages in KiB when reached;
 * N polls, the longest gap G between two (the end's resolution).
 * With -n the target is not set (someone else does it) and the clock starts
 * at once. -v prints "T_MS TOT_KIB" (from the call) to stderr whenever
 * tot_pages changes, and -s keeps watching SETTLE_MS longer after reached.
 * Gives up after DEADLINE_S (120) and says what it waited for; exit 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenstore.h>
#include <libxl.h>

#define KIB_PER_PAGE 4

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double ms_of(long long ns) { return (double)ns / 1e6; }

/* The libxl call, on its own thread so that polling starts with it. */
struct setter {
    libxl_ctx *ctx;
    uint32_t domid;
    int64_t target_kib;
    long long done_ns; /* when the call returned, 0 before */
    int rc;
};

static void *set_target(void *arg)
{
    struct setter *s = arg;
    s->rc = libxl_set_memory_target(s->ctx, s->domid, s->target_kib, 0, 1);
    __atomic_store_n(&s->done_ns, now_ns(), __ATOMIC_RELEASE);
    return NULL;
}

/* tot_pages and cpu_time of domid: 0, or -1 if the domain is gone. */
static int dom_pages(xc_interface *xch, uint32_t domid, uint64_t *pages, uint64_t *cpu_ns)
{
    xc_domaininfo_t info;
    int n = xc_domain_getinfolist(xch, domid, 1, &info);
    if (n != 1 || info.domain != domid)
        return -1;
    *pages = info.tot_pages;
    *cpu_ns = info.cpu_time;
    return 0;
}

static long num_arg(const char *s, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (errno || end == s || *end || v < 0) {
        fprintf(stderr, "memwatch: bad %s '%s'\n", what, s);
        exit(2);
    }
    return v;
}

static void usage(void)
{
    fprintf(stderr, "usage: memwatch [-n] [-v] [-t TOL_KIB] [-w DEADLINE_S] [-i POLL_US] "
                    "[-s SETTLE_MS] DOMID TARGET_KIB\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int watch_only = 0, verbose = 0, opt;
    long tol_kib = 128, deadline_s = 120, poll_us = 1000, settle_ms = 0;
    while ((opt = getopt(argc, argv, "nvt:w:i:s:")) != -1) {
        switch (opt) {
        case 'n': watch_only = 1; break;
        case 'v': verbose = 1; break;
        case 't': tol_kib = num_arg(optarg, "tolerance"); break;
        case 'w': deadline_s = num_arg(optarg, "deadline"); break;
        case 'i': poll_us = num_arg(optarg, "poll interval"); break;
        case 's': settle_ms = num_arg(optarg, "settle time"); break;
        default: usage();
        }
    }
    if (argc - optind != 2 || poll_us < 1)
        usage();
    uint32_t domid = (uint32_t)num_arg(argv[optind], "domid");
    int64_t target_kib = num_arg(argv[optind + 1], "target");

    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    if (!xch) {
        fprintf(stderr, "memwatch: xc_interface_open: %s\n", strerror(errno));
        return 1;
    }
    xentoollog_logger_stdiostream *lg = NULL;
    struct xs_handle *xsh = NULL;
    char path[64], *old = NULL;
    struct setter set = { .domid = domid, .target_kib = target_kib };
    if (!watch_only) {
        lg = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
        if (!lg || libxl_ctx_alloc(&set.ctx, LIBXL_VERSION, 0, (xentoollog_logger *)lg)) {
            fprintf(stderr, "memwatch: cannot open libxl\n");
            return 1;
        }
        xsh = xs_open(XS_OPEN_READONLY);
        if (!xsh) {
            fprintf(stderr, "memwatch: xs_open: %s\n", strerror(errno));
            return 1;
        }
        snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/memory/target", domid);
        unsigned len;
        old = xs_read(xsh, XBT_NULL, path, &len);
        if (!old) {
            fprintf(stderr, "memwatch: cannot read %s: %s\n", path, strerror(errno));
            return 1;
        }
        if (strtoll(old, NULL, 10) == target_kib) {
            fprintf(stderr, "memwatch: the target of domain %" PRIu32 " is %s KiB already\n",
                    domid, old);
            return 1;
        }
    }

    uint64_t pages0, cpu0, pages, cpu, last;
    if (dom_pages(xch, domid, &pages0, &cpu0)) {
        fprintf(stderr, "memwatch: no domain %" PRIu32 "\n", domid);
        return 1;
    }
    const long long interval = poll_us * 1000LL;
    /* tc: the libxl call; t0: the target's appearance (-1 until seen) */
    long long tc = now_ns(), t0 = watch_only ? tc : -1, sent = tc, t = tc, prev = tc;
    long long max_gap = 0, first = -1, reached = -1;
    long long end = tc + deadline_s * 1000000000LL, next = tc;
    unsigned long polls = 0;
    /* cpu_t0: the domain's CPU time at the last poll before the target
     * appeared; prev_cpu: at the poll before this one */
    uint64_t reached_pages = 0, reached_cpu = 0, cpu_t0 = cpu0, prev_cpu = cpu0;
    pthread_t thr;
    if (!watch_only) {
        int e = pthread_create(&thr, NULL, set_target, &set);
        if (e) {
            fprintf(stderr, "memwatch: pthread_create: %s\n", strerror(e));
            return 1;
        }
    }
    last = pages0;
    if (verbose)
        fprintf(stderr, "%.3f %" PRIu64 "\n", 0.0, pages0 * KIB_PER_PAGE);
    for (;;) {
        if (t0 < 0) {
            long long a = now_ns();
            unsigned len;
            char *v = xs_read(xsh, XBT_NULL, path, &len);
            if (v && strcmp(v, old)) {
                t0 = sent; /* the read before this one still saw the old value */
                cpu_t0 = prev_cpu;
                if (verbose)
                    fprintf(stderr, "%.3f target %s KiB in XenStore (was %s)\n",
                            ms_of(now_ns() - tc), v, old);
            } else {
                sent = a;
            }
            free(v);
        }
        if (dom_pages(xch, domid, &pages, &cpu)) {
            fprintf(stderr, "memwatch: domain %" PRIu32 " went away after %.1f ms\n", domid,
                    ms_of(now_ns() - tc));
            return 1;
        }
        t = now_ns();
        polls++;
        if (t - prev > max_gap)
            max_gap = t - prev;
        prev = t;
        prev_cpu = cpu;
        if (pages != last) {
            if (first < 0)
                first = t;
            if (verbose)
                fprintf(stderr, "%.3f %" PRIu64 "\n", ms_of(t - tc), pages * KIB_PER_PAGE);
            last = pages;
        }
        int64_t d = (int64_t)(pages * KIB_PER_PAGE) - target_kib;
        if (reached < 0 && t0 >= 0 && d <= tol_kib && d >= -tol_kib) {
            reached = t;
            reached_pages = pages;
            reached_cpu = cpu;
        }
        if (reached >= 0 && t >= reached + settle_ms * 1000000LL)
            break;
        if (t >= end) {
            long long done = watch_only ? 0 : __atomic_load_n(&set.done_ns, __ATOMIC_ACQUIRE);
            fprintf(stderr,
                    "memwatch: domain %" PRIu32 " holds %" PRIu64 " KiB after %ld s, not within "
                    "%ld KiB of the target %" PRId64 " KiB (it held %" PRIu64 " KiB at the start; "
                    "tot_pages %s; the target %s%s)\n",
                    domid, pages * KIB_PER_PAGE, deadline_s, tol_kib, target_kib,
                    pages0 * KIB_PER_PAGE, first < 0 ? "never moved" : "moved but did not get there",
                    watch_only ? "was set by someone else" :
                    done ? (set.rc ? "could not be set" : "was set") : "call never returned",
                    watch_only ? "" : t0 < 0 ? ", never seen in XenStore" : ", seen in XenStore");
            return 1;
        }
        next += interval;
        if (next < t)
            next = t + interval;
        struct timespec ts = { .tv_sec = next / 1000000000LL, .tv_nsec = next % 1000000000LL };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
    }
    if (!watch_only) {
        pthread_join(thr, NULL);
        if (set.rc) {
            fprintf(stderr, "memwatch: libxl_set_memory_target(%" PRIu32 ", %" PRId64
                            " KiB) failed: %d\n", domid, target_kib, set.rc);
            return 1;
        }
        libxl_ctx_free(set.ctx);
        xtl_logger_destroy((xentoollog_logger *)lg);
        xs_close(xsh);
        free(old);
    }
    printf("ms=%.1f call_ms=%.1f vis_ms=%.1f set_ms=%.1f first_ms=%.1f cpu_ms=%.1f kib=%" PRIu64
           " polls=%lu max_gap_ms=%.1f\n",
           ms_of(reached - t0), ms_of(reached - tc), ms_of(t0 - tc),
           watch_only ? 0.0 : ms_of(set.done_ns - tc), first < 0 ? 0.0 : ms_of(first - t0),
           ms_of((long long)(reached_cpu - cpu_t0)), reached_pages * KIB_PER_PAGE, polls,
           ms_of(max_gap));
    xc_interface_close(xch);
    return 0;
}
