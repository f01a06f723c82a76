/* Pure: the XenBus life-cycle tables (xenbus_fsm.h). */
#include "xen/xenbus_fsm.h"

enum xenbus_action xenbus_front_next(enum xenbus_phase ph, enum xenbus_state other)
{
    switch (other) {
    case XenbusStateInitWait:
        /* Also a back-end that restarted under a connected device. */
        if (ph == XB_PHASE_CONNECTED)
            return XB_ACT_RECONNECT;
        return ph == XB_PHASE_IDLE || ph == XB_PHASE_CLOSED ? XB_ACT_ATTACH : XB_ACT_NONE;
    case XenbusStateInitialised:
        return ph == XB_PHASE_IDLE || ph == XB_PHASE_CLOSED ? XB_ACT_ATTACH : XB_ACT_NONE;
    case XenbusStateConnected:
        if (ph == XB_PHASE_IDLE)
            return XB_ACT_ATTACH;
        return ph == XB_PHASE_OFFERED ? XB_ACT_CONNECT : XB_ACT_NONE;
    case XenbusStateClosing:
        /* A back-end closing before we attached still waits for our Closed. */
        return ph == XB_PHASE_IDLE || ph == XB_PHASE_OFFERED || ph == XB_PHASE_CONNECTED
                   ? XB_ACT_CLOSE
                   : XB_ACT_NONE;
    case XenbusStateClosed:
    case XenbusStateUnknown: /* the back-end's folder is gone */
        if (ph == XB_PHASE_OFFERED || ph == XB_PHASE_CONNECTED)
            return XB_ACT_CLOSE;
        return ph == XB_PHASE_CLOSING ? XB_ACT_CLOSED : XB_ACT_NONE;
    case XenbusStateInitialising:
    case XenbusStateReconfiguring:
    case XenbusStateReconfigured:
        break;
    }
    return XB_ACT_NONE;
}

enum xenbus_action xenbus_back_next(enum xenbus_phase ph, enum xenbus_state other)
{
    switch (other) {
    case XenbusStateUnknown:
        /* Not written yet (offer), or the front-end's folder is gone (close). */
        if (ph == XB_PHASE_OFFERED || ph == XB_PHASE_CONNECTED)
            return XB_ACT_CLOSE;
        if (ph == XB_PHASE_CLOSING)
            return XB_ACT_CLOSED;
        return ph == XB_PHASE_IDLE ? XB_ACT_ATTACH : XB_ACT_NONE;
    case XenbusStateInitialising:
        if (ph == XB_PHASE_CONNECTED)
            return XB_ACT_RECONNECT; /* the front-end started again */
        return ph == XB_PHASE_IDLE || ph == XB_PHASE_CLOSED ? XB_ACT_ATTACH : XB_ACT_NONE;
    case XenbusStateInitWait:
        return ph == XB_PHASE_IDLE ? XB_ACT_ATTACH : XB_ACT_NONE;
    case XenbusStateInitialised:
    case XenbusStateConnected:
        if (ph == XB_PHASE_IDLE)
            return XB_ACT_ATTACH;
        return ph == XB_PHASE_OFFERED ? XB_ACT_CONNECT : XB_ACT_NONE;
    case XenbusStateClosing:
        return ph == XB_PHASE_OFFERED || ph == XB_PHASE_CONNECTED ? XB_ACT_CLOSE : XB_ACT_NONE;
    case XenbusStateClosed:
        if (ph == XB_PHASE_OFFERED || ph == XB_PHASE_CONNECTED)
            return XB_ACT_CLOSE;
        return ph == XB_PHASE_CLOSING ? XB_ACT_CLOSED : XB_ACT_NONE;
    case XenbusStateReconfiguring:
    case XenbusStateReconfigured:
        break;
    }
    return XB_ACT_NONE;
}

enum xenbus_phase xenbus_phase_after(enum xenbus_action a, enum xenbus_phase ph)
{
    switch (a) {
    case XB_ACT_ATTACH:
    case XB_ACT_RECONNECT:
        return XB_PHASE_OFFERED;
    case XB_ACT_CONNECT:
        return XB_PHASE_CONNECTED;
    case XB_ACT_CLOSE:
        return XB_PHASE_CLOSING;
    case XB_ACT_CLOSED:
        return XB_PHASE_CLOSED;
    case XB_ACT_NONE:
        break;
    }
    return ph;
}

const char *xenbus_phase_name(enum xenbus_phase ph)
{
    static const char *const names[] = { "idle", "offered", "connected", "closing", "closed" };
    return (unsigned)ph < sizeof(names) / sizeof(names[0]) ? names[ph] : "?";
}

const char *xenbus_action_name(enum xenbus_action a)
{
    static const char *const names[] = { "none", "attach", "connect", "reconnect", "close",
                                         "closed" };
    return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}
