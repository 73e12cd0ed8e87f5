/* bench/floor.c: the least code this design needs, as a yardstick for
 * bench/launch.sh. clone() a child with CLONE_NEWUSER, paused on a pipe;
 * run newuidmap and newgidmap at the same time; release the child; it
 * execs the command. No init, no checks, no messages beyond perror: the
 * physical floor of a multi-ID launch on the machine at hand.
 *
 *   floor 'UID MAP ARGS' 'GID MAP ARGS' COMMAND [ARG...]
 *
 * The map arguments are newuidmap's "IN OUT COUNT ..." triples, separated
 * by blanks (bench/launch.sh takes them from uncmap --print-map). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t helper(const char *path, pid_t target, char *map)
{
	char *argv[64], pidbuf[16];
	int n = 0;
	pid_t pid;

	snprintf(pidbuf, sizeof pidbuf, "%d", (int)target);
	argv[n++] = (char *)path;
	argv[n++] = pidbuf;
	for (char *t = strtok(map, " \t\n"); t && n < 63; t = strtok(NULL, " \t\n"))
		argv[n++] = t;
	argv[n] = NULL;
	pid = vfork();
	if (pid == 0) {
		execv(path, argv);
		_exit(127);
	}
	return pid;
}

int main(int argc, char **argv)
{
	int go[2], st, ok = 1;
	pid_t child, u, g;
	char byte;

	if (argc < 4) {
		fprintf(stderr, "usage: floor 'UID MAP' 'GID MAP' COMMAND [ARG...]\n");
		return 2;
	}
	if (pipe2(go, O_CLOEXEC) < 0)
		return perror("pipe2"), 125;
	child = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
	if (child < 0)
		return perror("clone"), 125;
	if (child == 0) {
		close(go[1]);
		if (read(go[0], &byte, 1) != 1)
			_exit(125);
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	close(go[0]);
	u = helper("/usr/bin/newuidmap", child, argv[1]);
	g = helper("/usr/bin/newgidmap", child, argv[2]);
	if (waitpid(u, &st, 0) < 0 || st != 0)
		ok = 0;
	if (waitpid(g, &st, 0) < 0 || st != 0)
		ok = 0;
	if (!ok) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return 125;
	}
	if (write(go[1], "g", 1) != 1)
		return 125;
	if (waitpid(child, &st, 0) < 0)
		return 125;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
