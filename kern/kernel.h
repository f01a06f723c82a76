#ifndef KERN_KERNEL_H
#define KERN_KERNEL_H
/* What almost every kernel file needs. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "kern/errno.h"
#include "lib/string.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define NS_PER_MS 1000000ULL
#define NS_PER_SEC 1000000000ULL
#define DEADLINE_NEVER UINT64_MAX

/* Kernel log: every line goes to the log ring and to the console. */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with "loglevel=debug" on the command line. */
void pr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern bool log_debug_enabled;

/* Prints the message and ends the domain as crashed. */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define BUG_ON(c)                                                          \
    do {                                                                   \
        if (c)                                                             \
            panic("BUG: %s at %s:%d", #c, __FILE__, __LINE__);             \
    } while (0)

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
char *kstrdup(const char *s);
#endif
