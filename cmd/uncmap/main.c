/* uncmap: run a command in a new user namespace with a multi-ID map.
 * Option parsing, messages and exit codes only; the work is in lib/. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "idmap.h"
#include "container.h"
#include "launch.h"
#include "numparse.h"
#include "cmdmsg.h"
#include "subid.h"
#include "uncmap_check.h"
#include "userswitch.h"

#define PROG	    "uncmap"
#define EXIT_UNCMAP 125

struct options {
	uint64_t range;
	enum unc_map_root map_root;
	struct idmap_plan map_uid, map_gid; /* from --map-uid/--map-gid */
	const char *subuid_file, *subgid_file;
	const char *newuidmap, *newgidmap;
	int print_map;
	int check, json; /* --check, --json */
	enum unc_subid_via subid_via;
	int helper_timeout_s;
	char **argv;
	/* namespaces and the container (part 2) */
	int ns_pid, ns_mount, ns_uts, ns_ipc, ns_net, ns_cgroup;
	int mount_proc;
	const char *root, *hostname, *wd;
	struct mount_op mount_ops[256];
	char *mount_storage[256]; /* what --bind/--ro-bind parsing allocated */
	size_t nmount_ops;
	/* the user switch and capabilities (part 3) */
	struct user_request user;
	int have_user, have_caps;
	struct caps_spec caps;
};

static const struct idmap_names uid_names = {"UID", "--map-uid"};
static const struct idmap_names gid_names = {"GID", "--map-gid"};

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
	      "     --bind <src>:<dst>       bind-mount <src> on <dst> (inside --root)\n"
	      "     --ro-bind <src>:<dst>    the same, read-only\n"
	      "     --tmpfs <dst>            mount a tmpfs on <dst>\n"
	      "     --uts                    new UTS namespace\n"
	      "     --hostname <name>        set the host name (implies --uts)\n"
	      "     --ipc                    new IPC namespace\n"
	      "     --net                    new network namespace with lo up\n"
	      "     --cgroup                 new cgroup namespace\n"
	      "     --wd <dir>               working directory inside (default: the current\n"
	      "                                one when it exists inside, else /)\n"
	      "\n"
	      "     --user <user>[:<group>]  run the program as <user> (a name from the\n"
	      "                                namespace's /etc/passwd, inside --root, or a\n"
	      "                                number), with its groups or <group>\n"
	      "     --cap-add <cap,...>      keep these capabilities (for --user too)\n"
	      "     --cap-drop <cap,...|ALL> drop these capabilities, bounding set included\n"
	      "     --no-new-privs           the program can gain no privilege by execve\n"
	      "\n"
	      " -h, --help                   display this help\n"
	      " -V, --version                display version\n"
	      "\n"
	      "Exit status:\n"
	      " the program's own status, 128+N if it was killed by signal N,\n"
	      " 125 if uncmap itself failed, 126 if the program could not be executed,\n"
	      " 127 if the program was not found.\n"
	      "\n"
	      "Examples:\n"
	      " " PROG " --range 65536 bash\n"
	      " " PROG " -- cat /proc/self/uid_map\n"
	      " " PROG " --map-uid 0:1000:1 --map-uid 1:100000:65535 -- id\n"
	      " " PROG " --root rfs --pid --hostname box -- /bin/sh\n"
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

static int try_help(void)
{
	fputs("Try '" PROG " --help' for more information.\n", stderr);
	return EXIT_UNCMAP;
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
	OPT_BIND,
	OPT_RO_BIND,
	OPT_TMPFS,
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
};

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
	    {"bind", required_argument, NULL, OPT_BIND},
	    {"ro-bind", required_argument, NULL, OPT_RO_BIND},
	    {"tmpfs", required_argument, NULL, OPT_TMPFS},
	    {"uts", no_argument, NULL, OPT_UTS},
	    {"hostname", required_argument, NULL, OPT_HOSTNAME},
	    {"ipc", no_argument, NULL, OPT_IPC},
	    {"net", no_argument, NULL, OPT_NET},
	    {"cgroup", no_argument, NULL, OPT_CGROUP},
	    {"wd", required_argument, NULL, OPT_WD},
	    {"user", required_argument, NULL, OPT_USER},
	    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
	    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
	    {"no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct unc_error err;
	int c;
	uint64_t v;

	while ((c = getopt_long(argc, argv, "+r:pmhV", longopts, NULL)) != -1) {
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
			struct map_extent e;
			const char *opt = c == OPT_MAP_UID ? "--map-uid" : "--map-gid";
			if (unc_idmap_parse_extent(optarg, &e, opt, &err) < 0 ||
			    unc_idmap_add(c == OPT_MAP_UID ? &o->map_uid : &o->map_gid, &e, opt,
					  &err) < 0)
				return cmd_fail_err(&err);
			break;
		}
		case OPT_SUBUID_FILE:
		case OPT_SUBGID_FILE:
			if (access(optarg, R_OK) < 0)
				return cmd_fail("%s: cannot read '%s': %s",
						c == OPT_SUBUID_FILE ? "--subuid-file"
								     : "--subgid-file",
						optarg, strerror(errno));
			if (c == OPT_SUBUID_FILE)
				o->subuid_file = optarg;
			else
				o->subgid_file = optarg;
			break;
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
			if (optarg[0] == '\0')
				return cmd_fail("--root: empty value, expected a directory");
			o->root = optarg;
			o->ns_mount = 1;
			break;
		case OPT_BIND:
		case OPT_RO_BIND:
		case OPT_TMPFS: {
			const char *opt = c == OPT_BIND	     ? "--bind"
					  : c == OPT_RO_BIND ? "--ro-bind"
							     : "--tmpfs";
			struct mount_op *op = &o->mount_ops[o->nmount_ops];
			char *storage;
			if (o->nmount_ops >= sizeof o->mount_ops / sizeof o->mount_ops[0])
				return cmd_fail("%s: too many mount options (at most %zu)", opt,
						sizeof o->mount_ops / sizeof o->mount_ops[0]);
			if (c == OPT_TMPFS) {
				if (optarg[0] != '/')
					return cmd_fail("--tmpfs: '%s' is not an absolute path",
							optarg);
				op->kind = UNC_MOUNT_TMPFS;
				op->src = NULL;
				op->dst = optarg;
				op->option = opt;
			} else if (unc_mount_parse_bind(
				       optarg, c == OPT_BIND ? UNC_MOUNT_BIND : UNC_MOUNT_RO_BIND,
				       opt, op, &storage, &err) < 0) {
				return cmd_fail_err(&err);
			}
			if (c != OPT_TMPFS)
				o->mount_storage[o->nmount_ops] = storage;
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
			o->ns_net = 1;
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
		case 'h':
			usage();
			exit(finish_stdout());
		case 'V':
			printf(PROG " " UNC_VERSION "\n");
			exit(finish_stdout());
		default:
			return try_help();
		}
	}
	o->argv = argv + optind;
	if (o->mount_proc && !o->ns_pid)
		return cmd_fail("--mount-proc needs a new PID namespace: add --pid");
	return 0;
}

/* Plan one kind of map: explicit extents, or --range over the ranges. */
static int plan_map(const struct options *o, enum unc_subid_kind kind, const char *user, uid_t uid,
		    uint64_t self, int privileged, struct idmap_plan *plan,
		    struct unc_subid_list *subids)
{
	const struct idmap_names *names = kind == UNC_SUBUID ? &uid_names : &gid_names;
	const struct idmap_plan *explicit_plan = kind == UNC_SUBUID ? &o->map_uid : &o->map_gid;
	const char *file = kind == UNC_SUBUID ? o->subuid_file : o->subgid_file;
	struct unc_error err;
	int need_ranges;

	unc_error_clear(&err);
	need_ranges = explicit_plan->n > 0 || o->range > 1 || o->map_root == UNC_MAP_ROOT_SUB;
	if (need_ranges &&
	    unc_subid_lookup(kind, o->subid_via, file, user, uid, subids, &err) < 0) {
		cmd_fail_err(&err);
		return fail_check();
	}
	if (explicit_plan->n > 0) {
		*plan = *explicit_plan;
	} else {
		if (need_ranges && subids->n == 0) {
			cmd_fail("no subordinate %ss for %s (looked in %s)", names->id, user,
				 subids->source);
			cmd_fail("ask an administrator to run: subidctl add %s", user);
			return fail_check();
		}
		if (unc_idmap_plan_range(plan, o->range, o->map_root, self, subids, names, &err) <
		    0) {
			cmd_fail_err(&err);
			cmd_fail("use a smaller --range, or ask an administrator to run: "
				 "subidctl add %s --top-up %llu",
				 user, (unsigned long long)o->range);
			return fail_check();
		}
	}
	if (unc_idmap_validate(plan, self, privileged, subids, user, names, &err) < 0) {
		cmd_fail_err(&err);
		/* IDs not delegated to the caller: --check shows what is */
		return err.errnum == EPERM ? fail_check() : EXIT_UNCMAP;
	}
	/* the child becomes 0 inside before anything else */
	if (!unc_idmap_maps_inside(plan, 0))
		return cmd_fail("%s: the map does not hold %s 0, which the command starts as",
				names->option, names->id);
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
	    .map_uid = &o->map_uid,
	    .map_gid = &o->map_gid,
	    .newuidmap = o->newuidmap,
	    .newgidmap = o->newgidmap,
	    .subuid_file = o->subuid_file,
	    .subgid_file = o->subgid_file,
	    .via = o->subid_via,
	};

	return uncmap_check(&cfg, o->json);
}

static void options_free(struct options *o)
{
	size_t i;

	for (i = 0; i < o->nmount_ops; i++)
		free(o->mount_storage[i]);
}

int main(int argc, char **argv)
{
	__attribute__((cleanup(options_free))) struct options o = {
	    .range = 65536,
	    .map_root = UNC_MAP_ROOT_SELF,
	    .newuidmap = "/usr/bin/newuidmap",
	    .newgidmap = "/usr/bin/newgidmap",
	    .helper_timeout_s = 10};
	_cleanup_subid_list_ struct unc_subid_list subuids = {0}, subgids = {0};
	struct launch_spec spec;
	struct launch_result res;
	struct container_spec container;
	char cwd[4096];
	struct unc_error err;
	struct passwd *pw;
	char *default_argv[2];
	char namebuf[32];
	const char *user;
	uid_t uid = getuid();
	gid_t gid = getgid();
	int privileged, r;

	/* Nothing we open may land on 0, 1 or 2; a broken pipe is reported,
	 * not a silent death (the command gets SIGPIPE's default back); no
	 * setuid or setgid bit. */
	cmd_msg_init(PROG, EXIT_UNCMAP);
	cmd_start(EXIT_UNCMAP);
	unc_error_clear(&err);
	r = parse_options(argc, argv, &o);
	if (r)
		return r;
	if (o.json && !o.check)
		return cmd_fail("--json: only with --check");
	if (o.check)
		return run_check(&o);

	privileged = uid == 0 && geteuid() == 0;
	errno = 0;
	pw = getpwuid(uid);
	if (pw) {
		user = pw->pw_name;
	} else {
		snprintf(namebuf, sizeof namebuf, "%u", (unsigned)uid);
		user = namebuf;
	}
	if (plan_map(&o, UNC_SUBUID, user, uid, uid, privileged, &spec.uid_plan, &subuids))
		return EXIT_UNCMAP;
	if (plan_map(&o, UNC_SUBGID, user, uid, gid, privileged, &spec.gid_plan, &subgids))
		return EXIT_UNCMAP;

	if (o.print_map) {
		print_plan("uid", &spec.uid_plan, o.map_uid.n ? "" : subuids.source);
		print_plan("gid", &spec.gid_plan, o.map_gid.n ? "" : subgids.source);
		return finish_stdout();
	}

	if (o.argv[0] == NULL) {
		const char *shell = getenv("SHELL");
		default_argv[0] = (char *)(shell && *shell ? shell : "/bin/sh");
		default_argv[1] = NULL;
		o.argv = default_argv;
	}

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
	if (unc_mount_plan_check(&container.mounts, &err) < 0)
		return cmd_fail_err(&err);
	spec.setup = unc_container_setup;
	spec.setup_arg = &container;
	spec.user = o.have_user ? &o.user : NULL;
	spec.caps = o.have_caps ? &o.caps : NULL;
	if (privileged)
		spec.mapper = UNC_MAPPER_DIRECT;
	else if (unc_idmap_is_only_self(&spec.uid_plan, uid) &&
		 unc_idmap_is_only_self(&spec.gid_plan, gid))
		spec.mapper = UNC_MAPPER_SELF;
	else {
		spec.mapper = UNC_MAPPER_HELPERS;
		if (!pw) {
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
	unc_error_clear(&err);
	r = unc_launch_run(&spec, &res, &err);
	switch (res.failure) {
	case UNC_LAUNCH_OK:
		return r;
	case UNC_LAUNCH_FAIL_SETUP:
	case UNC_LAUNCH_FAIL_MAP:
		cmd_fail_err(&err);
		if (res.failure == UNC_LAUNCH_FAIL_SETUP && strstr(err.msg, "user namespace") &&
		    (err.errnum == EPERM || err.errnum == ENOSPC || err.errnum == EUSERS))
			return fail_check();
		return EXIT_UNCMAP;
	case UNC_LAUNCH_FAIL_HELPER:
		if (!unc_helper_ok(&res.uid_res))
			report_helper(&res.uid_res, user,
				      o.subuid_file ? o.subuid_file : "/etc/subuid");
		if (!unc_helper_ok(&res.gid_res))
			report_helper(&res.gid_res, user,
				      o.subgid_file ? o.subgid_file : "/etc/subgid");
		return fail_check();
	case UNC_LAUNCH_FAIL_CHILD:
		cmd_say("%s", res.report.msg);
		if (res.report.hint[0])
			cmd_say("%s", res.report.hint);
		return res.report.status;
	}
	return r;
}
