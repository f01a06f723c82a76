#ifndef XEN_XENBUS_H
#define XEN_XENBUS_H
/* XenBus state helpers the drivers share (front and back ends). */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/xenbus.h>

const char *xenbus_state_name(enum xenbus_state s);
/* Reads DIR/state strictly: a missing node gives -ENOENT; a malformed or
 * out-of-range value is logged with its path and gives -EINVAL. */
int xenbus_read_state(const char *dir, enum xenbus_state *out);
int xenbus_switch_state(const char *dir, enum xenbus_state s);
/* Waits until DIR/state is one of the states in the bit mask
 * (1 << XenbusState*), or the deadline. 0, -ETIMEDOUT (logged with what
 * was awaited and the last state seen), or a read error. A state node
 * that does not exist counts as XenbusStateUnknown when the mask has it
 * (a peer that is gone), else it is waited for (one not there yet). */
int xenbus_wait_state(const char *dir, uint32_t mask, uint64_t deadline,
                      enum xenbus_state *seen);
#endif
