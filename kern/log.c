#include "kern/kernel.h"
#include "kern/log.h"
#include "kern/printf.h"
#include "kern/spinlock.h"
#include <stdarg.h>

/* The ring and the sink: one line at a time, whole, even when an event
 * handler prints too. */
static struct spinlock log_lock = SPINLOCK_INIT("log");
static char ring[LOG_RING_SIZE];
static uint64_t ring_head; /* total bytes ever written */
void (*log_sink)(const char *s, size_t len);
void (*log_line_before)(void);
void (*log_line_after)(void);
int (*log_flush)(uint64_t deadline);
bool log_debug_enabled;

void log_break_lock(void)
{
    spin_lock_init(&log_lock, "log");
}

static void ring_put(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ring[(ring_head + i) % LOG_RING_SIZE] = s[i];
    ring_head += n;
}

/* Unlocked (fn may print or block): a line printed meanwhile may show
 * torn in the copy, never in the ring. */
void log_replay(void (*fn)(const char *s, size_t len))
{
    uint64_t start = ring_head > LOG_RING_SIZE ? ring_head - LOG_RING_SIZE : 0;
    for (uint64_t i = start; i < ring_head;) {
        size_t off = i % LOG_RING_SIZE;
        size_t n = MIN((size_t)(ring_head - i), LOG_RING_SIZE - off);
        fn(ring + off, n);
        i += n;
    }
}

uint64_t log_bytes_total(void)
{
    return ring_head;
}

static void vlog(const char *fmt, va_list ap)
{
    char buf[512];
    int n = k_vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
    if (n > (int)sizeof(buf) - 2)
        n = sizeof(buf) - 2;
    if (n == 0 || buf[n - 1] != '\n')
        buf[n++] = '\n';
    unsigned long f = spin_lock_irqsave(&log_lock);
    ring_put(buf, (size_t)n);
    if (log_sink) {
        if (log_line_before)
            log_line_before();
        log_sink(buf, (size_t)n);
        if (log_line_after)
            log_line_after();
    }
    spin_unlock_irqrestore(&log_lock, f);
}

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

void pr_debug(const char *fmt, ...)
{
    if (!log_debug_enabled)
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}
