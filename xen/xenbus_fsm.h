#ifndef XEN_XENBUS_FSM_H
#define XEN_XENBUS_FSM_H
/* Pure: the per-device life-cycle decisions of the XenBus core. A device
 * is in a phase (what we have set up with the other end); each state the
 * other end shows gives one action. The core performs it, moves to the
 * next phase and asks again with the same state until the answer is
 * XB_ACT_NONE (so a back-end found already Connected gets attach, then
 * connect). */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/xenbus.h>

enum xenbus_phase {
    XB_PHASE_IDLE,      /* nothing set up with the other end */
    XB_PHASE_OFFERED,   /* our side published, the other end not there yet */
    XB_PHASE_CONNECTED, /* both ends connected: I/O */
    XB_PHASE_CLOSING,   /* we let go, waiting for the other end's Closed */
    XB_PHASE_CLOSED,    /* closed; the other end may initialise again */
};

enum xenbus_action {
    XB_ACT_NONE,
    XB_ACT_ATTACH,    /* publish our side (front: rings; back: features) -> OFFERED */
    XB_ACT_CONNECT,   /* the other end is ready: finish -> CONNECTED */
    XB_ACT_RECONNECT, /* the other end started again: detach, then attach */
    XB_ACT_CLOSE,     /* stop I/O, say Closing (front: and Closed) -> CLOSING */
    XB_ACT_CLOSED,    /* the other end let go: end grants, finish -> CLOSED */
};

/* A front-end's next step; other is the back-end's state. */
enum xenbus_action xenbus_front_next(enum xenbus_phase ph, enum xenbus_state other);
/* A back-end's next step; other is the front-end's state. */
enum xenbus_action xenbus_back_next(enum xenbus_phase ph, enum xenbus_state other);
/* The phase an action leads to (the core's bookkeeping). */
enum xenbus_phase xenbus_phase_after(enum xenbus_action a, enum xenbus_phase ph);
const char *xenbus_phase_name(enum xenbus_phase ph);
const char *xenbus_action_name(enum xenbus_action a);
#endif
