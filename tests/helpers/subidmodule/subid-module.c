/* libsubid_unctest.so: a test-only libsubid module.
 *
 * shadow (lib/nss.c, 4.13) reads the first token of nsswitch.conf's
 * "subid:" line, dlopen()s libsubid_<token>.so by its bare name (so the
 * setuid newuidmap finds it only in the default library directories) and
 * looks up the three functions below; later versions also use
 * shadow_subid_free when the module has it. This module answers them from
 * "libsubid_unctest.ranges" in the directory the module was loaded from,
 * lines of the form
 *
 *     uid alice 500000 65536
 *     gid alice 600000 65536
 *
 * ('#' lines and lines that do not parse are ignored). Owners are matched
 * by name, as newuidmap passes pw_name. The interface and its types come
 * from modules/subid/subid_module_abi.h, shared with libsubid_uncmap.so. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "subid_module_abi.h"

struct entry {
	enum subid_type type;
	char owner[64];
	unsigned long start;
	unsigned long count;
};

/* Read every entry of the ranges file into a malloc'd array. Returns the
 * number of entries, or -1 when the file cannot be read. */
static int load(struct entry **out)
{
	Dl_info info;
	char path[PATH_MAX], line[256];
	struct entry *v = NULL;
	int n = 0, cap = 0;
	const char *slash;
	FILE *f;

	*out = NULL;
	if (dladdr((void *)load, &info) == 0 || !info.dli_fname)
		return -1;
	slash = strrchr(info.dli_fname, '/');
	if (!slash)
		return -1;
	if (snprintf(path, sizeof path, "%.*s/libsubid_unctest.ranges",
		     (int)(slash - info.dli_fname), info.dli_fname) >= (int)sizeof path)
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		struct entry e;
		char type[8];

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%7s %63s %lu %lu", type, e.owner, &e.start, &e.count) != 4)
			continue;
		if (strcmp(type, "uid") == 0)
			e.type = ID_TYPE_UID;
		else if (strcmp(type, "gid") == 0)
			e.type = ID_TYPE_GID;
		else
			continue;
		if (n == cap) {
			struct entry *nv;
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, (size_t)cap * sizeof *v);
			if (!nv) {
				free(v);
				fclose(f);
				return -1;
			}
			v = nv;
		}
		v[n++] = e;
	}
	fclose(f);
	*out = v;
	return n;
}

enum subid_status shadow_subid_has_range(const char *owner, unsigned long start,
					 unsigned long count, enum subid_type idtype, bool *result)
{
	struct entry *v;
	unsigned long end = start + count;
	int n = load(&v), i, moved = 1;

	if (n < 0)
		return SUBID_STATUS_ERROR;
	*result = false;
	if (count == 0 || end < start) {
		free(v);
		return SUBID_STATUS_SUCCESS;
	}
	/* [start, end) must lie in the union of the owner's ranges */
	while (start < end && moved) {
		moved = 0;
		for (i = 0; i < n; i++) {
			if (v[i].type != idtype || strcmp(v[i].owner, owner) != 0)
				continue;
			if (v[i].start <= start && start < v[i].start + v[i].count) {
				start = v[i].start + v[i].count;
				moved = 1;
			}
		}
	}
	*result = start >= end;
	free(v);
	return SUBID_STATUS_SUCCESS;
}

enum subid_status shadow_subid_list_owner_ranges(const char *owner, enum subid_type id_type,
						 struct subid_range **ranges, int *count)
{
	struct entry *v;
	struct subid_range *r;
	int n = load(&v), i, k = 0;

	if (n < 0)
		return SUBID_STATUS_ERROR;
	*ranges = NULL;
	*count = 0;
	r = calloc((size_t)n + 1, sizeof *r);
	if (!r) {
		free(v);
		return SUBID_STATUS_ERROR;
	}
	for (i = 0; i < n; i++) {
		if (v[i].type != id_type || strcmp(v[i].owner, owner) != 0)
			continue;
		r[k].start = v[i].start;
		r[k].count = v[i].count;
		k++;
	}
	free(v);
	*ranges = r;
	*count = k;
	return SUBID_STATUS_SUCCESS;
}

enum subid_status shadow_subid_find_subid_owners(unsigned long id, enum subid_type id_type,
						 uid_t **uids, int *count)
{
	struct entry *v;
	uid_t *u;
	int n = load(&v), i, k = 0;

	if (n < 0)
		return SUBID_STATUS_ERROR;
	*uids = NULL;
	*count = 0;
	u = calloc((size_t)n + 1, sizeof *u);
	if (!u) {
		free(v);
		return SUBID_STATUS_ERROR;
	}
	for (i = 0; i < n; i++) {
		struct passwd *pw;
		if (v[i].type != id_type || id < v[i].start || id - v[i].start >= v[i].count)
			continue;
		pw = getpwnam(v[i].owner);
		if (pw)
			u[k++] = pw->pw_uid;
	}
	free(v);
	*uids = u;
	*count = k;
	return SUBID_STATUS_SUCCESS;
}

void shadow_subid_free(void *ptr)
{
	free(ptr);
}
