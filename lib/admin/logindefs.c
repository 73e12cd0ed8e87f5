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
	int k;

	d->uid_min = 1000;
	d->uid_max = 60000;
	for (k = 0; k < UNC_ID_KINDS; k++)
		d->sub[k] = (struct unc_sub_window){100000, 600100000, 65536};
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

static int is_name(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(want, name, len) == 0;
}

/* The value a setting's name stands for, or NULL for one we ignore. */
static uint64_t *setting(struct unc_login_defs *d, const char *name, size_t len)
{
	int k;

	if (is_name(name, len, "UID_MIN"))
		return &d->uid_min;
	if (is_name(name, len, "UID_MAX"))
		return &d->uid_max;
	for (k = 0; k < UNC_ID_KINDS; k++) {
		const struct unc_id_kind *kd = &unc_id_kinds[k];
		if (is_name(name, len, kd->defs_min))
			return &d->sub[k].min;
		if (is_name(name, len, kd->defs_max))
			return &d->sub[k].max;
		if (is_name(name, len, kd->defs_count))
			return &d->sub[k].count;
	}
	return NULL;
}

static int min_above_max(const char *path, const char *min_name, uint64_t min, const char *max_name,
			 uint64_t max, struct unc_error *err)
{
	return unc_error_set(err, EINVAL, "%s: %s %" PRIu64 " is above %s %" PRIu64, path, min_name,
			     min, max_name, max);
}

int unc_login_defs_parse(const char *buf, size_t len, const char *path, struct unc_login_defs *d,
			 struct unc_error *err)
{
	const char *p = buf, *stop = buf + len;
	size_t lineno = 0;
	int k;

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
		return min_above_max(path, "UID_MIN", d->uid_min, "UID_MAX", d->uid_max, err);
	for (k = 0; k < UNC_ID_KINDS; k++) {
		const struct unc_id_kind *kd = &unc_id_kinds[k];
		if (d->sub[k].min > d->sub[k].max)
			return min_above_max(path, kd->defs_min, d->sub[k].min, kd->defs_max,
					     d->sub[k].max, err);
	}
	if (d->sub[UNC_SUBUID].count == 0 || d->sub[UNC_SUBGID].count == 0)
		return unc_error_set(err, EINVAL, "%s: %s and %s must not be 0", path,
				     unc_id_kinds[UNC_SUBUID].defs_count,
				     unc_id_kinds[UNC_SUBGID].defs_count);
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
