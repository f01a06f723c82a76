#include "kern/cmdline.h"
#include "kern/errno.h"
#include "lib/string.h"

/* Calls back for each word; stops when fn returns non-zero. */
static int for_each_word(const char *s, int (*fn)(const char *w, size_t n, void *arg), void *arg)
{
    if (!s)
        return 0;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        const char *w = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '\n')
            s++;
        if (s > w) {
            int r = fn(w, (size_t)(s - w), arg);
            if (r)
                return r;
        }
    }
    return 0;
}

static int match_flag(const char *w, size_t n, void *arg)
{
    const char *flag = arg;
    return strlen(flag) == n && memcmp(w, flag, n) == 0;
}

bool cmdline_has(const char *cmdline, const char *flag)
{
    return for_each_word(cmdline, match_flag, (void *)flag) != 0;
}

struct get_ctx {
    const char *key;
    char *buf;
    size_t cap;
    int result;
};

static int match_key(const char *w, size_t n, void *arg)
{
    struct get_ctx *c = arg;
    size_t k = strlen(c->key);
    if (n <= k || w[k] != '=' || memcmp(w, c->key, k) != 0)
        return 0;
    size_t vlen = n - k - 1;
    if (vlen + 1 > c->cap) {
        if (c->cap)
            c->buf[0] = 0;
        c->result = -E2BIG;
        return 1;
    }
    memcpy(c->buf, w + k + 1, vlen);
    c->buf[vlen] = 0;
    c->result = (int)vlen;
    return 1;
}

int cmdline_get(const char *cmdline, const char *key, char *buf, size_t cap)
{
    struct get_ctx c = { key, buf, cap, -ENOENT };
    for_each_word(cmdline, match_key, &c);
    return c.result;
}
