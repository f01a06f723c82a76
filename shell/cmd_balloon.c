/* Shell commands for memory given to and taken from Xen: `balloon`, and
 * `memtest`, a workload that holds pages with known patterns so a test can
 * prove that ballooning never touches memory in use. */
#include "kern/kernel.h"
#include "kern/mm.h"
#include "shell/shell.h"
#include "dev/balloon/balloon.h"
#include "xen/xs_wire_codec.h"

static int cmd_balloon(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "set") == 0) {
        uint64_t kib;
        if (xs_parse_uint(argv[2], UINT64_MAX / 8, &kib)) {
            shell_printf("balloon: '%s' is not a size in KiB\n", argv[2]);
            return SHELL_ERR_REPORTED;
        }
        return balloon_set_target_kib(kib);
    }
    if (argc != 1)
        return -EINVAL;
    struct balloon_info bi;
    balloon_get_info(&bi);
    shell_printf("balloon: current %llu KiB, target %llu KiB, floor %llu KiB, max %llu KiB\n",
                 (unsigned long long)bi.current_kib, (unsigned long long)bi.target_kib,
                 (unsigned long long)bi.floor_kib, (unsigned long long)bi.max_kib);
    shell_printf("balloon: %llu pages out, %llu released, %llu populated, %llu hypercalls, "
                 "slack %lld pages, last move %llu ms%s\n",
                 (unsigned long long)bi.out_pages, (unsigned long long)bi.released,
                 (unsigned long long)bi.populated, (unsigned long long)bi.hypercalls,
                 (long long)bi.slack_pages, (unsigned long long)bi.last_ms,
                 bi.busy ? ", moving" : "");
    return 0;
}

/* memtest: a list of held page runs, each filled with a pattern made of
 * its own address and a round number, checked on demand. */
struct memtest_run {
    uint64_t *p;
    size_t pages;
    struct memtest_run *next;
};
static struct memtest_run *runs;
static uint64_t memtest_round;
static size_t memtest_pages;

static uint64_t pattern(const uint64_t *where)
{
    return ((uint64_t)(uintptr_t)where * 0x9e3779b97f4a7c15ULL) ^ memtest_round;
}

static void fill_run(struct memtest_run *r)
{
    for (size_t i = 0; i < r->pages * PAGE_SIZE / 8; i++)
        r->p[i] = pattern(&r->p[i]);
}

static void memtest_free(void)
{
    while (runs) {
        struct memtest_run *r = runs;
        runs = r->next;
        pages_free(r->p, r->pages);
        kfree(r);
    }
    memtest_pages = 0;
}

static int memtest_fill(uint64_t kib)
{
    memtest_free();
    memtest_round++;
    size_t want = (size_t)(kib / 4);
    while (memtest_pages < want) {
        size_t n = MIN(want - memtest_pages, (size_t)64);
        struct memtest_run *r = kmalloc(sizeof(*r));
        void *p = r ? pages_alloc(n) : 0;
        if (!p) {
            kfree(r);
            shell_printf("memtest: only %zu of %zu pages available\n", memtest_pages, want);
            return SHELL_ERR_REPORTED;
        }
        r->p = p;
        r->pages = n;
        r->next = runs;
        runs = r;
        memtest_pages += n;
        fill_run(r);
    }
    shell_printf("memtest: %zu pages filled (round %llu)\n", memtest_pages,
                 (unsigned long long)memtest_round);
    return 0;
}

static int memtest_check(void)
{
    uint64_t bad = 0, words = 0;
    for (struct memtest_run *r = runs; r; r = r->next)
        for (size_t i = 0; i < r->pages * PAGE_SIZE / 8; i++, words++)
            if (r->p[i] != pattern(&r->p[i])) {
                if (bad < 4)
                    shell_printf("memtest: word at %p is %llx, wrote %llx\n", (void *)&r->p[i],
                                 (unsigned long long)r->p[i],
                                 (unsigned long long)pattern(&r->p[i]));
                bad++;
            }
    shell_printf("memtest: %zu pages checked, %llu bad words of %llu\n", memtest_pages,
                 (unsigned long long)bad, (unsigned long long)words);
    return bad ? -EIO : 0;
}

static int cmd_memtest(int argc, char **argv)
{
    uint64_t kib;
    if (argc == 3 && strcmp(argv[1], "fill") == 0 && xs_parse_uint(argv[2], 1ULL << 32, &kib) == 0)
        return memtest_fill(kib);
    if (argc == 2 && strcmp(argv[1], "check") == 0)
        return memtest_check();
    if (argc == 2 && strcmp(argv[1], "free") == 0) {
        memtest_free();
        shell_printf("memtest: freed\n");
        return 0;
    }
    return -EINVAL;
}

static struct shell_cmd cmds[] = {
    { "balloon", "[set KIB]", "memory given back to Xen; set a target", cmd_balloon, { 0, 0 } },
    { "memtest", "fill KIB|check|free", "hold pages with patterns and check them", cmd_memtest,
      { 0, 0 } },
};

void shell_cmds_balloon_init(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        shell_register(&cmds[i]);
}
