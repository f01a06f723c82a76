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
/* Drains what the sink still buffers, by the deadline (0, or -ETIMEDOUT):
 * panic and shutdown call it so the last lines reach the toolstack. Set
 * by init/ with the sink's driver. */
extern int (*log_flush)(uint64_t deadline);
/* panic: the holder of the log's lock will not release it. */
void log_break_lock(void);
/* Copies the ring's contents, oldest first, to fn in pieces. */
void log_replay(void (*fn)(const char *s, size_t len));
uint64_t log_bytes_total(void);
#endif
