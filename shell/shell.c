#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/log.h"
#include "kern/sched.h"
#include "shell/shell.h"
#include "shell/line_edit.h"
#include "shell/args.h"
#include "dev/console/console.h"
#include "xen/time.h"
#include <stdarg.h>

#define MAX_ARGS 16
#define PROMPT "domu> "

static struct list cmds = LIST_INIT(cmds);
static struct line_edit le;

void shell_register(struct shell_cmd *c)
{
    list_add_tail(&cmds, &c->link);
}

void shell_printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = k_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    console_write(buf, (size_t)n);
}

static int cmd_help(int argc, char **argv)
{
    struct list *pos;
    list_for_each(pos, &cmds) {
        struct shell_cmd *c = list_entry(pos, struct shell_cmd, link);
        char left[48];
        k_snprintf(left, sizeof(left), "%s %s", c->name, c->usage ? c->usage : "");
        shell_printf("  %-30s %s\n", left, c->help);
    }
    return 0;
}

static struct shell_cmd help_cmd = { "help", "", "list the commands", cmd_help, { 0, 0 } };

int shell_run_line(char *line)
{
    char *argv[MAX_ARGS];
    int argc = shell_split(line, argv, MAX_ARGS);
    if (argc == 0)
        return 0;
    struct list *pos;
    list_for_each(pos, &cmds) {
        struct shell_cmd *c = list_entry(pos, struct shell_cmd, link);
        if (strcmp(c->name, argv[0]) == 0) {
            int rc = c->fn(argc, argv);
            if (rc && rc != SHELL_ERR_REPORTED)
                shell_printf("%s: %s\n", argv[0], rc == -EINVAL ? "usage: see help"
                                                               : errno_name(rc));
            return rc;
        }
    }
    shell_printf("%s: unknown command (try help)\n", argv[0]);
    return -ENOENT;
}

/* A log line that arrives while the prompt waits for input goes on a line
 * of its own; the prompt and what was typed so far follow it again. */
static bool prompt_shown;

static void log_before(void)
{
    if (prompt_shown && log_sink)
        log_sink("\n", 1);
}

static void log_after(void)
{
    if (prompt_shown && log_sink) {
        log_sink(PROMPT, sizeof(PROMPT) - 1);
        log_sink(le.buf, le.len);
    }
}

static bool blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return !*s;
}

/* A typed line ends with a marker line carrying the line's number, its
 * status and its '#tag' comment if it had one: a script waits for exactly
 * its own line's end, which prompts cannot tell (the prompt is printed
 * again after every log line that arrives while it waits). An empty line
 * runs nothing and gets no marker. */
static void run_typed_line(char *line)
{
    static unsigned seq;
    const char *tag = shell_cut_comment(line);
    if (blank(line) && !tag)
        return;
    int rc = blank(line) ? 0 : shell_run_line(line);
    shell_printf("[shell] done %u rc=%d%s%s\n", ++seq, rc, tag ? " #" : "", tag ? tag : "");
}

static void shell_thread(void *arg)
{
    le_init(&le);
    log_line_before = log_before;
    log_line_after = log_after;
    shell_printf(PROMPT);
    prompt_shown = true;
    for (;;) {
        char in[64];
        /* Waiting for a person to type has no natural end; wake now and
         * then so the wait stays bounded like every other. */
        int n = console_read(in, sizeof(in), time_now_ns() + 60 * NS_PER_SEC);
        if (n <= 0)
            continue;
        for (int i = 0; i < n; i++) {
            struct le_echo echo = { .len = 0 };
            bool done = le_feed(&le, in[i], &echo);
            if (echo.len)
                console_write(echo.buf, echo.len);
            if (done) {
                char line[LE_LINE_MAX];
                memcpy(line, le.buf, sizeof(line));
                prompt_shown = false;
                run_typed_line(line);
                shell_printf(PROMPT);
                prompt_shown = true;
            }
        }
    }
}

int shell_start(void)
{
    shell_register(&help_cmd);
    shell_cmds_sys_init();
    shell_cmds_xen_init();
    shell_cmds_test_init();
    shell_cmds_balloon_init();
    shell_cmds_evtchn_init();
    shell_cmds_grant_init();
    shell_cmds_blk_init();
    shell_cmds_net_init();
    return thread_create("shell", shell_thread, 0) ? 0 : -ENOMEM;
}
