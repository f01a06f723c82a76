#ifndef DEV_CONSOLE_CONS_RING_H
#define DEV_CONSOLE_CONS_RING_H
/* The PV console rings (struct xencons_interface): out carries our output
 * to xenconsoled, in carries keystrokes to us. Pure. */
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/console.h>

/* Copies as much of buf as fits into the out ring at *prod, the writer's
 * own copy of the producer index (the shared out_prod is only ever
 * written, so neither the peer nor a stale reader can move it back), and
 * publishes it. Returns bytes written, or -EIO if the peer's out_cons is
 * more than a ring away from *prod. */
int cons_ring_write(struct xencons_interface *c, XENCONS_RING_IDX *prod, const char *buf,
                    size_t len);
/* After cons_ring_write's -EIO: if the shared indices agree with each
 * other (the toolstack set the page up afresh, as a restore does), takes
 * the shared out_prod as ours and returns 0; -EIO if they do not. */
int cons_ring_resync(struct xencons_interface *c, XENCONS_RING_IDX *prod);
/* Bytes still waiting in the out ring for the peer, or -EIO. */
int cons_ring_out_pending(struct xencons_interface *c, XENCONS_RING_IDX prod);
/* Takes up to cap bytes of input. Returns bytes read, or -EIO. */
int cons_ring_read(struct xencons_interface *c, char *buf, size_t cap);
#endif
