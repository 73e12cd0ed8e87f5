#include "cmdmsg.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "procsafety.h"

static const char *prog_name = "uncmap";
static int fail_status = 1;
static int usage_status = -1; /* -1: fail_status */

void cmd_msg_init(const char *prog, int status)
{
	prog_name = prog;
	fail_status = status;
}

void cmd_msg_usage_status(int status)
{
	usage_status = status;
}

int cmd_try_help(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", prog_name);
	return usage_status >= 0 ? usage_status : fail_status;
}

int cmd_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmd_vsay(fmt, ap);
	va_end(ap);
	return cmd_try_help();
}

static void say_text(const char *text)
{
	char escaped[UNC_ERROR_MSG_MAX * 4];

	unc_escape_text(text, escaped, sizeof escaped);
	fprintf(stderr, "%s: %s\n", prog_name, escaped);
}

void cmd_vsay(const char *fmt, va_list ap)
{
	char text[UNC_ERROR_MSG_MAX * 2];

	vsnprintf(text, sizeof text, fmt, ap);
	say_text(text);
}

void cmd_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmd_vsay(fmt, ap);
	va_end(ap);
}

void cmd_say_err(const struct unc_error *err)
{
	say_text(err->msg);
	if (err->hint[0])
		say_text(err->hint);
}

int cmd_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmd_vsay(fmt, ap);
	va_end(ap);
	return fail_status;
}

int cmd_fail_err(const struct unc_error *err)
{
	cmd_say_err(err);
	return fail_status;
}

int cmd_finish_stdout(void)
{
	struct unc_error err;

	if (unc_flush_stdout(&err) < 0) {
		cmd_say_err(&err);
		return -1;
	}
	return 0;
}

void cmd_start(int status)
{
	struct unc_error err;

	unc_guard_std_fds();
	signal(SIGPIPE, SIG_IGN);
	unc_error_clear(&err);
	if (unc_refuse_setid(&err) < 0) {
		/* leave at once: not even atexit handlers run with the
		 * borrowed privilege */
		cmd_say_err(&err);
		_exit(status);
	}
}
