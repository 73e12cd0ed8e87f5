/* environ.h: the command's environment: the variables a login gives the
 * user the command runs as (under --root, unless --keep-env), then
 * --setenv, --unsetenv and --clearenv in command-line order, and for a
 * login shell its home directory as the working directory.
 *
 * Runs in the command's process after the user switch, so that it reads
 * the namespace's own /etc/passwd and sets what that user's login
 * would. */
#ifndef UNC_ENVIRON_H
#define UNC_ENVIRON_H

#include <stddef.h>

#include "error.h"
#include "userswitch.h"

enum env_op_kind {
	UNC_ENV_SET = 0, /* --setenv NAME VALUE */
	UNC_ENV_UNSET,	 /* --unsetenv NAME */
	UNC_ENV_CLEAR,	 /* --clearenv */
};

struct env_op {
	enum env_op_kind kind;
	const char *name;
	const char *value;
};

struct env_spec {
	/* su -l's environment: nothing kept but TERM; PATH the standard
	 * one for root or for others (then extra_path appended, when set);
	 * HOME, SHELL, USER and LOGNAME from the user's passwd entry */
	int login_env;
	const char *extra_path;
	const struct user_request *user; /* --user, or NULL for root */
	const struct env_op *ops;
	size_t nops;
	int enter_home; /* a login shell: start in HOME (or / without it) */
	/* when no program was given: a two-slot argv to become the user's
	 * shell from passwd and "-l"; else NULL */
	char **shell_argv;
};

/* Check a --setenv/--unsetenv name: not empty, no '='. Pure. */
int unc_env_check_name(const char *name, const char *option, struct unc_error *err);

/* In the command's process: apply spec to the environment (and the
 * working directory, and shell_argv). */
int unc_env_apply(const struct env_spec *spec, struct unc_error *err);

#endif
