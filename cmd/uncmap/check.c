/* uncmap --check: the report of lib/launch/diagnose.c as text, one line per check,
 * or as JSON for scripts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmdmsg.h"
#include "json.h"
#include "uncmap_check.h"

static const char *json_status(enum unc_check_status s)
{
	return s == UNC_CHECK_OK ? "ok" : s == UNC_CHECK_WARN ? "warn" : "fail";
}

static void print_json(const struct unc_check_config *cfg, const struct unc_check_report *rep,
		       int works)
{
	size_t i;

	printf("{\"range\":%llu,\"launch_would_work\":%s,\"checks\":[",
	       (unsigned long long)cfg->range, works ? "true" : "false");
	for (i = 0; i < rep->n; i++) {
		const struct unc_check_result *r = &rep->v[i];
		printf("%s\n{\"id\":", i ? "," : "");
		cmd_json_string(stdout, r->id, strlen(r->id));
		printf(",\"status\":\"%s\",\"what\":", json_status(r->status));
		cmd_json_string(stdout, r->what, strlen(r->what));
		fputs(",\"fix\":", stdout);
		if (r->fix[0])
			cmd_json_string(stdout, r->fix, strlen(r->fix));
		else
			fputs("null", stdout);
		fputc('}', stdout);
	}
	fputs("\n]}\n", stdout);
}

static void print_text(const struct unc_check_config *cfg, const struct unc_check_report *rep,
		       int works)
{
	size_t i, warnings = 0, problems = 0;
	const char *what = (cfg->map[UNC_SUBUID] && cfg->map[UNC_SUBUID]->n) ||
				   (cfg->map[UNC_SUBGID] && cfg->map[UNC_SUBGID]->n)
			       ? "a launch with these --map-uid/--map-gid extents"
			       : NULL;

	for (i = 0; i < rep->n; i++) {
		const struct unc_check_result *r = &rep->v[i];
		printf("%-4s %s", unc_check_status_name(r->status), r->what);
		if (r->fix[0])
			printf("; fix: %s", r->fix);
		putchar('\n');
		warnings += r->status == UNC_CHECK_WARN;
		problems += r->status == UNC_CHECK_FAIL;
	}
	if (what)
		printf("result: %s would %s", what, works ? "work" : "fail");
	else
		printf("result: a --range %llu launch would %s", (unsigned long long)cfg->range,
		       works ? "work" : "fail");
	if (problems)
		printf(" (%zu problem%s", problems, problems > 1 ? "s" : "");
	if (warnings)
		printf("%s%zu warning%s", problems ? ", " : " (", warnings,
		       warnings > 1 ? "s" : "");
	puts(problems || warnings ? ")" : "");
}

int uncmap_check(const struct unc_check_config *cfg, int json)
{
	struct unc_check_report rep = {0};
	struct unc_error err;
	int works;

	unc_error_clear(&err);
	if (unc_check_run(cfg, &rep, &err) < 0) {
		cmd_say("%s", err.msg);
		unc_check_report_free(&rep);
		return 125;
	}
	works = unc_check_worst(&rep) != UNC_CHECK_FAIL;
	if (json)
		print_json(cfg, &rep, works);
	else
		print_text(cfg, &rep, works);
	unc_check_report_free(&rep);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cmd_say("cannot write the report: %s", strerror(errno));
		return 125;
	}
	return works ? 0 : 1;
}
