#include "caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

/* Capabilities are held as 64-bit masks; the kernel has 41 today. */
#define CAPS_MASK_BITS 64

static uint64_t cap_bit(cap_value_t v)
{
	return (uint64_t)1 << (unsigned)v;
}

/* One name from a list: "NET_ADMIN", "cap_net_admin", "CAP_NET_ADMIN". */
static int parse_one(const char *s, size_t len, cap_value_t *out)
{
	char name[64];
	size_t i, off = 0;

	if (len == 0 || len + 4 >= sizeof name)
		return -1;
	if (!(len > 4 && strncasecmp(s, "cap_", 4) == 0)) {
		memcpy(name, "cap_", 4);
		off = 4;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '_')
			return -1;
		name[off + i] = (char)tolower(c);
	}
	name[off + len] = '\0';
	/* cap_from_name also takes numbers; only names are wanted here. */
	if (isdigit((unsigned char)name[4]))
		return -1;
	if (cap_from_name(name, out) < 0 || *out < 0 || *out >= CAPS_MASK_BITS)
		return -1;
	return 0;
}

int unc_caps_parse_list(const char *list, int allow_all, uint64_t *mask, int *all,
			const char *option, struct unc_error *err)
{
	const char *p = list;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		cap_value_t v;

		if (len == 0)
			return unc_error_set(err, EINVAL, "%s: empty capability name in '%s'",
					     option, list);
		if (allow_all && len == 3 && strncasecmp(p, "all", 3) == 0) {
			*all = 1;
		} else if (parse_one(p, len, &v) < 0) {
			unc_error_set(err, EINVAL, "%s: unknown capability '%.*s'", option,
				      (int)len, p);
			unc_error_hint(err, "capability names are listed in capabilities(7), "
					    "e.g. CAP_NET_ADMIN or net_admin");
			return -EINVAL;
		} else {
			*mask |= cap_bit(v);
		}
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

uint64_t unc_caps_bounding(const struct caps_spec *spec, uint64_t all_mask)
{
	uint64_t keep = spec->drop_all ? 0 : all_mask & ~spec->drop;

	return (keep | spec->add) & all_mask;
}

uint64_t unc_caps_kept(const struct caps_spec *spec, int to_root, uint64_t all_mask)
{
	if (to_root)
		return unc_caps_bounding(spec, all_mask);
	return spec->add & all_mask;
}

uint64_t unc_caps_all(void)
{
	cap_value_t max = cap_max_bits();

	if (max <= 0)
		return 0;
	if (max >= CAPS_MASK_BITS)
		return ~(uint64_t)0;
	return cap_bit(max) - 1;
}

/* A capability's name for messages, "CAP_SETUID". */
static void cap_label(cap_value_t v, char *buf, size_t size)
{
	char *name = cap_to_name(v);
	size_t i;

	snprintf(buf, size, "%s", name ? name : "?");
	for (i = 0; buf[i]; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
	cap_free(name);
}

int unc_caps_have_effective(int cap, struct unc_error *err)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;
	int r;

	if (!caps)
		return unc_error_sys(err, errno, "cannot read this process's capabilities");
	r = cap_get_flag(caps, (cap_value_t)cap, CAP_EFFECTIVE, &v);
	cap_free(caps);
	if (r < 0)
		return unc_error_sys(err, errno ? errno : EINVAL,
				     "cannot read this process's capabilities");
	return v == CAP_SET;
}

int unc_caps_limit_bounding(uint64_t keep, struct unc_error *err)
{
	cap_value_t v, max = cap_max_bits();

	for (v = 0; v < max && v < CAPS_MASK_BITS; v++) {
		char label[64];

		if ((keep & cap_bit(v)) || cap_get_bound(v) != 1)
			continue;
		if (cap_drop_bound(v) == 0)
			continue;
		cap_label(v, label, sizeof label);
		return unc_error_sys(err, errno, "cannot drop %s from the bounding set", label);
	}
	return 0;
}

/* The ambient set must be exactly `want` (or empty when not supported
 * and nothing is wanted). */
static int set_ambient(uint64_t want, struct unc_error *err)
{
	cap_value_t v, max = cap_max_bits();

	if (!CAP_AMBIENT_SUPPORTED()) {
		if (want)
			return unc_error_set(err, ENOSYS,
					     "cannot keep capabilities for a non-root user: this "
					     "kernel has no ambient capabilities");
		return 0;
	}
	if (cap_reset_ambient() < 0)
		return unc_error_sys(err, errno, "cannot clear the ambient capabilities");
	for (v = 0; v < max && v < CAPS_MASK_BITS; v++) {
		char label[64];

		if (!(want & cap_bit(v)) || cap_set_ambient(v, CAP_SET) == 0)
			continue;
		cap_label(v, label, sizeof label);
		return unc_error_sys(err, errno, "cannot raise %s as an ambient capability", label);
	}
	return 0;
}

/* Read the sets back: what the kernel holds is the only truth. */
static int verify_caps(cap_t want, uint64_t ambient, struct unc_error *err)
{
	cap_t now = cap_get_proc();
	cap_value_t v, max = cap_max_bits();
	int same;

	if (!now)
		return unc_error_sys(err, errno, "cannot read this process's capabilities");
	same = cap_compare(now, want) == 0;
	cap_free(now);
	if (!same)
		return unc_error_set(err, EPERM,
				     "the kernel kept capabilities that were to be dropped");
	if (!CAP_AMBIENT_SUPPORTED())
		return 0;
	for (v = 0; v < max && v < CAPS_MASK_BITS; v++)
		if ((cap_get_ambient(v) == 1) != ((ambient & cap_bit(v)) != 0))
			return unc_error_set(err, EPERM,
					     "the kernel's ambient capabilities are not the ones "
					     "asked for");
	return 0;
}

int unc_caps_set(uint64_t keep, int ambient, struct unc_error *err)
{
	static const cap_flag_t flags[] = {CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE};
	cap_value_t v, max = cap_max_bits();
	cap_t want = cap_init();
	size_t i;
	int r = 0;

	if (!want)
		return unc_error_sys(err, errno, "cannot set capabilities");
	for (v = 0; v < max && v < CAPS_MASK_BITS; v++) {
		if (!(keep & cap_bit(v)))
			continue;
		for (i = 0; i < sizeof flags / sizeof flags[0]; i++)
			if (cap_set_flag(want, flags[i], 1, &v, CAP_SET) < 0) {
				r = unc_error_sys(err, errno, "cannot set capabilities");
				goto out;
			}
	}
	/* Ambient after the other sets: it can only hold what is both
	 * permitted and inheritable. */
	if (cap_set_proc(want) < 0) {
		r = unc_error_sys(err, errno, "cannot set capabilities");
		goto out;
	}
	r = set_ambient(ambient ? keep : 0, err);
	if (r == 0)
		r = verify_caps(want, ambient ? keep : 0, err);
out:
	cap_free(want);
	return r;
}

int unc_caps_keep_across_setuid(int on, struct unc_error *err)
{
	if (prctl(PR_SET_KEEPCAPS, on ? 1L : 0L, 0L, 0L, 0L) < 0)
		return unc_error_sys(err, errno, "cannot keep capabilities across the switch");
	return 0;
}

int unc_caps_no_new_privs(struct unc_error *err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0)
		return unc_error_sys(err, errno, "cannot set no_new_privs");
	return 0;
}

int unc_caps_apply_as_root(const struct caps_spec *spec, struct unc_error *err)
{
	uint64_t all = unc_caps_all();
	int r;

	if (spec->drop || spec->drop_all || spec->add) {
		r = unc_caps_limit_bounding(unc_caps_bounding(spec, all), err);
		if (r < 0)
			return r;
		r = unc_caps_set(unc_caps_kept(spec, 1, all), 0, err);
		if (r < 0)
			return r;
	}
	if (spec->no_new_privs)
		return unc_caps_no_new_privs(err);
	return 0;
}
