#include "dev/console/cons_ring.h"
#include "kern/errno.h"
#include "lib/barrier.h"

#define OUT_SIZE sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE  sizeof(((struct xencons_interface *)0)->in)

int cons_ring_write(struct xencons_interface *c, XENCONS_RING_IDX *prod, const char *buf,
                    size_t len)
{
    XENCONS_RING_IDX p = *prod;
    XENCONS_RING_IDX cons = READ_ONCE(c->out_cons);
    xen_mb();
    if (p - cons > OUT_SIZE)
        return -EIO;
    size_t space = OUT_SIZE - (p - cons);
    size_t n = len < space ? len : space;
    for (size_t i = 0; i < n; i++)
        c->out[MASK_XENCONS_IDX(p + i, c->out)] = buf[i];
    xen_wmb();
    *prod = p + (XENCONS_RING_IDX)n;
    WRITE_ONCE(c->out_prod, *prod);
    return (int)n;
}

int cons_ring_resync(struct xencons_interface *c, XENCONS_RING_IDX *prod)
{
    XENCONS_RING_IDX p = READ_ONCE(c->out_prod);
    XENCONS_RING_IDX cons = READ_ONCE(c->out_cons);
    if (p - cons > OUT_SIZE)
        return -EIO;
    *prod = p;
    return 0;
}

int cons_ring_out_pending(struct xencons_interface *c, XENCONS_RING_IDX prod)
{
    XENCONS_RING_IDX d = prod - READ_ONCE(c->out_cons);
    return d > OUT_SIZE ? -EIO : (int)d;
}

int cons_ring_read(struct xencons_interface *c, char *buf, size_t cap)
{
    XENCONS_RING_IDX cons = c->in_cons;
    XENCONS_RING_IDX prod = READ_ONCE(c->in_prod);
    xen_rmb();
    if (prod - cons > IN_SIZE)
        return -EIO;
    size_t avail = prod - cons;
    size_t n = cap < avail ? cap : avail;
    for (size_t i = 0; i < n; i++)
        buf[i] = c->in[MASK_XENCONS_IDX(cons + i, c->in)];
    xen_mb();
    WRITE_ONCE(c->in_cons, cons + (XENCONS_RING_IDX)n);
    return (int)n;
}
