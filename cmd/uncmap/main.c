/* uncmap: run a command in a new user namespace with a multi-ID map.
 * Option parsing, messages and exit codes only; the work is in lib/. */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "error.h"
#include "idmap.h"
#include "container.h"
#include "launch.h"
#include "numparse.h"
#include "passwd.h"
#include "pasta.h"
#include "cmdmsg.h"
#include "subid.h"
#include "twin.h"
#include "uncmap_check.h"
#include "uncmap_info.h"
#include "uncmap_session.h"
#include "userswitch.h"

#define PROG	    "uncmap"
#define EXIT_UNCMAP 125

/* The scalars first and the tables last: main() writes the defaults and
 * the options given, and each page of this 62 KiB first touched is a page
 * fault (about 14 us on the virtual machines we measure on): a plain
 * launch touches one page of it, not seven. */
struct options {
	uint64_t range;
	enum unc_map_root map_root;
	int mapped[UNC_ID_KINDS];	      /* --map-uid, --map-gid given: map[] holds them */
	const char *subid_file[UNC_ID_KINDS]; /* from --subuid-file/--subgid-file */
	const char *newuidmap, *newgidmap;
	int print_map;
	int check, json; /* --check, --json */
	enum unc_subid_via subid_via;
	int helper_timeout_s;
	char **argv;
	/* namespaces and the container */
	int ns_pid, ns_mount, ns_uts, ns_ipc, ns_net, ns_cgroup;
	int mount_proc;
	const char *root, *hostname, *wd;
	size_t nmount_ops;
	/* bwrap's environment and status options (issue 13) */
	int root_overlay, keep_env;
	size_t nenv_ops;
	int info_fd, status_fd;
	/* the user switch and capabilities */
	struct user_request user;
	int have_user, have_caps;
	struct caps_spec caps;
	enum unc_pty_mode pty_mode; /* --pty, --no-pty */
	/* --net=pasta: a working network (issue 15) */
	int net_pasta;
	const char *pasta; /* --pasta, or NULL for "pasta" in PATH */
	size_t npublish;
	size_t npasta_opts;
	int die_with_parent;
	/* named sessions (issue 14) */
	const char *session, *end; /* --session NAME, --end NAME|--all */
	int list_sessions;	   /* --sessions */
	unsigned session_idle;	   /* --session-idle SECONDS */
	size_t ngiven;
	int given_overflow;
	/* the namespace-defining options as given, in order (long name and
	 * value, pointing into longopts and argv): a join must not differ
	 * from the session in any of them */
	struct {
		const char *name, *value;
	} given[1024]; /* more than the limits of each option together */
	/* indexed by enum unc_subid_kind */
	struct idmap_plan map[UNC_ID_KINDS]; /* from --map-uid/--map-gid */
	struct mount_op mount_ops[256 + 2];  /* and newuidshell's two */
	char *mount_storage[256];	     /* what mount option parsing allocated */
	struct env_op env_ops[256];
	struct unc_publish publish[64];
	char *pasta_opts[64];
};

static void usage(void)
{
	fputs("\nUsage:\n"
	      " " PROG " [options] [--] [<program> [<argument>...]]\n"
	      "\n"
	      "Run a program as root in a new user namespace whose map holds a whole range\n"
	      "of IDs, backed by your subordinate IDs (/etc/subuid, /etc/subgid) through\n"
	      "newuidmap and newgidmap. Without a program, runs $SHELL (or /bin/sh).\n"
	      "\n"
	      "Options:\n"
	      " -r, --range <n>              map <n> IDs, 0..n-1 (default 65536)\n"
	      "     --map-root <self|sub>    container 0 is your own ID (self, default)\n"
	      "                                or a subordinate ID too (sub)\n"
	      "     --map-uid <in:out:count> map UIDs explicitly (repeatable, replaces\n"
	      "                                the planned UID map)\n"
	      "     --map-gid <in:out:count> map GIDs explicitly (repeatable)\n"
	      "     --subuid-file <file>     read subordinate UIDs from <file>\n"
	      "     --subgid-file <file>     read subordinate GIDs from <file>\n"
	      "     --subid-source <how>     auto (libsubid for nsswitch.conf modules, the\n"
	      "                                files directly otherwise), libsubid, files\n"
	      "     --print-map              print the planned maps and run nothing\n"
	      "     --check                  diagnose mapping IDs, one line per check (ok,\n"
	      "                                warn, FAIL) with its fix; exit 0 when a\n"
	      "                                launch would work, 1 otherwise\n"
	      "     --json                   with --check: the report as JSON\n"
	      "     --newuidmap <path>       the newuidmap helper to run\n"
	      "     --newgidmap <path>       the newgidmap helper to run\n"
	      "     --helper-timeout <sec>   give up on a hung helper after <sec> seconds\n"
	      "                                (default 10)\n"
	      "\n"
	      " -p, --pid                    new PID namespace; uncmap's child is its init\n"
	      " -m, --mount                  new mount namespace, private propagation\n"
	      "     --mount-proc             mount a fresh /proc (needs --pid)\n"
	      "     --root <dir>             pivot_root into <dir>, with /proc, a minimal\n"
	      "                                /dev and a read-only /sys\n"
	      "     --root-overlay <dir>     the same, on a throw-away overlay: <dir> is\n"
	      "                                never written, every run starts clean\n"
	      "\n"
	      "     --uts                    new UTS namespace\n"
	      "     --hostname <name>        set the host name (implies --uts)\n"
	      "     --ipc                    new IPC namespace\n"
	      "     --net[=none]             new network namespace with lo up\n"
	      "     --net=pasta              new network namespace with a working network\n"
	      "                                through pasta (package passt); the host's\n"
	      "                                loopback is at the gateway address\n"
	      "     --publish <[ip:]hport:port[/tcp|/udp]>\n"
	      "                              forward a host port into the namespace\n"
	      "                                (repeatable; with --net=pasta)\n"
	      "     --pasta <path>           the pasta program to run\n"
	      "     --pasta-opt <option>     pass one more argument to pasta (repeatable)\n"
	      "     --cgroup                 new cgroup namespace\n"
	      "     --wd <dir>               working directory inside (default: the current\n"
	      "                                one when it exists inside, else /)\n"
	      "\n"
	      "Filesystem operations, in command-line order; a missing destination is\n"
	      "made inside --root (never on the host); write ':' in a path as '\\:':\n"
	      "     --bind <src>:<dst>       bind-mount <src> on <dst>, without devices\n"
	      "     --ro-bind <src>:<dst>    the same, read-only\n"
	      "     --dev-bind <src>:<dst>   the same, devices usable\n"
	      "     --bind-try, --ro-bind-try, --dev-bind-try <src>:<dst>\n"
	      "                              the same, skipped when <src> is missing\n"
	      "     --tmpfs <dst>            mount a tmpfs on <dst>\n"
	      "     --dir <dst>              make a directory\n"
	      "     --symlink <target>:<dst> make a symbolic link\n"
	      "     --remount-ro <dst>       make the mount at <dst> read-only\n"
	      "     --chmod <mode>:<path>    change the mode of <path> (octal)\n"
	      "     --file <fd>:<dst>        a private copy of what <fd> holds at <dst>\n"
	      "     --ro-bind-data <fd>:<dst>\n"
	      "                              the same, read-only\n"
	      "     --overlay <lower>[:<lower>...]:<upper>:<work>:<dst>\n"
	      "                              an overlay on <dst> (Linux 5.11 or later)\n"
	      "     --tmp-overlay <lower>:<dst>\n"
	      "                              an overlay whose writes vanish at exit\n"
	      "\n"
	      "Environment (under --root, unless --keep-env: only TERM is kept; PATH,\n"
	      "HOME, SHELL, USER, LOGNAME are those of the user's login inside):\n"
	      "     --setenv <name> <value>  set a variable\n"
	      "     --unsetenv <name>        remove a variable\n"
	      "     --clearenv               remove every variable\n"
	      "     --keep-env               under --root, keep the caller's environment\n"
	      "     --info-fd <fd>           write the PID and namespaces as JSON to <fd>\n"
	      "     --json-status-fd <fd>    the same, then the exit status\n"
	      "\n"
	      "     --user <user>[:<group>]  run the program as <user> (a name from the\n"
	      "                                namespace's /etc/passwd, inside --root, or a\n"
	      "                                number), with its groups or <group>\n"
	      "     --cap-add <cap,...>      keep these capabilities (for --user too)\n"
	      "     --cap-drop <cap,...|ALL> drop these capabilities, bounding set included\n"
	      "     --no-new-privs           the program can gain no privilege by execve\n"
	      "     --die-with-parent        when uncmap's parent dies, kill uncmap and\n"
	      "                                everything it started\n"
	      "\n"
	      "     --pty                    give the program a pseudo-terminal even when\n"
	      "                                standard input is not a terminal\n"
	      "     --no-pty                 no pseudo-terminal: the program runs in a new\n"
	      "                                session with no controlling terminal\n"
	      "\n"
	      "     --session <name>         run the program in session <name>: join it, or\n"
	      "                                create it (its namespaces, maps, mounts and\n"
	      "                                root, from the options) when it does not exist\n"
	      "     --session-idle <sec>     end the new session after <sec> seconds with\n"
	      "                                no process in it\n"
	      "     --sessions               list your sessions (--json: as JSON)\n"
	      "     --end <name>|--all       end a session: kill everything in it\n"
	      "\n"
	      " -h, --help                   display this help\n"
	      " -V, --version                display version\n"
	      "\n"
	      "Exit status:\n"
	      " the program's own status; if it was killed by signal N, uncmap dies\n"
	      " of N too (128+N to a shell);\n"
	      " 125 if uncmap itself failed, 126 if the program could not be executed,\n"
	      " 127 if the program was not found.\n"
	      "\n"
	      "Examples:\n"
	      " " PROG " --range 65536 bash\n"
	      " " PROG " -- cat /proc/self/uid_map\n"
	      " " PROG " --map-uid 0:1000:1 --map-uid 1:100000:65535 -- id\n"
	      " " PROG " --root rfs --pid --hostname box -- /bin/sh\n"
	      " " PROG " --root-overlay rfs -- newuidshell -l bob\n"
	      "\n"
	      "For more details see uncmap(1).\n",
	      stdout);
}

/* The last line of every launch failure that `uncmap --check` explains. */
static int fail_check(void)
{
	return cmd_fail("run 'uncmap --check' for a diagnosis");
}

/* Output that did not reach standard output is a failure, said once. */
static int finish_stdout(void)
{
	return cmd_finish_stdout() < 0 ? EXIT_UNCMAP : 0;
}

enum {
	OPT_MAP_ROOT = 0x100,
	OPT_MAP_UID,
	OPT_MAP_GID,
	OPT_SUBUID_FILE,
	OPT_SUBGID_FILE,
	OPT_PRINT_MAP,
	OPT_NEWUIDMAP,
	OPT_NEWGIDMAP,
	OPT_HELPER_TIMEOUT,
	OPT_SUBID_SOURCE,
	OPT_CHECK,
	OPT_JSON,
	OPT_MOUNT_PROC,
	OPT_ROOT,
	OPT_MOUNT,
	OPT_ROOT_OVERLAY,
	OPT_SETENV,
	OPT_UNSETENV,
	OPT_CLEARENV,
	OPT_KEEP_ENV,
	OPT_INFO_FD,
	OPT_JSON_STATUS_FD,
	OPT_UTS,
	OPT_HOSTNAME,
	OPT_IPC,
	OPT_NET,
	OPT_CGROUP,
	OPT_WD,
	OPT_USER,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_NO_NEW_PRIVS,
	OPT_PTY,
	OPT_NO_PTY,
	OPT_PUBLISH,
	OPT_PASTA,
	OPT_PASTA_OPT,
	OPT_DIE_WITH_PARENT,
	OPT_SESSION,
	OPT_SESSIONS,
	OPT_SESSION_IDLE,
	OPT_END,
};

/* --setenv NAME VALUE (two arguments, as in bwrap), --unsetenv NAME,
 * --clearenv: kept in order, applied in the command's process. */
static int parse_env_option(int c, int argc, char **argv, struct options *o)
{
	const char *opt = c == OPT_SETENV     ? "--setenv"
			  : c == OPT_UNSETENV ? "--unsetenv"
					      : "--clearenv";
	struct env_op *op = &o->env_ops[o->nenv_ops];
	struct unc_error err;

	if (o->nenv_ops >= sizeof o->env_ops / sizeof o->env_ops[0])
		return cmd_fail("%s: too many environment options (at most %zu)", opt,
				sizeof o->env_ops / sizeof o->env_ops[0]);
	op->kind = c == OPT_SETENV     ? UNC_ENV_SET
		   : c == OPT_UNSETENV ? UNC_ENV_UNSET
				       : UNC_ENV_CLEAR;
	op->name = c == OPT_CLEARENV ? NULL : optarg;
	op->value = NULL;
	if (op->name && unc_env_check_name(op->name, opt, &err) < 0)
		return cmd_fail_err(&err);
	if (c == OPT_SETENV) {
		if (optind >= argc)
			return cmd_fail("--setenv: '%s' has no value: --setenv NAME VALUE", optarg);
		op->value = argv[optind++];
	}
	o->nenv_ops++;
	return 0;
}

/* --net[=none|pasta], --publish, --pasta, --pasta-opt. */
static int parse_net_option(int c, const char *arg, struct options *o)
{
	struct unc_error err;

	unc_error_clear(&err);
	switch (c) {
	case OPT_NET:
		if (arg && strcmp(arg, "pasta") == 0)
			o->net_pasta = 1;
		else if (arg && strcmp(arg, "none") != 0)
			return cmd_fail("--net: '%s' is not 'none' or 'pasta'", arg);
		o->ns_net = 1;
		return 0;
	case OPT_PUBLISH:
		if (o->npublish >= sizeof o->publish / sizeof o->publish[0])
			return cmd_fail("--publish: too many ports (at most %zu)",
					sizeof o->publish / sizeof o->publish[0]);
		if (unc_publish_parse(arg, &o->publish[o->npublish], &err) < 0)
			return cmd_fail_err(&err);
		o->npublish++;
		return 0;
	case OPT_PASTA:
		if (arg[0] == '\0')
			return cmd_fail("--pasta: empty value, expected a program");
		o->pasta = arg;
		return 0;
	default:
		if (o->npasta_opts >= sizeof o->pasta_opts / sizeof o->pasta_opts[0])
			return cmd_fail("--pasta-opt: too many options (at most %zu)",
					sizeof o->pasta_opts / sizeof o->pasta_opts[0]);
		o->pasta_opts[o->npasta_opts++] = (char *)arg;
		return 0;
	}
}

/* Keep option c if it defines the namespaces (a join may repeat it, not
 * change it): its long name and value as given. */
static void note_defining(struct options *o, int c, const char *longname, const char *arg)
{
	const char *name = longname;

	switch (c) {
	case 'r':
	case 'p':
	case 'm':
		name = c == 'r' ? "range" : c == 'p' ? "pid" : "mount";
		break;
	case OPT_MAP_ROOT:
	case OPT_MAP_UID:
	case OPT_MAP_GID:
	case OPT_MOUNT_PROC:
	case OPT_ROOT:
	case OPT_ROOT_OVERLAY:
	case OPT_MOUNT:
	case OPT_UTS:
	case OPT_HOSTNAME:
	case OPT_IPC:
	case OPT_NET:
	case OPT_CGROUP:
	case OPT_SESSION_IDLE:
		break;
	default:
		return;
	}
	/* a flag repeated beyond belief: refused if --session needs them */
	if (o->ngiven >= sizeof o->given / sizeof o->given[0]) {
		o->given_overflow = 1;
		return;
	}
	o->given[o->ngiven].name = name;
	o->given[o->ngiven].value = arg ? arg : c == OPT_NET ? "none" : "";
	o->ngiven++;
}

/* Add the options given that define the namespaces to st, as "--NAME"
 * and value. 0 or -ENOMEM. */
static int add_given(const struct options *o, struct unc_session_state *st)
{
	char name[64];
	size_t i;
	int r = 0;

	for (i = 0; i < o->ngiven && r == 0; i++) {
		snprintf(name, sizeof name, "--%s", o->given[i].name);
		r = unc_session_opt_add(st, name, o->given[i].value);
	}
	return r;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"range", required_argument, NULL, 'r'},
	    {"map-root", required_argument, NULL, OPT_MAP_ROOT},
	    {"map-uid", required_argument, NULL, OPT_MAP_UID},
	    {"map-gid", required_argument, NULL, OPT_MAP_GID},
	    {"subuid-file", required_argument, NULL, OPT_SUBUID_FILE},
	    {"subgid-file", required_argument, NULL, OPT_SUBGID_FILE},
	    {"print-map", no_argument, NULL, OPT_PRINT_MAP},
	    {"newuidmap", required_argument, NULL, OPT_NEWUIDMAP},
	    {"newgidmap", required_argument, NULL, OPT_NEWGIDMAP},
	    {"helper-timeout", required_argument, NULL, OPT_HELPER_TIMEOUT},
	    {"subid-source", required_argument, NULL, OPT_SUBID_SOURCE},
	    {"check", no_argument, NULL, OPT_CHECK},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"pid", no_argument, NULL, 'p'},
	    {"mount", no_argument, NULL, 'm'},
	    {"mount-proc", no_argument, NULL, OPT_MOUNT_PROC},
	    {"root", required_argument, NULL, OPT_ROOT},
	    /* the filesystem operations, in command-line order (mounts.h) */
	    {"bind", required_argument, NULL, OPT_MOUNT},
	    {"ro-bind", required_argument, NULL, OPT_MOUNT},
	    {"dev-bind", required_argument, NULL, OPT_MOUNT},
	    {"bind-try", required_argument, NULL, OPT_MOUNT},
	    {"ro-bind-try", required_argument, NULL, OPT_MOUNT},
	    {"dev-bind-try", required_argument, NULL, OPT_MOUNT},
	    {"tmpfs", required_argument, NULL, OPT_MOUNT},
	    {"dir", required_argument, NULL, OPT_MOUNT},
	    {"symlink", required_argument, NULL, OPT_MOUNT},
	    {"remount-ro", required_argument, NULL, OPT_MOUNT},
	    {"chmod", required_argument, NULL, OPT_MOUNT},
	    {"file", required_argument, NULL, OPT_MOUNT},
	    {"ro-bind-data", required_argument, NULL, OPT_MOUNT},
	    {"overlay", required_argument, NULL, OPT_MOUNT},
	    {"tmp-overlay", required_argument, NULL, OPT_MOUNT},
	    {"root-overlay", required_argument, NULL, OPT_ROOT_OVERLAY},
	    {"setenv", required_argument, NULL, OPT_SETENV},
	    {"unsetenv", required_argument, NULL, OPT_UNSETENV},
	    {"clearenv", no_argument, NULL, OPT_CLEARENV},
	    {"keep-env", no_argument, NULL, OPT_KEEP_ENV},
	    {"info-fd", required_argument, NULL, OPT_INFO_FD},
	    {"json-status-fd", required_argument, NULL, OPT_JSON_STATUS_FD},
	    {"uts", no_argument, NULL, OPT_UTS},
	    {"hostname", required_argument, NULL, OPT_HOSTNAME},
	    {"ipc", no_argument, NULL, OPT_IPC},
	    {"net", optional_argument, NULL, OPT_NET},
	    {"publish", required_argument, NULL, OPT_PUBLISH},
	    {"pasta", required_argument, NULL, OPT_PASTA},
	    {"pasta-opt", required_argument, NULL, OPT_PASTA_OPT},
	    {"cgroup", no_argument, NULL, OPT_CGROUP},
	    {"wd", required_argument, NULL, OPT_WD},
	    {"user", required_argument, NULL, OPT_USER},
	    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
	    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
	    {"no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS},
	    {"pty", no_argument, NULL, OPT_PTY},
	    {"no-pty", no_argument, NULL, OPT_NO_PTY},
	    {"die-with-parent", no_argument, NULL, OPT_DIE_WITH_PARENT},
	    {"session", required_argument, NULL, OPT_SESSION},
	    {"sessions", no_argument, NULL, OPT_SESSIONS},
	    {"session-idle", required_argument, NULL, OPT_SESSION_IDLE},
	    {"end", required_argument, NULL, OPT_END},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct unc_error err;
	int c, longindex = 0;
	uint64_t v;

	while ((c = getopt_long(argc, argv, "+r:pmhV", longopts, &longindex)) != -1) {
		note_defining(o, c, longopts[longindex].name, optarg);
		switch (c) {
		case 'r':
			if (unc_parse_u64(optarg, 1, UNC_ID_LIMIT - 1, &o->range, "--range", &err) <
			    0)
				return cmd_fail_err(&err);
			break;
		case OPT_MAP_ROOT:
			if (strcmp(optarg, "self") == 0)
				o->map_root = UNC_MAP_ROOT_SELF;
			else if (strcmp(optarg, "sub") == 0)
				o->map_root = UNC_MAP_ROOT_SUB;
			else
				return cmd_fail("--map-root: '%s' is not 'self' or 'sub'", optarg);
			break;
		case OPT_MAP_UID:
		case OPT_MAP_GID: {
			const struct unc_id_kind *k =
			    unc_id_kind(c == OPT_MAP_UID ? UNC_SUBUID : UNC_SUBGID);
			struct map_extent e;
			if (unc_idmap_parse_extent(optarg, &e, k->map_option, &err) < 0 ||
			    unc_idmap_add(&o->map[k->kind], &e, k->map_option, &err) < 0)
				return cmd_fail_err(&err);
			o->mapped[k->kind] = 1;
			break;
		}
		case OPT_SUBUID_FILE:
		case OPT_SUBGID_FILE: {
			const struct unc_id_kind *k =
			    unc_id_kind(c == OPT_SUBUID_FILE ? UNC_SUBUID : UNC_SUBGID);
			if (access(optarg, R_OK) < 0)
				return cmd_fail("%s: cannot read '%s': %s", k->file_option, optarg,
						strerror(errno));
			o->subid_file[k->kind] = optarg;
			break;
		}
		case OPT_PRINT_MAP:
			o->print_map = 1;
			break;
		case OPT_CHECK:
			o->check = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_NEWUIDMAP:
		case OPT_NEWGIDMAP:
			if (optarg[0] == '\0' || access(optarg, X_OK) < 0)
				return cmd_fail("%s: '%s' is not an executable file",
						c == OPT_NEWUIDMAP ? "--newuidmap" : "--newgidmap",
						optarg);
			if (c == OPT_NEWUIDMAP)
				o->newuidmap = optarg;
			else
				o->newgidmap = optarg;
			break;
		case OPT_HELPER_TIMEOUT:
			if (unc_parse_u64(optarg, 1, 3600, &v, "--helper-timeout", &err) < 0)
				return cmd_fail_err(&err);
			o->helper_timeout_s = (int)v;
			break;
		case OPT_SUBID_SOURCE:
			if (strcmp(optarg, "auto") == 0)
				o->subid_via = UNC_SUBID_VIA_AUTO;
			else if (strcmp(optarg, "libsubid") == 0)
				o->subid_via = UNC_SUBID_VIA_LIBSUBID;
			else if (strcmp(optarg, "files") == 0)
				o->subid_via = UNC_SUBID_VIA_FILES;
			else
				return cmd_fail("--subid-source: '%s' is not 'auto', 'libsubid' or "
						"'files'",
						optarg);
			break;
		case 'p':
			o->ns_pid = 1;
			break;
		case 'm':
			o->ns_mount = 1;
			break;
		case OPT_MOUNT_PROC:
			o->mount_proc = o->ns_mount = 1;
			break;
		case OPT_ROOT:
		case OPT_ROOT_OVERLAY:
			if (optarg[0] == '\0')
				return cmd_fail("%s: empty value, expected a directory",
						c == OPT_ROOT ? "--root" : "--root-overlay");
			o->root = optarg;
			o->root_overlay = c == OPT_ROOT_OVERLAY;
			o->ns_mount = 1;
			break;
		case OPT_SETENV:
		case OPT_UNSETENV:
		case OPT_CLEARENV:
			if (parse_env_option(c, argc, argv, o))
				return EXIT_UNCMAP;
			break;
		case OPT_KEEP_ENV:
			o->keep_env = 1;
			break;
		case OPT_INFO_FD:
		case OPT_JSON_STATUS_FD: {
			const char *opt = c == OPT_INFO_FD ? "--info-fd" : "--json-status-fd";
			if (unc_parse_u64(optarg, 0, INT_MAX, &v, opt, &err) < 0)
				return cmd_fail_err(&err);
			if (uncmap_info_check_fd((int)v, opt))
				return EXIT_UNCMAP;
			*(c == OPT_INFO_FD ? &o->info_fd : &o->status_fd) = (int)v;
			break;
		}
		case OPT_MOUNT: {
			char option[64];
			struct mount_op *op = &o->mount_ops[o->nmount_ops];
			snprintf(option, sizeof option, "--%s", longopts[longindex].name);
			if (o->nmount_ops >= sizeof o->mount_storage / sizeof o->mount_storage[0])
				return cmd_fail("%s: too many mount options (at most %zu)", option,
						sizeof o->mount_storage /
						    sizeof o->mount_storage[0]);
			if (unc_mount_parse(option, optarg, op, &o->mount_storage[o->nmount_ops],
					    &err) < 0)
				return cmd_fail_err(&err);
			o->nmount_ops++;
			o->ns_mount = 1;
			break;
		}
		case OPT_UTS:
			o->ns_uts = 1;
			break;
		case OPT_HOSTNAME:
			if (optarg[0] == '\0' || strlen(optarg) > 64)
				return cmd_fail(
				    "--hostname: '%s' is not a host name of 1 to 64 characters",
				    optarg);
			o->hostname = optarg;
			o->ns_uts = 1;
			break;
		case OPT_IPC:
			o->ns_ipc = 1;
			break;
		case OPT_NET:
		case OPT_PUBLISH:
		case OPT_PASTA:
		case OPT_PASTA_OPT:
			if (parse_net_option(c, optarg, o))
				return EXIT_UNCMAP;
			break;
		case OPT_CGROUP:
			o->ns_cgroup = 1;
			break;
		case OPT_WD:
			if (optarg[0] == '\0')
				return cmd_fail("--wd: empty value, expected a directory");
			o->wd = optarg;
			break;
		case OPT_USER:
			if (unc_user_request_parse(optarg, &o->user, "--user", &err) < 0)
				return cmd_fail_err(&err);
			o->have_user = 1;
			break;
		case OPT_CAP_ADD:
		case OPT_CAP_DROP:
			if (c == OPT_CAP_ADD
				? unc_caps_parse_list(optarg, 0, &o->caps.add, NULL, "--cap-add",
						      &err) < 0
				: unc_caps_parse_list(optarg, 1, &o->caps.drop, &o->caps.drop_all,
						      "--cap-drop", &err) < 0)
				return cmd_fail_err(&err);
			o->have_caps = 1;
			break;
		case OPT_NO_NEW_PRIVS:
			o->caps.no_new_privs = 1;
			o->have_caps = 1;
			break;
		case OPT_PTY:
		case OPT_NO_PTY:
			o->pty_mode = c == OPT_PTY ? UNC_PTY_ON : UNC_PTY_OFF;
			break;
		case OPT_DIE_WITH_PARENT:
			o->die_with_parent = 1;
			break;
		case OPT_SESSION:
		case OPT_END:
			*(c == OPT_SESSION ? &o->session : &o->end) = optarg;
			break;
		case OPT_SESSIONS:
			o->list_sessions = 1;
			break;
		case OPT_SESSION_IDLE:
			if (unc_parse_u64(optarg, 1, 7 * 24 * 3600, &v, "--session-idle", &err) < 0)
				return cmd_fail_err(&err);
			o->session_idle = (unsigned)v;
			break;
		case 'h':
			usage();
			exit(finish_stdout());
		case 'V':
			printf(PROG " " UNC_VERSION "\n");
			exit(finish_stdout());
		default:
			return cmd_try_help();
		}
	}
	o->argv = argv + optind;
	if (o->session) {
		/* a session always has its own PID and mount namespaces */
		o->ns_pid = o->ns_mount = 1;
		if (o->net_pasta)
			return cmd_fail("--net=pasta: not with --session (yet)");
		if (o->given_overflow)
			return cmd_fail("--session: too many options that define the namespaces "
					"(at most %zu)",
					sizeof o->given / sizeof o->given[0]);
		if (o->info_fd >= 0 || o->status_fd >= 0)
			return cmd_fail("%s: not with --session",
					o->info_fd >= 0 ? "--info-fd" : "--json-status-fd");
	} else if (o->session_idle) {
		return cmd_fail("--session-idle: only with --session");
	}
	if (o->mount_proc && !o->ns_pid)
		return cmd_fail("--mount-proc needs a new PID namespace: add --pid");
	if (!o->net_pasta && (o->npublish || o->pasta || o->npasta_opts))
		return cmd_fail("%s: only with --net=pasta", o->npublish ? "--publish"
							     : o->pasta	 ? "--pasta"
									 : "--pasta-opt");
	return 0;
}

/* Plan one kind of map: explicit extents, or --range over the ranges.
 * own: for a privileged caller, its own map (it needs no range of its
 * own, and maps what its namespace holds); NULL otherwise. */
static int plan_map(const struct options *o, enum unc_subid_kind kind, const char *user, uid_t uid,
		    uint64_t self, const struct idmap_plan *own, struct idmap_plan *plan,
		    struct unc_subid_list *subids)
{
	const struct unc_id_kind *k = unc_id_kind(kind);
	/* NULL unless given: map[]'s pages are touched only then */
	const struct idmap_plan *explicit_plan = o->mapped[kind] ? &o->map[kind] : NULL;
	const char *file = o->subid_file[kind];
	struct unc_error err;
	int need_ranges;

	unc_error_clear(&err);
	need_ranges = explicit_plan || o->range > 1 || o->map_root == UNC_MAP_ROOT_SUB;
	if (need_ranges &&
	    unc_subid_lookup(kind, o->subid_via, file, user, uid, subids, &err) < 0) {
		cmd_fail_err(&err);
		return fail_check();
	}
	if (explicit_plan) {
		*plan = *explicit_plan;
	} else if (own) {
		if (unc_idmap_plan_privileged(plan, o->range, o->map_root, subids, own, k, &err) <
		    0) {
			cmd_fail_err(&err);
			return fail_check();
		}
	} else {
		if (need_ranges && subids->n == 0) {
			cmd_fail("no subordinate %ss for %s (looked in %s)", k->id, user,
				 subids->source);
			cmd_fail("ask an administrator to run: subidctl add %s", user);
			return fail_check();
		}
		if (unc_idmap_plan_range(plan, o->range, o->map_root, self, subids, k, &err) < 0) {
			cmd_fail_err(&err);
			cmd_fail("use a smaller --range, or ask an administrator to run: "
				 "subidctl add %s --top-up %llu",
				 user, (unsigned long long)o->range);
			return fail_check();
		}
	}
	if (unc_idmap_validate(plan, self, own != NULL, subids, user, k, &err) < 0 ||
	    (own && explicit_plan && unc_idmap_fit_own(plan, own, k, &err) < 0)) {
		cmd_fail_err(&err);
		/* IDs not delegated to the caller: --check shows what is */
		return err.errnum == EPERM ? fail_check() : EXIT_UNCMAP;
	}
	/* the child becomes 0 inside before anything else */
	if (!unc_idmap_maps_inside(plan, 0))
		return cmd_fail("%s: the map does not hold %s 0, which the command starts as",
				k->map_option, k->id);
	return 0;
}

static void print_plan(const char *what, const struct idmap_plan *plan, const char *source)
{
	size_t i;

	printf("%s map (%llu IDs%s%s):\n", what, (unsigned long long)unc_idmap_total(plan),
	       source[0] ? ", from " : "", source);
	for (i = 0; i < plan->n; i++)
		printf("%10llu %10llu %10llu\n", (unsigned long long)plan->ext[i].inside,
		       (unsigned long long)plan->ext[i].outside,
		       (unsigned long long)plan->ext[i].count);
}

/* The file a helper read: --subuid-file/--subgid-file, or the system's. */
static const char *subid_file(const struct options *o, enum unc_subid_kind kind)
{
	return o->subid_file[kind] ? o->subid_file[kind] : unc_id_kind(kind)->file;
}

static int report_helper(const struct helper_result *r, const char *user, const char *file)
{
	if (r->output[0])
		fprintf(stderr, "%s\n", r->output);
	if (r->spawn_errno)
		cmd_fail("cannot run %s: %s", r->path, strerror(r->spawn_errno));
	else if (r->timed_out)
		cmd_fail(
		    "%s hung and was killed after the --helper-timeout; the command was not run",
		    r->path);
	else if (!r->exited)
		cmd_fail("%s was killed by signal %d (%s); the command was not run", r->path,
			 r->code, strsignal(r->code));
	else
		cmd_fail("%s failed with exit status %d; the command was not run", r->path,
			 r->code);
	return cmd_fail("check that %s is setuid root and that %s delegates these IDs to %s "
			"(or pass a smaller --range)",
			r->path, file, user);
}

/* uncmap --check: the options that matter to a launch, then the report. */
static int run_check(const struct options *o)
{
	struct unc_check_config cfg = {
	    .range = o->range,
	    .map_root = o->map_root,
	    .map = {&o->map[UNC_SUBUID], &o->map[UNC_SUBGID]},
	    .newuidmap = o->newuidmap,
	    .newgidmap = o->newgidmap,
	    .subid_file = {o->subid_file[UNC_SUBUID], o->subid_file[UNC_SUBGID]},
	    .via = o->subid_via,
	    .net_pasta = o->net_pasta,
	    .pasta = o->pasta ? o->pasta : "pasta",
	};

	return uncmap_check(&cfg, o->json);
}

/* The environment of the command (environ.h): under --root, unless
 * --keep-env, what a login of its user gives; the --setenv family in
 * order; a login shell starts in HOME. NULL: uncmap's own, untouched. */
static const struct env_spec *plan_env(const struct options *o, struct env_spec *env,
				       int default_program)
{
	char *const *argv = o->argv;
	int login_shell =
	    default_program ||
	    (argv[1] && (strcmp(argv[1], "-l") == 0 || strcmp(argv[1], "--login") == 0));

	memset(env, 0, sizeof *env);
	env->login_env = o->root && !o->keep_env;
	env->user = o->have_user ? &o->user : NULL;
	env->ops = o->env_ops;
	env->nops = o->nenv_ops;
	env->enter_home = o->root && !o->wd && login_shell;
	/* no program: the user's own shell from the namespace's passwd */
	env->shell_argv = env->login_env && default_program ? o->argv : NULL;
	if (!env->login_env && !env->nops && !env->enter_home)
		return NULL;
	return env;
}

/* Under --root, the installed newuidshell (next to uncmap) read-only at
 * UNC_NEWUIDSHELL_DIR inside, on a tmpfs of its own, on the PATH a login
 * environment gets: so `uncmap --root rfs -- newuidshell -l bob` works in
 * any tree. Skipped, silently, when the tree cannot hold the directory. */
#define UNC_NEWUIDSHELL_DIR "/run/uncmap/bin"
/* where newuidshell is from the directory of this executable: the same,
 * except for the dynamic twin in LIBEXECDIR/uncmap (twin.h) */
#ifdef UNC_BIN_FROM_TWIN
#define UNC_NEWUIDSHELL_FROM_EXE "/" UNC_BIN_FROM_TWIN "/newuidshell"
#else
#define UNC_NEWUIDSHELL_FROM_EXE "/newuidshell"
#endif
static void add_newuidshell(struct options *o, struct env_spec *env)
{
	static char path[PATH_MAX];
	char *slash;
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - sizeof UNC_NEWUIDSHELL_FROM_EXE);
	struct mount_op *op = &o->mount_ops[o->nmount_ops];

	if (n <= 0)
		return;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash)
		return;
	strcpy(slash, UNC_NEWUIDSHELL_FROM_EXE);
	if (access(path, X_OK) < 0)
		return;
	op[0] = (struct mount_op){.kind = UNC_MOUNT_TMPFS,
				  .dst = UNC_NEWUIDSHELL_DIR,
				  .option = "--root",
				  .fd = -1,
				  .optional = 1};
	op[1] = (struct mount_op){.kind = UNC_MOUNT_RO_BIND,
				  .src = path,
				  .dst = UNC_NEWUIDSHELL_DIR "/newuidshell",
				  .option = "--root",
				  .fd = -1,
				  .optional = 1};
	o->nmount_ops += 2;
	env->extra_path = UNC_NEWUIDSHELL_DIR;
}

/* --net=pasta: the pasta started, stopped once the command is done (main
 * sets running.pid to -1 before anything can fail), then what the
 * launch's before_release hook needs, which only prepare_pasta writes: a
 * launch without --net=pasta never touches the path's pages. */
struct net_pasta {
	struct unc_pasta running;
	struct unc_pasta_spec spec;
	char path[4096];
};

static int start_pasta(void *arg, pid_t child, struct unc_error *err)
{
	struct net_pasta *n = arg;

	return unc_pasta_start(&n->spec, child, &n->running, err);
}

/* Before any process exists: pasta is there and /dev/net/tun usable. */
static int prepare_pasta(const struct options *o, int privileged, struct net_pasta *n)
{
	struct unc_error err;

	unc_error_clear(&err);
	if (unc_pasta_find(o->pasta ? o->pasta : "pasta", n->path, sizeof n->path, &err) < 0 ||
	    unc_pasta_check_tun(&err) < 0)
		return cmd_fail_err(&err);
	n->spec = (struct unc_pasta_spec){
	    .path = n->path,
	    .publish = o->publish,
	    .npublish = o->npublish,
	    .extra = o->pasta_opts,
	    .nextra = o->npasta_opts,
	    .run_as_root = privileged,
	    .timeout_ms = o->helper_timeout_s * 1000,
	};
	return 0;
}

/* Our resolv.conf goes on the root's /etc/resolv.conf unless the caller
 * mounts something there. */
static int wants_pasta_resolv_conf(const struct options *o)
{
	size_t i;

	if (!o->net_pasta || !o->root)
		return 0;
	for (i = 0; i < o->nmount_ops; i++)
		if (strcmp(o->mount_ops[i].dst, "/etc") == 0 ||
		    strcmp(o->mount_ops[i].dst, "/etc/resolv.conf") == 0)
			return 0;
	return 1;
}

static void die_of_signal(int sig);

/* The end of a launch, a join or a session's creation (r and res from
 * unc_launch_run or unc_session_create): say what failed, or end as the
 * command did. */
static int launch_outcome(int r, const struct launch_result *res, const struct unc_error *err,
			  const struct options *o, const char *user)
{
	switch (res->failure) {
	case UNC_LAUNCH_OK:
		if (res->signal)
			die_of_signal(res->signal);
		return r;
	case UNC_LAUNCH_FAIL_USERNS:
		cmd_fail_err(err);
		return fail_check();
	case UNC_LAUNCH_FAIL_SETUP:
	case UNC_LAUNCH_FAIL_MAP:
		return cmd_fail_err(err);
	case UNC_LAUNCH_FAIL_HELPER:
		if (!unc_helper_ok(&res->uid_res))
			report_helper(&res->uid_res, user, subid_file(o, UNC_SUBUID));
		if (!unc_helper_ok(&res->gid_res))
			report_helper(&res->gid_res, user, subid_file(o, UNC_SUBGID));
		return fail_check();
	case UNC_LAUNCH_FAIL_CHILD:
		cmd_say("%s", res->report.msg);
		if (res->report.hint[0])
			cmd_say("%s", res->report.hint);
		return res->report.status;
	}
	return r;
}

/* Under the session's --root, a join's environment is a login's there,
 * with newuidshell on its PATH, as for a launch with --root. The root is
 * "/" to the join: it is already inside. */
static void join_root(struct options *o, const struct unc_session_state *st)
{
	size_t i;

	for (i = 0; i < st->nopts; i++)
		if (strcmp(st->opts[i].name, "--root") == 0 ||
		    strcmp(st->opts[i].name, "--root-overlay") == 0)
			o->root = "/";
}

/* Run the command in the session st (verified; pidfd its holder; st is
 * freed here, before any child exists): a launch that enters the
 * session's namespaces instead of making new ones, and runs no helper.
 * Terminal, signals and exit status as for a launch. */
static int run_join(struct options *o, struct unc_session_state *st, int pidfd,
		    const sigset_t *ignored, pid_t parent, int default_program)
{
	struct launch_spec spec;
	struct launch_result res;
	struct unc_join join = {.pidfd = pidfd, .nsflags = st->nsflags};
	struct unc_session_dir dir;
	struct unc_pty_plan pty;
	struct env_spec env;
	struct unc_error err;
	char cwd[4096];
	char *default_argv[2] = {NULL, NULL};
	struct unc_session_state given = {0};
	int r;

	unc_error_clear(&err);
	/* freed before the child exists: it inherits nothing allocated here */
	r = add_given(o, &given);
	if (r == 0)
		r = unc_session_opts_compare(st, &given, &err);
	unc_session_state_free(&given);
	join_root(o, st);
	unc_session_state_free(st);
	if (r == -ENOMEM)
		return cmd_fail("out of memory");
	if (r < 0)
		return cmd_fail_err(&err);
	if (o->argv[0] == NULL) {
		const char *shell = getenv("SHELL");
		default_argv[0] = (char *)(shell && *shell ? shell : "/bin/sh");
		o->argv = default_argv;
		default_program = 1;
	}
	memset(&spec, 0, sizeof spec);
	spec.argv = o->argv;
	spec.env = plan_env(o, &env, default_program);
	if (spec.env && o->root)
		env.extra_path = UNC_NEWUIDSHELL_DIR;
	dir.wd = o->wd;
	dir.cwd = getcwd(cwd, sizeof cwd);
	spec.mapper = UNC_MAPPER_NONE;
	spec.setup = unc_session_join_setup;
	spec.setup_arg = &dir;
	spec.user = o->have_user ? &o->user : NULL;
	spec.caps = o->have_caps ? &o->caps : NULL;
	spec.ignored = ignored;
	spec.die_with_parent = o->die_with_parent ? parent : 0;
	spec.join = &join;
	unc_pty_prepare(o->pty_mode, &pty);
	spec.pty = pty.use ? &pty : NULL;
	r = unc_launch_run(&spec, &res, &err);
	return launch_outcome(r, &res, &err, o, NULL); /* no helper: no user named */
}

/* Add name=value to st unless st has name already (given). */
static int add_default(struct unc_session_state *st, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < st->nopts; i++)
		if (strcmp(st->opts[i].name, name) == 0)
			return 0;
	return unc_session_opt_add(st, name, value);
}

/* Create session o->session from the launch planned in spec: its holder
 * is set up as a launch's child would be (container), its state written
 * with what defines it. Returns 0 or the exit status, having said why. */
static int create_session(const struct options *o, const struct launch_spec *spec,
			  const struct container_spec *container, int dirfd, const char *user)
{
	struct unc_session_state st;
	struct unc_session_create_spec cs;
	struct launch_result res;
	struct unc_error err;
	int keep[16];
	size_t i, nkeep = 0;
	char value[32];
	int r = 0;

	unc_error_clear(&err);
	memset(&st, 0, sizeof st);
	snprintf(st.name, sizeof st.name, "%s", o->session);
	st.nsflags = spec->clone_flags;
	st.idle_s = o->session_idle;
	unc_session_map_text(&spec->uid_plan, st.uid_map, sizeof st.uid_map);
	unc_session_map_text(&spec->gid_plan, st.gid_map, sizeof st.gid_map);
	/* what was given, then what the defaults and implications made it */
	r = add_given(o, &st);
	snprintf(value, sizeof value, "%llu", (unsigned long long)o->range);
	if (r == 0 && !o->mapped[UNC_SUBUID] && !o->mapped[UNC_SUBGID])
		r = add_default(&st, "--range", value);
	if (r == 0)
		r = add_default(&st, "--map-root",
				o->map_root == UNC_MAP_ROOT_SUB ? "sub" : "self");
	if (r == 0)
		r = add_default(&st, "--pid", "");
	if (r == 0)
		r = add_default(&st, "--mount", "");
	if (r == 0 && o->ns_uts)
		r = add_default(&st, "--uts", "");
	if (r < 0) {
		unc_session_state_free(&st);
		return cmd_fail("out of memory");
	}
	for (i = 0; i < o->nmount_ops && nkeep < sizeof keep / sizeof keep[0]; i++)
		if (o->mount_ops[i].fd >= 0)
			keep[nkeep++] = o->mount_ops[i].fd;
	cs = (struct unc_session_create_spec){
	    .dirfd = dirfd,
	    .clone_flags = spec->clone_flags,
	    .uid_plan = &spec->uid_plan,
	    .gid_plan = &spec->gid_plan,
	    .mapper = spec->mapper,
	    .newuidmap = spec->newuidmap,
	    .newgidmap = spec->newgidmap,
	    .helper_timeout_ms = spec->helper_timeout_ms,
	    .setup = unc_container_setup,
	    .setup_arg = (void *)container,
	    .keep_fds = keep,
	    .nkeep = nkeep,
	    .state = &st,
	};
	r = unc_session_create(&cs, &res, &err);
	unc_session_state_free(&st);
	return r == 0 ? 0 : launch_outcome(r, &res, &err, o, user);
}

/* The command was killed by sig: end the same way, so that a shell sees
 * the real cause (one ^C ends a loop of uncmap calls), without a core
 * file of ours. Returns only if sig cannot kill us. */
static void die_of_signal(int sig)
{
	struct rlimit no_core = {0, 0};
	sigset_t set;

	(void)setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

/* The caller's passwd name: the ranges are looked up by it, and
 * newuidmap needs an entry. When nsswitch.conf asks the files first for
 * passwd, a UID found in /etc/passwd is what getpwuid would answer (the
 * first entry of the UID there), read without NSS's machinery (nscd
 * connects, nsswitch.conf parsed again: half a millisecond of a launch);
 * otherwise, or when the files do not know the UID, getpwuid. NULL when
 * no source knows the UID. */
static const char *caller_name(uid_t uid)
{
	static char name[256];
	char source[64];
	struct passwd *pw;

	if (unc_nss_first_source(UNC_NSSWITCH_CONF, "passwd", source, sizeof source) &&
	    strcmp(source, "files") == 0) {
		struct passwd_db db = {0};
		const struct passwd_entry *e;
		struct unc_error err;
		int found = 0;

		unc_error_clear(&err);
		if (unc_passwd_load("/etc/passwd", &db, &err) == 0 &&
		    (e = unc_passwd_by_uid(&db, uid)) && strlen(e->name) < sizeof name) {
			memcpy(name, e->name, strlen(e->name) + 1);
			found = 1;
		}
		unc_passwd_free(&db);
		if (found)
			return name;
	}
	/* NSS may load a module: not in a static uncmap (twin.h) */
	{
		struct unc_error err;

		unc_error_clear(&err);
		if (unc_twin_handover("your passwd entry", &err) < 0)
			exit(cmd_fail_err(&err));
	}
	pw = getpwuid(uid);
	return pw ? pw->pw_name : NULL;
}

/* The end of a launch or a join: out at once when nothing waits in
 * stdout's buffer. exit()'s handlers and main's return would write pages
 * the child shared, each a page fault after the command has ended. */
static int leave(int status)
{
	if (__fpending(stdout) == 0)
		_exit(status);
	return status;
}

int main(int argc, char **argv)
{
	/* Static, not on the stack: zero from the start, so only the pages
	 * an option writes are ever touched. Zeroing its 46 KiB of tables on
	 * the stack cost a dozen page faults, and as many copy-on-write faults
	 * again once the child existed. What parsing allocates stays
	 * reachable from here until exit. */
	static struct options o;
	_cleanup_subid_list_ struct unc_subid_list subuids = {0}, subgids = {0};
	struct launch_spec spec;
	struct launch_result res;
	struct idmap_plan own_uids, own_gids;
	struct container_spec container;
	struct unc_pty_plan pty;
	struct net_pasta net; /* running.pid set below; the rest by prepare_pasta */
	char cwd[4096];
	struct unc_error err;
	const char *pw_name; /* NULL: the UID has no passwd entry */
	char *default_argv[3] = {NULL, NULL, NULL};
	struct env_spec env;
	struct uncmap_info info;
	char namebuf[32];
	const char *user;
	uid_t uid = getuid();
	gid_t gid = getgid();
	pid_t parent = getppid();
	sigset_t ignored;
	int privileged, r;
	/* --session: the state directory, its lock while creating, the
	 * session's state and its holder's pidfd */
	int sdir = -1, slock = -1, spidfd = -1;
	struct unc_session_state sst; /* uncmap_session_open fills it */

	/* before cmd_start ignores SIGPIPE: what the caller ignores stays
	 * ignored for the command (nohup uncmap ...), nothing else */
	unc_ignored_signals(&ignored);
#ifdef UNC_TWIN_REL
	unc_twin_init(argv, &ignored, UNC_TWIN_REL);
#endif
	/* Nothing we open may land on 0, 1 or 2; a broken pipe is reported,
	 * not a silent death (the command gets SIGPIPE's default back); no
	 * setuid or setgid bit. */
	cmd_msg_init(PROG, EXIT_UNCMAP);
	cmd_start(EXIT_UNCMAP);
	unc_error_clear(&err);
	net.running.pid = -1;
	o.range = 65536;
	o.map_root = UNC_MAP_ROOT_SELF;
	o.newuidmap = "/usr/bin/newuidmap";
	o.newgidmap = "/usr/bin/newgidmap";
	o.helper_timeout_s = 10;
	o.info_fd = o.status_fd = -1;
	r = parse_options(argc, argv, &o);
	if (r)
		return r;
	if (o.json && !o.check && !o.list_sessions)
		return cmd_fail("--json: only with --check or --sessions");
	if (o.check && o.session)
		return uncmap_session_check(o.session, o.json);
	if (o.check) {
		/* the diagnosis loads libsubid modules and asks NSS */
		if (unc_twin_handover("--check", &err) < 0)
			return cmd_fail_err(&err);
		return run_check(&o);
	}
	if (o.list_sessions)
		return uncmap_session_list(o.json);
	if (o.end)
		return uncmap_session_end(o.end);

	if (o.session && !o.print_map) {
		/* join it when it is there (before anything a join does not
		 * need), else create it under the lock (a concurrent creator
		 * may have made it in the meantime) */
		r = uncmap_session_open(o.session, &sdir, &sst, &spidfd);
		if (r == 1) {
			slock = unc_session_lock(sdir, &err);
			if (slock < 0)
				return cmd_fail_err(&err);
			close(sdir);
			r = uncmap_session_open(o.session, &sdir, &sst, &spidfd);
		}
		if (r == 0)
			return leave(run_join(&o, &sst, spidfd, &ignored, parent, 0));
		if (r != 1)
			return r;
	}
	privileged = uid == 0 && geteuid() == 0;
	user = pw_name = caller_name(uid);
	if (!user) {
		snprintf(namebuf, sizeof namebuf, "%u", (unsigned)uid);
		user = namebuf;
	}
	if (privileged &&
	    (unc_map_read_own(unc_id_kinds[UNC_SUBUID].proc_map, &own_uids, &err) < 0 ||
	     unc_map_read_own(unc_id_kinds[UNC_SUBGID].proc_map, &own_gids, &err) < 0))
		return cmd_fail_err(&err);
	if (plan_map(&o, UNC_SUBUID, user, uid, uid, privileged ? &own_uids : NULL, &spec.uid_plan,
		     &subuids))
		return EXIT_UNCMAP;
	if (plan_map(&o, UNC_SUBGID, user, uid, gid, privileged ? &own_gids : NULL, &spec.gid_plan,
		     &subgids))
		return EXIT_UNCMAP;

	if (o.print_map) {
		print_plan("uid", &spec.uid_plan, o.mapped[UNC_SUBUID] ? "" : subuids.source);
		print_plan("gid", &spec.gid_plan, o.mapped[UNC_SUBGID] ? "" : subgids.source);
		return finish_stdout();
	}

	if (o.argv[0] == NULL) {
		const char *shell = getenv("SHELL");
		default_argv[0] = (char *)(shell && *shell ? shell : "/bin/sh");
		o.argv = default_argv;
	}
	spec.env = plan_env(&o, &env, o.argv == default_argv);
	if (o.root)
		add_newuidshell(&o, &env);

	spec.argv = o.argv;
	spec.clone_flags = CLONE_NEWUSER | (o.ns_pid ? CLONE_NEWPID : 0) |
			   (o.ns_mount ? CLONE_NEWNS : 0) | (o.ns_uts ? CLONE_NEWUTS : 0) |
			   (o.ns_ipc ? CLONE_NEWIPC : 0) | (o.ns_net ? CLONE_NEWNET : 0) |
			   (o.ns_cgroup ? CLONE_NEWCGROUP : 0);
	spec.newuidmap = o.newuidmap;
	spec.newgidmap = o.newgidmap;
	spec.helper_timeout_ms = o.helper_timeout_s * 1000;
	spec.pid_init = o.ns_pid;
	container.hostname = o.hostname;
	container.net_lo_up = o.ns_net;
	container.mounts.private_mounts = o.ns_mount;
	container.mounts.mount_proc = o.mount_proc;
	container.mounts.have_pid_ns = o.ns_pid;
	container.mounts.root = o.root;
	container.mounts.ops = o.mount_ops;
	container.mounts.nops = o.nmount_ops;
	container.wd = o.wd;
	/* only --root needs it: the directory to try inside */
	container.cwd = o.root ? getcwd(cwd, sizeof cwd) : NULL;
	container.mounts.root_overlay = o.root_overlay;
	container.close_fds[0] = o.info_fd;
	container.close_fds[1] = o.status_fd;
	info = (struct uncmap_info){
	    .info_fd = o.info_fd, .status_fd = o.status_fd, .clone_flags = spec.clone_flags};
	spec.started = o.info_fd >= 0 || o.status_fd >= 0 ? uncmap_info_started : NULL;
	spec.started_arg = &info;
	if (unc_mount_plan_check(&container.mounts, &err) < 0)
		return cmd_fail_err(&err);
	spec.setup = unc_container_setup;
	spec.setup_arg = &container;
	spec.user = o.have_user ? &o.user : NULL;
	spec.caps = o.have_caps ? &o.caps : NULL;
	spec.before_release = NULL;
	container.pasta_resolv_conf = wants_pasta_resolv_conf(&o);
	if (o.net_pasta) {
		if (prepare_pasta(&o, privileged, &net))
			return EXIT_UNCMAP;
		spec.before_release = start_pasta;
		spec.before_release_arg = &net;
	}
	spec.ignored = &ignored;
	spec.die_with_parent = o.die_with_parent ? parent : 0;
	spec.join = NULL; /* a launch: new namespaces */
	if (privileged)
		spec.mapper = UNC_MAPPER_DIRECT;
	else if (unc_idmap_is_only_self(&spec.uid_plan, uid) &&
		 unc_idmap_is_only_self(&spec.gid_plan, gid))
		spec.mapper = UNC_MAPPER_SELF;
	else {
		spec.mapper = UNC_MAPPER_HELPERS;
		if (!pw_name) {
			cmd_fail("your UID %u has no passwd entry, and newuidmap needs one; "
				 "ask an administrator to add one",
				 (unsigned)uid);
			return fail_check();
		}
	}
	if (spec.user && spec.mapper == UNC_MAPPER_SELF)
		fprintf(stderr, PROG ": setgroups is denied in a map of only your own ID: --user "
				     "sets the primary group only, supplementary groups are "
				     "unchanged\n");

	/* the plans are made: the child need not inherit the lists */
	unc_subid_list_free(&subuids);
	unc_subid_list_free(&subgids);
	if (o.session) {
		/* the holder's setup: the command's directory is the join's */
		container.wd = container.cwd = NULL;
		r = create_session(&o, &spec, &container, sdir, user);
		close(slock);
		close(sdir);
		if (r)
			return r;
		r = uncmap_session_open(o.session, &sdir, &sst, &spidfd);
		if (r == 1)
			return cmd_fail("session '%s' ended as it started", o.session);
		if (r)
			return r;
		return leave(run_join(&o, &sst, spidfd, &ignored, parent, o.argv == default_argv));
	}
	/* the command never shares our terminal: a pty of its own, or none */
	unc_pty_prepare(o.pty_mode, &pty);
	spec.pty = pty.use ? &pty : NULL;
	spec.pty_console = o.root != NULL;
	unc_error_clear(&err);
	r = unc_launch_run(&spec, &res, &err);
	uncmap_info_finish(&info, r);
	unc_pasta_stop(&net.running);
	return leave(launch_outcome(r, &res, &err, &o, user));
}
