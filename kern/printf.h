#ifndef KERN_PRINTF_H
#define KERN_PRINTF_H
#include <stdarg.h>
#include <stddef.h>

/* A small vsnprintf: %d %i %u %x %X %p %s %c %%, with the flags '-' '0',
 * a width, a precision (also '*'), and the length modifiers hh h l ll z.
 * Returns the length the full output would have (like C99). Pure. */
int k_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int k_snprintf(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#endif
