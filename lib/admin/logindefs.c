#include "logindefs.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "io.h"

#define LOGIN_DEFS_MAX (4u * 1024 * 1024)

void unc_login_defs_init(struct unc_login_defs *d)
{
	d->uid_min = 1000;
	d->uid_max = 60000;
	d->sub_uid_min = d->sub_gid_min = 100000;
	d->sub_uid_max = d->sub_gid_max = 600100000;
	d->sub_uid_count = d->sub_gid_count = 65536;
}

/* strtoul(base 0) on the whole value, as shadow's getulong(); a sign is
 * refused (strtoul would wrap "-1" to a huge number). */
static int parse_number(const char *s, size_t len, uint64_t *out)
{
	char buf[64];
	char *end;
	unsigned long long v;

	if (len == 0 || len >= sizeof buf || memchr(s, '-', len) || memchr(s, '+', len))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (isspace((unsigned char)buf[0]))
		return -1;
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (*end != '\0' || errno != 0 || v > UINT32_MAX)
		return -1;
	*out = v;
	return 0;
}

static uint64_t *setting(struct unc_login_defs *d, const char *name, size_t len)
{
	static const struct {
		const char *name;
		size_t off;
	} table[] = {
	    {"UID_MIN", offsetof(struct unc_login_defs, uid_min)},
	    {"UID_MAX", offsetof(struct unc_login_defs, uid_max)},
	    {"SUB_UID_MIN", offsetof(struct unc_login_defs, sub_uid_min)},
	    {"SUB_UID_MAX", offsetof(struct unc_login_defs, sub_uid_max)},
	    {"SUB_UID_COUNT", offsetof(struct unc_login_defs, sub_uid_count)},
	    {"SUB_GID_MIN", offsetof(struct unc_login_defs, sub_gid_min)},
	    {"SUB_GID_MAX", offsetof(struct unc_login_defs, sub_gid_max)},
	    {"SUB_GID_COUNT", offsetof(struct unc_login_defs, sub_gid_count)},
	};
	size_t i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
			return (uint64_t *)(void *)((char *)d + table[i].off);
	return NULL;
}

int unc_login_defs_parse(const char *buf, size_t len, const char *path, struct unc_login_defs *d,
			 struct unc_error *err)
{
	const char *p = buf, *stop = buf + len;
	size_t lineno = 0;

	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		const char *end = nl ? nl : stop, *name, *value;
		size_t nlen;
		uint64_t *slot;

		lineno++;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end || *p == '#')
			goto next;
		name = p;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		nlen = (size_t)(p - name);
		while (p < end && isspace((unsigned char)*p))
			p++;
		value = p;
		while (end > value && isspace((unsigned char)end[-1]))
			end--;
		if (end - value >= 2 && value[0] == '"' && end[-1] == '"') {
			value++;
			end--;
		}
		slot = setting(d, name, nlen);
		if (slot && parse_number(value, (size_t)(end - value), slot) < 0)
			return unc_error_set(err, EINVAL, "%s:%zu: %.*s: '%.*s' is not a number",
					     path, lineno, (int)nlen, name, (int)(end - value),
					     value);
	next:
		p = nl ? nl + 1 : stop;
	}
	if (d->uid_min > d->uid_max)
		return unc_error_set(err, EINVAL,
				     "%s: UID_MIN %" PRIu64 " is above UID_MAX %" PRIu64, path,
				     d->uid_min, d->uid_max);
	if (d->sub_uid_min > d->sub_uid_max)
		return unc_error_set(err, EINVAL,
				     "%s: SUB_UID_MIN %" PRIu64 " is above SUB_UID_MAX %" PRIu64,
				     path, d->sub_uid_min, d->sub_uid_max);
	if (d->sub_gid_min > d->sub_gid_max)
		return unc_error_set(err, EINVAL,
				     "%s: SUB_GID_MIN %" PRIu64 " is above SUB_GID_MAX %" PRIu64,
				     path, d->sub_gid_min, d->sub_gid_max);
	if (d->sub_uid_count == 0 || d->sub_gid_count == 0)
		return unc_error_set(err, EINVAL,
				     "%s: SUB_UID_COUNT and SUB_GID_COUNT must not be 0", path);
	return 0;
}

int unc_login_defs_load(const char *path, struct unc_login_defs *d, struct unc_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	unc_login_defs_init(d);
	r = unc_read_file(path, LOGIN_DEFS_MAX, &buf, &len, err);
	if (r == -ENOENT) {
		unc_error_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	return unc_login_defs_parse(buf, len, path, d, err);
}
