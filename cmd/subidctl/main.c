/* subidctl: provision subordinate ID ranges in /etc/subuid and /etc/subgid.
 * Option parsing, messages and exit codes only; the work is in lib/
 * (subidadmin.c and the modules it drives). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <paths.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "cmdmsg.h"
#include "json.h"
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
	int unsafe_wrap;
	const char *sync_list; /* sync --users: "a,b" or "-" (stdin) */
};

static void usage(void)
{
	fputs("\nUsage:\n"
	      " " PROG " list [USER...] [--json]\n"
	      " " PROG " add USER... [--count N | --top-up N] [--uids|--gids] [--start ID]\n"
	      " " PROG " del USER... [--uids|--gids] [--start ID]\n"
	      " " PROG " sync [--count N] [--uids|--gids] [--users NAME,...|-]\n"
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
	      "          (--users: only those named, looked up one by one in NSS)\n"
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
	      "     --users <list>        sync these users (comma-separated; - reads\n"
	      "                             names from standard input)\n"
	      "     --unsafe-wrap         obey UNSAFE_SUB_UID_DETERMINISTIC_WRAP (ranges\n"
	      "                             may overlap: for labs only)\n"
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

enum { OPT_LOCK_TIMEOUT = 0x100, OPT_USERS, OPT_UNSAFE_WRAP, OPT_UNPAIRED };

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
	    {"users", required_argument, NULL, OPT_USERS},
	    {"unsafe-wrap", no_argument, NULL, OPT_UNSAFE_WRAP},
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
				return -cmd_usage_error("--prefix: empty directory name");
			o->prefix = optarg;
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case OPT_LOCK_TIMEOUT:
			if (unc_parse_u64(optarg, 0, 3600, &v, "--lock-timeout", &err) < 0)
				return cmd_fail_err(&err), -EXIT_USAGE;
			o->lock_timeout_ms = (unsigned)v * 1000u;
			o->has_lock_timeout = 1;
			break;
		case OPT_USERS:
			o->sync_list = optarg;
			break;
		case OPT_UNSAFE_WRAP:
			o->unsafe_wrap = 1;
			break;
		case OPT_UNPAIRED:
			o->unpaired = 1;
			break;
		case 'h':
			usage();
			return 1;
		case 'V':
			printf(PROG " from uncmap %s\n", UNC_VERSION);
			return 1;
		case ':':
			return -cmd_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return -cmd_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	o->kinds = only ? only : UNC_KIND_BOTH;
	if (optind >= argc)
		return -cmd_usage_error("no command given (list, add, del, sync or check)");
	o->cmd_name = argv[optind];
	o->cmd = parse_command(argv[optind]);
	if (o->cmd == CMD_NONE)
		return -cmd_usage_error("unknown command '%s'", argv[optind]);
	o->users = argv + optind + 1;
	o->nusers = (size_t)(argc - optind - 1);

	if ((o->cmd == CMD_ADD || o->cmd == CMD_DEL) && o->nusers == 0)
		return -cmd_usage_error("%s: no user given", o->cmd_name);
	if ((o->cmd == CMD_SYNC || o->cmd == CMD_CHECK) && o->nusers > 0)
		return -cmd_usage_error("%s takes no user names", o->cmd_name);
	if (o->has_count && o->cmd != CMD_ADD && o->cmd != CMD_SYNC)
		return -cmd_usage_error("--count goes with add or sync");
	if (o->top_up && o->has_count)
		return -cmd_usage_error("--top-up and --count cannot go together");
	if (o->top_up && (o->cmd != CMD_ADD || o->has_start))
		return -cmd_usage_error("--top-up goes with add, without --start");
	if (o->unpaired && o->cmd != CMD_ADD && o->cmd != CMD_SYNC)
		return -cmd_usage_error("--unpaired goes with add or sync");
	if (o->has_start && o->cmd != CMD_ADD && o->cmd != CMD_DEL)
		return -cmd_usage_error("--start goes with add or del");
	if (o->has_start && o->nusers != 1)
		return -cmd_usage_error("--start needs exactly one user");
	if (o->json && o->cmd != CMD_LIST && o->cmd != CMD_CHECK)
		return -cmd_usage_error("--json goes with list or check");
	if (o->dry_run && (o->cmd == CMD_LIST || o->cmd == CMD_CHECK))
		return -cmd_usage_error("--dry-run goes with add, del or sync");
	if (o->sync_list && o->cmd != CMD_SYNC)
		return -cmd_usage_error("--users goes with sync");
	if (o->unsafe_wrap && o->cmd != CMD_ADD && o->cmd != CMD_SYNC)
		return -cmd_usage_error("--unsafe-wrap goes with add or sync");
	return 0;
}

/* sync --users: the names, split at commas, or (for "-") at blanks and
 * newlines of standard input. They replace o->users; *text keeps them. */
static int load_sync_users(struct options *o, char **text, char ***names)
{
	size_t len = 0, cap = 0, n = 0;
	char *buf, *p, *save = NULL;
	const char *seps = ",";
	char **v;

	if (strcmp(o->sync_list, "-") == 0) {
		FILE *in = stdin;
		size_t got;
		seps = " \t\r\n";
		buf = NULL;
		do {
			if (len + 4096 + 1 > cap) {
				char *bigger = realloc(buf, cap = (cap ? cap * 2 : 8192));
				if (!bigger) {
					free(buf);
					return cmd_fail(
					    "cannot read the user names: out of memory");
				}
				buf = bigger;
			}
			got = fread(buf + len, 1, cap - len - 1, in);
			len += got;
		} while (got > 0);
		if (ferror(in)) {
			free(buf);
			return cmd_fail("cannot read the user names from standard input");
		}
		buf[len] = '\0';
	} else if (!(buf = strdup(o->sync_list))) {
		return cmd_fail("cannot read the user names: out of memory");
	}
	v = malloc((strlen(buf) / 2 + 2) * sizeof *v);
	if (!v) {
		free(buf);
		return cmd_fail("cannot read the user names: out of memory");
	}
	for (p = strtok_r(buf, seps, &save); p; p = strtok_r(NULL, seps, &save))
		v[n++] = p;
	if (n == 0) {
		free(buf);
		free(v);
		return cmd_usage_error("--users: no user named");
	}
	*text = buf;
	*names = v;
	o->users = v;
	o->nusers = n;
	return 0;
}

/* Names that cannot be owners are refused before anything is locked. */
static int check_names(const struct options *o)
{
	struct unc_error err;
	size_t i;

	for (i = 0; i < o->nusers; i++) {
		if (unc_subid_owner_valid(o->users[i], &err) < 0)
			return cmd_fail("'%s' cannot own subordinate IDs: its name %s", o->users[i],
					err.msg);
	}
	return 0;
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
	unc_escape_text(pw ? pw->pw_name : "?", by, sizeof by);
	for (k = 0; k < 2; k++) {
		const struct unc_subid_file *f = &a->file[k];
		size_t i;
		if (!written[k])
			continue;
		unc_escape_text(a->paths.file[k], path, sizeof path);
		for (i = 0; i < f->n; i++) {
			const struct unc_subid_line *l = &f->lines[i];
			const struct unc_subid_entry *e = &l->entry;
			if (!l->parsed || l->deleted == l->added) /* unchanged, or added and gone */
				continue;
			if (!opened) {
				openlog(PROG, LOG_PID, LOG_AUTH);
				opened = 1;
			}
			unc_escape_bytes(e->owner, e->owner_len, owner, sizeof owner);
			syslog(LOG_INFO,
			       "%s subordinate %s %" PRIu64 "-%" PRIu64 " (%" PRIu64
			       ") %s %s in %s, "
			       "by %s (uid %u)",
			       l->added ? "added" : "removed", unc_id_kinds[k].ids, e->start,
			       e->start + e->count - 1, e->count, l->added ? "to" : "from", owner,
			       path, by, (unsigned)getuid());
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
			a->paths.file[failed]);
	else
		fprintf(stderr, PROG ": %s is unchanged\n", a->paths.file[failed]);
	if (failed == UNC_SUBGID && written[UNC_SUBUID])
		fprintf(stderr, PROG ": %s was already updated\n", a->paths.file[UNC_SUBUID]);
	return EXIT_FAIL;
}

static void report_events(const struct unc_subid_admin *a, const struct unc_subid_events *ev,
			  int dry_run)
{
	char user[UNC_SUBID_OWNER_MAX * 4 + 16];
	size_t i;

	for (i = 0; i < ev->n; i++) {
		const struct unc_subid_event *e = &ev->v[i];
		const char *file = a->paths.file[e->kind];
		unc_escape_text(e->user, user, sizeof user);
		switch (e->what) {
		case UNC_SUBID_HELD:
			printf("%s already holds %" PRIu64 " subordinate %s in %s; left alone\n",
			       user, e->count, unc_id_kind(e->kind)->ids, file);
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

/* What login.defs says that shadow would warn about, as a warning. */
static void login_defs_warnings(const struct unc_subid_admin *a)
{
	size_t i;

	for (i = 0; i < a->defs.nwarnings && i < UNC_LOGIN_DEFS_WARN_MAX; i++)
		fprintf(stderr, PROG ": warning: %s\n", a->defs.warnings[i]);
	if (a->defs.nwarnings > UNC_LOGIN_DEFS_WARN_MAX)
		fprintf(stderr, PROG ": warning: %s: %zu more values that do not parse\n",
			a->paths.login_defs, a->defs.nwarnings - UNC_LOGIN_DEFS_WARN_MAX);
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
	login_defs_warnings(a);
	for (i = 0; i < o->nusers && rc == 0; i++) {
		int r;
		if (o->cmd == CMD_ADD || o->cmd == CMD_SYNC)
			r = unc_subid_admin_add(a, o->users[i],
						o->has_count || o->top_up ? o->count : 0,
						o->has_start, o->start, &ev, &err);
		else
			r = unc_subid_admin_del(a, o->users[i], o->has_start, o->start, &ev, &err);
		if (r < 0)
			rc = cmd_fail_err(&err);
	}
	if (rc == 0 && o->cmd == CMD_SYNC && !o->sync_list &&
	    unc_subid_admin_sync(a, o->has_count ? o->count : 0, added, &err) < 0)
		rc = cmd_fail_err(&err);
	if (o->cmd == CMD_SYNC && o->sync_list) {
		/* named users: one line in the end, as for the whole directory */
		for (i = 0; i < ev.n; i++)
			if (ev.v[i].what == UNC_SUBID_ADDED)
				added[ev.v[i].kind]++;
		ev.n = 0;
	}
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
			if (!(o->kinds & UNC_KIND_BIT(k)))
				continue;
			if (added[k])
				printf("gave %zu user%s subordinate %s in %s\n", added[k],
				       added[k] == 1 ? "" : "s", unc_id_kinds[k].ids,
				       a->paths.file[k]);
			else
				printf("every %s holds subordinate %s in %s already\n",
				       o->sync_list ? "user named" : "login user",
				       unc_id_kinds[k].ids, a->paths.file[k]);
		}
	}
	return rc;
}

/* " uids=100000:65536,200000:10", or " uids=-" for none. */
static void print_ranges_text(const char *key, const struct unc_subid_list *l)
{
	size_t i;

	printf(" %s=", key);
	if (l->n == 0)
		fputs("-", stdout);
	for (i = 0; i < l->n; i++)
		printf("%s%" PRIu64 ":%" PRIu64, i ? "," : "", l->ranges[i].start,
		       l->ranges[i].count);
}

/* ,"uids":[{"start":100000,"count":65536}] */
static void print_ranges_json(const char *key, const struct unc_subid_list *l)
{
	size_t i;

	printf(",\"%s\":[", key);
	for (i = 0; i < l->n; i++)
		printf("%s{\"start\":%" PRIu64 ",\"count\":%" PRIu64 "}", i ? "," : "",
		       l->ranges[i].start, l->ranges[i].count);
	putchar(']');
}

static int run_list(struct options *o, struct unc_subid_admin *a, int served)
{
	struct unc_subid_holders h;
	struct unc_error err;
	size_t i;
	int k, r = served ? unc_subid_admin_served(a, o->users, o->nusers, &h, &err)
			  : unc_subid_admin_holders(a, o->users, o->nusers, &h, &err);

	if (r < 0) {
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
			cmd_json_string(stdout, x->owner, x->owner_len);
			for (k = 0; k < UNC_ID_KINDS; k++)
				if (o->kinds & UNC_KIND_BIT(k))
					print_ranges_json(unc_id_kinds[k].word, &x->ranges[k]);
			putchar('}');
			continue;
		}
		unc_escape_bytes(x->owner, x->owner_len, owner, sizeof owner);
		fputs(owner, stdout);
		for (k = 0; k < UNC_ID_KINDS; k++)
			if (o->kinds & UNC_KIND_BIT(k))
				print_ranges_text(unc_id_kinds[k].word, &x->ranges[k]);
		putchar('\n');
	}
	if (o->json)
		puts("]}");
	unc_subid_holders_free(&h);
	return 0;
}

/* check for "subid: uncmap": what keeps the module from serving. One
 * line per kind, "FILE: module: why", then the fix; JSON entries go
 * first in the array, *n counts them. */
static int check_module(struct options *o, struct unc_subid_admin *a, size_t *n)
{
	struct unc_error why;
	int k;

	*n = 0;
	for (k = 0; k < 2; k++) {
		if (!(o->kinds & UNC_KIND_BIT(k)) ||
		    unc_subid_admin_module_problem(a, (enum unc_subid_kind)k, &why) == 0)
			continue;
		if (o->json) {
			printf("%s{\"file\":", *n ? "," : "");
			cmd_json_string(stdout, a->paths.login_defs, strlen(a->paths.login_defs));
			fputs(",\"line\":0,\"problem\":\"module\",\"severity\":\"error\","
			      "\"message\":",
			      stdout);
			cmd_json_string(stdout, why.msg, strlen(why.msg));
			putchar('}');
		} else {
			char shown[UNC_ERROR_MSG_MAX * 4];
			unc_escape_text(why.msg, shown, sizeof shown);
			printf("%s: module: %s\n", a->paths.login_defs, shown);
			unc_escape_text(why.hint, shown, sizeof shown);
			printf("%s: module: fix: %s\n", a->paths.login_defs, shown);
		}
		(*n)++;
	}
	return 0;
}

static int run_check(struct options *o, struct unc_subid_admin *a, int served)
{
	struct unc_subid_problems p = {0};
	const struct unc_user_index *ix;
	struct unc_error err;
	size_t i, nmodule = 0, errors = 0;
	int k;

	if (unc_subid_admin_index(a, &ix, &err) < 0)
		return cmd_fail_err(&err);

	for (k = 0; k < 2; k++) {
		if (!(o->kinds & UNC_KIND_BIT(k)))
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
	if (served)
		check_module(o, a, &nmodule);
	for (i = 0; i < p.n; i++) {
		const struct unc_subid_problem *x = &p.v[i];
		const char *file = a->paths.file[x->kind];
		char shown[UNC_ERROR_MSG_MAX * 4], path[UNC_ERROR_MSG_MAX * 4], where[32] = "";
		if (!x->warning)
			errors++;
		if (o->json) {
			printf("%s{\"file\":", i || nmodule ? "," : "");
			cmd_json_string(stdout, file, strlen(file));
			printf(",\"line\":%zu,\"problem\":\"%s\",\"severity\":\"%s\","
			       "\"message\":",
			       x->line, x->type, x->warning ? "warning" : "error");
			cmd_json_string(stdout, x->message, strlen(x->message));
			putchar('}');
			continue;
		}
		/* line 0: a problem of the whole file */
		if (x->line)
			snprintf(where, sizeof where, ":%zu", x->line);
		unc_escape_text(file, path, sizeof path);
		unc_escape_text(x->message, shown, sizeof shown);
		printf("%s%s: %s%s: %s\n", path, where, x->warning ? "warning: " : "", x->type,
		       shown);
	}
	if (o->json)
		puts("]}");
	else if (p.n == 0 && nmodule == 0)
		printf("no problems found in %s\n",
		       o->kinds == UNC_KIND_BOTH
			   ? "either file"
			   : a->paths.file[o->kinds == UNC_KIND_UIDS ? UNC_SUBUID : UNC_SUBGID]);
	k = errors > 0 || nmodule > 0 ? EXIT_FAIL : 0;
	unc_subid_problems_free(&p);
	return k;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct unc_subid_admin a;
	struct unc_error err;
	char source[64];
	char *sync_text = NULL, **sync_names = NULL;
	int r, rc, served;

	cmd_msg_init(PROG, EXIT_FAIL);
	cmd_msg_usage_status(EXIT_USAGE);
	cmd_start(EXIT_FAIL);
	r = parse_options(argc, argv, &o);
	if (r > 0) /* --help, --version */
		return cmd_finish_stdout() < 0 ? EXIT_FAIL : 0;
	if (r < 0)
		return -r;
	if (o.sync_list && (r = load_sync_users(&o, &sync_text, &sync_names)) != 0)
		return r;
	if ((o.cmd == CMD_ADD || o.cmd == CMD_DEL || o.sync_list) && check_names(&o) != 0) {
		free(sync_text);
		free(sync_names);
		return EXIT_FAIL;
	}
	if (unc_subid_admin_init(&a, o.prefix, o.kinds, &err) < 0)
		return cmd_fail_err(&err);
	if (o.has_lock_timeout)
		a.lock_timeout_ms = o.lock_timeout_ms;
	a.allow_unsafe_wrap = o.unsafe_wrap;

	unc_subid_admin_nss_source(&a, source, sizeof source);
	if (strcmp(source, "files") != 0) {
		if (o.cmd != CMD_LIST && o.cmd != CMD_CHECK) {
			rc = files_only_refusal(&a, source);
			unc_subid_admin_end(&a);
			return rc;
		}
		if (strcmp(source, "uncmap") == 0 && o.cmd == CMD_LIST && o.nusers > 0)
			fprintf(stderr,
				PROG ": note: %s sends subid: to 'uncmap'; these are the ranges "
				     "libsubid_uncmap.so computes from %s\n",
				a.paths.nsswitch, a.paths.login_defs);
		else
			fprintf(stderr,
				PROG
				": note: %s sends subid: to '%s'; this shows %s and %s only%s\n",
				a.paths.nsswitch, source, a.paths.file[UNC_SUBUID],
				a.paths.file[UNC_SUBGID],
				strcmp(source, "uncmap") == 0
				    ? " (name users to see what libsubid_uncmap.so serves them)"
				    : "");
	}
	served = strcmp(source, "uncmap") == 0;

	switch (o.cmd) {
	case CMD_LIST:
	case CMD_CHECK:
		if (unc_subid_admin_begin(&a, 0, &err) < 0) {
			rc = cmd_fail_err(&err);
			break;
		}
		login_defs_warnings(&a);
		rc = o.cmd == CMD_LIST ? run_list(&o, &a, served && o.nusers > 0)
				       : run_check(&o, &a, served);
		break;
	default:
		rc = run_change(&o, &a);
		break;
	}
	unc_subid_admin_end(&a);
	free(sync_text);
	free(sync_names);
	/* an earlier automatic flush may have failed too: ferror() says */
	if (cmd_finish_stdout() < 0 && rc == 0)
		rc = EXIT_FAIL;
	return rc;
}
