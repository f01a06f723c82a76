#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H
/* The console shell: reads lines from the PV console, runs commands.
 * Subsystems add their commands with shell_register. */
#include "kern/list.h"

/* A command that printed its own error message returns this. */
#define SHELL_ERR_REPORTED 1

struct shell_cmd {
    const char *name;
    const char *usage; /* arguments, for help */
    const char *help;  /* one line */
    int (*fn)(int argc, char **argv);
    struct list link;
};

void shell_register(struct shell_cmd *c);
/* Starts the shell thread. */
int shell_start(void);
/* Output to the console only (not the kernel log). */
void shell_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs one command line (also used by tests and the command line). */
int shell_run_line(char *line);
void shell_cmds_sys_init(void);
void shell_cmds_xen_init(void);
void shell_cmds_test_init(void);
void shell_cmds_balloon_init(void);
void shell_cmds_evtchn_init(void);
void shell_cmds_grant_init(void);
void shell_cmds_blk_init(void);
void shell_cmds_net_init(void);
#endif
