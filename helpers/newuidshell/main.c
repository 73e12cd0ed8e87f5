/* newuidshell: from root inside a user namespace, become another user of
 * that namespace, like su(1) but with no PAM, password or setuid bit.
 * Option parsing, messages and exit codes only; the switch is in
 * lib/launch/userswitch.c, shared with `uncmap --user`. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdmsg.h"
#include "error.h"
#include "userswitch.h"

#define PROG		 "newuidshell"
#define EXIT_NEWUIDSHELL 125

struct options {
	int login;
	const char *user;
	const char *group;   /* -g */
	const char *groups;  /* -G */
	const char *command; /* -c */
	char **argv;	     /* the command after USER, or empty */
};

static void usage(void)
{
	fputs("\nUsage:\n"
	      " " PROG " [options] <user> [-c <command> | [--] <program> [<argument>...]]\n"
	      "\n"
	      "Become another user of this user namespace: from root inside uncmap (or any\n"
	      "user namespace), switch to <user>, a name from the namespace's /etc/passwd or\n"
	      "a number, with its groups from /etc/group, and start its shell or a command.\n"
	      "No PAM, no password, no setuid bit: it needs CAP_SETUID and CAP_SETGID in\n"
	      "the namespace. A non-root user is left with no capabilities.\n"
	      "\n"
	      "Options:\n"
	      " -l, --login                  start a login shell with a clean environment\n"
	      "                                (TERM kept, PATH reset), like su -l\n"
	      " -                            the same as --login, given before <user>\n"
	      " -g, --group <group>          the primary group instead of passwd's\n"
	      " -G, --supp-group <group,...> the supplementary groups instead of\n"
	      "                                /etc/group's (the primary group is kept)\n"
	      " -c, --command <command>      run <command> with the user's shell -c\n"
	      "\n"
	      " -h, --help                   display this help\n"
	      " -V, --version                display version\n"
	      "\n"
	      "Exit status:\n"
	      " the program's own status, 125 if newuidshell itself failed, 126 if the\n"
	      " program could not be executed, 127 if it was not found.\n"
	      "\n"
	      "Examples:\n"
	      " uncmap -- " PROG " 1000 -c id\n"
	      " uncmap --root rfs -- " PROG " -l bob\n"
	      " " PROG " -g users bob -- make install\n"
	      "\n"
	      "For more details see newuidshell(1).\n",
	      stdout);
}

/* Options may come before and after USER (`newuidshell bob -c id`); what
 * follows USER and is not an option, or follows "--", is the command. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"login", no_argument, NULL, 'l'},
	    {"group", required_argument, NULL, 'g'},
	    {"supp-group", required_argument, NULL, 'G'},
	    {"command", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int c, dashdash = 0;

	for (;;) {
		int before = optind;
		const char *last_arg = NULL;

		while ((c = getopt_long(argc, argv, "+lg:G:c:hV", longopts, NULL)) != -1) {
			last_arg = optarg;
			switch (c) {
			case 'l':
				o->login = 1;
				break;
			case 'g':
				o->group = optarg;
				break;
			case 'G':
				o->groups = optarg;
				break;
			case 'c':
				o->command = optarg;
				break;
			case 'h':
				usage();
				exit(cmd_finish_stdout() < 0 ? EXIT_NEWUIDSHELL : 0);
			case 'V':
				printf(PROG " " UNC_VERSION "\n");
				exit(cmd_finish_stdout() < 0 ? EXIT_NEWUIDSHELL : 0);
			default:
				return cmd_try_help();
			}
		}
		if (optind > before && argv[optind - 1] != last_arg &&
		    strcmp(argv[optind - 1], "--") == 0)
			dashdash = 1;
		if (o->user || optind >= argc)
			break;
		if (!dashdash && strcmp(argv[optind], "-") == 0) {
			o->login = 1;
			optind++;
			continue;
		}
		o->user = argv[optind++];
		if (dashdash)
			break;
	}
	if (!o->user) {
		return cmd_usage_error("no user given");
	}
	if (o->user[0] == '\0')
		return cmd_fail("the user name is empty");
	o->argv = argv + optind;
	if (o->command && o->argv[0])
		return cmd_fail("give either -c <command> or a program after the user, not both");
	return 0;
}

/* Change to HOME when it exists. A login shell that cannot starts in /,
 * as su -l does; otherwise the directory stays as it was. */
static void enter_home(const char *home, int login)
{
	struct stat st;

	if (stat(home, &st) == 0 && S_ISDIR(st.st_mode) && chdir(home) == 0)
		return;
	if (!login)
		return;
	fprintf(stderr, PROG ": warning: cannot change to %s: %s; starting in /\n", home,
		strerror(errno));
	if (chdir("/") < 0)
		fprintf(stderr, PROG ": warning: cannot change to /: %s\n", strerror(errno));
}

/* Run the command, or the shell (login-style "-sh" as argv[0] with -l,
 * with "-c COMMAND" when asked). Returns only on failure. */
static int run(const struct options *o, const struct user_target *t)
{
	const char *base = strrchr(t->shell, '/');
	char arg0[256];
	char *shell_argv[4];
	const char *what;
	int e;

	/* cmd_start() ignored SIGPIPE for our own messages: not for them */
	signal(SIGPIPE, SIG_DFL);
	if (o->argv[0]) {
		what = o->argv[0];
		execvp(o->argv[0], o->argv);
	} else {
		base = base ? base + 1 : t->shell;
		snprintf(arg0, sizeof arg0, "%s%s", o->login ? "-" : "", base);
		shell_argv[0] = arg0;
		shell_argv[1] = o->command ? (char *)"-c" : NULL;
		shell_argv[2] = (char *)o->command;
		shell_argv[3] = NULL;
		what = t->shell;
		execv(t->shell, shell_argv);
	}
	e = errno;
	cmd_fail("cannot run '%s': %s", what, strerror(e));
	return e == ENOENT ? 127 : 126;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct user_request req;
	struct user_target t;
	struct switch_result res;
	struct unc_error err;
	int r;

	cmd_msg_init(PROG, EXIT_NEWUIDSHELL);
	cmd_start(EXIT_NEWUIDSHELL);
	r = parse_options(argc, argv, &o);
	if (r)
		return r;
	unc_error_clear(&err);
	/* Say first what matters most: without the capabilities nothing
	 * else could work. */
	if (unc_user_can_switch(&err) < 0)
		return cmd_fail_err(&err);
	req.user = o.user;
	req.group = o.group;
	req.groups = o.groups;
	if (unc_user_lookup(&req, &t, &err) < 0)
		return cmd_fail_err(&err);
	if (unc_user_switch(&t, NULL, &res, &err) < 0 || unc_user_setenv(&t, o.login, &err) < 0) {
		unc_user_target_free(&t);
		return cmd_fail_err(&err);
	}
	if (res.groups_denied)
		fprintf(stderr,
			PROG ": setgroups is denied in this user namespace: only the primary "
			     "group was set, supplementary groups are unchanged\n");
	enter_home(t.home, o.login);
	r = run(&o, &t);
	unc_user_target_free(&t);
	return r;
}
