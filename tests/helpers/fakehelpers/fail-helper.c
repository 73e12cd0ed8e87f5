/* A newuidmap that refuses, as a misconfigured one would. */
#include <stdio.h>

int main(void)
{
	fputs("fail-helper: refusing on purpose\n", stderr);
	return 1;
}
