/* Pure: the names of XenBus states, for logs and the shell. */
#include "xen/xenbus.h"

const char *xenbus_state_name(enum xenbus_state s)
{
    switch (s) {
    case XenbusStateUnknown:
        return "Unknown";
    case XenbusStateInitialising:
        return "Initialising";
    case XenbusStateInitWait:
        return "InitWait";
    case XenbusStateInitialised:
        return "Initialised";
    case XenbusStateConnected:
        return "Connected";
    case XenbusStateClosing:
        return "Closing";
    case XenbusStateClosed:
        return "Closed";
    case XenbusStateReconfiguring:
        return "Reconfiguring";
    case XenbusStateReconfigured:
        return "Reconfigured";
    }
    return "Invalid";
}
