#include "kern/kernel.h"
#include "kern/log.h"
#include "kern/printf.h"
#include "arch/x86/cpu.h"
#include <stdarg.h>

static char ring[LOG_RING_SIZE];
static uint64_t ring_head; /* total bytes ever written */
void (*log_sink)(const char *s, size_t len);
void (*log_line_before)(void);
void (*log_line_after)(void);
bool log_debug_enabled;

static void ring_put(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ring[(ring_head + i) % LOG_RING_SIZE] = s[i];
    ring_head += n;
}

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
    /* One line at a time, whole, even when an event handler prints too. */
    unsigned long f = irq_save();
    ring_put(buf, (size_t)n);
    if (log_sink) {
        if (log_line_before)
            log_line_before();
        log_sink(buf, (size_t)n);
        if (log_line_after)
            log_line_after();
    }
    irq_restore(f);
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
