/* The registry of block devices and the synchronous helpers. */
#include "kern/kernel.h"
#include "kern/wait.h"
#include "kern/spinlock.h"
#include "blk/blkdev.h"
#include "xen/time.h"

#define SNAPSHOT_MAX 16

static struct list devices = LIST_INIT(devices);    /* registry_lock */
static struct spinlock registry_lock = SPINLOCK_INIT("blkdev_registry");

static struct blkdev *find_locked(const char *name)
{
    struct list *pos;
    list_for_each(pos, &devices) {
        struct blkdev *d = list_entry(pos, struct blkdev, link);
        if (strcmp(d->name, name) == 0)
            return d;
    }
    return 0;
}

static void hold(struct blkdev *d)
{
    if (d->ops->get)
        d->ops->get(d);
}

int blkdev_register(struct blkdev *d)
{
    unsigned long f = spin_lock_irqsave(&registry_lock);
    bool taken = find_locked(d->name) != 0;
    if (!taken) {
        list_add_tail(&devices, &d->link);
        d->registered = true;
    }
    spin_unlock_irqrestore(&registry_lock, f);
    if (taken) {
        printk("blk: a device named %s exists already", d->name);
        return -EEXIST;
    }
    printk("blk: %s: %llu sectors (%llu MiB), sector size %u%s%s", d->name,
           (unsigned long long)d->sectors, (unsigned long long)(d->sectors >> 11),
           d->sector_size, d->readonly ? ", read-only" : "", d->cdrom ? ", CD-ROM" : "");
    return 0;
}

void blkdev_unregister(struct blkdev *d)
{
    unsigned long f = spin_lock_irqsave(&registry_lock);
    bool was = d->registered;
    if (was) {
        list_del(&d->link);
        d->registered = false;
    }
    spin_unlock_irqrestore(&registry_lock, f);
    if (was)
        printk("blk: %s: gone", d->name);
}

struct blkdev *blkdev_find(const char *name)
{
    unsigned long f = spin_lock_irqsave(&registry_lock);
    struct blkdev *d = find_locked(name);
    spin_unlock_irqrestore(&registry_lock, f);
    return d;
}

struct blkdev *blkdev_get(const char *name)
{
    unsigned long f = spin_lock_irqsave(&registry_lock);
    struct blkdev *d = find_locked(name);
    if (d)
        hold(d); /* under the lock: unregister cannot come between */
    spin_unlock_irqrestore(&registry_lock, f);
    return d;
}

void blkdev_put(struct blkdev *d)
{
    if (d->ops->put)
        d->ops->put(d);
}

void blkdev_for_each(void (*fn)(struct blkdev *d, void *arg), void *arg)
{
    struct blkdev *snap[SNAPSHOT_MAX];
    unsigned n = 0;
    unsigned long f = spin_lock_irqsave(&registry_lock);
    struct list *pos;
    list_for_each(pos, &devices) {
        if (n == SNAPSHOT_MAX)
            break;
        snap[n] = list_entry(pos, struct blkdev, link);
        hold(snap[n++]);
    }
    spin_unlock_irqrestore(&registry_lock, f);
    for (unsigned i = 0; i < n; i++) {
        fn(snap[i], arg);
        blkdev_put(snap[i]);
    }
}

int blk_submit(struct blkdev *d, struct blk_request *r)
{
    int rc = blk_check(d, r);
    if (rc)
        return rc;
    r->status = 0;
    r->issued = 0;
    r->parts = 0;
    return d->ops->submit(d, r);
}

void blk_complete(struct blkdev *d, struct blk_request *r, int status)
{
    r->status = status;
    if (status)
        d->st.errors++;
    else if (r->op == BLK_READ) {
        d->st.reads++;
        d->st.sectors_read += r->count;
    } else if (r->op == BLK_WRITE) {
        d->st.writes++;
        d->st.sectors_written += r->count;
    } else if (r->op == BLK_FLUSH) {
        d->st.flushes++;
    } else {
        d->st.discards++;
    }
    r->done(r);
}

struct sync_wait {
    struct waitq wq;
    bool done;
};

static void sync_done(struct blk_request *r)
{
    struct sync_wait *w = r->arg;
    w->done = true;
    waitq_wake_all(&w->wq);
}

int blk_rw_sync(struct blkdev *d, enum blk_op op, uint64_t sector, uint32_t count, void *buf,
                uint64_t deadline)
{
    /* Kept static per call site would race; a timed-out request still
     * points here, so the waiter lives on the heap and leaks on timeout. */
    struct sync_wait *w = kzalloc(sizeof(*w));
    struct blk_request *r = kzalloc(sizeof(*r));
    if (!w || !r) {
        kfree(w);
        kfree(r);
        return -ENOMEM;
    }
    waitq_init(&w->wq);
    *r = (struct blk_request){ .op = op, .sector = sector, .count = count, .buf = buf,
                               .done = sync_done, .arg = w };
    int rc = blk_submit(d, r);
    if (rc == 0) {
        /* Time spent saved away (xl save/restore, migrate) is not the
         * device's: the deadline moves by it. */
        uint64_t away = time_total_away_ns();
        while ((rc = wait_event_until(&w->wq, w->done, deadline)) && time_total_away_ns() != away) {
            deadline += time_total_away_ns() - away;
            away = time_total_away_ns();
        }
        if (rc) {
            printk("blk: %s: %s of %u sectors at %llu not done before the deadline", d->name,
                   blk_op_name(op), count, (unsigned long long)sector);
            return rc; /* w and r stay allocated: the driver still holds r */
        }
        rc = r->status;
    }
    kfree(w);
    kfree(r);
    return rc;
}
