/* A newuidmap that never finishes. */
#include <unistd.h>

int main(void)
{
	for (;;)
		pause();
}
