/* The XenBus front half and the core's life-cycle on the host against a
 * stub XenStore and a stub back-end: probe only matches; attach and
 * connect follow the back-end's states; InitWait again reconnects; the
 * close says Closing and Closed and ends grants only at the back-end's
 * Closed; a failed attach is retried; a restore is synchronous (the
 * resume returns with the device connected again, or after its deadline
 * with a log line). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <string.h>

#include "kern/kernel.h"
#include "xen/xenstore.h"
#include "xen/xenbus.h"
#include "xen/xenbus_half.h"
#include "xen/suspend.h"
#include "tests/unit/xenbus_stub.h"

#define DEV "device/vbd/51712"
#define BE "/local/domain/0/backend/vbd/9/51712"
#define BE2 "/local/domain/0/backend/vbd/10/51712"

static int attach_rc;
#define calls stub_calls
#define called stub_called
#define t_probe stub_probe

static int t_attach(struct xenbus_device *d)
{
    called("attach");
    if (attach_rc)
        return attach_rc;
    xenbus_dev_write(d, XS_TX_NONE, "ring-ref", "8");
    return xenbus_dev_switch_state(d, XenbusStateInitialised);
}
static int t_connect(struct xenbus_device *d)
{
    called("connect");
    return xenbus_dev_switch_state(d, XenbusStateConnected);
}
static void t_detach(struct xenbus_device *d) { (void)d; called("detach"); }
static void t_close(struct xenbus_device *d) { (void)d; called("close"); }
static void t_closed(struct xenbus_device *d)
{
    called("closed");
    /* The grants end only once the back-end has let go (Closed, or gone),
     * unless our node was removed under us (forced: still mapped grants
     * are parked then). */
    char p[160];
    snprintf(p, sizeof(p), "%s/state", d->otherend);
    const char *st = get(p);
    assert_true(!get(DEV "/state") || !st || strcmp(st, "6") == 0);
}
static void t_remove(struct xenbus_device *d)
{
    called("remove");
    d->priv = 0;
    xenbus_dev_put(d);
}
static int t_suspend(struct xenbus_device *d) { (void)d; called("suspend"); return 0; }
static void t_resume(struct xenbus_device *d, bool cancelled)
{
    (void)d;
    called(cancelled ? "resume-cancelled" : "resume");
}
static struct xenbus_driver tdrv = {
    .type = "vbd", .probe = t_probe, .attach = t_attach, .connect = t_connect,
    .detach = t_detach, .close = t_close, .closed = t_closed, .remove = t_remove,
    .suspend = t_suspend, .resume = t_resume,
};

/* A stub blkback: Connected once the front-end says Initialised. */
static const char *backend_dir = BE;
static bool backend_answers = true;
static void backend(struct xs_watch *w, const char *path)
{
    (void)w, (void)path;
    const char *st = get(DEV "/state");
    char p[96];
    snprintf(p, sizeof(p), "%s/state", backend_dir);
    if (backend_answers && st && strcmp(st, "3") == 0 && strcmp(get(p), "4") != 0)
        put(p, "4");
}
static struct xs_watch backend_watch = { .path = DEV "/state", .cb = backend };

static void xl_create(const char *be)
{
    char p[96];
    snprintf(p, sizeof(p), "%s/state", be);
    put(p, "1");
    put(DEV "/backend", be);
    put(DEV "/backend-id", "0");
    put(DEV "/state", "1");
}

static int setup(void **state)
{
    (void)state;
    stub_reset();
    attach_rc = 0;
    backend_dir = BE;
    backend_answers = true;
    return 0;
}

static void test_life(void **state)
{
    (void)state;
    xenbus_driver_register(&tdrv);
    assert_int_equal(xenbus_bus_init(), 0);
    xl_create(BE);
    xenbus_core_run_once();
    assert_string_equal(calls, "probe "); /* probe only matches */
    put(BE "/state", "2");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach ");
    assert_string_equal(get(DEV "/state"), "3");
    put(BE "/state", "4");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect ");
    assert_string_equal(get(DEV "/state"), "4");
    /* The back-end restarts: back to InitWait. */
    put(BE "/state", "2");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect detach attach ");
    assert_true(logs_matching("started again (InitWait); reconnecting") == 1);
    put(BE "/state", "4");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect detach attach connect ");
    /* xl block-detach: Closing; we say Closing and Closed, grants wait. */
    put(BE "/state", "5");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect detach attach connect close ");
    assert_string_equal(get(DEV "/state"), "6");
    put(BE "/state", "6");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect detach attach connect close closed ");
    /* xl removes our folder once the back-end is gone. */
    xs_rm(XS_TX_NONE, DEV);
    xs_rm(XS_TX_NONE, BE);
    xenbus_core_run_once();
    assert_string_equal(calls,
                        "probe attach connect detach attach connect close closed remove ");
}

static void test_attach_retried(void **state)
{
    (void)state;
    attach_rc = -ENOSPC;
    xl_create(BE);
    put(BE "/state", "2");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach ");
    assert_true(logs_matching("attach failed (ENOSPC), attempt 1; trying again in 1000 ms") == 1);
    now_ns += NS_PER_SEC;
    attach_rc = 0;
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach attach ");
    assert_string_equal(get(DEV "/state"), "3");
    xs_rm(XS_TX_NONE, DEV);
    xs_rm(XS_TX_NONE, BE);
    xenbus_core_run_once();
    /* Removed while offered: closed without writing to the gone node. */
    assert_string_equal(calls, "probe attach attach close closed remove ");
    assert_null(get(DEV "/state"));
}

static void test_restore_is_synchronous(void **state)
{
    (void)state;
    xs_watch_add(&backend_watch);
    xl_create(BE);
    put(BE "/state", "2");
    xenbus_core_run_once(); /* attach: the stub back-end answers Connected at once */
    xenbus_core_run_once(); /* which the next round sees */
    assert_string_equal(calls, "probe attach connect ");
    /* xl save; xl restore makes a new back-end (a new domid in its path). */
    assert_int_equal(bus_hook->suspend(), 0);
    assert_string_equal(calls, "probe attach connect suspend ");
    backend_dir = BE2;
    xl_create(BE2);
    put(BE2 "/state", "2");
    xenbus_core_run_once(); /* the bus is held: nothing happens */
    assert_string_equal(calls, "probe attach connect suspend ");
    bus_hook->resume(false);
    /* Back before the resume returned: "domu: resumed" comes after. */
    assert_string_equal(calls, "probe attach connect suspend resume attach connect ");
    assert_string_equal(get(DEV "/state"), "4");

    /* Cancelled: same domain, carries on. */
    assert_int_equal(bus_hook->suspend(), 0);
    bus_hook->resume(true);
    assert_string_equal(calls, "probe attach connect suspend resume attach connect suspend "
                               "resume-cancelled ");

    /* A back-end that never answers: the resume gives up at its deadline. */
    assert_int_equal(bus_hook->suspend(), 0);
    backend_answers = false;
    put(BE2 "/state", "2");
    uint64_t t0 = now_ns;
    calls[0] = 0;
    bus_hook->resume(false);
    assert_string_equal(calls, "resume attach "); /* no connect: it never answered */
    assert_true(logs_matching("not back 30 s after the restore (offered") == 1);
    assert_true(now_ns - t0 >= 30 * NS_PER_SEC);
    xs_watch_remove(&backend_watch);
    xs_rm(XS_TX_NONE, DEV);
    xenbus_core_run_once();
}

/* The lifetime rule: a device someone holds (the shell, a sender)
 * outlives a hot-detach; the driver's state goes (release) with the last
 * reference, once. */
static void t_release(struct xenbus_device *d)
{
    called("release");
    d->priv = 0;
}

static struct xenbus_device *held;
static void hold_first(struct xenbus_device *d, void *arg)
{
    (void)arg;
    if (!held) {
        xenbus_dev_get(d);
        held = d;
    }
}

static void test_held_device_outlives_removal(void **state)
{
    (void)state;
    tdrv.release = t_release;
    held = 0;
    xl_create(BE);
    put(BE "/state", "2");
    xenbus_core_run_once();
    put(BE "/state", "4");
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect ");
    xenbus_for_each_device(hold_first, 0);
    assert_non_null(held);
    assert_ptr_equal(held->priv, held); /* the stub probe's state */
    /* xl block-detach with the device held: closed and removed, not freed. */
    xs_rm(XS_TX_NONE, DEV);
    xs_rm(XS_TX_NONE, BE);
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach connect close closed remove ");
    assert_false(held->in_tree);
    /* The holder lets go: now, and only now, the state goes. */
    xenbus_dev_put(held);
    assert_string_equal(calls, "probe attach connect close closed remove release ");

    /* Nobody holds it: the state goes with the removal itself. */
    calls[0] = 0;
    xl_create(BE);
    put(BE "/state", "2");
    xenbus_core_run_once();
    xs_rm(XS_TX_NONE, DEV);
    xs_rm(XS_TX_NONE, BE);
    xenbus_core_run_once();
    assert_string_equal(calls, "probe attach close closed remove release ");
    tdrv.release = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_life, setup),
        cmocka_unit_test_setup(test_attach_retried, setup),
        cmocka_unit_test_setup(test_restore_is_synchronous, setup),
        cmocka_unit_test_setup(test_held_device_outlives_removal, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
