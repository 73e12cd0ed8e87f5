/* fuzz_subidfile: subidctl's editor of subuid/subgid files
 * (lib/admin/subidfile.c): parse, edit, serialise.
 *
 * The input is a file. Read and written back untouched it must come out
 * byte for byte. Then lines are deleted and appended (chosen from a hash
 * of the input) and the result must be, byte for byte: every line not
 * deleted exactly as read, in its place, then the appended lines, with a
 * newline added only to a last line that had none and is no longer last.
 * The diff must list exactly the deleted and added lines. */
#include <errno.h>

#include "fuzz_common.h"
#include "subidfile.h"

static uint64_t rng;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* What serialising must give, built from the lines' own bytes. */
static char *expected_bytes(const struct unc_subid_file *f, size_t *len)
{
	size_t cap = f->len + 1, i, last = f->n, used = 0;
	char *out;

	for (i = 0; i < f->n; i++)
		cap += f->lines[i].len + 1;
	out = malloc(cap);
	FUZZ_CHECK(out != NULL);
	for (i = f->n; i > 0; i--)
		if (!f->lines[i - 1].deleted) {
			last = i - 1;
			break;
		}
	for (i = 0; i < f->n; i++) {
		const struct unc_subid_line *l = &f->lines[i];
		if (l->deleted)
			continue;
		memcpy(out + used, l->text, l->len);
		used += l->len;
		if (l->has_newline || i != last)
			out[used++] = '\n';
	}
	*len = used;
	return out;
}

/* Count the diff's '-' and '+' lines after its two header lines. */
static void count_diff(const char *d, size_t len, size_t *minus, size_t *plus)
{
	const char *p = d, *stop = d + len;
	size_t lineno = 0;

	*minus = *plus = 0;
	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		if (++lineno > 2) {
			*minus += *p == '-';
			*plus += *p == '+';
		}
		p = nl ? nl + 1 : stop;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unc_subid_file f;
	struct unc_error err;
	char *out = NULL, *want, *diff = NULL, owner[32];
	size_t out_len = 0, want_len, diff_len, i, n_read, deleted = 0, added = 0;
	size_t minus, plus;
	int gains_newline;

	FUZZ_CHECK(unc_subid_file_parse(&f, fuzz_copy(data, size, 0), size, &err) == 0);
	n_read = f.n;
	FUZZ_CHECK(f.n_read == n_read && !f.changed);
	for (i = 0; i < n_read; i++) {
		const struct unc_subid_line *l = &f.lines[i];
		struct unc_subid_entry e;
		FUZZ_CHECK(l->lineno == i + 1 && !l->deleted && !l->added);
		FUZZ_CHECK(!memchr(l->text, '\n', l->len));
		FUZZ_CHECK(l->has_newline || i == n_read - 1);
		/* a file with a NUL byte (or a last line at the edge of shadow's
		 * buffer) is read by shadow's rules, tested against getsubids in
		 * tests/bats/subid_differential.bats; otherwise each line alone */
		if (!f.misread && !f.unreadable)
			FUZZ_CHECK(l->parsed == (unc_subid_parse_line(l->text, l->len, &e) == 0));
		if (l->swallowed)
			FUZZ_CHECK(!l->parsed && f.misread && i > 0);
		if (l->nul)
			FUZZ_CHECK(f.misread && memchr(l->text, '\0', l->len));
	}

	/* untouched: the same bytes, and no diff */
	FUZZ_CHECK(unc_subid_file_serialise(&f, &out, &out_len, &err) == 0);
	FUZZ_CHECK(out_len == size && memcmp(out, data, size) == 0);
	free(out);
	FUZZ_CHECK(unc_subid_file_diff(&f, "/etc/subuid", &diff, &diff_len, &err) == 0);
	FUZZ_CHECK(diff_len == 0);
	free(diff);

	/* edit */
	rng = 0x9e3779b97f4a7c15ULL ^ size;
	for (i = 0; i < size; i++)
		rng = (rng ^ data[i]) * 0x100000001b3ULL;
	rng |= 1;
	for (i = 0; i < n_read; i++)
		if (next_rand() % 4 == 0) {
			unc_subid_file_delete(&f, i);
			deleted++;
		}
	unc_subid_file_delete(&f, f.n + 5); /* out of range: ignored */
	for (i = next_rand() % 4; i > 0; i--) {
		uint64_t start = next_rand() % 5000000000ULL, count = 1 + next_rand() % 100000;
		snprintf(owner, sizeof owner, "user%u", (unsigned)(next_rand() % 1000));
		FUZZ_CHECK(unc_subid_file_append(&f, owner, start, count, &err) == 0);
		FUZZ_CHECK(f.lines[f.n - 1].parsed && f.lines[f.n - 1].entry.start == start &&
			   f.lines[f.n - 1].entry.count == count);
		added++;
	}
	/* owners that cannot be written are refused and change nothing */
	FUZZ_CHECK(unc_subid_file_append(&f, "a:b", 1, 1, &err) == -EINVAL);
	FUZZ_CHECK(unc_subid_file_append(&f, "", 1, 1, &err) == -EINVAL);
	FUZZ_CHECK(unc_subid_file_append(&f, "a\nb", 1, 1, &err) == -EINVAL);
	FUZZ_CHECK(f.n == n_read + added);
	FUZZ_CHECK(f.changed == (deleted + added > 0));

	FUZZ_CHECK(unc_subid_file_serialise(&f, &out, &out_len, &err) == 0);
	want = expected_bytes(&f, &want_len);
	FUZZ_CHECK(out_len == want_len && memcmp(out, want, want_len) == 0);
	free(want);

	/* the diff: one '-' per deleted line, one '+' per added line, and a
	 * '-'/'+' pair for a last line that gains its newline */
	gains_newline = n_read > 0 && !f.lines[n_read - 1].has_newline &&
			!f.lines[n_read - 1].deleted && added > 0;
	FUZZ_CHECK(unc_subid_file_diff(&f, "/etc/subuid", &diff, &diff_len, &err) == 0);
	FUZZ_CHECK((diff_len > 0) == (deleted + added > 0));
	if (diff_len > 0) {
		FUZZ_CHECK(strncmp(diff, "--- /etc/subuid\n+++ /etc/subuid\n", 32) == 0);
		count_diff(diff, diff_len, &minus, &plus);
		FUZZ_CHECK(minus == deleted + (size_t)gains_newline);
		FUZZ_CHECK(plus == added + (size_t)gains_newline);
	}
	free(diff);
	unc_subid_file_free(&f);

	/* the new file reads back: kept lines as they were, added ones parsed */
	FUZZ_CHECK(unc_subid_file_parse(&f, out, out_len, &err) == 0);
	FUZZ_CHECK(f.n == n_read - deleted + added);
	unc_subid_file_free(&f);
	return 0;
}
