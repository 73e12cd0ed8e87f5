/* fuzz_mountspec: the values of the filesystem options (lib/launch/
 * mounts.c, unc_mount_parse).
 *
 * Input: one byte choosing the option, then the value as text.
 *
 * Checked against a model written here from mounts.h's contract: a value
 * is split on ':' where '\:' is a colon and '\\' a backslash; an option
 * of one path takes it literally and needs it absolute; otherwise every
 * field is non-empty, the count is the option's (at least 4 for
 * --overlay), the last field (the destination) is absolute, a mode is
 * octal up to 07777 and a descriptor decimal up to INT_MAX; a refused
 * value leaves no storage. ASan checks the in-place split. */
#include <limits.h>

#include "fuzz_common.h"
#include "mounts.h"

static const struct {
	const char *name;
	int nfields; /* 1: literal path; 0: overlay */
} options[] = {
    {"--bind", 2}, {"--ro-bind-try", 2},  {"--dev-bind", 2}, {"--tmpfs", 1},
    {"--dir", 1},  {"--remount-ro", 1},	  {"--symlink", 2},  {"--chmod", 2},
    {"--file", 2}, {"--ro-bind-data", 2}, {"--overlay", 0},  {"--tmp-overlay", 2},
};

#define MAXF 64

/* The model's split: fields into one buffer, NUL after each. */
static size_t model_split(const char *s, char *buf, const char **field)
{
	size_t n = 0;
	char *w = buf;

	field[n++] = w;
	for (; *s; s++) {
		if (s[0] == '\\' && (s[1] == ':' || s[1] == '\\')) {
			*w++ = *++s;
		} else if (*s == ':') {
			*w++ = '\0';
			if (n == MAXF + 1)
				return n;
			field[n++] = w;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	return n;
}

static int all_digits(const char *s, const char *set)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr(set, *s))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *field[MAXF + 2], *name;
	struct unc_error err;
	struct mount_op op;
	char *storage = (char *)"x", *arg, *buf;
	size_t n, i;
	int r, nf, ok;

	if (size < 1 || size > 4096)
		return 0;
	name = options[data[0] % (sizeof options / sizeof options[0])].name;
	nf = options[data[0] % (sizeof options / sizeof options[0])].nfields;
	arg = malloc(size);
	buf = malloc(size + 1);
	if (!arg || !buf)
		abort();
	memcpy(arg, data + 1, size - 1);
	arg[size - 1] = '\0';
	r = unc_mount_parse(name, arg, &op, &storage, &err);
	if (r < 0)
		FUZZ_CHECK(storage == NULL);
	else
		FUZZ_CHECK(op.dst[0] == '/' && strcmp(op.option, name) == 0);
	if (nf == 1) {
		FUZZ_CHECK((r == 0) == (arg[0] == '/'));
		FUZZ_CHECK(r < 0 || op.dst == arg);
		goto out;
	}
	n = model_split(arg, buf, field);
	ok = arg[0] && n <= MAXF && (nf ? n == (size_t)nf : n >= 4);
	for (i = 0; ok && i < n; i++)
		ok = field[i][0] != '\0';
	ok = ok && field[n - 1][0] == '/';
	if (ok && strcmp(name, "--chmod") == 0)
		ok = all_digits(field[0], "01234567") && strtoull(field[0], NULL, 8) <= 07777;
	if (ok && (strcmp(name, "--file") == 0 || strcmp(name, "--ro-bind-data") == 0))
		ok = all_digits(field[0], "0123456789") &&
		     strtoull(field[0], NULL, 10) <= (unsigned long long)INT_MAX;
	FUZZ_CHECK((r == 0) == ok);
	if (r < 0)
		goto out;
	FUZZ_CHECK(strcmp(op.dst, field[n - 1]) == 0);
	if (op.kind == UNC_MOUNT_OVERLAY) {
		const char *p = op.src;
		FUZZ_CHECK(op.nlower == n - 3);
		for (i = 0; i < op.nlower; i++, p += strlen(p) + 1)
			FUZZ_CHECK(strcmp(p, field[i]) == 0);
		FUZZ_CHECK(strcmp(op.upper, field[n - 3]) == 0);
		FUZZ_CHECK(strcmp(op.work, field[n - 2]) == 0);
	} else if (op.src) {
		FUZZ_CHECK(strcmp(op.src, field[0]) == 0);
	}
out:
	if (r == 0)
		free(storage);
	free(arg);
	free(buf);
	return 0;
}
