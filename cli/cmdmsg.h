/* cmdmsg.h (cli/): how the commands (cmd/ and helpers/) speak: one line per
 * problem on stderr, "prog: what failed: why", with control characters in
 * the arguments it names escaped so a hostile value cannot break the line;
 * and the checks every command makes of its own process at start. */
#ifndef UNC_CMDMSG_H
#define UNC_CMDMSG_H

#include <stdarg.h>

#include "error.h"

/* The program name every line starts with, and the exit status its
 * failures use (cmd_fail and cmd_fail_err return it). */
void cmd_msg_init(const char *prog, int fail_status);

/* The status a wrong command line exits with (the failure status unless
 * set: subidctl's is 2). */
void cmd_msg_usage_status(int status);

/* "Try 'prog --help' for more information." on stderr; returns the usage
 * status. After getopt_long, which has said what was wrong. */
int cmd_try_help(void);

/* Say what is wrong with the command line (as cmd_say), then the "Try"
 * line; returns the usage status. */
int cmd_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Say it (as cmd_say / cmd_say_err) and return the failure status. */
int cmd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cmd_fail_err(const struct unc_error *err);

/* "prog: <formatted text>" on stderr, escaped. */
void cmd_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_vsay(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* err's message, then its hint (when there is one), each a line. */
void cmd_say_err(const struct unc_error *err);

/* Flush stdout; on failure (closed, broken pipe, disk full) say so and
 * return -1, so output is never lost unnoticed. */
int cmd_finish_stdout(void);

/* At start: keep descriptors 0-2 occupied (see unc_guard_std_fds), report
 * a broken pipe instead of dying of SIGPIPE, and refuse to run setuid or
 * setgid: then say why and _exit(status) at once. */
void cmd_start(int status);

#endif
