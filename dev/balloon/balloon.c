/* The balloon driver. One thread does all the work; the memory/target
 * watch, the shell and resume only wake it. Between batches it yields, so
 * the rest of the kernel keeps running during a long move. */
#include "kern/kernel.h"
#include "kern/mm.h"
#include "kern/sched.h"
#include "kern/wait.h"
#include "xen/hypercall.h"
#include "xen/xenstore.h"
#include "xen/suspend.h"
#include "xen/time.h"
#include "dev/balloon/balloon.h"
#include "dev/balloon/balloon_plan.h"
#include <xen/memory.h>

#define BATCH 2048       /* frames per hypercall: few exits to Xen per move */
#define RESERVE_MAX 256  /* free pages kept for the kernel (1 MiB) */

static struct balloon_map map;
static xen_pfn_t *frames; /* BATCH entries, allocated at start */
static struct waitq wq = WAITQ_INIT(wq);
static bool kicked;
static bool have_target, slack_known;
static uint64_t target_kib;
static struct balloon_info info;
static uint64_t move_started_ns;
static bool floor_logged, max_logged;

#define SUPER_ORDER 9    /* 2 MiB extents: one p2m entry in Xen, not 512 */
#define SUPER (1u << SUPER_ORDER)

static long reservation_op(unsigned cmd, size_t n, unsigned order)
{
    struct xen_memory_reservation r = {
        .nr_extents = n,
        .extent_order = order,
        .domid = DOMID_SELF,
    };
    set_xen_guest_handle(r.extent_start, frames);
    info.hypercalls++;
    return HYPERVISOR_memory_op(cmd, &r);
}

static uint64_t current_pages(void)
{
    domid_t self = DOMID_SELF;
    long r = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    return r > 0 ? (uint64_t)r : 0;
}

static uint64_t max_pages(void)
{
    domid_t self = DOMID_SELF;
    long r = HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self);
    return r > 0 ? (uint64_t)r : 0;
}

static uint64_t reserve_pages(void)
{
    struct mm_stats ms;
    mm_get_stats(&ms);
    return MIN((uint64_t)RESERVE_MAX, ms.total_pages / 4);
}

static uint64_t releasable_pages(void)
{
    struct mm_stats ms;
    mm_get_stats(&ms);
    uint64_t reserve = reserve_pages();
    return ms.free_pages > reserve ? ms.free_pages - reserve : 0;
}

static void mark_out(uint64_t pfn, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++)
        if (balloon_map_set_out(&map, pfn + i))
            panic("balloon: frame %llx given back twice", (unsigned long long)(pfn + i));
}

/* Whole free 2 MiB runs back to Xen: the number of frames given. */
static size_t give_back_super(size_t n)
{
    size_t k = 0;
    while (k < n / SUPER && k < BATCH) {
        int64_t pfn = mm_balloon_take(SUPER, SUPER);
        if (pfn < 0)
            break;
        frames[k++] = (xen_pfn_t)pfn;
    }
    if (!k)
        return 0;
    long done = reservation_op(XENMEM_decrease_reservation, k, SUPER_ORDER);
    if (done < 0)
        done = 0;
    for (size_t i = 0; i < k; i++) {
        if (i < (size_t)done)
            mark_out(frames[i], SUPER);
        else
            mm_balloon_give(frames[i], SUPER);
    }
    info.released += (uint64_t)done * SUPER;
    return (size_t)done * SUPER;
}

/* Gives n free frames back to Xen: the number given. */
static size_t give_back(size_t n)
{
    size_t super = n >= SUPER ? give_back_super(n) : 0;
    if (super)
        return super;
    size_t got = 0;
    while (got < n) {
        uint64_t chunk = MIN((uint64_t)64, n - got);
        int64_t pfn = mm_balloon_take(chunk, 1);
        if (pfn < 0 && chunk > 1) {
            chunk = 1;
            pfn = mm_balloon_take(1, 1);
        }
        if (pfn < 0)
            break;
        for (uint64_t i = 0; i < chunk; i++)
            frames[got++] = (xen_pfn_t)pfn + i;
    }
    if (!got)
        return 0;
    long done = reservation_op(XENMEM_decrease_reservation, got, 0);
    if (done < 0)
        done = 0;
    for (size_t i = 0; i < (size_t)done; i++)
        mark_out(frames[i], 1);
    for (size_t i = (size_t)done; i < got; i++)
        mm_balloon_give(frames[i], 1);
    if ((size_t)done < got)
        printk("balloon: Xen took %ld of %zu frames back; keeping the rest", done, got);
    info.released += (uint64_t)done;
    return (size_t)done;
}

/* Whole 2 MiB runs back from Xen: the number of frames taken. Xen may
 * have no free 2 MiB chunk: then the caller goes on frame by frame. */
static size_t take_back_super(size_t n)
{
    uint64_t *starts = (uint64_t *)frames;
    size_t k = balloon_map_find_out_runs(&map, SUPER_ORDER, starts, MIN(n / SUPER, (size_t)BATCH));
    if (!k)
        return 0;
    long done = reservation_op(XENMEM_populate_physmap, k, SUPER_ORDER);
    if (done < 0)
        done = 0;
    for (size_t i = 0; i < (size_t)done; i++) {
        for (uint64_t j = 0; j < SUPER; j++)
            balloon_map_set_in(&map, starts[i] + j);
        mm_balloon_give(starts[i], SUPER);
    }
    info.populated += (uint64_t)done * SUPER;
    return (size_t)done * SUPER;
}

/* Takes up to n frames back from Xen: the number taken. */
static size_t take_back(size_t n)
{
    size_t super = n >= SUPER ? take_back_super(n) : 0;
    if (super)
        return super;
    _Static_assert(sizeof(xen_pfn_t) == sizeof(uint64_t), "frame numbers are 64-bit");
    uint64_t *pfns = (uint64_t *)frames;
    size_t want = balloon_map_find_out(&map, pfns, MIN(n, (size_t)BATCH));
    if (!want)
        return 0;
    long done = reservation_op(XENMEM_populate_physmap, want, 0);
    if (done < 0)
        done = 0;
    for (size_t i = 0; i < (size_t)done; i++) {
        balloon_map_set_in(&map, pfns[i]);
        mm_balloon_give(pfns[i], 1);
    }
    if ((size_t)done < want && !max_logged) {
        printk("balloon: Xen gave %ld of %zu frames (no free memory in Xen, or the domain's "
               "maximum is reached); staying at %llu KiB",
               done, want, (unsigned long long)current_pages() * 4);
        max_logged = true;
    }
    info.populated += (uint64_t)done;
    return (size_t)done;
}

/* With memory < maxmem the frames the domain never held are
 * populate-on-demand entries: give them back properly (as Linux does at
 * boot) so Xen's accounting matches, and keep them as out. */
/* What giving back the never-populated part of the memory map did. */
struct unheld_result {
    uint64_t given;     /* frames Xen took: marked out, ours to populate */
    uint64_t refused;   /* frames Xen would not take: left alone, unused */
    uint64_t first_refused;
    long err;           /* the hypercall's error, if it failed outright */
};

/* Refused frames after which the rest is not tried. */
#define UNHELD_REFUSED_MAX 256

static void release_unheld(uint64_t pfn, uint64_t count, void *arg)
{
    struct unheld_result *res = arg;
    while (count) {
        size_t n = (size_t)MIN(count, (uint64_t)BATCH);
        for (size_t i = 0; i < n; i++)
            frames[i] = (xen_pfn_t)(pfn + i);
        if (res->refused >= UNHELD_REFUSED_MAX) {
            res->refused += count; /* a frame per hypercall: not worth it */
            return;
        }
        long done = res->err ? res->err : reservation_op(XENMEM_decrease_reservation, n, 0);
        if (done < 0 || (size_t)done > n) {
            /* The call fails as such: nothing more is given back. */
            res->err = done < 0 ? done : -EIO;
            if (!res->refused)
                res->first_refused = pfn;
            res->refused += count;
            return;
        }
        for (size_t i = 0; i < (size_t)done; i++)
            balloon_map_set_out(&map, pfn + i);
        res->given += (uint64_t)done;
        /* Xen stops at the first frame it cannot remove: skip that one
         * (it is not marked out, so never populated by us) and go on. */
        size_t used = (size_t)done;
        if (used < n) {
            if (!res->refused)
                res->first_refused = pfn + used;
            res->refused++;
            used++;
        }
        pfn += used;
        count -= used;
    }
}

static void update_info(void)
{
    uint64_t cur = current_pages();
    info.current_kib = cur * 4;
    info.target_kib = have_target ? target_kib : 0;
    info.out_pages = map.out;
    info.max_kib = max_pages() * 4;
    uint64_t lowest = cur - MIN(cur, releasable_pages());
    int64_t floor = (int64_t)lowest - info.slack_pages;
    info.floor_kib = floor > 0 ? (uint64_t)floor * 4 : 0;
}

/* Moves towards the target until reached, stuck at the floor or the
 * maximum, or a new target arrives (then the loop simply goes on). */
static void move(void)
{
    uint64_t maxp = max_pages();
    uint64_t cur = current_pages();
    for (;;) {
        uint64_t desired = balloon_desired_pages(target_kib, info.slack_pages, maxp);
        struct balloon_step s = balloon_next_step(cur, desired, releasable_pages(), map.out, BATCH);
        if (s.pages == 0) {
            if (s.at_floor && !floor_logged) {
                update_info();
                printk("balloon: target %llu KiB is below what domu can give back: staying "
                       "at %llu KiB (floor %llu KiB: pages in use plus a %llu KiB reserve)",
                       (unsigned long long)target_kib, (unsigned long long)cur * 4,
                       (unsigned long long)info.floor_kib,
                       (unsigned long long)reserve_pages() * 4);
                floor_logged = true;
            } else if (s.at_max && !max_logged) {
                printk("balloon: target %llu KiB is above what the domain can hold: staying "
                       "at %llu KiB", (unsigned long long)target_kib,
                       (unsigned long long)cur * 4);
                max_logged = true;
            }
            break;
        }
        size_t moved = s.pages > 0 ? give_back((size_t)s.pages) : take_back((size_t)-s.pages);
        if (!moved)
            break;
        cur = s.pages > 0 ? cur - moved : cur + moved;
        thread_yield();
        if (kicked)
            return; /* a new target: start over with it */
    }
    if (info.busy) {
        info.last_ms = (time_now_ns() - move_started_ns) / NS_PER_MS;
        info.busy = false;
        update_info();
        printk("balloon: at %llu KiB (target %llu KiB) after %llu ms, %llu pages out",
               (unsigned long long)info.current_kib, (unsigned long long)target_kib,
               (unsigned long long)info.last_ms, (unsigned long long)map.out);
    }
}

static void read_target(void)
{
    uint64_t kib;
    int rc = xs_read_uint(XS_TX_NONE, "memory/target", UINT64_MAX / 2, &kib);
    if (rc) {
        if (rc != -ENOENT)
            printk("balloon: memory/target unreadable (%s); keeping %llu KiB", errno_name(rc),
                   (unsigned long long)target_kib);
        return;
    }
    if (!slack_known) {
        /* Pages Xen counts beyond the target at boot (special pages) are
         * not ours to give. Fewer (memory < maxmem: the populate-on-demand
         * cache shrank when the never-held frames went back) is filled up
         * to the target, so that xl list shows what mem-set asked. */
        int64_t extra = (int64_t)current_pages() - (int64_t)(kib / 4);
        info.slack_pages = extra > 0 ? extra : 0;
        slack_known = true;
    }
    if (have_target && kib == target_kib)
        return;
    target_kib = kib;
    have_target = true;
}

static void start_move(void)
{
    floor_logged = max_logged = false;
    if (!info.busy) {
        info.busy = true;
        move_started_ns = time_now_ns();
    }
}

static bool target_from_xs = true;

static void balloon_thread(void *arg)
{
    struct unheld_result res = { 0 };
    mm_unheld_ram(release_unheld, &res);
    if (res.given)
        printk("balloon: %llu KiB of the memory map were never populated (memory < maxmem): "
               "given back, ready to fill up to the maximum", (unsigned long long)res.given * 4);
    if (res.refused)
        printk("balloon: Xen did not take %llu never-populated frames (from pfn 0x%llx%s%s); "
               "they stay unused and are not counted as ballooned out",
               (unsigned long long)res.refused, (unsigned long long)res.first_refused,
               res.err ? ", " : "", res.err ? errno_name((int)res.err) : "");
    for (;;) {
        if (wait_event_until(&wq, kicked, time_now_ns() + 60 * NS_PER_SEC))
            continue; /* nothing asked for a minute: wait again */
        kicked = false;
        uint64_t before = target_kib;
        bool had = have_target;
        if (target_from_xs)
            read_target();
        if (!have_target)
            continue;
        if (!had || before != target_kib || current_pages() !=
            balloon_desired_pages(target_kib, info.slack_pages, max_pages()))
            start_move();
        if (info.busy)
            move();
    }
}

static void kick(void)
{
    kicked = true;
    waitq_wake_all(&wq);
}

static void target_changed(struct xs_watch *w, const char *path)
{
    target_from_xs = true;
    kick();
}

static struct xs_watch target_watch = { .path = "memory/target", .cb = target_changed };

int balloon_set_target_kib(uint64_t kib)
{
    uint64_t maxk = max_pages() * 4;
    if (kib / 4 + (uint64_t)MAX(info.slack_pages, 0) > maxk / 4) {
        printk("balloon: %llu KiB is above the domain's maximum of %llu KiB",
               (unsigned long long)kib, (unsigned long long)maxk);
        return -EINVAL;
    }
    target_from_xs = false;
    target_kib = kib;
    have_target = true;
    start_move();
    kick();
    return 0;
}

static int balloon_suspend(void)
{
    return 0; /* between batches the state is whole: nothing to wait for */
}

static void balloon_resume(bool cancelled)
{
    /* The frames we gave back are still unpopulated in the new domain;
     * the map stays right. The target may have changed meanwhile. */
    kick();
}

static struct suspend_hook hook = { "balloon", balloon_suspend, balloon_resume, { 0, 0 } };

int balloon_init(void)
{
    uint64_t max_pfn = mm_max_pfn();
    size_t bytes = balloon_map_bytes(max_pfn);
    uint64_t *bits = pages_alloc((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
    if (!bits)
        return -ENOMEM;
    balloon_map_init(&map, bits, max_pfn);
    frames = pages_alloc(BATCH * sizeof(xen_pfn_t) / PAGE_SIZE);
    if (!frames)
        return -ENOMEM;
    suspend_hook_add(&hook);
    if (!thread_create("balloon", balloon_thread, 0))
        return -ENOMEM;
    return xs_watch_add(&target_watch);
}

void balloon_get_info(struct balloon_info *bi)
{
    update_info();
    *bi = info;
}
