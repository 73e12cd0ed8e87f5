#include "environ.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

int unc_env_check_name(const char *name, const char *option, struct unc_error *err)
{
	if (!name[0] || strchr(name, '='))
		return unc_error_set(err, EINVAL, "%s: '%s' is not a variable name", option, name);
	return 0;
}

static int append_path(const char *extra, struct unc_error *err)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *joined = NULL;

	if (asprintf(&joined, "%s%s%s", path ? path : "", path && *path ? ":" : "", extra) < 0)
		return unc_error_sys(err, ENOMEM, "cannot set PATH");
	if (setenv("PATH", joined, 1) < 0)
		return unc_error_sys(err, errno, "cannot set PATH");
	return 0;
}

static int apply_ops(const struct env_spec *spec, struct unc_error *err)
{
	size_t i;

	for (i = 0; i < spec->nops; i++) {
		const struct env_op *op = &spec->ops[i];
		int r = 0;
		switch (op->kind) {
		case UNC_ENV_SET:
			r = setenv(op->name, op->value, 1);
			break;
		case UNC_ENV_UNSET:
			r = unsetenv(op->name);
			break;
		case UNC_ENV_CLEAR:
			r = clearenv();
			break;
		}
		if (r != 0)
			return unc_error_sys(err, errno ? errno : ENOMEM,
					     "cannot set the environment");
	}
	return 0;
}

int unc_env_apply(const struct env_spec *spec, struct unc_error *err)
{
	static const struct user_request root = {.user = "0"};
	struct user_target t;
	int r = 0;

	if (!spec->login_env && !spec->enter_home && !spec->shell_argv)
		return apply_ops(spec, err);
	/* the user's own entry, as its login would read it */
	r = unc_user_lookup(spec->user ? spec->user : &root, &t, err);
	if (r < 0)
		return r;
	if (spec->login_env) {
		r = unc_user_setenv(&t, 1, err);
		if (r == 0 && spec->extra_path)
			r = append_path(spec->extra_path, err);
	}
	if (r == 0)
		r = apply_ops(spec, err);
	if (r == 0 && spec->enter_home && chdir(t.home) < 0 && chdir("/") < 0)
		r = unc_error_sys(err, errno, "cannot enter %s or /", t.home);
	if (r == 0 && spec->shell_argv) {
		spec->shell_argv[0] = t.shell; /* the command's process only */
		t.shell = NULL;
		spec->shell_argv[1] = (char *)"-l";
	}
	unc_user_target_free(&t);
	return r;
}
