/* Shell commands for block devices: list, read, write, fill/verify a
 * pattern Dom0 can reproduce, and a benchmark. The pattern of sector S
 * with seed N is the text "domu N S " repeated, cut at 512 bytes. */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/mm.h"
#include "kern/wait.h"
#include "kern/spinlock.h"
#include "shell/shell.h"
#include "blk/blkdev.h"
#include "xen/time.h"
#include "xen/xs_wire_codec.h"

#define IO_TIMEOUT_NS (30 * NS_PER_SEC)
#define CHUNK_SECTORS 256 /* 128 KiB per synchronous request */

static void print_dev(struct blkdev *d, void *arg)
{
    shell_printf("%-6s %10llu sectors %6llu MiB  sector %u/%u%s%s%s\n", d->name,
                 (unsigned long long)d->sectors, (unsigned long long)(d->sectors >> 11),
                 d->sector_size, d->physical_sector_size, d->readonly ? "  read-only" : "",
                 d->removable ? "  removable" : "", d->cdrom ? "  cdrom" : "");
    if (d->features)
        shell_printf("       %s\n", d->features);
    if (d->ops->describe) {
        char line[512];
        d->ops->describe(d, line, sizeof(line));
        shell_printf("       %s\n", line);
    }
    shell_printf("       reads %llu (%llu sectors), writes %llu (%llu sectors), flushes %llu, "
                 "discards %llu, errors %llu\n", (unsigned long long)d->st.reads,
                 (unsigned long long)d->st.sectors_read, (unsigned long long)d->st.writes,
                 (unsigned long long)d->st.sectors_written, (unsigned long long)d->st.flushes,
                 (unsigned long long)d->st.discards, (unsigned long long)d->st.errors);
}

/* Held until blkdev_put: a hot-detach meanwhile fails its requests but
 * never frees it under the command. */
static struct blkdev *dev_arg(const char *name)
{
    struct blkdev *d = blkdev_get(name);
    if (!d)
        shell_printf("blk: no device %s (see blk list)\n", name);
    return d;
}

static int num_arg(const char *s, uint64_t max, uint64_t *out)
{
    if (xs_parse_uint(s, max, out) == 0)
        return 0;
    shell_printf("blk: '%s' is not a number (up to %llu)\n", s, (unsigned long long)max);
    return SHELL_ERR_REPORTED;
}

static void pattern_fill(char *sec, uint64_t seed, uint64_t sector)
{
    char unit[48];
    int n = k_snprintf(unit, sizeof(unit), "domu %llu %llu ", (unsigned long long)seed,
                       (unsigned long long)sector);
    for (int i = 0; i < BLK_SECTOR; i++)
        sec[i] = unit[i % n];
}

static int report(struct blkdev *d, const char *what, int rc)
{
    if (rc)
        shell_printf("blk: %s %s: %s\n", d->name, what, errno_name(rc));
    return rc ? SHELL_ERR_REPORTED : 0;
}

/* fill (write the pattern) or verify it, CHUNK_SECTORS at a time. */
static int fill_or_verify(struct blkdev *d, bool fill, uint64_t sector, uint64_t count,
                          uint64_t seed)
{
    char *buf = pages_alloc(CHUNK_SECTORS * BLK_SECTOR / PAGE_SIZE);
    if (!buf)
        return -ENOMEM;
    char expect[BLK_SECTOR];
    uint64_t done = 0, bad = 0;
    int rc = 0;
    uint64_t t0 = time_now_ns();
    while (done < count && !rc) {
        uint32_t n = (uint32_t)MIN(count - done, (uint64_t)CHUNK_SECTORS);
        if (fill) {
            for (uint32_t i = 0; i < n; i++)
                pattern_fill(buf + i * BLK_SECTOR, seed, sector + done + i);
            rc = blk_rw_sync(d, BLK_WRITE, sector + done, n, buf, time_now_ns() + IO_TIMEOUT_NS);
        } else {
            rc = blk_rw_sync(d, BLK_READ, sector + done, n, buf, time_now_ns() + IO_TIMEOUT_NS);
            for (uint32_t i = 0; !rc && i < n; i++) {
                pattern_fill(expect, seed, sector + done + i);
                if (memcmp(expect, buf + i * BLK_SECTOR, BLK_SECTOR)) {
                    if (bad++ < 3)
                        shell_printf("blk verify: sector %llu differs: '%.24s'\n",
                                     (unsigned long long)(sector + done + i), buf + i * BLK_SECTOR);
                }
            }
        }
        if (rc == -ETIMEDOUT)
            buf = 0; /* the device may still write into it: never reuse */
        done += n;
    }
    uint64_t ms = (time_now_ns() - t0) / NS_PER_MS;
    if (buf)
        pages_free(buf, CHUNK_SECTORS * BLK_SECTOR / PAGE_SIZE);
    if (rc)
        return report(d, fill ? "fill" : "verify", rc);
    if (fill)
        shell_printf("blk fill: %llu sectors at %llu written (seed %llu) in %llu ms\n",
                     (unsigned long long)count, (unsigned long long)sector,
                     (unsigned long long)seed, (unsigned long long)ms);
    else
        shell_printf("blk verify: %llu sectors at %llu, %llu bad (seed %llu)\n",
                     (unsigned long long)count, (unsigned long long)sector,
                     (unsigned long long)bad, (unsigned long long)seed);
    return bad ? SHELL_ERR_REPORTED : 0;
}

static uint64_t fnv1a(const unsigned char *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static int cmd_read(struct blkdev *d, uint64_t sector, uint64_t count)
{
    size_t pages = (size_t)((count * BLK_SECTOR + PAGE_SIZE - 1) / PAGE_SIZE);
    unsigned char *buf = pages_alloc(pages);
    if (!buf)
        return -ENOMEM;
    int rc = blk_rw_sync(d, BLK_READ, sector, (uint32_t)count, buf, time_now_ns() + IO_TIMEOUT_NS);
    if (rc == 0) {
        for (uint64_t i = 0; i < count && i < 4; i++)
            shell_printf("sector %llu: '%.40s'\n", (unsigned long long)(sector + i),
                         (const char *)buf + i * BLK_SECTOR);
        shell_printf("blk read: %llu sectors, fnv1a %016llx\n", (unsigned long long)count,
                     (unsigned long long)fnv1a(buf, count * BLK_SECTOR, 0xcbf29ce484222325ULL));
    }
    if (rc != -ETIMEDOUT)
        pages_free(buf, pages);
    return report(d, "read", rc);
}

static int cmd_write(struct blkdev *d, uint64_t sector, const char *text, uint64_t count)
{
    size_t pages = (size_t)((count * BLK_SECTOR + PAGE_SIZE - 1) / PAGE_SIZE);
    char *buf = pages_alloc(pages);
    if (!buf)
        return -ENOMEM;
    size_t n = strlen(text);
    for (uint64_t i = 0; i < count * BLK_SECTOR; i++)
        buf[i] = text[i % n];
    int rc = blk_rw_sync(d, BLK_WRITE, sector, (uint32_t)count, buf, time_now_ns() + IO_TIMEOUT_NS);
    if (rc == 0)
        shell_printf("blk write: %llu sectors at %llu\n", (unsigned long long)count,
                     (unsigned long long)sector);
    if (rc != -ETIMEDOUT)
        pages_free(buf, pages);
    return report(d, "write", rc);
}

/* blk bench: QD requests of BS bytes kept in flight for SECONDS. */
struct bench {
    struct spinlock lock;    /* the fields below, shared with completions */
    struct blkdev *d;
    struct waitq wq;
    enum blk_op op;
    bool random;
    uint32_t count;          /* sectors per request */
    uint64_t next, span, rng;
    uint64_t done, errors, inflight;
    bool stop;
};

static void bench_issue(struct bench *b, struct blk_request *r);

static void bench_done(struct blk_request *r)
{
    struct bench *b = r->arg;
    unsigned long f = spin_lock_irqsave(&b->lock);
    b->inflight--;
    if (r->status)
        b->errors++;
    else
        b->done++;
    bool again = !b->stop && !r->status;
    spin_unlock_irqrestore(&b->lock, f);
    if (again)
        bench_issue(b, r);
    waitq_wake_all(&b->wq);
}

/* Submits outside the lock: a request may complete within blk_submit. */
static void bench_issue(struct bench *b, struct blk_request *r)
{
    uint64_t sector;
    unsigned long f = spin_lock_irqsave(&b->lock);
    if (b->random) {
        b->rng = b->rng * 6364136223846793005ULL + 1442695040888963407ULL;
        sector = ((b->rng >> 17) % (b->span / b->count)) * b->count;
    } else {
        sector = b->next;
        b->next = (b->next + b->count) % (b->span - b->span % b->count);
    }
    r->op = b->op;
    r->sector = sector;
    r->count = b->count;
    r->done = bench_done;
    r->arg = b;
    b->inflight++;
    spin_unlock_irqrestore(&b->lock, f);
    int rc = blk_submit(b->d, r);
    if (rc) {
        f = spin_lock_irqsave(&b->lock);
        b->inflight--;
        b->errors++;
        b->stop = true;
        spin_unlock_irqrestore(&b->lock, f);
    }
}

static int cmd_bench(struct blkdev *d, int argc, char **argv)
{
    uint64_t bs, qd, secs;
    if (argc != 8 || num_arg(argv[5], 4 << 20, &bs) || num_arg(argv[6], 128, &qd) ||
        num_arg(argv[7], 3600, &secs))
        return argc != 8 ? -EINVAL : SHELL_ERR_REPORTED;
    bool random = strcmp(argv[3], "rand") == 0, write = strcmp(argv[4], "write") == 0;
    if ((!random && strcmp(argv[3], "seq")) || (!write && strcmp(argv[4], "read")) ||
        bs < BLK_SECTOR || bs % PAGE_SIZE || qd == 0)
        return -EINVAL;
    /* The range requests are spread over: the first GiB at most. */
    uint64_t span = MIN(d->sectors, (uint64_t)(1ULL << 21));
    if (span < bs / BLK_SECTOR) {
        shell_printf("blk bench: %s has %llu sectors; a %llu byte request does not fit\n",
                     d->name, (unsigned long long)d->sectors, (unsigned long long)bs);
        return SHELL_ERR_REPORTED;
    }
    struct bench *b = kzalloc(sizeof(*b));
    struct blk_request *reqs = kzalloc(qd * sizeof(*reqs));
    char *bufs = pages_alloc(qd * bs / PAGE_SIZE);
    if (!b || !reqs || !bufs) {
        kfree(b);
        kfree(reqs);
        if (bufs)
            pages_free(bufs, qd * bs / PAGE_SIZE);
        return -ENOMEM;
    }
    spin_lock_init(&b->lock, "blk bench");
    waitq_init(&b->wq);
    b->d = d;
    b->op = write ? BLK_WRITE : BLK_READ;
    b->random = random;
    b->count = (uint32_t)(bs / BLK_SECTOR);
    b->span = span;
    b->rng = time_now_ns();
    uint64_t t0 = time_now_ns(), end = t0 + secs * NS_PER_SEC;
    for (uint64_t i = 0; i < qd; i++) {
        reqs[i].buf = bufs + i * bs;
        bench_issue(b, &reqs[i]);
    }
    wait_event_until(&b->wq, b->stop, end);
    b->stop = true;
    uint64_t elapsed = time_now_ns() - t0;
    int rc = wait_event_until(&b->wq, b->inflight == 0, time_now_ns() + IO_TIMEOUT_NS);
    uint64_t us = elapsed / 1000;
    uint64_t kib_s = us ? b->done * bs * 1000000 / 1024 / us : 0;
    uint64_t iops = us ? b->done * 1000000 / us : 0;
    shell_printf("blk bench: %s %s %s bs %llu qd %llu: %llu requests in %llu ms, %llu IOPS, "
                 "%llu KiB/s, %llu errors\n", d->name, argv[3], argv[4],
                 (unsigned long long)bs, (unsigned long long)qd, (unsigned long long)b->done,
                 (unsigned long long)(us / 1000), (unsigned long long)iops,
                 (unsigned long long)kib_s, (unsigned long long)b->errors);
    if (rc) {
        shell_printf("blk bench: %llu requests never came back; their memory is left alone\n",
                     (unsigned long long)b->inflight);
        return SHELL_ERR_REPORTED;
    }
    pages_free(bufs, qd * bs / PAGE_SIZE);
    kfree(reqs);
    kfree(b);
    return 0;
}

static int cmd_blk_dev(struct blkdev *d, int argc, char **argv)
{
    uint64_t a, b, c = 1;
    const char *op = argv[1];
    if (strcmp(op, "bench") == 0)
        return cmd_bench(d, argc, argv);
    if (strcmp(op, "flush") == 0 && argc == 3)
        return report(d, "flush", blk_rw_sync(d, BLK_FLUSH, 0, 0, 0, time_now_ns() + IO_TIMEOUT_NS));
    if (argc < 4 || num_arg(argv[3], UINT64_MAX >> 10, &a))
        return argc < 4 ? -EINVAL : SHELL_ERR_REPORTED;
    if (strcmp(op, "read") == 0 && argc == 5) {
        if (num_arg(argv[4], 2048, &b))
            return SHELL_ERR_REPORTED;
        return cmd_read(d, a, b);
    }
    if (strcmp(op, "write") == 0 && (argc == 5 || argc == 6)) {
        if (argc == 6 && num_arg(argv[5], 2048, &c))
            return SHELL_ERR_REPORTED;
        return cmd_write(d, a, argv[4], c);
    }
    if ((strcmp(op, "fill") == 0 || strcmp(op, "verify") == 0) && argc == 6) {
        if (num_arg(argv[4], UINT64_MAX >> 10, &b) || num_arg(argv[5], UINT64_MAX, &c))
            return SHELL_ERR_REPORTED;
        return fill_or_verify(d, op[0] == 'f', a, b, c);
    }
    if (strcmp(op, "discard") == 0 && argc == 5) {
        if (num_arg(argv[4], UINT32_MAX, &b))
            return SHELL_ERR_REPORTED;
        return report(d, "discard",
                      blk_rw_sync(d, BLK_DISCARD, a, (uint32_t)b, 0, time_now_ns() + IO_TIMEOUT_NS));
    }
    return -EINVAL;
}

static int cmd_blk(int argc, char **argv)
{
    if (argc == 1 || (argc == 2 && strcmp(argv[1], "list") == 0)) {
        blkdev_for_each(print_dev, 0);
        return 0;
    }
    if (argc < 3)
        return -EINVAL;
    struct blkdev *d = dev_arg(argv[2]);
    if (!d)
        return SHELL_ERR_REPORTED;
    int rc = cmd_blk_dev(d, argc, argv);
    blkdev_put(d);
    return rc;
}

static struct shell_cmd cmds[] = {
    { "blk",
      "list | read DEV SECTOR COUNT | write DEV SECTOR TEXT [COUNT] | fill|verify DEV SECTOR "
      "COUNT SEED | flush DEV | discard DEV SECTOR COUNT | bench DEV seq|rand read|write BYTES "
      "QD SECONDS",
      "block devices", cmd_blk, { 0, 0 } },
};

void shell_cmds_blk_init(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        shell_register(&cmds[i]);
}
