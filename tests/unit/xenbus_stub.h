#ifndef TESTS_UNIT_XENBUS_STUB_H
#define TESTS_UNIT_XENBUS_STUB_H
/* Host tests of the XenBus core and halves: a stub kernel (one thread,
 * a settable clock; a wait jumps the clock to its deadline after running
 * stub_on_wait) and a stub XenStore (a path -> value table whose watches
 * fire synchronously on every write). */
#include <stdbool.h>
#include <stdint.h>
#include "xen/suspend.h"

extern uint64_t now_ns;
extern struct suspend_hook *bus_hook;   /* the core's save/restore hook */
extern void (*stub_on_wait)(void);      /* called when someone waits */
void stub_reset(void);          /* also empties stub_calls */
/* The test drivers' record of their calls, "probe attach ...". */
extern char stub_calls[512];
void stub_called(const char *what);
struct xenbus_device;
/* A probe that takes every device (and a reference on it). */
int stub_probe(struct xenbus_device *d);
void put(const char *path, const char *val);
const char *get(const char *path);
unsigned logs_matching(const char *needle);
#endif
