/* fuzz_passwd: the passwd and group readers (lib/core/passwd.c).
 *
 * The same input is read as a passwd file and as a group file. Checked:
 * the entries are exactly the lines passwd.h's rules accept (counted by a
 * model here), their fields hold no separator, lookups return the first
 * entry of a name or ID, and a user's group list is its primary group
 * first, then every group naming it, each once. */
#include "fuzz_common.h"
#include "passwd.h"

/* Does the line have exactly `want` fields, a non-empty first one, not
 * starting with '+', '-' or '#', with decimal IDs in the fields listed? */
static int model_accepts(const char *line, size_t len, int want, int id1, int id2)
{
	const char *f[8];
	size_t fl[8];
	int n = 0, k;
	const char *p = line, *stop = line + len;

	if (len == 0 || len > UNC_PASSWD_LINE_MAX || memchr(line, '\0', len))
		return 0;
	if (line[0] == '+' || line[0] == '-' || line[0] == '#')
		return 0;
	for (;;) {
		const char *colon = memchr(p, ':', (size_t)(stop - p));
		if (n == want)
			return 0;
		f[n] = p;
		fl[n] = colon ? (size_t)(colon - p) : (size_t)(stop - p);
		n++;
		if (!colon)
			break;
		p = colon + 1;
	}
	if (n != want || fl[0] == 0)
		return 0;
	for (k = 0; k < 2; k++) {
		int idx = k ? id2 : id1;
		uint64_t v = 0;
		size_t i;
		if (idx < 0)
			continue;
		if (fl[idx] == 0 || fl[idx] > 10)
			return 0;
		for (i = 0; i < fl[idx]; i++) {
			if (f[idx][i] < '0' || f[idx][i] > '9')
				return 0;
			v = v * 10 + (uint64_t)(f[idx][i] - '0');
		}
		if (v > 4294967294ULL)
			return 0;
	}
	return 1;
}

static size_t model_count(const char *buf, size_t size, int want, int id1, int id2)
{
	const char *p = buf, *stop = buf + size;
	size_t n = 0;

	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(stop - p);
		n += (size_t)model_accepts(p, len, want, id1, id2);
		p = nl ? nl + 1 : stop;
	}
	return n;
}

static int clean(const char *s)
{
	return !strchr(s, ':') && !strchr(s, '\n');
}

static void check_passwd(const char *buf, size_t size, struct passwd_db *db)
{
	struct unc_error err;
	size_t i, last_line = 0;

	FUZZ_CHECK(unc_passwd_parse(buf, size, db, &err) == 0);
	FUZZ_CHECK(db->n == model_count(buf, size, 7, 2, 3));
	for (i = 0; i < db->n; i++) {
		const struct passwd_entry *e = &db->v[i];
		const struct passwd_entry *by_name = unc_passwd_by_name(db, e->name);
		const struct passwd_entry *by_uid = unc_passwd_by_uid(db, e->uid);
		FUZZ_CHECK(e->name[0] != '\0' && clean(e->name) &&
			   strchr("+-#", e->name[0]) == NULL);
		FUZZ_CHECK(clean(e->gecos) && clean(e->home) && clean(e->shell));
		FUZZ_CHECK(e->uid <= 4294967294U && e->gid <= 4294967294U);
		FUZZ_CHECK(e->line > last_line);
		last_line = e->line;
		FUZZ_CHECK(by_name && by_name <= e && strcmp(by_name->name, e->name) == 0);
		FUZZ_CHECK(by_uid && by_uid <= e && by_uid->uid == e->uid);
	}
}

static void check_group(const char *buf, size_t size, struct group_db *db)
{
	struct unc_error err;
	size_t i, j, last_line = 0;

	FUZZ_CHECK(unc_group_parse(buf, size, db, &err) == 0);
	FUZZ_CHECK(db->n == model_count(buf, size, 4, 2, -1));
	for (i = 0; i < db->n; i++) {
		const struct group_entry *g = &db->v[i];
		const struct group_entry *by_name = unc_group_by_name(db, g->name);
		const struct group_entry *by_gid = unc_group_by_gid(db, g->gid);
		FUZZ_CHECK(g->name[0] != '\0' && clean(g->name));
		FUZZ_CHECK(g->gid <= 4294967294U);
		FUZZ_CHECK(g->line > last_line);
		last_line = g->line;
		for (j = 0; j < g->nmembers; j++)
			FUZZ_CHECK(g->members[j][0] != '\0' && clean(g->members[j]) &&
				   !strchr(g->members[j], ','));
		FUZZ_CHECK(by_name && by_name <= g && strcmp(by_name->name, g->name) == 0);
		FUZZ_CHECK(by_gid && by_gid <= g && by_gid->gid == g->gid);
	}
}

static int is_member(const struct group_entry *g, const char *user)
{
	size_t j;
	for (j = 0; j < g->nmembers; j++)
		if (strcmp(g->members[j], user) == 0)
			return 1;
	return 0;
}

static void check_groups_of(const struct group_db *db, const char *user, gid_t primary)
{
	struct unc_error err;
	gid_t *list = NULL;
	size_t n = 0, i, j;

	FUZZ_CHECK(unc_group_list_for_user(db, user, primary, &list, &n, &err) == 0);
	FUZZ_CHECK(n >= 1 && list[0] == primary);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			FUZZ_CHECK(list[i] != list[j]);
	/* each listed group names the user, each group naming it is listed */
	for (i = 1; i < n; i++) {
		int found = 0;
		for (j = 0; j < db->n && !found; j++)
			found = db->v[j].gid == list[i] && is_member(&db->v[j], user);
		FUZZ_CHECK(found);
	}
	for (j = 0; j < db->n; j++) {
		int listed = 0;
		if (!is_member(&db->v[j], user))
			continue;
		for (i = 0; i < n && !listed; i++)
			listed = list[i] == db->v[j].gid;
		FUZZ_CHECK(listed);
	}
	free(list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size, 0);
	struct passwd_db pw = {0};
	struct group_db gr = {0};
	size_t i;

	check_passwd(buf, size, &pw);
	check_group(buf, size, &gr);
	for (i = 0; i < pw.n && i < 4; i++)
		check_groups_of(&gr, pw.v[i].name, pw.v[i].gid);
	for (i = 0; i < gr.n && i < 4; i++)
		if (gr.v[i].nmembers > 0)
			check_groups_of(&gr, gr.v[i].members[0], gr.v[i].gid);
	check_groups_of(&gr, "", 0);
	unc_passwd_free(&pw);
	unc_group_free(&gr);
	free(buf);
	return 0;
}
