#ifndef TESTS_FUZZ_FUZZ_CHECK_H
#define TESTS_FUZZ_FUZZ_CHECK_H
/* A check that stops the fuzzer with the failed condition. */
#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                     \
    do {                                                                             \
        if (!(c)) {                                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);   \
            abort();                                                                 \
        }                                                                            \
    } while (0)
#endif
