/* libFuzzer: cmdline_has / cmdline_get on arbitrary command lines, against
 * a straightforward model. Input: cap byte, key, NUL, command line. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "kern/cmdline.h"
#include "kern/errno.h"

#include "tests/fuzz/fuzz_check.h"

static bool is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* The next word at or after *s as [*w, *w + *n); false when none is left. */
static bool next_word(const char **s, const char **w, size_t *n)
{
    const char *p = *s;
    while (is_sep(*p))
        p++;
    if (!*p)
        return false;
    *w = p;
    while (*p && !is_sep(*p))
        p++;
    *n = (size_t)(p - *w);
    *s = p;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cap = data[0] % 40;
    data++;
    size--;
    const uint8_t *nul = memchr(data, 0, size);
    size_t klen = nul ? (size_t)(nul - data) : size;
    char *key = malloc(klen + 1);
    CHECK(key);
    memcpy(key, data, klen);
    key[klen] = 0;
    size_t clen = nul ? size - klen - 1 : 0;
    char *cl = malloc(clen + 1);
    CHECK(cl);
    memcpy(cl, nul ? nul + 1 : data, clen);
    cl[clen] = 0;

    /* the model */
    bool has = false;
    int want = -ENOENT;
    const char *val = NULL;
    const char *w, *at = cl;
    size_t wn;
    while (next_word(&at, &w, &wn)) {
        if (wn == klen && memcmp(w, key, klen) == 0)
            has = true;
        if (want == -ENOENT && wn > klen && memcmp(w, key, klen) == 0 && w[klen] == '=') {
            size_t vl = wn - klen - 1;
            want = vl + 1 > cap ? -E2BIG : (int)vl;
            val = w + klen + 1;
        }
    }
    CHECK(cmdline_has(cl, key) == has);

    char *buf = malloc(cap ? cap : 1); /* exactly cap bytes for ASan */
    CHECK(buf);
    if (cap)
        memset(buf, 'Q', cap);
    int r = cmdline_get(cl, key, buf, cap);
    CHECK(r == want);
    if (r >= 0) {
        CHECK((size_t)r < cap && buf[r] == 0 && memcmp(buf, val, (size_t)r) == 0);
    } else if (r == -E2BIG && cap) {
        CHECK(buf[0] == 0);
    }
    free(buf);
    free(cl);
    free(key);
    return 0;
}
