#ifndef KERN_LOG_H
#define KERN_LOG_H
/* The kernel log ring: the last LOG_RING_SIZE bytes printed, kept so the
 * PV console can replay the start of the boot and the shell can show it. */
#include <stddef.h>
#include <stdint.h>

#define LOG_RING_SIZE 16384

/* Where printk output goes besides the ring: set by the console driver. */
extern void (*log_sink)(const char *s, size_t len);
/* Around each line printed to the sink (the shell uses it to move a
 * prompt it shows out of the way and draw it again after the line). */
extern void (*log_line_before)(void);
extern void (*log_line_after)(void);
/* Copies the ring's contents, oldest first, to fn in pieces. */
void log_replay(void (*fn)(const char *s, size_t len));
uint64_t log_bytes_total(void);
#endif
