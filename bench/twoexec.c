/* bench/twoexec.c: for bench/session.sh, the floor under any join on the
 * machine at hand: a program that starts the command with posix_spawn
 * and waits for it. Two execs (its own and the command's) and nothing
 * else: no namespace, no state, no check. A join can only cost more.
 * Not installed.
 *
 *   twoexec PROGRAM [ARG...] */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	pid_t pid;
	int ws;

	if (argc < 2) {
		fprintf(stderr, "usage: twoexec PROGRAM [ARG...]\n");
		return 2;
	}
	if (posix_spawn(&pid, argv[1], NULL, NULL, argv + 1, environ) != 0)
		return 127;
	if (waitpid(pid, &ws, 0) < 0)
		return 125;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}
