/* blkbench: the Linux side of `blk bench`, for the reference guest (and
 * Dom0): QD threads keep requests of BS bytes in flight with O_DIRECT for
 * SECONDS, sequential or random, and print the same figures.
 *
 *   blkbench DEV seq|rand read|write BS QD SECONDS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

static int fd, rnd, wr;
static size_t bs;
static unsigned long long span, end_ns;
static atomic_ullong next_off, done, errors;

static unsigned long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static void *worker(void *arg)
{
    void *buf;
    if (posix_memalign(&buf, 4096, bs))
        return NULL;
    memset(buf, 0x5a, bs);
    unsigned long long rng = (unsigned long long)(uintptr_t)arg * 0x9e3779b97f4a7c15ULL + now_ns();
    unsigned long long blocks = span / bs;
    while (now_ns() < end_ns) {
        unsigned long long off;
        if (rnd) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            off = ((rng >> 17) % blocks) * bs;
        } else {
            off = (atomic_fetch_add(&next_off, 1) % blocks) * bs;
        }
        ssize_t n = wr ? pwrite(fd, buf, bs, (off_t)off) : pread(fd, buf, bs, (off_t)off);
        if (n == (ssize_t)bs)
            atomic_fetch_add(&done, 1);
        else
            atomic_fetch_add(&errors, 1);
    }
    free(buf);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: blkbench DEV seq|rand read|write BS QD SECONDS\n");
        return 2;
    }
    rnd = strcmp(argv[2], "rand") == 0;
    wr = strcmp(argv[3], "write") == 0;
    bs = strtoul(argv[4], NULL, 0);
    int qd = atoi(argv[5]);
    int secs = atoi(argv[6]);
    fd = open(argv[1], (wr ? O_RDWR : O_RDONLY) | O_DIRECT);
    if (fd < 0 || bs < 512 || bs % 512 || qd < 1 || qd > 256) {
        fprintf(stderr, "blkbench: %s: %s\n", argv[1], fd < 0 ? strerror(errno) : "bad arguments");
        return 1;
    }
    unsigned long long size = 0;
    ioctl(fd, BLKGETSIZE64, &size);
    span = size < (1ULL << 30) ? size : (1ULL << 30); /* the first GiB at most */
    pthread_t t[256];
    unsigned long long t0 = now_ns();
    end_ns = t0 + (unsigned long long)secs * 1000000000ULL;
    for (int i = 0; i < qd; i++)
        pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i + 1));
    for (int i = 0; i < qd; i++)
        pthread_join(t[i], NULL);
    unsigned long long us = (now_ns() - t0) / 1000;
    unsigned long long d = atomic_load(&done);
    printf("blkbench: %s %s %s bs %zu qd %d: %llu requests in %llu ms, %llu IOPS, %llu KiB/s, "
           "%llu errors\n", argv[1], argv[2], argv[3], bs, qd, d, us / 1000,
           us ? d * 1000000 / us : 0, us ? d * bs * 1000000 / 1024 / us : 0,
           (unsigned long long)atomic_load(&errors));
    return 0;
}
