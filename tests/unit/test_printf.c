/* k_vsnprintf / k_snprintf against the host's vsnprintf. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "kern/printf.h"

#define UNUSED_STATE (void)state

/* Compares k_vsnprintf with vsnprintf for fmt at every capacity from 0 to
 * one past the full length, and with a canary after the buffer. */
static void compare_va(const char *file, int line, const char *fmt, va_list orig)
{
    char want[1024], got[1024 + 8];
    va_list ap;

    va_copy(ap, orig);
    int wn = vsnprintf(want, sizeof(want), fmt, ap);
    va_end(ap);
    if (wn < 0 || wn >= (int)sizeof(want))
        fail_msg("%s:%d: bad reference for \"%s\"", file, line, fmt);

    for (size_t cap = 0; cap <= (size_t)wn + 1; cap++) {
        memset(got, 'Z', sizeof(got));
        va_copy(ap, orig);
        int gn = k_vsnprintf(cap ? got : NULL, cap, fmt, ap);
        va_end(ap);
        if (gn != wn)
            fail_msg("%s:%d: \"%s\" cap %zu: returned %d, libc %d", file, line, fmt, cap, gn,
                     wn);
        if (cap == 0)
            continue;
        size_t keep = (size_t)wn < cap - 1 ? (size_t)wn : cap - 1;
        if (memcmp(got, want, keep) != 0 || got[keep] != 0)
            fail_msg("%s:%d: \"%s\" cap %zu: got \"%.*s\", want \"%.*s\"", file, line, fmt, cap,
                     (int)keep, got, (int)keep, want);
        for (size_t i = cap; i < sizeof(got); i++)
            if (got[i] != 'Z')
                fail_msg("%s:%d: \"%s\" cap %zu: wrote past the buffer at %zu", file, line,
                         fmt, cap, i);
    }
}

static void __attribute__((format(printf, 3, 4)))
check_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    compare_va(file, line, fmt, ap);
    va_end(ap);
}
#define check(...) check_at(__FILE__, __LINE__, __VA_ARGS__)

/* Same without the format attribute, for generated formats. */
static void check_dyn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    compare_va(__FILE__, __LINE__, fmt, ap);
    va_end(ap);
}

/* Calls k_vsnprintf without compile-time format checking. */
static int kfmt(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = k_vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

static void test_plain(void **state)
{
    UNUSED_STATE;
    check("%s", "");
    check("hello, world");
    check("%%");
    check("a%%b%%%%c");
    check("100%% %d%%", 5);
}

static void test_signed(void **state)
{
    UNUSED_STATE;
    check("%d", 0);
    check("%d", 1);
    check("%d", -1);
    check("%i", 42);
    check("%i", -42);
    check("%d", INT_MAX);
    check("%d", INT_MIN);
    check("%d|%d|%d", 1, -22, 333);
    check("%ld", LONG_MAX);
    check("%ld", LONG_MIN);
    check("%li", -1234567890123L);
    check("%lld", LLONG_MAX);
    check("%lld", LLONG_MIN);
    check("%lli", -9LL);
    check("%zd", (ssize_t)-5);
    check("%zd", (ssize_t)SSIZE_MAX);
    check("%hd", (short)-300);
    check("%hd", 70000);      /* truncated to short */
    check("%hd", -32769);
    check("%hhd", 300);       /* truncated to signed char: 44 */
    check("%hhd", 200);       /* -56 */
    check("%hhd", -129);
    check("%hhi", 127);
}

static void test_unsigned(void **state)
{
    UNUSED_STATE;
    check("%u", 0u);
    check("%u", UINT_MAX);
    check("%u", 123456u);
    check("%x", 0u);
    check("%x", 0xdeadbeefu);
    check("%X", 0xdeadbeefu);
    check("%x", UINT_MAX);
    check("%lu", ULONG_MAX);
    check("%lx", 0x123456789abcdefUL);
    check("%lX", 0xfedcba9876543210UL);
    check("%llu", ULLONG_MAX);
    check("%llx", ULLONG_MAX);
    check("%llX", 0xabcULL);
    check("%zu", (size_t)SIZE_MAX);
    check("%zx", (size_t)0x1000);
    check("%hu", 65535);
    check("%hu", 65536);      /* 0 */
    check("%hu", -1);         /* 65535 */
    check("%hx", 0x12345);
    check("%hhu", 511);       /* 255 */
    check("%hhu", 256);       /* 0 */
    check("%hhx", 0xabcd);
    check("%hhX", 0xabcd);
}

static void test_width_flags(void **state)
{
    UNUSED_STATE;
    check("[%5d]", 42);
    check("[%5d]", -42);
    check("[%-5d]", 42);
    check("[%-5d]", -42);
    check("[%05d]", 42);
    check("[%05d]", -42);
    check_dyn("[%-05d]", -42);   /* '-' wins over '0' */
    check("[%1d]", 12345);   /* width smaller than the number */
    check("[%20lld]", LLONG_MIN);
    check("[%020lld]", LLONG_MIN);
    check("[%08x]", 0xbeefu);
    check("[%-8X]", 0xbeefu);
    check("[%016lx]", 0x1UL);
    check("[%3u]", 7u);
    check("[%03u]", 7u);
    check("[%10s]", "abc");
    check("[%-10s]", "abc");
    check("[%2s]", "abcdef");
    check("[%3c]", 'x');
    check("[%-3c]", 'x');
    check("[%c%c%c]", 'a', 'b', 'c');
}

static void test_precision(void **state)
{
    UNUSED_STATE;
    check("[%.3d]", 7);
    check("[%.3d]", -7);
    check("[%.0d]", 0);      /* nothing at all */
    check("[%5.0d]", 0);
    check("[%-5.0d]", 0);
    check("[%.0x]", 0u);
    check("[%.0u]", 0u);
    check("[%.0d]", 3);
    check("[%8.3d]", -7);
    check("[%-8.3d]", -7);
    check_dyn("[%08.3d]", -7);   /* '0' ignored with a precision */
    check_dyn("[%08.3x]", 0xau);
    check("[%.10lu]", 123UL);
    check("[%.20llx]", 0xffULL);
    check("[%.3s]", "abcdef");
    check("[%.0s]", "abcdef");
    check("[%.10s]", "abc");
    check("[%10.3s]", "abcdef");
    check("[%-10.3s]", "abcdef");
}

static void test_star(void **state)
{
    UNUSED_STATE;
    check("[%*d]", 6, 42);
    check("[%*d]", -6, 42);  /* negative width: left-justified */
    check("[%-*d]", 6, 42);
    check("[%0*d]", 8, -3);
    check("[%*s]", 6, "ab");
    check("[%*s]", -6, "ab");
    check("[%.*s]", 2, "abcdef");
    check("[%.*s]", 0, "abcdef");
    check("[%.*s]", -1, "abcdef"); /* negative precision: as if none */
    check("[%.*d]", 5, 42);
    check("[%.*d]", -1, 42);
    check("[%.*d]", 0, 0);
    check_dyn("[%0.*d]", -1, 42);
    check_dyn("[%08.*d]", -1, 42);     /* precision omitted: '0' applies */
    check("[%*.*d]", 10, 4, -42);
    check("[%-*.*x]", 10, 4, 0xabu);
    check("[%*.*s]", 8, 3, "abcdef");
    check("[%*c]", 4, 'q');
}

static void test_pointer(void **state)
{
    UNUSED_STATE;
    int x;
    check("%p", (void *)0x1234);
    check("%p", (void *)&x);
    check("%p", (void *)UINTPTR_MAX);
    check("[%20p]", (void *)0xabcdef);
    check("[%-20p]", (void *)0xabcdef);
    check("[%5p]", (void *)0x123456789aUL);

    /* NULL: glibc says "(nil)", the kernel prints the value. */
    char buf[32];
    assert_int_equal(kfmt(buf, sizeof(buf), "%p", (void *)0), 3);
    assert_string_equal(buf, "0x0");
}

static void test_strings(void **state)
{
    UNUSED_STATE;
    check("%s", "hello");
    check("%s/%s", "a", "bc");
    check("[%s]", "");
    check("%s%c%s", "x", '=', "y");

    char buf[32];
    const char *volatile nul = NULL;
    assert_int_equal(kfmt(buf, sizeof(buf), "%s", nul), 6);
    assert_string_equal(buf, "(null)");
    assert_int_equal(kfmt(buf, sizeof(buf), "[%8s]", nul), 10);
    assert_string_equal(buf, "[  (null)]");
}

static void test_mixed(void **state)
{
    UNUSED_STATE;
    check("[%s:%d] %x %c %5.2s|%-4u|%%|%p", "file.c", 123, 0xabcu, 'Z', "xyz", 9u,
          (void *)0x1000);
    check("%d %u %x %ld %lu %lx %lld %llu %llx %zu %hd %hhu", -1, 1u, 2u, -3L, 4UL, 5UL,
          -6LL, 7ULL, 8ULL, (size_t)9, (short)-10, (unsigned char)11);
    check("evtchn %u: port %-5d pending=%c mask=%08lx", 3u, 17, 'y', 0xf0UL);
}

static void test_truncation(void **state)
{
    UNUSED_STATE;
    char big[400];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    check("%s", big);
    check("<%s>%d", big, 12345);

    /* C99 return value with a NULL buffer and cap 0 */
    assert_int_equal(k_snprintf(NULL, 0, "%d-%s", 12345, "abc"), 9);

    /* cap 1 leaves just the terminator */
    char b[4] = "XYZ";
    assert_int_equal(k_snprintf(b, 1, "hello"), 5);
    assert_int_equal(b[0], 0);
    assert_int_equal(b[1], 'Y');

    /* exactly fits */
    char c[6];
    assert_int_equal(k_snprintf(c, sizeof(c), "hello"), 5);
    assert_string_equal(c, "hello");
    assert_int_equal(k_snprintf(c, sizeof(c), "hello!"), 6);
    assert_string_equal(c, "hello");
}

static void test_odd_formats(void **state)
{
    UNUSED_STATE;
    char buf[32];
    /* a lone '%' at the end stops the output */
    assert_int_equal(kfmt(buf, sizeof(buf), "abc%"), 3);
    assert_string_equal(buf, "abc");
    assert_int_equal(kfmt(buf, sizeof(buf), "ab%-5"), 2);
    assert_string_equal(buf, "ab");
    /* an unknown conversion is echoed */
    assert_int_equal(kfmt(buf, sizeof(buf), "a%qb"), 4);
    assert_string_equal(buf, "a%qb");
    /* %c of NUL counts */
    assert_int_equal(kfmt(buf, sizeof(buf), "a%cb", 0), 3);
    assert_memory_equal(buf, "a\0b", 4);
}

/* Random single conversions, generated from the supported grammar. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t rnd_value(void)
{
    switch (rnd() % 6) {
    case 0: return 0;
    case 1: return rnd() % 10;
    case 2: return (uint64_t)-(int64_t)(rnd() % 1000);
    case 3: return 1ULL << (rnd() % 64);
    case 4: return ~0ULL - rnd() % 3;
    default: return rnd();
    }
}

static void test_random_formats(void **state)
{
    UNUSED_STATE;
    static const char *const strs[] = { "", "a", "hello", "0123456789abcdefXYZ" };
    for (int iter = 0; iter < 20000; iter++) {
        char fmt[64];
        size_t n = 0;
        static const char convs[] = "diuxXcsp";
        char conv = convs[rnd() % 8];
        bool numeric = conv != 'c' && conv != 's' && conv != 'p';
        fmt[n++] = '[';
        fmt[n++] = '%';
        if (rnd() % 3 == 0)
            fmt[n++] = '-';
        if (numeric && rnd() % 3 == 0)
            fmt[n++] = '0';
        int wmode = (int)(rnd() % 3); /* none, digits, '*' */
        int width = (int)(rnd() % 25) - (wmode == 2 ? 12 : 0);
        if (wmode == 1)
            n += (size_t)sprintf(fmt + n, "%d", width < 0 ? -width : width);
        else if (wmode == 2)
            fmt[n++] = '*';
        int pmode = (conv == 'c' || conv == 'p') ? 0 : (int)(rnd() % 3);
        int prec = (int)(rnd() % 25) - (pmode == 2 ? 5 : 0);
        if (pmode == 1)
            n += (size_t)sprintf(fmt + n, ".%d", prec < 0 ? 0 : prec);
        else if (pmode == 2)
            n += (size_t)sprintf(fmt + n, ".*");
        int len = numeric ? (int)(rnd() % 6) : 0; /* none hh h l ll z */
        static const char *const lens[] = { "", "hh", "h", "l", "ll", "z" };
        n += (size_t)sprintf(fmt + n, "%s%c]", lens[len], conv);
        fmt[n] = 0;

        uint64_t v = rnd_value();
        int w = wmode == 2 ? width : 0;
        int p = pmode == 2 ? prec : 0;
#define CALL(val)                                                                        \
        do {                                                                             \
            if (wmode == 2 && pmode == 2)                                                \
                check_dyn(fmt, w, p, val);                                               \
            else if (wmode == 2)                                                         \
                check_dyn(fmt, w, val);                                                  \
            else if (pmode == 2)                                                         \
                check_dyn(fmt, p, val);                                                  \
            else                                                                         \
                check_dyn(fmt, val);                                                     \
        } while (0)
        switch (conv) {
        case 'c':
            CALL((int)(' ' + v % 90));
            break;
        case 's':
            CALL(strs[v % 4]);
            break;
        case 'p':
            CALL((void *)(uintptr_t)(v | 1));
            break;
        case 'd':
        case 'i':
            if (len == 3)
                CALL((long)v);
            else if (len == 4)
                CALL((long long)v);
            else if (len == 5)
                CALL((ssize_t)v);
            else
                CALL((int)v);
            break;
        default:
            if (len == 3)
                CALL((unsigned long)v);
            else if (len == 4)
                CALL((unsigned long long)v);
            else if (len == 5)
                CALL((size_t)v);
            else
                CALL((unsigned)v);
            break;
        }
#undef CALL
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_signed),
        cmocka_unit_test(test_unsigned),
        cmocka_unit_test(test_width_flags),
        cmocka_unit_test(test_precision),
        cmocka_unit_test(test_star),
        cmocka_unit_test(test_pointer),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_odd_formats),
        cmocka_unit_test(test_random_formats),
    };
    return cmocka_run_group_tests_name("printf", tests, NULL, NULL);
}
