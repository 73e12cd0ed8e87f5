/* fuzz_subid_line: the subuid/subgid parser (lib/core/subid.c).
 *
 * The input is a whole file. Every line is checked against a model of
 * shadow 4.13's rules written here from their description (subid.h):
 * under 1024 bytes, at least three ':'-separated fields of which the
 * first three are non-empty, start and count as strtoul(base 0) reads
 * them (a '-' sign wraps, as strtoul does), no ERANGE; a line starting
 * with '+' or '-' is a NIS entry, never parsed; a NUL byte ends a line to
 * shadow, so a line holding one is refused. The ranges collected for one
 * owner must be exactly the model's, for a file of plain lines: one with
 * a NUL byte (shadow joins lines there) or a last line at the edge of
 * shadow's buffer is read by the rules tests/bats/subid_differential.bats
 * checks against getsubids. */
#include <errno.h>

#include "fuzz_common.h"
#include "subid.h"

struct model_entry {
	size_t owner_len;
	uint64_t start, count;
};

static int model_number(const char *s, uint64_t *out)
{
	char *end;
	unsigned long v;

	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (*end != '\0' || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

static int model_parse(const char *line, size_t len, struct model_entry *m)
{
	char copy[UNC_SUBID_LINE_MAX + 1];
	char *field[3], *p;
	int i;

	if (len > UNC_SUBID_LINE_MAX || memchr(line, '\0', len))
		return -1;
	if (len > 0 && (line[0] == '+' || line[0] == '-'))
		return -1;
	memcpy(copy, line, len);
	copy[len] = '\0';
	p = copy;
	for (i = 0; i < 3; i++) {
		if (p == NULL)
			return -1;
		field[i] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	if (field[0][0] == '\0')
		return -1;
	if (model_number(field[1], &m->start) < 0 || model_number(field[2], &m->count) < 0)
		return -1;
	m->owner_len = strlen(field[0]);
	return 0;
}

static int model_owner_is(const char *line, size_t owner_len, const char *user, uid_t uid)
{
	char num[16];

	snprintf(num, sizeof num, "%u", (unsigned)uid);
	return (strlen(user) == owner_len && memcmp(line, user, owner_len) == 0) ||
	       (strlen(num) == owner_len && memcmp(line, num, owner_len) == 0);
}

/* One line on its own, in a buffer of exactly its length. */
static void check_line(const char *line, size_t len)
{
	char *exact = fuzz_copy((const uint8_t *)line, len, 0);
	struct unc_subid_entry e;
	struct model_entry m;
	int got = unc_subid_parse_line(exact, len, &e);
	int want = model_parse(line, len, &m);

	FUZZ_CHECK(got == want);
	if (got == 0) {
		char owner[UNC_SUBID_LINE_MAX + 1];
		FUZZ_CHECK(e.owner == exact);
		FUZZ_CHECK(e.owner_len == m.owner_len);
		FUZZ_CHECK(e.owner_len > 0 && !memchr(e.owner, ':', e.owner_len));
		FUZZ_CHECK(e.start == m.start && e.count == m.count);
		memcpy(owner, e.owner, e.owner_len);
		owner[e.owner_len] = '\0';
		FUZZ_CHECK(unc_subid_entry_is_owner(&e, owner, 4294967294U));
	}
	free(exact);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *p = buf, *stop = buf + size;
	char user[UNC_SUBID_LINE_MAX + 1] = "alice";
	struct unc_subid_list list = {0};
	struct unc_error err;
	size_t want_n = 0, i;
	const uid_t uid = 1001;
	int have_user = 0;
	char *exact;

	/* each line against the model; the first accepted owner is the
	 * user whose ranges are collected below */
	for (p = buf; p < stop;) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(stop - p);
		struct model_entry m;
		check_line(p, len);
		if (!have_user && model_parse(p, len, &m) == 0) {
			memcpy(user, p, m.owner_len);
			user[m.owner_len] = '\0';
			have_user = 1;
		}
		p = nl ? nl + 1 : stop;
	}

	exact = fuzz_copy(data, size, 0);
	unc_error_clear(&err);
	{
		const char *last = size ? memrchr(buf, '\n', size - 1) : NULL;
		size_t tail = last ? (size_t)(stop - last - 1) : size;
		if (memchr(buf, '\0', size) ||
		    (size > 0 && buf[size - 1] != '\n' && tail >= 4095)) {
			free(exact);
			return 0;
		}
	}
	FUZZ_CHECK(unc_subid_ranges_from_buffer(exact, size, user, uid, &list, &err) == 0);
	for (p = buf; p < stop;) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(stop - p);
		struct model_entry m;
		if (model_parse(p, len, &m) == 0 && model_owner_is(p, m.owner_len, user, uid)) {
			FUZZ_CHECK(want_n < list.n);
			FUZZ_CHECK(list.ranges[want_n].start == m.start);
			FUZZ_CHECK(list.ranges[want_n].count == m.count);
			want_n++;
		}
		p = nl ? nl + 1 : stop;
	}
	FUZZ_CHECK(want_n == list.n);

	/* every range covers itself, and the total is at least each count */
	for (i = 0; i < list.n; i++) {
		const struct unc_subid_range *r = &list.ranges[i];
		if (r->count > 0 && r->start <= UINT64_MAX - r->count)
			FUZZ_CHECK(unc_subid_list_covers(&list, r->start, r->count));
		FUZZ_CHECK(unc_subid_list_total(&list) >= r->count);
	}
	unc_subid_list_free(&list);
	free(exact);
	return 0;
}
