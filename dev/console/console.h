#ifndef DEV_CONSOLE_CONSOLE_H
#define DEV_CONSOLE_CONSOLE_H
/* The system console: HYPERVISOR_console_io (or the 0xE9 debug port where
 * Xen refuses that to a DomU) until the PV console ring is up, then the
 * ring that xenconsoled serves to `xl console`. */
#include <stddef.h>
#include <stdint.h>

void console_early_init(void);
/* Maps the PV console and replays the log written so far. */
int console_pv_init(void);
void console_write(const char *s, size_t len);
/* Waits until the back-end has taken everything written, or the deadline.
 * 0 or -ETIMEDOUT. Used before the domain ends so the tail is not lost. */
int console_flush(uint64_t deadline);
/* Reads typed input; blocks until at least one byte or the deadline.
 * Bytes read, or -ETIMEDOUT. */
int console_read(char *buf, size_t cap, uint64_t deadline);

struct console_stats {
    uint64_t bytes_out, bytes_in, dropped;
    uint64_t ring_errors;    /* writes the back-end's bad out_cons sent to the debug port */
    uint64_t ring_resyncs;   /* times the page was found set up afresh (restore) */
    uint64_t nested;         /* bytes written nested in a writer, sent after it */
    uint64_t nested_dropped; /* nested bytes that did not fit the stash */
    int pv; /* 1 once the ring is in use */
};
/* After a restore: the console's event channel is a new one. */
void console_resume(bool cancelled);
void console_get_stats(struct console_stats *st);
/* For the test shell: prints a line from inside the console writer, as an
 * event handler's printk or a fault would; it must come out whole, after
 * the writer's own line. 0, -ENODEV (no PV ring) or -EBUSY. */
int console_test_nested(void);
#endif
