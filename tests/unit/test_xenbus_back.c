/* The XenBus back half and the core, on the host against a stub XenStore
 * (a path -> value table with watches), with a test back-end driver that
 * records its calls. Walks what stock xl does to a driver domain's
 * back-end (docs: shared/notes/driver-domains.md): the folder appears,
 * we offer (InitWait), the front-end connects, xl detaches (online 0,
 * state Closing), the front-end closes, we close and remove the folder.
 * Also: hostile names and a lying frontend-id are not served; a
 * front-end closing with online 1 gets a new offer; a failed attach is
 * retried with backoff. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <string.h>

#include "kern/kernel.h"
#include "kern/wait.h"
#include "kern/spinlock.h"
#include "xen/xenstore.h"
#include "xen/xenbus.h"
#include "xen/xenbus_half.h"
#include "xen/gnttab_park.h"
#include "xen/suspend.h"
#include "xen/shutdown.h"
#include "xen/evtchn.h"
#include "xen/xs_wire_codec.h"

/* --- the stub kernel ------------------------------------------------------ */
int stub_irq_depth;
static uint64_t now_ns = 1000;
static char last_log[256];
static unsigned logs_matching(const char *needle);
static char logbook[64][256];
static unsigned nlog;

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_log, sizeof(last_log), fmt, ap);
    va_end(ap);
    if (nlog < 64)
        strcpy(logbook[nlog++], last_log);
}
void pr_debug(const char *fmt, ...) { (void)fmt; }
bool log_debug_enabled;
void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    abort();
}
void *kmalloc(size_t n) { return malloc(n); }
void *kzalloc(size_t n) { return calloc(1, n); }
void kfree(void *p) { free(p); }
char *kstrdup(const char *s) { return strdup(s); }
static struct thread *the_thread = (struct thread *)0x1000;
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
    (void)name, (void)fn, (void)arg;
    return the_thread; /* never run: the test calls xenbus_core_run_once */
}
struct thread *thread_current(void) { return the_thread; }
int sched_block(uint64_t deadline) { (void)deadline; return -ETIMEDOUT; }
void thread_sleep_ns(uint64_t ns) { now_ns += ns; }
void waitq_wake_all(struct waitq *wq) { (void)wq; }
void waitq_wake_one(struct waitq *wq) { (void)wq; }
int mutex_lock_until(struct mutex *m, uint64_t deadline)
{
    (void)deadline;
    if (m->owner)
        return -ETIMEDOUT;
    m->owner = thread_current();
    return 0;
}
int mutex_lock_within(struct mutex *m, uint64_t ns) { return mutex_lock_until(m, ns); }
void mutex_unlock(struct mutex *m) { m->owner = 0; }
void spin_lock_nested_panic(struct spinlock *l) { panic("nested %s", l->name); }
uint64_t time_now_ns(void) { return now_ns; }
uint64_t time_recent_ns(void) { return now_ns; }
static struct suspend_hook *bus_hook;
void suspend_hook_add(struct suspend_hook *h) { bus_hook = h; }
void shutdown_hook_add(struct shutdown_hook *h) { (void)h; }
unsigned gnttab_park_retry(void) { return 0; }
void gnttab_park_get_stats(struct gnttab_park_stats *st) { memset(st, 0, sizeof(*st)); }
int evtchn_close(evtchn_port_t port) { (void)port; return 0; }
void evtchn_unbind(evtchn_port_t port) { (void)port; }
const char *kernel_cmdline = "";
int cmdline_get(const char *cmdline, const char *key, char *buf, size_t cap)
{
    (void)cmdline, (void)key, (void)buf, (void)cap;
    return -ENOENT;
}

static unsigned logs_matching(const char *needle)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nlog; i++)
        n += strstr(logbook[i], needle) != 0;
    return n;
}

/* --- the stub XenStore ---------------------------------------------------- */
#define NODES 128
static struct { char path[128]; char val[128]; bool used; } store[NODES];
static struct list watches = LIST_INIT(watches);

static bool under(const char *path, const char *top)
{
    size_t n = strlen(top);
    return strncmp(path, top, n) == 0 && (path[n] == 0 || path[n] == '/');
}

static void fire(const char *path)
{
    struct list *pos, *tmp;
    list_for_each_safe(pos, tmp, &watches) {
        struct xs_watch *w = list_entry(pos, struct xs_watch, link);
        if (under(path, w->path))
            w->cb(w, path);
    }
}

static int find(const char *path)
{
    for (int i = 0; i < NODES; i++)
        if (store[i].used && strcmp(store[i].path, path) == 0)
            return i;
    return -1;
}

static void put(const char *path, const char *val)
{
    int i = find(path);
    for (int j = 0; i < 0 && j < NODES; j++)
        if (!store[j].used)
            i = j;
    assert_true(i >= 0);
    store[i].used = true;
    strcpy(store[i].path, path);
    strcpy(store[i].val, val);
    fire(path);
}

static const char *get(const char *path)
{
    int i = find(path);
    return i < 0 ? 0 : store[i].val;
}

int xs_read(xs_tx_t tx, const char *path, char *buf, size_t cap)
{
    (void)tx;
    const char *v = get(path);
    if (!v)
        return -ENOENT;
    strlcpy_k(buf, v, cap);
    return (int)strlen(buf);
}
int xs_read_uint(xs_tx_t tx, const char *path, uint64_t max, uint64_t *out)
{
    char buf[32];
    int rc = xs_read(tx, path, buf, sizeof(buf));
    return rc < 0 ? rc : xs_parse_uint(buf, max, out);
}
int xs_write(xs_tx_t tx, const char *path, const char *value)
{
    (void)tx;
    put(path, value);
    return 0;
}
int xs_printf(xs_tx_t tx, const char *path, const char *fmt, ...)
{
    char v[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    return xs_write(tx, path, v);
}
int xs_rm(xs_tx_t tx, const char *path)
{
    (void)tx;
    bool any = false;
    for (int i = 0; i < NODES; i++)
        if (store[i].used && under(store[i].path, path)) {
            store[i].used = false;
            any = true;
        }
    if (any)
        fire(path);
    return any ? 0 : -ENOENT;
}
char *xs_directory(xs_tx_t tx, const char *path, size_t *len, int *err)
{
    (void)tx;
    char *out = calloc(1, 4096);
    size_t n = 0, plen = strlen(path);
    bool any = false;
    for (int i = 0; i < NODES; i++) {
        if (!store[i].used || !under(store[i].path, path) || !store[i].path[plen])
            continue;
        any = true;
        const char *c = store[i].path + plen + 1;
        size_t cl = strcspn(c, "/");
        char name[64];
        memcpy(name, c, cl);
        name[cl] = 0;
        bool dup = false;
        for (size_t off = 0; off < n; off += strlen(out + off) + 1)
            dup |= strcmp(out + off, name) == 0;
        if (!dup) {
            memcpy(out + n, name, cl + 1);
            n += cl + 1;
        }
    }
    if (!any) {
        free(out);
        *err = -ENOENT;
        return 0;
    }
    *len = n;
    return out;
}
int xs_transaction_run(int (*body)(xs_tx_t tx, void *arg), void *arg, unsigned tries)
{
    (void)tries;
    return body(XS_TX_NONE, arg);
}
int xs_watch_add(struct xs_watch *w)
{
    list_add_tail(&watches, &w->link);
    w->cb(w, w->path); /* fires once at once */
    return 0;
}
int xs_watch_remove(struct xs_watch *w)
{
    list_del(&w->link);
    return 0;
}

/* --- the test back-end driver -------------------------------------------- */
static char calls[256];
static int attach_rc;
static unsigned removed;

static void called(const char *what)
{
    strcat(calls, what);
    strcat(calls, " ");
}
static int t_probe(struct xenbus_device *d)
{
    called("probe");
    xenbus_dev_get(d);
    d->priv = d;
    return 0;
}
static int t_attach(struct xenbus_device *d)
{
    called("attach");
    if (attach_rc)
        return attach_rc;
    return xenbus_dev_write(d, XS_TX_NONE, "feature-test", "1");
}
static int t_connect(struct xenbus_device *d) { (void)d; called("connect"); return 0; }
static void t_detach(struct xenbus_device *d) { (void)d; called("detach"); }
static void t_close(struct xenbus_device *d) { (void)d; called("close"); }
static void t_closed(struct xenbus_device *d) { (void)d; called("closed"); }
static void t_remove(struct xenbus_device *d)
{
    called("remove");
    removed++;
    d->priv = 0;
    xenbus_dev_put(d);
}
static struct xenbus_driver tdrv = {
    .type = "vbd", .probe = t_probe, .attach = t_attach, .connect = t_connect,
    .detach = t_detach, .close = t_close, .closed = t_closed, .remove = t_remove,
};

#define BE "backend/vbd/5/51712"
#define FE "/local/domain/5/device/vbd/51712"

static const char *our_state(void) { return get(BE "/state"); }

static struct xenbus_device *the_dev;
static void grab(struct xenbus_device *d, void *arg) { (void)arg; the_dev = d; }
static unsigned count;
static void counter(struct xenbus_device *d, void *arg) { (void)d, (void)arg; count++; }
static unsigned devices(void)
{
    count = 0;
    xenbus_for_each_device(counter, 0);
    return count;
}

/* What xl writes in Dom0's transaction for a disk with backend=<us>. */
static void xl_attach(const char *be, const char *fe, const char *feid)
{
    char p[160];
    snprintf(p, sizeof(p), "%s/frontend", be);
    put(p, fe);
    snprintf(p, sizeof(p), "%s/frontend-id", be);
    put(p, feid);
    snprintf(p, sizeof(p), "%s/online", be);
    put(p, "1");
    snprintf(p, sizeof(p), "%s/state", be);
    put(p, "1");
    snprintf(p, sizeof(p), "%s/state", fe);
    put(p, "1");
}

static int setup(void **state)
{
    (void)state;
    memset(store, 0, sizeof(store));
    calls[0] = 0;
    attach_rc = 0;
    removed = 0;
    nlog = 0;
    return 0;
}

/* One test process, one bus: the tests run in order on the same tree. */
static void test_xl_attach_connect_detach(void **state)
{
    (void)state;
    xenbus_back_driver_register(&tdrv);
    assert_int_equal(xenbus_bus_init(), 0);
    xl_attach(BE, FE, "5");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach ");
    assert_string_equal(our_state(), "2"); /* InitWait: what xl waits for */
    assert_string_equal(get(BE "/feature-test"), "1");
    assert_int_equal(devices(), 1);
    xenbus_for_each_device(grab, 0);
    assert_string_equal(the_dev->id, "51712");
    assert_int_equal(the_dev->otherend_id, 5);
    assert_string_equal(the_dev->otherend, FE);
    assert_true(the_dev->online);
    assert_int_equal(the_dev->phase, XB_PHASE_OFFERED);

    /* Our own state write did not probe anything again. */
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach ");

    /* blkfront: rings written, Initialised. */
    put(FE "/state", "3");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect ");
    assert_int_equal(the_dev->phase, XB_PHASE_CONNECTED);

    /* xl block-detach: online 0 and our state Closing, in Dom0's hands. */
    put(BE "/online", "0");
    put(BE "/state", "5");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect close ");
    assert_int_equal(the_dev->phase, XB_PHASE_CLOSING);
    assert_string_equal(our_state(), "5");
    assert_non_null(get(BE "/frontend")); /* not before the front-end closed */

    /* The front-end closes: we close, and the offline folder goes. */
    put(FE "/state", "6");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect close closed remove ");
    assert_null(get(BE "/state"));
    assert_null(get(BE "/frontend"));
    assert_int_equal(removed, 1);
    assert_int_equal(devices(), 0);
}

static void test_front_end_closes_online_then_again(void **state)
{
    (void)state;
    xl_attach(BE, FE, "5");
    xenbus_core_run_once();
    put(FE "/state", "4"); /* netfront goes straight to Connected */
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect ");
    /* The front-end closes by itself, online stays 1. */
    put(FE "/state", "5");
    xenbus_core_run_once();
    put(FE "/state", "6");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect close closed ");
    assert_string_equal(our_state(), "6");
    assert_non_null(get(BE "/frontend")); /* kept: online */
    /* It starts again: a new offer. */
    put(FE "/state", "1");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect close closed attach ");
    assert_string_equal(our_state(), "2");
    /* And restarts under a connection: detach, attach. */
    put(FE "/state", "4");
    xenbus_core_run_once();
    put(FE "/state", "1");
    xenbus_core_run_once();
    assert_string_equal(calls,
                        "probe attach connect close closed attach connect detach attach ");
    /* The toolstack removes the whole folder (domain destroyed). */
    xs_rm(XS_TX_NONE, "backend/vbd/5");
    xenbus_core_run_once();
    assert_int_equal(removed, 1);
    assert_int_equal(devices(), 0);
}

static void test_lying_or_hostile_nodes_not_served(void **state)
{
    (void)state;
    /* frontend-id says 7, the path says 5. */
    xl_attach(BE, FE, "7");
    /* Names that are not domain ids or device ids. */
    put("backend/vbd/abc/0/frontend", FE);
    put("backend/vbd/5/x..y/frontend", FE);
    put("backend/vbd/70000/0/frontend", FE);
    xenbus_core_run_once();
    assert_string_equal(calls, ""); /* nothing probed */
    assert_true(logs_matching("is not the domain of its path") >= 1);
    assert_true(logs_matching("is not a domain id") >= 1);
    assert_true(logs_matching("bad device name") >= 1);
    /* The toolstack corrects it: the next scan serves it. */
    put(BE "/frontend-id", "5");
    put(BE "/state", "1"); /* a write in the device's folder rescans */
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach ");
    xs_rm(XS_TX_NONE, "backend/vbd");
    xenbus_core_run_once();
    assert_int_equal(devices(), 0);
}

static void test_failed_attach_retried_with_backoff(void **state)
{
    (void)state;
    attach_rc = -ENOMEM;
    xl_attach(BE, FE, "5");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach ");
    assert_string_equal(our_state(), "1"); /* no offer */
    assert_true(logs_matching("trying again in 1000 ms") == 1);
    xenbus_core_run_once(); /* not due yet */
    assert_string_equal(calls, "probe attach ");
    now_ns += NS_PER_SEC;
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach attach ");
    assert_true(logs_matching("trying again in 2000 ms") == 1);
    attach_rc = 0;
    now_ns += 2 * NS_PER_SEC;
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach attach attach ");
    assert_string_equal(our_state(), "2");
    assert_true(logs_matching("attached after 2 failed attempts") == 1);
    xs_rm(XS_TX_NONE, "backend/vbd");
    xenbus_core_run_once();
}

static void test_close_deadline_and_save(void **state)
{
    (void)state;
    xl_attach(BE, FE, "5");
    xenbus_core_run_once();
    put(FE "/state", "4");
    xenbus_core_run_once();
    /* A save holds the bus: nothing is stepped in the middle of it. */
    assert_non_null(bus_hook);
    assert_int_equal(bus_hook->suspend(), 0);
    put(BE "/online", "0");
    put(BE "/state", "5");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect ");
    bus_hook->resume(true); /* cancelled: same domain; the pending change runs now */
    assert_string_equal(calls, "probe attach connect close ");
    /* A front-end that never closes: the deadline ends it. */
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect close ");
    now_ns += 6 * NS_PER_SEC;
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect close closed remove ");
    assert_true(logs_matching("did not close within 5 s") == 1);
    assert_null(get(BE "/state"));
    assert_int_equal(devices(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_xl_attach_connect_detach, setup),
        cmocka_unit_test_setup(test_front_end_closes_online_then_again, setup),
        cmocka_unit_test_setup(test_lying_or_hostile_nodes_not_served, setup),
        cmocka_unit_test_setup(test_failed_attach_retried_with_backoff, setup),
        cmocka_unit_test_setup(test_close_deadline_and_save, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
