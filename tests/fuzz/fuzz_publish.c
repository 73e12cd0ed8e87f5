/* fuzz_publish: --publish values (lib/launch/pasta.c) and the pasta
 * argument vector built from them.
 *
 * Input: the text of one --publish value.
 *
 * Checked against pasta.h's contracts:
 * - an accepted value has both ports in 1..65535 and a host address that
 *   inet_pton reads back (IPv4, or IPv6 given in brackets);
 * - written back as [HOSTIP:]HOSTPORT:PORT/PROTO it parses to the same;
 * - the argument vector holds it as one -t or -u option whose value is
 *   HOSTIP/HOSTPORT:PORT, and ends with the target PID. */
#include <arpa/inet.h>
#include <errno.h>

#include "fuzz_common.h"
#include "pasta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_copy(data, size, 1);
	struct unc_publish p, again;
	struct unc_error err;
	struct unc_pasta_spec spec = {.path = "pasta", .publish = &p, .npublish = 1};
	char *argv[64], storage[4096], back[128], want[96];
	unsigned char addr[16];
	size_t i;
	int r;

	unc_error_clear(&err);
	r = unc_publish_parse(text, &p, &err);
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL && err.msg[0] != '\0');
		free(text);
		return 0;
	}
	FUZZ_CHECK(p.host_port >= 1 && p.port >= 1);
	FUZZ_CHECK(p.proto == UNC_PUBLISH_TCP || p.proto == UNC_PUBLISH_UDP);
	if (p.host_ip[0])
		FUZZ_CHECK(
		    inet_pton(strchr(p.host_ip, ':') ? AF_INET6 : AF_INET, p.host_ip, addr) == 1);
	snprintf(back, sizeof back, "%s%s%s%s%u:%u/%s", strchr(p.host_ip, ':') ? "[" : "",
		 p.host_ip, strchr(p.host_ip, ':') ? "]" : "", p.host_ip[0] ? ":" : "",
		 (unsigned)p.host_port, (unsigned)p.port,
		 p.proto == UNC_PUBLISH_UDP ? "udp" : "tcp");
	FUZZ_CHECK(unc_publish_parse(back, &again, &err) == 0);
	FUZZ_CHECK(memcmp(&p, &again, sizeof p) == 0 ||
		   (strcmp(p.host_ip, again.host_ip) == 0 && p.host_port == again.host_port &&
		    p.port == again.port && p.proto == again.proto));

	FUZZ_CHECK(unc_pasta_argv(&spec, 77, 9, argv, 64, storage, sizeof storage) == 0);
	snprintf(want, sizeof want, "%s%s%u:%u", p.host_ip, p.host_ip[0] ? "/" : "",
		 (unsigned)p.host_port, (unsigned)p.port);
	for (i = 0; argv[i + 1]; i++)
		if (strcmp(argv[i], p.proto == UNC_PUBLISH_UDP ? "-u" : "-t") == 0 &&
		    strcmp(argv[i + 1], want) == 0)
			break;
	FUZZ_CHECK(argv[i + 1] != NULL);
	for (i = 0; argv[i + 1]; i++)
		;
	FUZZ_CHECK(strcmp(argv[i], "77") == 0);
	free(text);
	return 0;
}
