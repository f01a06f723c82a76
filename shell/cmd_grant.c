/* Shell commands for grants in both directions: grant fresh pages to a
 * peer, map a peer's grants, verify and write the pages, copy with
 * GNTTABOP_copy, end a grant. The pattern written says who wrote it:
 * word i of the page for ref R written by domain W is W<<48 | R<<16 | i.
 * The tables here belong to the shell thread alone. */
#include "kern/kernel.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "shell/shell.h"
#include "xen/gnttab.h"
#include "xen/gnttab_map.h"
#include "xen/hypervisor.h"
#include "xen/xs_wire_codec.h"

#define GRANTED_MAX 64
#define MAPPED_MAX 64
#define WORDS (PAGE_SIZE / sizeof(uint64_t))
/* copy-from and copy-to move a page as a batch of this many ops. */
#define COPY_OPS 4

struct granted {
    void *page; /* NULL: slot free */
    grant_ref_t ref;
    domid_t dom;
};

struct mapped {
    struct gnttab_map_op op; /* op.addr NULL: slot free */
};

static struct granted granted[GRANTED_MAX];
static struct mapped mapped[MAPPED_MAX];

static uint64_t pattern_word(domid_t writer, grant_ref_t ref, unsigned i)
{
    return (uint64_t)writer << 48 | (uint64_t)(ref & 0xffffffffu) << 16 | i;
}

static void pattern_fill(uint64_t *page, domid_t writer, grant_ref_t ref)
{
    for (unsigned i = 0; i < WORDS; i++)
        page[i] = pattern_word(writer, ref, i);
}

/* 0, or prints the first word that differs. */
static int pattern_check(const volatile uint64_t *page, domid_t writer, grant_ref_t ref,
                         const char *what)
{
    for (unsigned i = 0; i < WORDS; i++) {
        uint64_t got = page[i], want = pattern_word(writer, ref, i);
        if (got != want) {
            shell_printf("gnttab: %s: word %u is %llx, not domain %u's %llx\n", what, i,
                         (unsigned long long)got, writer, (unsigned long long)want);
            return SHELL_ERR_REPORTED;
        }
    }
    shell_printf("gnttab: %s holds domain %u's pattern\n", what, writer);
    return 0;
}

static int num(const char *s, uint64_t max, uint64_t *out, const char *what)
{
    if (xs_parse_uint(s, max, out) == 0)
        return 0;
    shell_printf("gnttab: '%s' is not a %s\n", s, what);
    return SHELL_ERR_REPORTED;
}

static int domid_arg(const char *s, domid_t *d)
{
    uint64_t v;
    if (num(s, DOMID_FIRST_RESERVED - 1, &v, "domain id"))
        return SHELL_ERR_REPORTED;
    *d = (domid_t)v;
    return 0;
}

static int ref_arg(const char *s, grant_ref_t *r)
{
    uint64_t v;
    if (num(s, UINT32_MAX, &v, "grant reference"))
        return SHELL_ERR_REPORTED;
    *r = (grant_ref_t)v;
    return 0;
}

static struct granted *granted_find(grant_ref_t ref)
{
    for (unsigned i = 0; i < GRANTED_MAX; i++)
        if (granted[i].page && granted[i].ref == ref)
            return &granted[i];
    shell_printf("gnttab: ref %u is not one the shell granted\n", ref);
    return 0;
}

static struct mapped *mapped_find(domid_t dom, grant_ref_t ref)
{
    for (unsigned i = 0; i < MAPPED_MAX; i++)
        if (mapped[i].op.addr && mapped[i].op.dom == dom && mapped[i].op.ref == ref)
            return &mapped[i];
    shell_printf("gnttab: domain %u ref %u is not mapped\n", dom, ref);
    return 0;
}

static int cmd_stats(void)
{
    struct gnttab_stats st;
    gnttab_get_stats(&st);
    shell_printf("grant table v1: %u of max %u frames, %u refs, %u in use, %u free\n", st.frames,
                 st.max_frames, st.refs, st.in_use, st.free);
    struct gnttab_map_stats ms;
    gnttab_map_get_stats(&ms);
    shell_printf("foreign grants: %u mapped now, %llu maps, %llu unmaps, %llu failed maps, "
                 "%llu failed unmaps, %u frames parked, %u stale (mapped before a restore)\n",
                 ms.mapped, (unsigned long long)ms.maps, (unsigned long long)ms.unmaps,
                 (unsigned long long)ms.map_failures, (unsigned long long)ms.unmap_failures,
                 ms.parked, ms.stale);
    shell_printf("map window: frames %llx+%u, %u free\n", (unsigned long long)ms.window_base,
                 ms.window_frames, ms.window_free);
    shell_printf("grant copies: %llu ops, %llu bytes, %llu failed\n",
                 (unsigned long long)ms.copies, (unsigned long long)ms.copy_bytes,
                 (unsigned long long)ms.copy_failures);
    for (unsigned i = 0; i < GRANTED_MAX; i++)
        if (granted[i].page)
            shell_printf("  granted ref %u (frame %llx) to domain %u\n", granted[i].ref,
                         (unsigned long long)(uintptr_t)granted[i].page >> PAGE_SHIFT,
                         granted[i].dom);
    for (unsigned i = 0; i < MAPPED_MAX; i++)
        if (mapped[i].op.addr)
            shell_printf("  mapped domain %u ref %u at %llx%s, handle %u\n", mapped[i].op.dom,
                         mapped[i].op.ref, (unsigned long long)(uintptr_t)mapped[i].op.addr,
                         mapped[i].op.readonly ? " read-only" : "", mapped[i].op.handle);
    return 0;
}

/* gnttab grant DOMID N: N fresh pages with our pattern, granted to DOMID. */
static int cmd_grant(domid_t dom, unsigned n)
{
    shell_printf("gnttab: granted domain %u refs", dom);
    unsigned done = 0;
    int rc = 0;
    for (unsigned i = 0; i < GRANTED_MAX && done < n; i++) {
        if (granted[i].page)
            continue;
        void *page = pages_alloc(1);
        if (!page) {
            rc = -ENOMEM;
            break;
        }
        /* The pattern names the ref, known once granted; the peer
         * learns the ref only after the page is filled. */
        int64_t ref = gnttab_grant_access(dom, (uint64_t)(uintptr_t)page >> PAGE_SHIFT, false);
        if (ref < 0) {
            pages_free(page, 1);
            rc = (int)ref;
            break;
        }
        pattern_fill(page, xen_info.domid, (grant_ref_t)ref);
        granted[i] = (struct granted){ page, (grant_ref_t)ref, dom };
        shell_printf(" %lld", (long long)ref);
        done++;
    }
    shell_printf("\n");
    if (done < n) {
        shell_printf("gnttab: granted %u of %u: %s\n", done, n,
                     rc ? errno_name(rc) : "the shell's table is full");
        return SHELL_ERR_REPORTED;
    }
    return 0;
}

static int cmd_end(grant_ref_t ref)
{
    struct granted *g = granted_find(ref);
    if (!g)
        return SHELL_ERR_REPORTED;
    int rc = gnttab_end_access(ref);
    if (rc == -EBUSY) {
        shell_printf("gnttab: ref %u is still mapped by domain %u: EBUSY\n", ref, g->dom);
        return SHELL_ERR_REPORTED;
    }
    if (rc) {
        shell_printf("gnttab: ending ref %u failed: %s\n", ref, errno_name(rc));
        return SHELL_ERR_REPORTED;
    }
    pages_free(g->page, 1);
    g->page = 0;
    shell_printf("gnttab: ref %u ended, its page freed\n", ref);
    return 0;
}

/* gnttab map DOMID REF... [ro]: one batch for all refs. */
static int cmd_map(int argc, char **argv)
{
    domid_t dom;
    if (domid_arg(argv[2], &dom))
        return SHELL_ERR_REPORTED;
    bool ro = strcmp(argv[argc - 1], "ro") == 0;
    unsigned n = (unsigned)argc - 3 - (ro ? 1 : 0);
    struct gnttab_map_op ops[16];
    if (n == 0 || n > ARRAY_SIZE(ops))
        return -EINVAL;
    for (unsigned i = 0; i < n; i++) {
        ops[i] = (struct gnttab_map_op){ .dom = dom, .readonly = ro };
        if (ref_arg(argv[3 + i], &ops[i].ref))
            return SHELL_ERR_REPORTED;
    }
    gnttab_map_batch(ops, n);
    int rc = 0;
    for (unsigned i = 0; i < n; i++) {
        if (ops[i].err) {
            shell_printf("gnttab: domain %u ref %u not mapped: %s\n", dom, ops[i].ref,
                         errno_name(ops[i].err));
            rc = SHELL_ERR_REPORTED;
            continue;
        }
        struct mapped *slot = 0;
        for (unsigned j = 0; j < MAPPED_MAX && !slot; j++)
            if (!mapped[j].op.addr)
                slot = &mapped[j];
        if (!slot) {
            shell_printf("gnttab: the shell's table is full: domain %u ref %u unmapped again\n",
                         dom, ops[i].ref);
            gnttab_unmap_batch(&ops[i], 1);
            rc = SHELL_ERR_REPORTED;
            continue;
        }
        slot->op = ops[i];
        shell_printf("gnttab: mapped domain %u ref %u at %llx%s, handle %u\n", dom, ops[i].ref,
                     (unsigned long long)(uintptr_t)ops[i].addr, ro ? " read-only" : "",
                     ops[i].handle);
    }
    return rc;
}

/* gnttab unmap DOMID REF...: one batch. */
static int cmd_unmap(int argc, char **argv)
{
    domid_t dom;
    if (domid_arg(argv[2], &dom))
        return SHELL_ERR_REPORTED;
    struct gnttab_map_op ops[16];
    struct mapped *slots[16];
    unsigned n = (unsigned)argc - 3;
    if (n == 0 || n > ARRAY_SIZE(ops))
        return -EINVAL;
    for (unsigned i = 0; i < n; i++) {
        grant_ref_t ref;
        if (ref_arg(argv[3 + i], &ref) || !(slots[i] = mapped_find(dom, ref)))
            return SHELL_ERR_REPORTED;
        ops[i] = slots[i]->op;
    }
    int rc = gnttab_unmap_batch(ops, n);
    for (unsigned i = 0; i < n; i++) {
        slots[i]->op.addr = 0; /* unmapped or parked: either way not ours to use */
        shell_printf("gnttab: domain %u ref %u %s%s\n", dom, ops[i].ref,
                     ops[i].err ? "unmap failed, frame parked: " : "unmapped",
                     ops[i].err ? errno_name(ops[i].err) : "");
    }
    return rc ? SHELL_ERR_REPORTED : 0;
}

/* gnttab copy-from DOMID REF WRITER | copy-to DOMID REF: a page in
 * COPY_OPS ops of one batch, through a page of our own. */
static int cmd_copy(domid_t dom, grant_ref_t ref, bool to_foreign, domid_t writer)
{
    uint64_t *page = pages_alloc(1);
    if (!page)
        return -ENOMEM;
    if (to_foreign)
        pattern_fill(page, xen_info.domid, ref);
    struct gnttab_copy_seg segs[COPY_OPS];
    const unsigned part = PAGE_SIZE / COPY_OPS;
    for (unsigned i = 0; i < COPY_OPS; i++)
        segs[i] = (struct gnttab_copy_seg){ .local = (char *)page + i * part, .dom = dom,
                                            .ref = ref, .offset = (uint16_t)(i * part),
                                            .len = (uint16_t)part, .to_foreign = to_foreign };
    int rc = gnttab_copy_batch(segs, COPY_OPS);
    if (rc) {
        shell_printf("gnttab: copy %s domain %u ref %u failed: %s\n", to_foreign ? "to" : "from",
                     dom, ref, errno_name(rc));
        rc = SHELL_ERR_REPORTED;
    } else if (to_foreign) {
        shell_printf("gnttab: copied %lu bytes in %u ops to domain %u ref %u\n", PAGE_SIZE,
                     COPY_OPS, dom, ref);
    } else {
        shell_printf("gnttab: copied %lu bytes in %u ops from domain %u ref %u\n", PAGE_SIZE,
                     COPY_OPS, dom, ref);
        rc = pattern_check(page, writer, ref, "the copy");
    }
    pages_free(page, 1);
    return rc;
}

static int cmd_gnttab(int argc, char **argv)
{
    if (argc == 1)
        return cmd_stats();
    const char *op = argv[1];
    domid_t dom, writer;
    grant_ref_t ref;
    uint64_t n;
    if (strcmp(op, "grant") == 0 && argc == 4) {
        if (domid_arg(argv[2], &dom) || num(argv[3], GRANTED_MAX, &n, "page count"))
            return SHELL_ERR_REPORTED;
        return cmd_grant(dom, (unsigned)n);
    }
    if (strcmp(op, "check") == 0 && argc == 4) {
        if (ref_arg(argv[2], &ref) || domid_arg(argv[3], &writer))
            return SHELL_ERR_REPORTED;
        struct granted *g = granted_find(ref);
        if (!g)
            return SHELL_ERR_REPORTED;
        char what[32];
        k_snprintf(what, sizeof(what), "ref %u", ref);
        return pattern_check(g->page, writer, ref, what);
    }
    if (strcmp(op, "end") == 0 && argc == 3) {
        if (ref_arg(argv[2], &ref))
            return SHELL_ERR_REPORTED;
        return cmd_end(ref);
    }
    if (strcmp(op, "map") == 0 && argc >= 4)
        return cmd_map(argc, argv);
    if (strcmp(op, "unmap") == 0 && argc >= 4)
        return cmd_unmap(argc, argv);
    if ((strcmp(op, "verify") == 0 && argc == 5) || (strcmp(op, "write") == 0 && argc == 4)) {
        if (domid_arg(argv[2], &dom) || ref_arg(argv[3], &ref) ||
            (argc == 5 && domid_arg(argv[4], &writer)))
            return SHELL_ERR_REPORTED;
        struct mapped *m = mapped_find(dom, ref);
        if (!m)
            return SHELL_ERR_REPORTED;
        char what[48];
        k_snprintf(what, sizeof(what), "domain %u ref %u", dom, ref);
        if (argc == 5)
            return pattern_check(m->op.addr, writer, ref, what);
        /* A write to a read-only grant mapping is a fault Xen injects. */
        if (m->op.readonly) {
            shell_printf("gnttab: %s is mapped read-only\n", what);
            return SHELL_ERR_REPORTED;
        }
        pattern_fill(m->op.addr, xen_info.domid, ref);
        shell_printf("gnttab: wrote domain %u's pattern into %s\n", xen_info.domid, what);
        return 0;
    }
    if ((strcmp(op, "copy-from") == 0 && argc == 5) || (strcmp(op, "copy-to") == 0 && argc == 4)) {
        if (domid_arg(argv[2], &dom) || ref_arg(argv[3], &ref) ||
            (argc == 5 && domid_arg(argv[4], &writer)))
            return SHELL_ERR_REPORTED;
        return cmd_copy(dom, ref, argc == 4, argc == 5 ? writer : 0);
    }
    return -EINVAL;
}

static struct shell_cmd cmds[] = {
    { "gnttab",
      "[grant DOMID N | check REF WRITER | end REF | map DOMID REF... [ro] | unmap DOMID "
      "REF... | verify DOMID REF WRITER | write DOMID REF | copy-from DOMID REF WRITER | "
      "copy-to DOMID REF]",
      "grants: use, grant pages, map, copy and end them", cmd_gnttab, { 0, 0 } },
};

void shell_cmds_grant_init(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        shell_register(&cmds[i]);
}
