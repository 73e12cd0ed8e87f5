/* test_pasta.c: --publish parsing and pasta's argument vector
 * (lib/launch/pasta.c). The messages are what uncmap prints after
 * "uncmap: ". */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "pasta.h"

static void assert_publish(const char *arg, const char *ip, unsigned hport, unsigned port,
			   enum unc_publish_proto proto)
{
	struct unc_publish p;
	struct unc_error err;

	unc_error_clear(&err);
	assert_int_equal(unc_publish_parse(arg, &p, &err), 0);
	assert_string_equal(p.host_ip, ip);
	assert_int_equal(p.host_port, hport);
	assert_int_equal(p.port, port);
	assert_int_equal(p.proto, proto);
}

static void assert_publish_refused(const char *arg, const char *msg)
{
	struct unc_publish p;
	struct unc_error err;

	unc_error_clear(&err);
	assert_int_equal(unc_publish_parse(arg, &p, &err), -EINVAL);
	assert_string_equal(err.msg, msg);
}

static void test_publish_forms(void **state)
{
	(void)state;
	assert_publish("8080:80", "", 8080, 80, UNC_PUBLISH_TCP);
	assert_publish("8080:80/tcp", "", 8080, 80, UNC_PUBLISH_TCP);
	assert_publish("5353:53/udp", "", 5353, 53, UNC_PUBLISH_UDP);
	assert_publish("127.0.0.1:8080:80", "127.0.0.1", 8080, 80, UNC_PUBLISH_TCP);
	assert_publish("[::1]:8080:80/udp", "::1", 8080, 80, UNC_PUBLISH_UDP);
	assert_publish("1:65535", "", 1, 65535, UNC_PUBLISH_TCP);
}

static void test_publish_refused(void **state)
{
	(void)state;
	assert_publish_refused("8080",
			       "--publish: '8080' is not [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]");
	assert_publish_refused("", "--publish: '' is not [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]");
	assert_publish_refused(":80", "--publish: ':80' is not [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]");
	assert_publish_refused("80:", "--publish: '80:' is not [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]");
	assert_publish_refused("80:80/sctp", "--publish: '80:80/sctp': the protocol is tcp or udp");
	assert_publish_refused("0:80", "--publish: port: 0 is out of range (1-65535)");
	assert_publish_refused("80:65536", "--publish: port: 65536 is out of range (1-65535)");
	assert_publish_refused("80:-1",
			       "--publish: port: '-1' is not a non-negative decimal number");
	assert_publish_refused("::1:80:80",
			       "--publish: '::1:80:80' is not [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]");
	assert_publish_refused("[::1]80:80",
			       "--publish: '[::1]80:80' is not [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]");
	assert_publish_refused(
	    "[fe80::zz]:80:80",
	    "--publish: 'fe80::zz' is not an IP address (IPv6 goes in brackets: [::1]:8080:80)");
	assert_publish_refused(
	    "localhost:80:80",
	    "--publish: 'localhost' is not an IP address (IPv6 goes in brackets: [::1]:8080:80)");
	assert_publish_refused("1.2.3.4:80:80:80",
			       "--publish: port: '80:80' is not a non-negative decimal number");
}

/* The whole vector, joined with spaces. */
static void argv_of(const struct unc_pasta_spec *spec, char *out, size_t size)
{
	char *argv[64], storage[2048];
	size_t i, used = 0;

	assert_int_equal(unc_pasta_argv(spec, 4242, 9, argv, 64, storage, sizeof storage), 0);
	out[0] = '\0';
	for (i = 0; argv[i]; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? " " : "", argv[i]);
}

static void test_argv_default(void **state)
{
	struct unc_pasta_spec spec = {.path = "/usr/bin/pasta"};
	char line[1024];

	(void)state;
	argv_of(&spec, line, sizeof line);
	/* nothing forwarded unless published; no host loopback port on the
	 * namespace's own lo */
	assert_string_equal(line, "/usr/bin/pasta --config-net --foreground --quiet --dns-forward "
				  "169.254.1.1 -t none -u none -T none -U none --pid "
				  "/proc/self/fd/9 4242");
}

static void test_argv_publish_and_extra(void **state)
{
	struct unc_publish pub[3] = {
	    {.host_ip = "127.0.0.1", .host_port = 8080, .port = 80, .proto = UNC_PUBLISH_TCP},
	    {.host_ip = "::1", .host_port = 8443, .port = 443, .proto = UNC_PUBLISH_TCP},
	    {.host_ip = "", .host_port = 5353, .port = 53, .proto = UNC_PUBLISH_UDP},
	};
	char *extra[] = {(char *)"--mtu", (char *)"1500", (char *)"-T", (char *)"auto"};
	struct unc_pasta_spec spec = {.path = "pasta",
				      .publish = pub,
				      .npublish = 3,
				      .extra = extra,
				      .nextra = 4,
				      .run_as_root = 1};
	char line[1024];

	(void)state;
	argv_of(&spec, line, sizeof line);
	/* -T given by the caller: no "-T none" of ours */
	assert_string_equal(line,
			    "pasta --config-net --foreground --quiet --dns-forward 169.254.1.1 "
			    "--runas 0:0 -t 127.0.0.1/8080:80 -t ::1/8443:443 -u 5353:53 -U "
			    "none --pid /proc/self/fd/9 --mtu 1500 -T auto 4242");
}

static void test_argv_too_long(void **state)
{
	struct unc_pasta_spec spec = {.path = "/usr/bin/pasta"};
	char *argv[64], storage[2048];

	(void)state;
	/* too few entries, then too little room for the strings */
	assert_int_equal(unc_pasta_argv(&spec, 1, 9, argv, 8, storage, sizeof storage), -E2BIG);
	assert_int_equal(unc_pasta_argv(&spec, 1, 9, argv, 64, storage, 16), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_publish_forms), cmocka_unit_test(test_publish_refused),
	    cmocka_unit_test(test_argv_default),  cmocka_unit_test(test_argv_publish_and_extra),
	    cmocka_unit_test(test_argv_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
