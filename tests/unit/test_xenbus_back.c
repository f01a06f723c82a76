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
#include <cmocka.h>

#include <string.h>

#include "kern/kernel.h"
#include "xen/xenstore.h"
#include "xen/xenbus.h"
#include "xen/xenbus_half.h"
#include "xen/suspend.h"

#include "tests/unit/xenbus_stub.h"

/* --- the test back-end driver -------------------------------------------- */
static int attach_rc;
#define calls stub_calls
#define called stub_called
#define t_probe stub_probe
static unsigned removed;

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
    stub_reset();
    attach_rc = 0;
    removed = 0;
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
