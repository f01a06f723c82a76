#ifndef LIB_STRING_H
#define LIB_STRING_H
/* The kernel's string functions; on the host (unit tests) libc's. */
#if __STDC_HOSTED__
#include <string.h>
#else
#include <stddef.h>
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *s, const char *needle);
#endif
/* Copies at most cap-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy_k(char *dst, const char *src, size_t cap);
#endif
