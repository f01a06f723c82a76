#ifndef BLK_BLKDEV_H
#define BLK_BLKDEV_H
/* The generic block-device layer: drivers (blkfront now, others later)
 * register devices; users submit requests and get a completion call, or
 * use the synchronous helpers. Sectors are 512 bytes, whatever the
 * device's own sector size (which buffers and ranges must be multiples
 * of). A back-end can export any device the same way. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "kern/list.h"

#define BLK_SECTOR 512

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH, BLK_DISCARD };

struct blk_request;
typedef void (*blk_done_fn)(struct blk_request *r); /* may run in interrupt context */

struct blk_request {
    enum blk_op op;
    uint64_t sector;        /* first 512-byte sector */
    uint32_t count;         /* sectors (0 for a flush) */
    void *buf;              /* count * 512 bytes, 512-byte aligned */
    blk_done_fn done;
    void *arg;
    int status;             /* 0 or -errno, set before done */
    /* the driver's */
    uint32_t issued;        /* sectors handed to the device so far */
    uint32_t parts;         /* pieces in flight */
    struct list link;
};

struct blkdev;
struct blkdev_ops {
    int (*submit)(struct blkdev *d, struct blk_request *r);
    /* Optional: the driver's own state in one line (rings, counters),
     * for `blk list`. */
    void (*describe)(struct blkdev *d, char *buf, size_t cap);
    /* Optional: a reference on what lies under the device (blkfront: its
     * XenBus device), so that a hot-detach never frees it under a user;
     * after the detach the device fails every request. put may free d. */
    void (*get)(struct blkdev *d);
    void (*put)(struct blkdev *d);
};

struct blkdev_stats {
    uint64_t reads, writes, flushes, discards, errors;
    uint64_t sectors_read, sectors_written;
};

struct blkdev {
    char name[16];               /* "xvda" */
    uint64_t sectors;            /* size in 512-byte sectors */
    uint32_t sector_size;        /* logical, bytes */
    uint32_t physical_sector_size;
    bool readonly, removable, cdrom;
    bool can_flush, can_discard, can_barrier;
    uint32_t discard_granularity, discard_alignment; /* bytes */
    uint32_t max_sectors_per_piece; /* what one device request carries */
    const char *features;        /* what the driver negotiated, for blk list */
    const struct blkdev_ops *ops;
    void *priv;
    struct blkdev_stats st;
    /* private */
    struct list link;
    bool registered;
};

int blkdev_register(struct blkdev *d);
void blkdev_unregister(struct blkdev *d);
/* The registry's own look-up: d is not held (use blkdev_get). */
struct blkdev *blkdev_find(const char *name);
/* Users: the device named name, held until blkdev_put (NULL if none). */
struct blkdev *blkdev_get(const char *name);
void blkdev_put(struct blkdev *d);
/* fn for every device, each held while fn runs (fn may sleep). */
void blkdev_for_each(void (*fn)(struct blkdev *d, void *arg), void *arg);

/* Checks the request against the device (range, alignment, read-only,
 * supported operation) and hands it to the driver: 0 (done will be
 * called), or a -errno (done will not be called). */
int blk_submit(struct blkdev *d, struct blk_request *r);
/* Checks only (pure): 0 or the -errno blk_submit would give. */
int blk_check(const struct blkdev *d, const struct blk_request *r);
/* Synchronous: waits until done or the deadline (-ETIMEDOUT, logged; the
 * request then completes later into a buffer the caller still owns, so
 * callers keep buffers of timed-out requests). */
int blk_rw_sync(struct blkdev *d, enum blk_op op, uint64_t sector, uint32_t count, void *buf,
                uint64_t deadline);
/* Called by drivers when a request is complete. */
void blk_complete(struct blkdev *d, struct blk_request *r, int status);
const char *blk_op_name(enum blk_op op);
#endif
