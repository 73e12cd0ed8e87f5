/* bench/joinfloor.c: the least code a join of a session needs, for
 * bench/session.sh: open the holder's pidfd, fork, enter its namespaces
 * with one setns(), become root there, fork into its PID namespace, exec;
 * wait for both. No verification, no state file, no terminal, no signal
 * relay: the floor of a join on the machine at hand. Not installed.
 *
 *   joinfloor HOLDER-PID NSFLAGS-HEX PROGRAM [ARG...] */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int wait_for(pid_t pid)
{
	int ws;

	if (waitpid(pid, &ws, 0) < 0)
		return 125;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

int main(int argc, char **argv)
{
	int pidfd, flags;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: joinfloor HOLDER-PID NSFLAGS-HEX PROGRAM [ARG...]\n");
		return 2;
	}
	pidfd = (int)syscall(SYS_pidfd_open, atoi(argv[1]), 0);
	flags = (int)strtol(argv[2], NULL, 16);
	if (pidfd < 0) {
		perror("joinfloor: pidfd_open");
		return 125;
	}
	pid = fork();
	if (pid == 0) {
		if (setns(pidfd, flags) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
			perror("joinfloor: setns");
			_exit(125);
		}
		pid = fork();
		if (pid == 0) {
			execvp(argv[3], argv + 3);
			_exit(127);
		}
		_exit(wait_for(pid));
	}
	return wait_for(pid);
}
