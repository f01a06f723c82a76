/* The stub kernel and XenStore of the XenBus host tests (xenbus_stub.h). */
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
#include "xen/xenbus_bus.h"
#include "xen/gnttab_park.h"
#include "xen/suspend.h"
#include "xen/shutdown.h"
#include "xen/evtchn.h"
#include "xen/xs_wire_codec.h"
#include "tests/unit/xenbus_stub.h"

/* --- the stub kernel ------------------------------------------------------ */
int stub_irq_depth;
uint64_t now_ns = 1000;
static char last_log[256];
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
static struct thread one_thread;
static struct thread *the_thread = &one_thread;
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
    (void)name, (void)fn, (void)arg;
    return the_thread; /* never run: the test calls xenbus_core_run_once */
}
struct thread *thread_current(void) { return the_thread; }
void (*stub_on_wait)(void);
int sched_block(uint64_t deadline)
{
    if (stub_on_wait)
        stub_on_wait();
    if (deadline > now_ns && deadline != UINT64_MAX)
        now_ns = deadline;
    return -ETIMEDOUT;
}
void thread_sleep_ns(uint64_t ns) { now_ns += ns; }
/* The queue's lock is dropped while "blocked", as the kernel's does. */
int waitq_block(struct waitq *wq, uint64_t deadline)
{
    wq->lock.held = 0;
    int r = sched_block(deadline);
    wq->lock.held = 1;
    return r;
}
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
struct suspend_hook *bus_hook;
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

unsigned logs_matching(const char *needle)
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

void put(const char *path, const char *val)
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

const char *get(const char *path)
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

char stub_calls[512];

void stub_called(const char *what)
{
    strcat(stub_calls, what);
    strcat(stub_calls, " ");
}

int stub_probe(struct xenbus_device *d)
{
    stub_called("probe");
    xenbus_dev_get(d);
    d->priv = d;
    return 0;
}

void stub_reset(void)
{
    stub_calls[0] = 0;
    memset(store, 0, sizeof(store));
    nlog = 0;
    stub_on_wait = 0;
}
