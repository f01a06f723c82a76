/* XenBus state names: every state of io/xenbus.h has its own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "xen/xenbus.h"

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(xenbus_state_name(XenbusStateUnknown), "Unknown");
    assert_string_equal(xenbus_state_name(XenbusStateInitialising), "Initialising");
    assert_string_equal(xenbus_state_name(XenbusStateInitWait), "InitWait");
    assert_string_equal(xenbus_state_name(XenbusStateInitialised), "Initialised");
    assert_string_equal(xenbus_state_name(XenbusStateConnected), "Connected");
    assert_string_equal(xenbus_state_name(XenbusStateClosing), "Closing");
    assert_string_equal(xenbus_state_name(XenbusStateClosed), "Closed");
    assert_string_equal(xenbus_state_name(XenbusStateReconfiguring), "Reconfiguring");
    assert_string_equal(xenbus_state_name(XenbusStateReconfigured), "Reconfigured");
    assert_string_equal(xenbus_state_name((enum xenbus_state)9), "Invalid");
    assert_string_equal(xenbus_state_name((enum xenbus_state)-1), "Invalid");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
