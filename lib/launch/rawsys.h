/* rawsys.h: system calls that leave errno alone, for a process that shares
 * uncmap's memory (started with CLONE_VM) while uncmap runs.
 *
 * Such a process shares uncmap's thread-local storage too, errno included:
 * a failing libc call in one would change the errno the other is about to
 * read. Here a call returns the result or -errno and writes no memory but
 * what it is given. Where no raw call is written for the architecture,
 * UNC_RAW_SYSCALLS is 0 and nothing may share uncmap's memory while uncmap
 * runs (the paused child is then a fork). */
#ifndef UNC_RAWSYS_H
#define UNC_RAWSYS_H

#include <sys/syscall.h>

/* valgrind runs a CLONE_VM child only as a thread or, with CLONE_VFORK, as
 * a fork */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNC_ON_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef UNC_ON_VALGRIND
#define UNC_ON_VALGRIND() 0
#endif

#if defined(__x86_64__) && !defined(__ILP32__)
#define UNC_RAW_SYSCALLS 1
static inline long unc_raw6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define UNC_RAW_SYSCALLS 1
static inline long unc_raw6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	register long x3 __asm__("x3") = a4;
	register long x4 __asm__("x4") = a5;
	register long x5 __asm__("x5") = a6;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory", "cc");
	return x0;
}
#else
#define UNC_RAW_SYSCALLS 0
#endif

/* unc_sys(NR, A1, A2, A3, A4): the result, or -errno. Raw where the
 * architecture has it; elsewhere syscall(2), which writes errno (and
 * then nothing shares uncmap's memory while it runs). */
#if UNC_RAW_SYSCALLS
#define unc_sys(n, a1, a2, a3, a4)                                                                 \
	unc_raw6((n), (long)(a1), (long)(a2), (long)(a3), (long)(a4), 0, 0)
#else
#include <errno.h>
#include <unistd.h>
static inline long unc_sys_libc(long n, long a1, long a2, long a3, long a4)
{
	long r = syscall(n, a1, a2, a3, a4);

	return r == -1 ? -errno : r;
}
#define unc_sys(n, a1, a2, a3, a4) unc_sys_libc((n), (long)(a1), (long)(a2), (long)(a3), (long)(a4))
#endif

#endif
