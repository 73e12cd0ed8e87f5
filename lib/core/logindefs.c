#include "logindefs.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "io.h"

#define LOGIN_DEFS_MAX (4u * 1024 * 1024)

void unc_login_defs_init(struct unc_login_defs *d)
{
	memset(d, 0, sizeof *d);
	d->uid_min = 1000;
	d->uid_max = 60000;
	for (int k = 0; k < UNC_ID_KINDS; k++)
		d->sub[k] = (struct unc_sub_window){100000, 600100000, 65536};
}

/* strtoul(base 0) on the whole value, as shadow's getulong(); a sign is
 * refused (strtoul would wrap "-1" to a huge number), and so is anything
 * above 4294967295, which no ID setting can mean. */
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

enum setting_type { NUMBER, BOOLEAN };

struct setting {
	const char *name;
	enum setting_type type;
	size_t off;
};

#define NUM(name, field)                                                                           \
	{                                                                                          \
		name, NUMBER, offsetof(struct unc_login_defs, field)                               \
	}
#define BOOL(name, field)                                                                          \
	{                                                                                          \
		name, BOOLEAN, offsetof(struct unc_login_defs, field)                              \
	}

/* The numbers first: their index is their bit in d->set. */
static const struct setting settings[] = {
    NUM("UID_MIN", uid_min),
    NUM("UID_MAX", uid_max),
    NUM("SUB_UID_MIN", sub[UNC_SUBUID].min),
    NUM("SUB_UID_MAX", sub[UNC_SUBUID].max),
    NUM("SUB_UID_COUNT", sub[UNC_SUBUID].count),
    NUM("SUB_GID_MIN", sub[UNC_SUBGID].min),
    NUM("SUB_GID_MAX", sub[UNC_SUBGID].max),
    NUM("SUB_GID_COUNT", sub[UNC_SUBGID].count),
    BOOL("SUB_UID_DETERMINISTIC", deterministic[UNC_SUBUID]),
    BOOL("SUB_GID_DETERMINISTIC", deterministic[UNC_SUBGID]),
    BOOL("UNSAFE_SUB_UID_DETERMINISTIC_WRAP", unsafe_wrap[UNC_SUBUID]),
    BOOL("UNSAFE_SUB_GID_DETERMINISTIC_WRAP", unsafe_wrap[UNC_SUBGID]),
    BOOL("SUB_UID_STORE_BY_UID", store_by_uid[UNC_SUBUID]),
    BOOL("SUB_GID_STORE_BY_UID", store_by_uid[UNC_SUBGID]),
};

enum { SET_UID_MIN, SET_UID_MAX, SET_SUB_MIN, SET_SUB_MAX, SET_SUB_COUNT };

static const struct setting *find_setting(const char *name, size_t len, size_t *index)
{
	size_t i;

	for (i = 0; i < sizeof settings / sizeof settings[0]; i++)
		if (strlen(settings[i].name) == len && memcmp(settings[i].name, name, len) == 0) {
			*index = i;
			return &settings[i];
		}
	return NULL;
}

static void warn(struct unc_login_defs *d, const char *path, size_t lineno, const char *name,
		 const char *value, size_t vlen, const char *why)
{
	char shown[96];
	char raw[64];
	size_t n = vlen < sizeof raw - 1 ? vlen : sizeof raw - 1;

	if (d->nwarnings < UNC_LOGIN_DEFS_WARN_MAX) {
		memcpy(raw, value, n);
		raw[n] = '\0';
		unc_escape_text(raw, shown, sizeof shown);
		snprintf(d->warnings[d->nwarnings], UNC_LOGIN_DEFS_WARN_LEN,
			 "%s:%zu: %s: '%s%s' %s", path, lineno, name, shown, n < vlen ? "..." : "",
			 why);
	}
	d->nwarnings++;
}

static void apply(struct unc_login_defs *d, const struct setting *s, size_t index,
		  const char *value, size_t vlen, const char *path, size_t lineno)
{
	void *slot = (char *)d + s->off;

	if (s->type == NUMBER) {
		if (parse_number(value, vlen, slot) < 0) {
			/* shadow's getdef keeps the last line's text and falls back
			 * to the default, not to an earlier line's value */
			struct unc_login_defs fresh;
			unc_login_defs_init(&fresh);
			memcpy(slot, (char *)&fresh + s->off, sizeof(uint64_t));
			d->set &= ~(1u << index);
			warn(d, path, lineno, s->name, value, vlen,
			     "is not a number from 0 to 4294967295; shadow ignores it and uses "
			     "the default");
			return;
		}
		d->set |= 1u << index;
		return;
	}
	if (vlen == 3 && strncasecmp(value, "yes", 3) == 0) {
		*(int *)slot = 1;
		return;
	}
	*(int *)slot = 0;
	if (!(vlen == 2 && strncasecmp(value, "no", 2) == 0))
		warn(d, path, lineno, s->name, value, vlen,
		     "is neither yes nor no; shadow takes it as no");
}

int unc_login_defs_parse(const char *buf, size_t len, const char *path, struct unc_login_defs *d,
			 struct unc_error *err)
{
	const char *p = buf, *stop = buf + len;
	size_t lineno = 0;

	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		const char *end = nl ? nl : stop, *name, *value;
		const struct setting *s;
		size_t nlen, index;

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
		if (end == value) /* a name alone: shadow skips the line */
			goto next;
		if (end - value >= 2 && value[0] == '"' && end[-1] == '"') {
			value++;
			end--;
		}
		s = find_setting(name, nlen, &index);
		if (s)
			apply(d, s, index, value, (size_t)(end - value), path, lineno);
	next:
		p = nl ? nl + 1 : stop;
	}
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

void unc_login_defs_rule(const struct unc_login_defs *d, enum unc_subid_kind kind,
			 struct unc_subid_rule *r)
{
	/* bit of SUB_UID_MIN or SUB_GID_MIN; MAX and COUNT follow */
	unsigned base = SET_SUB_MIN + 3 * (unsigned)kind;
	int det = d->deterministic[kind];

	r->uid_min = d->uid_min;
	r->deterministic = det;
	r->wrap = det && d->unsafe_wrap[kind];
	r->min = d->sub[kind].min;
	r->max = d->sub[kind].max;
	r->count = d->sub[kind].count;
	/* upstream's deterministic mode has its own defaults */
	if (det && !(d->set & (1u << base)))
		r->min = 65536;
	if (det && !(d->set & (1u << (base + 1))))
		r->max = 4294967295u;
}

int unc_login_defs_served(const struct unc_login_defs *d, enum unc_subid_kind kind,
			  struct unc_subid_rule *r, struct unc_error *err)
{
	uint64_t start;
	int ret;

	unc_login_defs_rule(d, kind, r);
	if (!r->deterministic)
		return 0;
	if (d->nwarnings > 0)
		return unc_error_set(err, EINVAL, "%s", d->warnings[0]);
	/* the first slot shows every refusal of the window itself */
	ret = unc_subid_deterministic(r, kind, r->uid_min, 0, &start, err);
	return ret < 0 ? ret : 1;
}
