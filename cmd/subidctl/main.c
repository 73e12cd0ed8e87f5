/* subidctl: provision subordinate ID ranges in /etc/subuid and /etc/subgid.
 * Option parsing, messages and exit codes only; the work is in lib/
 * (subidadmin.c and the modules it drives). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <paths.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "cmdmsg.h"
#include "error.h"
#include "numparse.h"
#include "subid.h"
#include "subidadmin.h"
#include "subidcheck.h"
#include "subidfile.h"

#define PROG	   "subidctl"
#define EXIT_FAIL  1 /* failed, or check found problems */
#define EXIT_USAGE 2

enum command { CMD_NONE, CMD_LIST, CMD_ADD, CMD_DEL, CMD_SYNC, CMD_CHECK };

struct options {
	enum command cmd;
	const char *cmd_name;
	const char *prefix;
	int kinds;
	int dry_run, json;
	int has_count, has_start, top_up, unpaired;
	uint64_t count, start;
	unsigned lock_timeout_ms;
	int has_lock_timeout;
	char **users;
	size_t nusers;
};

static void usage(void)
{
	fputs("\nUsage:\n"
	      " " PROG " list [USER...] [--json]\n"
	      " " PROG " add USER... [--count N | --top-up N] [--uids|--gids] [--start ID]\n"
	      " " PROG " del USER... [--uids|--gids] [--start ID]\n"
	      " " PROG " sync [--count N] [--uids|--gids]\n"
	      " " PROG " check [--json]\n"
	      "\n"
	      "Provision subordinate UIDs and GIDs (/etc/subuid, /etc/subgid) without\n"
	      "losing or changing a line it was not asked to, locking as shadow does.\n"
	      "\n"
	      "Commands:\n"
	      " list     who holds which ranges, from both files\n"
	      " add      give users the first free range of N IDs (or the one at --start)\n"
	      " del      take users' ranges away (or the one at --start)\n"
	      " sync     give every login user without a range one, in one pass\n"
	      " check    find overlaps, real IDs inside ranges, unknown owners and lines\n"
	      "          shadow skips or misreads; exit 1 if there are any\n"
	      "\n"
	      "Options:\n"
	      " -c, --count <n>           IDs per range (default SUB_UID_COUNT or\n"
	      "                             SUB_GID_COUNT from login.defs, else 65536)\n"
	      " -t, --top-up <n>          add only what each user lacks to hold n IDs\n"
	      " -s, --start <id>          the exact range to add, or the range to delete\n"
	      "     --unpaired            allocate UIDs and GIDs each on their own (by\n"
	      "                             default a user gets the same start in both)\n"
	      " -u, --uids                act on subordinate UIDs only\n"
	      " -g, --gids                act on subordinate GIDs only\n"
	      " -P, --prefix <dir>        act on <dir>/etc/... instead of /etc\n"
	      " -n, --dry-run             print the change as a diff, write nothing\n"
	      " -j, --json                machine-readable output (list, check)\n"
	      "     --lock-timeout <sec>  wait this long for shadow's locks (default 15)\n"
	      "\n"
	      " -h, --help                display this help\n"
	      " -V, --version             display version\n"
	      "\n"
	      "Exit status:\n"
	      " 0 on success, 1 on failure or when check finds problems,\n"
	      " 2 for a wrong command line.\n"
	      "\n"
	      "Examples:\n"
	      " " PROG " add alice\n"
	      " " PROG " add bob --count 100000 --dry-run\n"
	      " " PROG " --prefix /srv/chroot sync\n"
	      "\n"
	      "For more details see subidctl(8).\n",
	      stdout);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		cmd_vsay(fmt, ap);
		va_end(ap);
	}
	fputs("Try '" PROG " --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

/* Length of the valid UTF-8 sequence at s (at most len bytes) that is no
 * control character (C1 controls, U+0080-U+009F, are terminal escapes
 * too), or 0. */
static size_t utf8_printable(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xc2)
		lo = 0xa0; /* C2 80-9F: the C1 controls */
	else if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f; /* no surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* Bytes from a file or a user, made safe to show: printable UTF-8 as it
 * is, a backslash doubled, newline, tab and return as \n, \t, \r, anything
 * else (control characters, terminal escapes, bytes that are not UTF-8)
 * as \xNN. The result is valid UTF-8
 * and one line, and can be read back unambiguously. */
static const char *escaped(const char *s, size_t len, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, i = 0;

	while (i < len && o + 5 < size) {
		size_t n = utf8_printable(p + i, len - i);
		if (p[i] == '\\') {
			buf[o++] = '\\';
			buf[o++] = '\\';
			i++;
		} else if (p[i] == '\n' || p[i] == '\t' || p[i] == '\r') {
			buf[o++] = '\\';
			buf[o++] = p[i] == '\n' ? 'n' : p[i] == '\t' ? 't' : 'r';
			i++;
		} else if (n == 0) {
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", p[i]);
			i++;
		} else if (o + n < size) {
			memcpy(buf + o, p + i, n);
			o += n;
			i += n;
		} else {
			break;
		}
	}
	buf[o] = '\0';
	return buf;
}

static const char *printable(const char *s, char *buf, size_t size)
{
	return escaped(s, strlen(s), buf, size);
}

/* A JSON string of the escaped bytes: always valid UTF-8. */
static void json_string(FILE *out, const char *s, size_t len)
{
	char buf[UNC_ERROR_MSG_MAX * 4 + 16];
	const char *p;

	escaped(s, len, buf, sizeof buf);
	fputc('"', out);
	for (p = buf; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* The version of the --json output's layout. */
#define JSON_VERSION 1

static enum command parse_command(const char *s)
{
	static const struct {
		const char *name;
		enum command cmd;
	} table[] = {{"list", CMD_LIST}, {"add", CMD_ADD},     {"del", CMD_DEL},
		     {"sync", CMD_SYNC}, {"check", CMD_CHECK}, {"delete", CMD_DEL}};
	size_t i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(s, table[i].name) == 0)
			return table[i].cmd;
	return CMD_NONE;
}

enum { OPT_LOCK_TIMEOUT = 0x100, OPT_UNPAIRED };

/* No leading '+': there is no command to hand options to, and options
 * may follow the users ("subidctl add alice --count 10"). */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"count", required_argument, NULL, 'c'},
	    {"start", required_argument, NULL, 's'},
	    {"top-up", required_argument, NULL, 't'},
	    {"uids", no_argument, NULL, 'u'},
	    {"gids", no_argument, NULL, 'g'},
	    {"prefix", required_argument, NULL, 'P'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"json", no_argument, NULL, 'j'},
	    {"lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT},
	    {"unpaired", no_argument, NULL, OPT_UNPAIRED},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct unc_error err;
	int c, only = 0;
	uint64_t v;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:s:t:ugP:njhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (unc_parse_u64(optarg, 1, UNC_ID_LIMIT, &o->count, "--count", &err) < 0)
				return cmd_fail_err(&err), -EXIT_USAGE;
			o->has_count = 1;
			break;
		case 't':
			if (unc_parse_u64(optarg, 1, UNC_ID_LIMIT, &o->count, "--top-up", &err) < 0)
				return cmd_fail_err(&err), -EXIT_USAGE;
			o->top_up = 1;
			break;
		case 's':
			if (unc_parse_u64(optarg, 0, UNC_ID_LIMIT - 1, &o->start, "--start", &err) <
			    0)
				return cmd_fail_err(&err), -EXIT_USAGE;
			o->has_start = 1;
			break;
		case 'u':
			only |= UNC_KIND_UIDS;
			break;
		case 'g':
			only |= UNC_KIND_GIDS;
			break;
		case 'P':
			if (optarg[0] == '\0')
				return -usage_error("--prefix: empty directory name");
			o->prefix = optarg;
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case OPT_UNPAIRED:
			o->unpaired = 1;
			break;
		case OPT_LOCK_TIMEOUT:
			if (unc_parse_u64(optarg, 0, 3600, &v, "--lock-timeout", &err) < 0)
				return cmd_fail_err(&err), -EXIT_USAGE;
			o->lock_timeout_ms = (unsigned)v * 1000u;
			o->has_lock_timeout = 1;
			break;
		case 'h':
			usage();
			return 1;
		case 'V':
			printf(PROG " from uncmap %s\n", UNC_VERSION);
			return 1;
		case ':':
			return -usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return -usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	o->kinds = only ? only : UNC_KIND_BOTH;
	if (optind >= argc)
		return -usage_error("no command given (list, add, del, sync or check)");
	o->cmd_name = argv[optind];
	o->cmd = parse_command(argv[optind]);
	if (o->cmd == CMD_NONE)
		return -usage_error("unknown command '%s'", argv[optind]);
	o->users = argv + optind + 1;
	o->nusers = (size_t)(argc - optind - 1);

	if ((o->cmd == CMD_ADD || o->cmd == CMD_DEL) && o->nusers == 0)
		return -usage_error("%s: no user given", o->cmd_name);
	if ((o->cmd == CMD_SYNC || o->cmd == CMD_CHECK) && o->nusers > 0)
		return -usage_error("%s takes no user names", o->cmd_name);
	if (o->has_count && o->cmd != CMD_ADD && o->cmd != CMD_SYNC)
		return -usage_error("--count goes with add or sync");
	if (o->top_up && o->has_count)
		return -usage_error("--top-up and --count cannot go together");
	if (o->top_up && (o->cmd != CMD_ADD || o->has_start))
		return -usage_error("--top-up goes with add, without --start");
	if (o->unpaired && o->cmd != CMD_ADD && o->cmd != CMD_SYNC)
		return -usage_error("--unpaired goes with add or sync");
	if (o->has_start && o->cmd != CMD_ADD && o->cmd != CMD_DEL)
		return -usage_error("--start goes with add or del");
	if (o->has_start && o->nusers != 1)
		return -usage_error("--start needs exactly one user");
	if (o->json && o->cmd != CMD_LIST && o->cmd != CMD_CHECK)
		return -usage_error("--json goes with list or check");
	if (o->dry_run && (o->cmd == CMD_LIST || o->cmd == CMD_CHECK))
		return -usage_error("--dry-run goes with add, del or sync");
	return 0;
}

/* Names that cannot be owners are refused before anything is locked. */
static int check_names(const struct options *o)
{
	struct unc_error err;
	char shown[UNC_SUBID_OWNER_MAX * 4 + 16];
	size_t i;

	for (i = 0; i < o->nusers; i++) {
		if (unc_subid_owner_valid(o->users[i], &err) < 0)
			return cmd_fail("'%s' cannot own subordinate IDs: its name %s",
					printable(o->users[i], shown, sizeof shown), err.msg);
	}
	return 0;
}

static const char *kind_file(const struct unc_subid_admin *a, enum unc_subid_kind k)
{
	return a->paths.file[k];
}

static const char *kind_ids(enum unc_subid_kind k)
{
	return k == UNC_SUBUID ? "UIDs" : "GIDs";
}

static int print_diffs(struct unc_subid_admin *a)
{
	struct unc_error err;
	int k;

	for (k = 0; k < 2; k++) {
		char *diff = NULL;
		size_t len;
		if (unc_subid_file_diff(&a->file[k], a->paths.file[k], &diff, &len, &err) < 0)
			return cmd_fail_err(&err);
		fwrite(diff, 1, len, stdout);
		free(diff);
	}
	return 0;
}

/* Is a syslog daemon listening on /dev/log? glibc's syslog() retries the
 * connection on every message when none is: for a sync of 50,000 users
 * that alone took seconds. */
static int syslog_listening(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX, .sun_path = _PATH_LOG};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
	if (!ok && errno == EPROTOTYPE) { /* a stream socket, as glibc falls back to */
		close(fd);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ok = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Every range a written file gained or lost goes to syslog, facility
 * auth, as shadow's usermod logs "add uid range": who ran it, what range,
 * which file. */
static void audit(const struct unc_subid_admin *a, const int written[2])
{
	const struct passwd *pw;
	char by[UNC_SUBID_OWNER_MAX * 4 + 16], owner[UNC_SUBID_LINE_MAX * 4 + 16];
	char path[4096 * 4];
	int k, opened = 0;

	if ((!written[0] && !written[1]) || !syslog_listening())
		return;
	pw = getpwuid(getuid());
	printable(pw ? pw->pw_name : "?", by, sizeof by);
	for (k = 0; k < 2; k++) {
		const struct unc_subid_file *f = &a->file[k];
		size_t i;
		if (!written[k])
			continue;
		printable(a->paths.file[k], path, sizeof path);
		for (i = 0; i < f->n; i++) {
			const struct unc_subid_line *l = &f->lines[i];
			const struct unc_subid_entry *e = &l->entry;
			if (!l->parsed || l->deleted == l->added) /* unchanged, or added and gone */
				continue;
			if (!opened) {
				openlog(PROG, LOG_PID, LOG_AUTH);
				opened = 1;
			}
			escaped(e->owner, e->owner_len, owner, sizeof owner);
			syslog(LOG_INFO,
			       "%s subordinate %s %" PRIu64 "-%" PRIu64 " (%" PRIu64
			       ") %s %s in %s, "
			       "by %s (uid %u)",
			       l->added ? "added" : "removed", kind_ids((enum unc_subid_kind)k),
			       e->start, e->start + e->count - 1, e->count,
			       l->added ? "to" : "from", owner, path, by, (unsigned)getuid());
		}
	}
	if (opened)
		closelog();
}

static int commit(struct unc_subid_admin *a)
{
	struct unc_error err;
	int written[2];
	enum unc_subid_kind failed = UNC_SUBUID;
	int r = unc_subid_admin_commit(a, written, &failed, &err);

	audit(a, written);
	if (r == 0)
		return 0;
	cmd_fail_err(&err);
	if (written[failed])
		fprintf(stderr, PROG ": %s holds its new content, but it may not survive a crash\n",
			kind_file(a, failed));
	else
		fprintf(stderr, PROG ": %s is unchanged\n", kind_file(a, failed));
	if (failed == UNC_SUBGID && written[UNC_SUBUID])
		fprintf(stderr, PROG ": %s was already updated\n", kind_file(a, UNC_SUBUID));
	return EXIT_FAIL;
}

static void report_events(const struct unc_subid_admin *a, const struct unc_subid_events *ev,
			  int dry_run)
{
	char user[UNC_SUBID_OWNER_MAX * 4 + 16];
	size_t i;

	for (i = 0; i < ev->n; i++) {
		const struct unc_subid_event *e = &ev->v[i];
		const char *file = kind_file(a, e->kind);
		printable(e->user, user, sizeof user);
		switch (e->what) {
		case UNC_SUBID_HELD:
			printf("%s already holds %" PRIu64 " subordinate %s in %s; left alone\n",
			       user, e->count, kind_ids(e->kind), file);
			break;
		case UNC_SUBID_ADDED:
			if (!dry_run)
				printf("added %s:%" PRIu64 ":%" PRIu64 " to %s\n", user, e->start,
				       e->count, file);
			break;
		case UNC_SUBID_REMOVED:
			if (!dry_run)
				printf("removed %s:%" PRIu64 ":%" PRIu64 " from %s (line %zu)\n",
				       user, e->start, e->count, file, e->line);
			break;
		}
	}
}

static int files_only_refusal(const struct unc_subid_admin *a, const char *source)
{
	cmd_fail("subordinate IDs come from '%s' here (the subid: line of %s), not from %s", source,
		 a->paths.nsswitch, a->paths.file[UNC_SUBUID]);
	fprintf(stderr,
		PROG ": manage the ranges where '%s' keeps them (for SSSD, in FreeIPA or the "
		     "directory it reads); subidctl edits the files only\n",
		source);
	return EXIT_FAIL;
}

static int run_change(struct options *o, struct unc_subid_admin *a)
{
	struct unc_subid_events ev = {0};
	struct unc_error err;
	size_t i, added[2] = {0, 0};
	int rc = 0;

	a->top_up = o->top_up;
	a->unpaired = o->unpaired;
	if (unc_subid_admin_begin(a, !o->dry_run, &err) < 0) {
		cmd_fail_err(&err);
		fprintf(stderr, PROG ": nothing was written\n");
		return EXIT_FAIL;
	}
	for (i = 0; i < o->nusers && rc == 0; i++) {
		int r;
		if (o->cmd == CMD_ADD)
			r = unc_subid_admin_add(a, o->users[i],
						o->has_count || o->top_up ? o->count : 0,
						o->has_start, o->start, &ev, &err);
		else
			r = unc_subid_admin_del(a, o->users[i], o->has_start, o->start, &ev, &err);
		if (r < 0)
			rc = cmd_fail_err(&err);
	}
	if (rc == 0 && o->cmd == CMD_SYNC &&
	    unc_subid_admin_sync(a, o->has_count ? o->count : 0, added, &err) < 0)
		rc = cmd_fail_err(&err);
	if (rc != 0) {
		fprintf(stderr, PROG ": nothing was written\n");
		unc_subid_events_free(&ev);
		return rc;
	}
	if (o->dry_run) {
		report_events(a, &ev, 1);
		unc_subid_events_free(&ev);
		return print_diffs(a);
	}
	rc = commit(a);
	if (rc == 0)
		report_events(a, &ev, 0);
	unc_subid_events_free(&ev);
	if (rc == 0 && o->cmd == CMD_SYNC) {
		int k;
		for (k = 0; k < 2; k++) {
			if (!(o->kinds & (k == UNC_SUBUID ? UNC_KIND_UIDS : UNC_KIND_GIDS)))
				continue;
			if (added[k])
				printf("gave %zu user%s subordinate %s in %s\n", added[k],
				       added[k] == 1 ? "" : "s", kind_ids(k), a->paths.file[k]);
			else
				printf("every login user holds subordinate %s in %s already\n",
				       kind_ids(k), a->paths.file[k]);
		}
	}
	return rc;
}

static void print_ranges_text(const struct unc_subid_list *l)
{
	size_t i;

	if (l->n == 0)
		fputs("-", stdout);
	for (i = 0; i < l->n; i++)
		printf("%s%" PRIu64 ":%" PRIu64, i ? "," : "", l->ranges[i].start,
		       l->ranges[i].count);
}

static void print_ranges_json(const char *key, const struct unc_subid_list *l)
{
	size_t i;

	printf("\"%s\":[", key);
	for (i = 0; i < l->n; i++)
		printf("%s{\"start\":%" PRIu64 ",\"count\":%" PRIu64 "}", i ? "," : "",
		       l->ranges[i].start, l->ranges[i].count);
	putchar(']');
}

static int run_list(struct options *o, struct unc_subid_admin *a)
{
	struct unc_subid_holders h;
	struct unc_error err;
	size_t i;

	if (unc_subid_admin_holders(a, o->users, o->nusers, &h, &err) < 0) {
		unc_subid_holders_free(&h);
		return cmd_fail_err(&err);
	}
	if (o->json)
		printf("{\"version\":%d,\"users\":[", JSON_VERSION);
	for (i = 0; i < h.n; i++) {
		const struct unc_subid_holder *x = &h.v[i];
		char owner[UNC_SUBID_LINE_MAX * 4 + 16];
		if (o->json) {
			printf("%s{\"user\":", i ? "," : "");
			json_string(stdout, x->owner, x->owner_len);
			if (o->kinds & UNC_KIND_UIDS) {
				putchar(',');
				print_ranges_json("uids", &x->ranges[UNC_SUBUID]);
			}
			if (o->kinds & UNC_KIND_GIDS) {
				putchar(',');
				print_ranges_json("gids", &x->ranges[UNC_SUBGID]);
			}
			putchar('}');
			continue;
		}
		fputs(escaped(x->owner, x->owner_len, owner, sizeof owner), stdout);
		if (o->kinds & UNC_KIND_UIDS) {
			fputs(" uids=", stdout);
			print_ranges_text(&x->ranges[UNC_SUBUID]);
		}
		if (o->kinds & UNC_KIND_GIDS) {
			fputs(" gids=", stdout);
			print_ranges_text(&x->ranges[UNC_SUBGID]);
		}
		putchar('\n');
	}
	if (o->json)
		puts("]}");
	unc_subid_holders_free(&h);
	return 0;
}

static int run_check(struct options *o, struct unc_subid_admin *a)
{
	struct unc_subid_problems p = {0};
	const struct unc_user_index *ix;
	struct unc_error err;
	size_t i, errors = 0;
	int k;

	if (unc_subid_admin_index(a, &ix, &err) < 0)
		return cmd_fail_err(&err);

	for (k = 0; k < 2; k++) {
		if (!(o->kinds & (k == UNC_SUBUID ? UNC_KIND_UIDS : UNC_KIND_GIDS)))
			continue;
		if (unc_subid_check_file(&a->file[k], (enum unc_subid_kind)k, ix, a->paths.passwd,
					 &p, &err) < 0) {
			unc_subid_problems_free(&p);
			return cmd_fail_err(&err);
		}
	}
	if (o->kinds == UNC_KIND_BOTH &&
	    unc_subid_check_pairs(a->file, ix, a->paths.file, &p, &err) < 0) {
		unc_subid_problems_free(&p);
		return cmd_fail_err(&err);
	}
	if (o->json)
		printf("{\"version\":%d,\"problems\":[", JSON_VERSION);
	for (i = 0; i < p.n; i++) {
		const struct unc_subid_problem *x = &p.v[i];
		const char *file = kind_file(a, x->kind);
		char shown[UNC_ERROR_MSG_MAX * 4 + 16], where[32] = "";
		if (!x->warning)
			errors++;
		if (o->json) {
			printf("%s{\"file\":", i ? "," : "");
			json_string(stdout, file, strlen(file));
			printf(",\"line\":%zu,\"problem\":\"%s\",\"severity\":\"%s\","
			       "\"message\":",
			       x->line, x->type, x->warning ? "warning" : "error");
			json_string(stdout, x->message, strlen(x->message));
			putchar('}');
			continue;
		}
		if (x->line)
			snprintf(where, sizeof where, ":%zu", x->line);
		printf("%s%s: %s%s: %s\n", printable(file, shown, sizeof shown), where,
		       x->warning ? "warning: " : "", x->type,
		       printable(x->message, shown + UNC_ERROR_MSG_MAX * 2,
				 sizeof shown - UNC_ERROR_MSG_MAX * 2));
	}
	if (o->json)
		puts("]}");
	else if (p.n == 0)
		printf("no problems found in %s\n",
		       o->kinds == UNC_KIND_BOTH
			   ? "either file"
			   : kind_file(a, o->kinds == UNC_KIND_UIDS ? UNC_SUBUID : UNC_SUBGID));
	k = errors > 0 ? EXIT_FAIL : 0;
	unc_subid_problems_free(&p);
	return k;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct unc_subid_admin a;
	struct unc_error err;
	char source[64];
	int r, rc;

	cmd_msg_init(PROG, EXIT_FAIL);
	cmd_start(EXIT_FAIL);
	r = parse_options(argc, argv, &o);
	if (r > 0) /* --help, --version */
		return cmd_finish_stdout() < 0 ? EXIT_FAIL : 0;
	if (r < 0)
		return -r;
	if ((o.cmd == CMD_ADD || o.cmd == CMD_DEL) && check_names(&o) != 0)
		return EXIT_FAIL;
	if (unc_subid_admin_init(&a, o.prefix, o.kinds, &err) < 0)
		return cmd_fail_err(&err);
	if (o.has_lock_timeout)
		a.lock_timeout_ms = o.lock_timeout_ms;

	unc_subid_admin_nss_source(&a, source, sizeof source);
	if (strcmp(source, "files") != 0) {
		if (o.cmd != CMD_LIST && o.cmd != CMD_CHECK) {
			rc = files_only_refusal(&a, source);
			unc_subid_admin_end(&a);
			return rc;
		}
		fprintf(stderr, PROG ": note: %s sends subid: to '%s'; this shows %s and %s only\n",
			a.paths.nsswitch, source, a.paths.file[UNC_SUBUID],
			a.paths.file[UNC_SUBGID]);
	}

	switch (o.cmd) {
	case CMD_LIST:
	case CMD_CHECK:
		if (unc_subid_admin_begin(&a, 0, &err) < 0) {
			rc = cmd_fail_err(&err);
			break;
		}
		rc = o.cmd == CMD_LIST ? run_list(&o, &a) : run_check(&o, &a);
		break;
	default:
		rc = run_change(&o, &a);
		break;
	}
	unc_subid_admin_end(&a);
	/* an earlier automatic flush may have failed too: ferror() says */
	if (cmd_finish_stdout() < 0 && rc == 0)
		rc = EXIT_FAIL;
	return rc;
}
