/* control: the toolstack's requests under control/ in XenStore.
 * `xl shutdown` writes control/shutdown = "poweroff", `xl reboot` writes
 * "reboot"; we acknowledge by clearing the node (in a transaction, so a
 * request is taken exactly once) and then act. */
#include "kern/kernel.h"
#include "dev/control/control.h"
#include "shell/shell.h"
#include "xen/xenstore.h"
#include "xen/shutdown.h"
#include "xen/suspend.h"
#include "kern/sched.h"
#include "kern/wait.h"

struct take_ctx {
    const char *path;
    char value[32];
};

/* Reads the request and clears it, atomically. */
static int take_request(xs_tx_t tx, void *arg)
{
    struct take_ctx *c = arg;
    int rc = xs_read(tx, c->path, c->value, sizeof(c->value));
    if (rc == -ENOENT || rc == 0) {
        c->value[0] = 0;
        return 0;
    }
    if (rc < 0)
        return rc;
    return xs_write(tx, c->path, "");
}

/* Requests are acted on in their own thread, not the watch thread:
 * drivers' suspend and shutdown hooks may wait on XenStore watches. */
static struct waitq control_wq = WAITQ_INIT(control_wq);
static bool request_pending;

static void on_shutdown(struct xs_watch *w, const char *path)
{
    request_pending = true;
    waitq_wake_all(&control_wq);
}

static void handle_request(void)
{
    struct take_ctx c = { .path = "control/shutdown" };
    int rc = xs_transaction_run(take_request, &c, 8);
    if (rc) {
        printk("control: cannot read control/shutdown: %s", errno_name(rc));
        return;
    }
    if (!c.value[0])
        return; /* our own acknowledgement, or the initial firing */
    printk("control: shutdown request '%s'", c.value);
    if (strcmp(c.value, "poweroff") == 0 || strcmp(c.value, "halt") == 0)
        domain_shutdown(SHUTDOWN_poweroff);
    else if (strcmp(c.value, "reboot") == 0)
        domain_shutdown(SHUTDOWN_reboot);
    else if (strcmp(c.value, "crash") == 0)
        domain_shutdown(SHUTDOWN_crash);
    else if (strcmp(c.value, "suspend") == 0)
        domain_suspend();
    else
        printk("control: unknown shutdown request '%.32s' ignored", c.value);
}

static void control_thread(void *arg)
{
    for (;;) {
        if (wait_event_until(&control_wq, request_pending, time_now_ns() + 60 * NS_PER_SEC))
            continue; /* no request for a minute: wait again */
        request_pending = false;
        handle_request();
    }
}

static void on_sysrq(struct xs_watch *w, const char *path)
{
    struct take_ctx c = { .path = "control/sysrq" };
    if (xs_transaction_run(take_request, &c, 8) || !c.value[0])
        return;
    char line[16];
    switch (c.value[0]) {
    case 't':
        strlcpy_k(line, "threads", sizeof(line));
        break;
    case 'm':
        strlcpy_k(line, "mem", sizeof(line));
        break;
    case 'e':
        strlcpy_k(line, "evtchn", sizeof(line));
        break;
    case 'c':
        panic("sysrq: crash requested");
    default:
        printk("sysrq: '%c' unknown (t threads, m memory, e event channels, c crash)",
               c.value[0]);
        return;
    }
    printk("sysrq: '%c'", c.value[0]);
    shell_run_line(line);
}

static struct xs_watch shutdown_watch = { .path = "control/shutdown", .cb = on_shutdown };
static struct xs_watch sysrq_watch = { .path = "control/sysrq", .cb = on_sysrq };

int control_init(void)
{
    /* libxl pre-creates these (writable by us); control/ itself is not. */
    static const char *const features[] = { "feature-poweroff", "feature-reboot",
                                            "feature-suspend" };
    for (unsigned i = 0; i < ARRAY_SIZE(features); i++) {
        char path[48];
        strlcpy_k(path, "control/", sizeof(path));
        strlcpy_k(path + 8, features[i], sizeof(path) - 8);
        int rc = xs_write(XS_TX_NONE, path, "1");
        if (rc)
            printk("control: cannot advertise %s: %s", features[i], errno_name(rc));
    }
    if (!thread_create("control", control_thread, 0))
        return -ENOMEM;
    int rc = xs_watch_add(&shutdown_watch);
    if (rc == 0)
        rc = xs_watch_add(&sysrq_watch);
    return rc;
}
