/* The XenBus core's life-cycle tables: a device is driven through
 * attach, connect, reconnect and the close handshake by the other end's
 * states alone, the way the core runs them (ask again until none). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "xen/xenbus_fsm.h"

typedef enum xenbus_action (*next_fn)(enum xenbus_phase, enum xenbus_state);

/* Runs the core's loop for one delivered state: the actions taken, in
 * order, into acts (0-terminated); returns the final phase. */
static enum xenbus_phase run(next_fn next, enum xenbus_phase ph, enum xenbus_state st,
                             enum xenbus_action *acts)
{
    unsigned n = 0;
    for (unsigned guard = 0; guard < 8; guard++) {
        enum xenbus_action a = next(ph, st);
        if (a == XB_ACT_NONE)
            break;
        acts[n++] = a;
        ph = xenbus_phase_after(a, ph);
    }
    assert_true(n < 8); /* never loops */
    acts[n] = XB_ACT_NONE;
    return ph;
}

static void test_front_normal_life(void **state)
{
    (void)state;
    enum xenbus_action a[9];
    enum xenbus_phase ph = run(xenbus_front_next, XB_PHASE_IDLE, XenbusStateInitialising, a);
    assert_int_equal(ph, XB_PHASE_IDLE);
    assert_int_equal(a[0], XB_ACT_NONE);
    ph = run(xenbus_front_next, ph, XenbusStateInitWait, a);
    assert_int_equal(ph, XB_PHASE_OFFERED);
    assert_int_equal(a[0], XB_ACT_ATTACH);
    assert_int_equal(a[1], XB_ACT_NONE);
    ph = run(xenbus_front_next, ph, XenbusStateConnected, a);
    assert_int_equal(ph, XB_PHASE_CONNECTED);
    assert_int_equal(a[0], XB_ACT_CONNECT);
    /* xl block-detach: the back-end says Closing, then Closed once we did. */
    ph = run(xenbus_front_next, ph, XenbusStateClosing, a);
    assert_int_equal(ph, XB_PHASE_CLOSING);
    assert_int_equal(a[0], XB_ACT_CLOSE);
    assert_int_equal(a[1], XB_ACT_NONE); /* grants wait for the back-end's Closed */
    ph = run(xenbus_front_next, ph, XenbusStateClosed, a);
    assert_int_equal(ph, XB_PHASE_CLOSED);
    assert_int_equal(a[0], XB_ACT_CLOSED);
    /* A back-end that initialises again (online still 1) gets a new attach. */
    ph = run(xenbus_front_next, ph, XenbusStateInitWait, a);
    assert_int_equal(ph, XB_PHASE_OFFERED);
    assert_int_equal(a[0], XB_ACT_ATTACH);
}

static void test_front_found_connected(void **state)
{
    (void)state;
    enum xenbus_action a[9];
    /* A back-end seen already Connected: attach, then connect, in one go. */
    enum xenbus_phase ph = run(xenbus_front_next, XB_PHASE_IDLE, XenbusStateConnected, a);
    assert_int_equal(ph, XB_PHASE_CONNECTED);
    assert_int_equal(a[0], XB_ACT_ATTACH);
    assert_int_equal(a[1], XB_ACT_CONNECT);
    assert_int_equal(a[2], XB_ACT_NONE);
}

static void test_front_initwait_again_reconnects(void **state)
{
    (void)state;
    enum xenbus_action a[9];
    enum xenbus_phase ph = run(xenbus_front_next, XB_PHASE_CONNECTED, XenbusStateInitWait, a);
    assert_int_equal(a[0], XB_ACT_RECONNECT);
    assert_int_equal(a[1], XB_ACT_NONE);
    assert_int_equal(ph, XB_PHASE_OFFERED);
    /* While offered, InitWait is only the back-end not there yet. */
    assert_int_equal(xenbus_front_next(XB_PHASE_OFFERED, XenbusStateInitWait), XB_ACT_NONE);
}

static void test_front_closed_or_gone_back_end(void **state)
{
    (void)state;
    enum xenbus_action a[9];
    /* Closed without Closing first (or the folder gone): close, and the
     * other end has let go already, so the grants end at once. */
    enum xenbus_phase ph = run(xenbus_front_next, XB_PHASE_CONNECTED, XenbusStateClosed, a);
    assert_int_equal(a[0], XB_ACT_CLOSE);
    assert_int_equal(a[1], XB_ACT_CLOSED);
    assert_int_equal(ph, XB_PHASE_CLOSED);
    ph = run(xenbus_front_next, XB_PHASE_OFFERED, XenbusStateUnknown, a);
    assert_int_equal(ph, XB_PHASE_CLOSED);
    /* Nothing set up: nothing to do for a closed back-end... */
    assert_int_equal(xenbus_front_next(XB_PHASE_IDLE, XenbusStateClosed), XB_ACT_NONE);
    /* ...but one closing waits for our Closed. */
    assert_int_equal(xenbus_front_next(XB_PHASE_IDLE, XenbusStateClosing), XB_ACT_CLOSE);
    /* Closing twice is not closing again. */
    assert_int_equal(xenbus_front_next(XB_PHASE_CLOSING, XenbusStateClosing), XB_ACT_NONE);
    assert_int_equal(xenbus_front_next(XB_PHASE_CLOSED, XenbusStateClosing), XB_ACT_NONE);
    assert_int_equal(xenbus_front_next(XB_PHASE_CLOSED, XenbusStateConnected), XB_ACT_NONE);
}

static void test_front_ignores_invalid_states(void **state)
{
    (void)state;
    for (int ph = XB_PHASE_IDLE; ph <= XB_PHASE_CLOSED; ph++) {
        assert_int_equal(xenbus_front_next(ph, (enum xenbus_state)9), XB_ACT_NONE);
        assert_int_equal(xenbus_front_next(ph, (enum xenbus_state)-1), XB_ACT_NONE);
        assert_int_equal(xenbus_back_next(ph, (enum xenbus_state)42), XB_ACT_NONE);
        assert_int_equal(xenbus_front_next(ph, XenbusStateReconfiguring), XB_ACT_NONE);
    }
}

static void test_back_normal_life(void **state)
{
    (void)state;
    enum xenbus_action a[9];
    /* The toolstack writes the front-end's state 1: we offer (InitWait). */
    enum xenbus_phase ph = run(xenbus_back_next, XB_PHASE_IDLE, XenbusStateInitialising, a);
    assert_int_equal(a[0], XB_ACT_ATTACH);
    assert_int_equal(ph, XB_PHASE_OFFERED);
    /* blkfront says Initialised (netfront goes straight to Connected). */
    ph = run(xenbus_back_next, ph, XenbusStateInitialised, a);
    assert_int_equal(a[0], XB_ACT_CONNECT);
    assert_int_equal(ph, XB_PHASE_CONNECTED);
    assert_int_equal(xenbus_back_next(ph, XenbusStateConnected), XB_ACT_NONE);
    ph = run(xenbus_back_next, ph, XenbusStateClosing, a);
    assert_int_equal(a[0], XB_ACT_CLOSE);
    assert_int_equal(ph, XB_PHASE_CLOSING);
    ph = run(xenbus_back_next, ph, XenbusStateClosed, a);
    assert_int_equal(a[0], XB_ACT_CLOSED);
    assert_int_equal(ph, XB_PHASE_CLOSED);
    /* A front-end that starts again after the close is offered again. */
    ph = run(xenbus_back_next, ph, XenbusStateInitialising, a);
    assert_int_equal(a[0], XB_ACT_ATTACH);
    assert_int_equal(ph, XB_PHASE_OFFERED);
}

static void test_back_front_end_restarts_or_vanishes(void **state)
{
    (void)state;
    enum xenbus_action a[9];
    enum xenbus_phase ph = run(xenbus_back_next, XB_PHASE_CONNECTED, XenbusStateInitialising, a);
    assert_int_equal(a[0], XB_ACT_RECONNECT);
    assert_int_equal(ph, XB_PHASE_OFFERED);
    /* Netfront found already Connected: attach then connect. */
    ph = run(xenbus_back_next, XB_PHASE_IDLE, XenbusStateConnected, a);
    assert_int_equal(a[0], XB_ACT_ATTACH);
    assert_int_equal(a[1], XB_ACT_CONNECT);
    assert_int_equal(ph, XB_PHASE_CONNECTED);
    /* The front-end's folder gone under a connected device: close. */
    ph = run(xenbus_back_next, XB_PHASE_CONNECTED, XenbusStateUnknown, a);
    assert_int_equal(a[0], XB_ACT_CLOSE);
    assert_int_equal(a[1], XB_ACT_CLOSED);
    assert_int_equal(ph, XB_PHASE_CLOSED);
    assert_int_equal(xenbus_back_next(XB_PHASE_CLOSED, XenbusStateUnknown), XB_ACT_NONE);
    /* The front-end's folder gone while we wait for its Closed. */
    assert_int_equal(xenbus_back_next(XB_PHASE_CLOSING, XenbusStateUnknown), XB_ACT_CLOSED);
    /* Closed straight from connected: close, then closed. */
    ph = run(xenbus_back_next, XB_PHASE_CONNECTED, XenbusStateClosed, a);
    assert_int_equal(a[0], XB_ACT_CLOSE);
    assert_int_equal(a[1], XB_ACT_CLOSED);
    assert_int_equal(ph, XB_PHASE_CLOSED);
    /* A front-end in InitWait (not a front-end state) while offered: nothing. */
    assert_int_equal(xenbus_back_next(XB_PHASE_OFFERED, XenbusStateInitWait), XB_ACT_NONE);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(xenbus_phase_name(XB_PHASE_CLOSING), "closing");
    assert_string_equal(xenbus_phase_name((enum xenbus_phase)7), "?");
    assert_string_equal(xenbus_action_name(XB_ACT_RECONNECT), "reconnect");
    assert_string_equal(xenbus_action_name((enum xenbus_action)-1), "?");
    assert_int_equal(xenbus_phase_after(XB_ACT_NONE, XB_PHASE_CLOSING), XB_PHASE_CLOSING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_front_normal_life),
        cmocka_unit_test(test_front_found_connected),
        cmocka_unit_test(test_front_initwait_again_reconnects),
        cmocka_unit_test(test_front_closed_or_gone_back_end),
        cmocka_unit_test(test_front_ignores_invalid_states),
        cmocka_unit_test(test_back_normal_life),
        cmocka_unit_test(test_back_front_end_restarts_or_vanishes),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
