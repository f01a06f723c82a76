/* Shell commands for the Xen interfaces: event channels, grants, XenStore. */
#include "kern/kernel.h"
#include "shell/shell.h"
#include "xen/evtchn.h"
#include "xen/gnttab.h"
#include "xen/xenstore.h"
#include "xen/xs_wire_codec.h"

static int cmd_evtchn(int argc, char **argv)
{
    shell_printf("  port kind         detail  events  name\n");
    for (evtchn_port_t p = 0; p < EVTCHN_MAX_PORTS; p++) {
        const struct evtchn_binding *b = evtchn_binding(p);
        if (b)
            shell_printf("  %4u %-12s %6u %7llu  %s\n", p, evtchn_kind_name(b->kind), b->detail,
                         (unsigned long long)b->count, b->name ? b->name : "");
    }
    shell_printf("  %u ports bound\n", evtchn_bound_count());
    return 0;
}

static int cmd_gnttab(int argc, char **argv)
{
    struct gnttab_stats st;
    gnttab_get_stats(&st);
    shell_printf("grant table v1: %u of max %u frames, %u refs, %u in use, %u free\n", st.frames,
                 st.max_frames, st.refs, st.in_use, st.free);
    return 0;
}

static int cmd_xs(int argc, char **argv)
{
    if (argc < 3)
        return -EINVAL;
    const char *op = argv[1], *path = argv[2];
    int rc;
    if (strcmp(op, "read") == 0) {
        char *v = xs_read_alloc(XS_TX_NONE, path, &rc);
        if (!v)
            return rc;
        shell_printf("%s\n", v);
        kfree(v);
        return 0;
    }
    if (strcmp(op, "write") == 0) {
        if (argc < 4)
            return -EINVAL;
        return xs_write(XS_TX_NONE, path, argv[3]);
    }
    if (strcmp(op, "rm") == 0)
        return xs_rm(XS_TX_NONE, path);
    if (strcmp(op, "ls") == 0) {
        size_t len = 0, off = 0;
        char *list = xs_directory(XS_TX_NONE, path, &len, &rc);
        if (!list)
            return rc;
        const char *name;
        while (xs_dir_next(list, len, &off, &name) == 1)
            shell_printf("%s\n", name);
        kfree(list);
        return 0;
    }
    return -EINVAL;
}

static struct shell_cmd cmds[] = {
    { "evtchn", "", "bound event channels and their counts", cmd_evtchn, { 0, 0 } },
    { "gnttab", "", "grant table use", cmd_gnttab, { 0, 0 } },
    { "xs", "ls|read|write|rm PATH [VALUE]", "XenStore access", cmd_xs, { 0, 0 } },
};

void shell_cmds_xen_init(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        shell_register(&cmds[i]);
}
