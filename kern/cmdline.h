#ifndef KERN_CMDLINE_H
#define KERN_CMDLINE_H
/* The kernel command line (xl's extra=): space-separated words, either
 * flags ("poweroff") or key=value pairs ("loglevel=debug"). Pure. */
#include <stddef.h>
#include <stdbool.h>

bool cmdline_has(const char *cmdline, const char *flag);
/* Copies the value of key into buf. Returns its length, -ENOENT if the key
 * is absent, -E2BIG if the value does not fit (buf then holds nothing). */
int cmdline_get(const char *cmdline, const char *key, char *buf, size_t cap);
/* The kernel command line (xl "extra"), set at start. */
extern const char *kernel_cmdline;
#endif
