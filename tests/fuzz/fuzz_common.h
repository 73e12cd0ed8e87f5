/* fuzz_common.h: what every libFuzzer target here shares. */
#ifndef UNC_FUZZ_COMMON_H
#define UNC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: name it and abort, which libFuzzer reports as a
 * crash and keeps the input of. Not assert(): NDEBUG must not hide it. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The input as a stream of fixed-width numbers, then the rest as bytes. */
struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

/* Take `bytes` bytes (at most 8) as a little-endian number; what is
 * missing at the end of the input reads as zero. */
static inline uint64_t fuzz_take(struct fuzz_input *in, unsigned bytes)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < bytes && in->left > 0; i++, in->p++, in->left--)
		v |= (uint64_t)in->p[0] << (8 * i);
	return v;
}

/* A copy of data in a buffer of exactly size bytes (plus one NUL the
 * callee is not told about), so that ASan sees any read past the end. */
static inline char *fuzz_copy(const uint8_t *data, size_t size, int nul)
{
	char *copy = malloc(size + (nul ? 1 : 0) + (size == 0 && !nul));

	FUZZ_CHECK(copy != NULL);
	if (size)
		memcpy(copy, data, size);
	if (nul)
		copy[size] = '\0';
	return copy;
}

#endif
