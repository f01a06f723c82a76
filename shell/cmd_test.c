/* Shell commands that make state to check across save/restore and
 * migration (a counting thread, a one-shot timer, a XenStore watch), and
 * ones that make the XenStore reader recover from a bad message and the
 * console take a line printed from inside its writer. */
#include "kern/kernel.h"
#include "kern/sched.h"
#include "kern/timer.h"
#include "shell/shell.h"
#include "xen/time.h"
#include "xen/xenstore.h"
#include "xen/xs_wire_codec.h"
#include "dev/console/console.h"

static struct thread *ticker_thread;
static uint64_t ticks, tick_ms;

static void ticker(void *arg)
{
    for (;;) {
        thread_sleep_ns(tick_ms * NS_PER_MS);
        ticks++;
    }
}

static int cmd_ticker(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "start") == 0) {
        uint64_t ms;
        if (xs_parse_uint(argv[2], 60000, &ms) || ms == 0)
            return -EINVAL;
        if (ticker_thread) {
            shell_printf("ticker: already running\n");
            return -EBUSY;
        }
        tick_ms = ms;
        ticker_thread = thread_create("ticker", ticker, 0);
        return ticker_thread ? 0 : -ENOMEM;
    }
    shell_printf("ticker: %llu ticks%s\n", (unsigned long long)ticks,
                 ticker_thread ? "" : " (not running)");
    return 0;
}

struct oneshot {
    struct timer t;
    uint64_t set_at, ms;
};

static void oneshot_fired(struct timer *t)
{
    struct oneshot *o = t->arg;
    printk("timer: %llu ms timer fired after %llu ms", (unsigned long long)o->ms,
           (unsigned long long)((time_now_ns() - o->set_at) / NS_PER_MS));
}

static int cmd_timer(int argc, char **argv)
{
    static struct oneshot o;
    uint64_t ms;
    if (argc < 2 || xs_parse_uint(argv[1], 3600 * 1000, &ms))
        return -EINVAL;
    timer_cancel(&o.t);
    timer_init(&o.t, oneshot_fired, &o);
    o.ms = ms;
    o.set_at = time_now_ns();
    timer_arm(&o.t, o.set_at + ms * NS_PER_MS);
    return 0;
}

static void watch_fired(struct xs_watch *w, const char *path)
{
    printk("watch: %s fired (%llu)", path, (unsigned long long)w->fired);
}

static int cmd_watch(int argc, char **argv)
{
    if (argc < 2)
        return -EINVAL;
    struct xs_watch *w = kzalloc(sizeof(*w));
    char *path = kstrdup(argv[1]);
    if (!w || !path) {
        kfree(w);
        kfree(path);
        return -ENOMEM;
    }
    w->path = path;
    w->cb = watch_fired;
    int rc = xs_watch_add(w);
    if (rc) {
        kfree(path);
        kfree(w);
    }
    return rc;
}

/* The reader takes the next message (the reply to the read below, or a
 * watch event before it) as bad; it must fail that request, resynchronise
 * and go on. reqindex: the read finds the request ring corrupt, fails,
 * and the connection is reset; reset: a reset first, then the read. */
static int cmd_xsinject(int argc, char **argv)
{
    if (argc < 2)
        return -EINVAL;
    if (strcmp(argv[1], "header") == 0)
        xs_test_inject(XS_INJECT_BAD_HEADER);
    else if (strcmp(argv[1], "index") == 0)
        xs_test_inject(XS_INJECT_BAD_INDEX);
    else if (strcmp(argv[1], "reqindex") == 0)
        xs_test_inject(XS_INJECT_BAD_REQ_INDEX);
    else if (strcmp(argv[1], "reset") == 0)
        xs_test_inject(XS_INJECT_RESET);
    else
        return -EINVAL;
    char name[64];
    int rc = xs_read(XS_TX_NONE, "name", name, sizeof(name));
    struct xs_stats st;
    xs_get_stats(&st);
    shell_printf("xsinject: read of name during the fault: %s; %llu resyncs, %llu resets so far\n",
                 rc < 0 ? errno_name(rc) : name, (unsigned long long)st.resyncs,
                 (unsigned long long)st.resets);
    return 0;
}

static int cmd_consnest(int argc, char **argv)
{
    int rc = console_test_nested();
    if (rc)
        return rc;
    struct console_stats st;
    console_get_stats(&st);
    shell_printf("consnest: %llu bytes written nested so far, %llu dropped, %llu ring errors\n",
                 (unsigned long long)st.nested, (unsigned long long)st.nested_dropped,
                 (unsigned long long)st.ring_errors);
    return 0;
}

static struct shell_cmd cmds[] = {
    { "ticker", "[start MS]", "a thread that counts every MS ms", cmd_ticker, { 0, 0 } },
    { "timer", "MS", "a one-shot timer that logs when it fires", cmd_timer, { 0, 0 } },
    { "watch", "PATH", "a XenStore watch that logs when it fires", cmd_watch, { 0, 0 } },
    { "xsinject", "header|index|reqindex|reset",
      "the XenStore reader gets a bad header or ring index, a request a corrupt request ring, "
      "or the connection is reset",
      cmd_xsinject, { 0, 0 } },
    { "consnest", "", "a line printed from inside the console writer", cmd_consnest, { 0, 0 } },
};

void shell_cmds_test_init(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        shell_register(&cmds[i]);
}
