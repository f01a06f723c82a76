#ifndef DEV_CONSOLE_CONS_RING_H
#define DEV_CONSOLE_CONS_RING_H
/* The PV console rings (struct xencons_interface): out carries our output
 * to xenconsoled, in carries keystrokes to us. Pure. */
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/console.h>

/* Copies as much of buf as fits into the out ring and publishes it.
 * Returns bytes written, or -EIO if the peer's index is corrupt. */
int cons_ring_write(struct xencons_interface *c, const char *buf, size_t len);
/* Bytes still waiting in the out ring for the peer, or -EIO. */
int cons_ring_out_pending(struct xencons_interface *c);
/* Takes up to cap bytes of input. Returns bytes read, or -EIO. */
int cons_ring_read(struct xencons_interface *c, char *buf, size_t cap);
#endif
