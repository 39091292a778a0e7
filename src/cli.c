#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "act.h"
#include "config.h"
#include "json.h"
#include "store.h"
#include "ts.h"

/* The summary (cli_set_usage) and the command being run (cli_set_command), for cli_usage. */
static const char *usage_text = "";
static const char *current;

void cli_set_usage(const char *text)
{
	usage_text = text;
}

void cli_set_command(const char *name)
{
	current = name;
}

int cli_print_usage(FILE *out, const char *cmd)
{
	const char *line = usage_text, *end;
	size_t n = cmd ? strlen(cmd) : 0;
	int in = 0, found = 0;

	if (cmd == NULL) {
		fputs(usage_text, out);
		return 0;
	}
	for (; *line != '\0'; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		if (strncmp(line, "  ", 2) == 0 && line[2] != ' ' && line[2] != '-')
			in = strncmp(line + 2, cmd, n) == 0 &&
			     (line[2 + n] == ' ' || line + 2 + n == end);
		else if (strncmp(line, "   ", 3) != 0)
			in = 0;
		if (!in)
			continue;
		if (line[2] != ' ')
			fprintf(out, "%s%.*s\n", found++ ? "       tipline " : "usage: tipline ",
			        (int)(end - line - 2), line + 2);
		else
			fprintf(out, "%.*s\n", (int)(end - line), line);
	}
	return found ? 0 : -1;
}

const char *cli_modem_arg(const struct config *cfg, const char *name, const char *what)
{
	const struct modem_config *m;

	if (name == NULL && cfg->nmodems > 1)
		cli_usage_error("%s: %d modems are configured: give --modem NAME (%s, ...)", what,
		                cfg->nmodems, cfg->modems[0].name);
	if (name == NULL)
		return NULL;
	if ((m = config_modem(cfg, name)) == NULL)
		cli_usage_error("--modem: \"%s\" is not a modem of %s", name, cfg->file);
	return m->name;
}

void cli_usage(void)
{
	cli_print_usage(stderr, current);
	exit(2);
}

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tipline: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_usage();
}

void cli_store_open_failed(const struct config *cfg)
{
	if (store_error_is_permission())
		fprintf(stderr, "tipline: %s\n", store_errmsg());
	else
		fprintf(stderr, "tipline: cannot open the database %s\n", cfg->database.path);
}

int cli_open_store(const struct config *cfg)
{
	/* Recipients' networks by prefix (issue 25): the broadcast dry run splits by them. */
	store_set_networks(config_network_name, (void *)cfg);
	if (store_open(&cfg->database) < 0) {
		cli_store_open_failed(cfg);
		return -1;
	}
	return 0;
}

int cli_parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int cli_check_date(const char *s)
{
	int64_t t;

	return ts_parse_local(s, &t);
}

int cli_check_datetime(const char *s)
{
	int64_t t;

	return strlen(s) == TS_LEN - 1 && ts_parse_utc(s, &t) == 0 ? 0 : -1;
}

int cli_local_bound(const char *s, int end, char out[TS_LEN])
{
	struct tm tm;
	const char *rest;
	int64_t t;

	if (ts_parse_local(s, &t) < 0)
		return -1;
	if (end) {
		memset(&tm, 0, sizeof tm);
		rest = strptime(s, "%Y-%m-%d", &tm);
		if (rest != NULL && *rest == '\0') {
			/* A whole local day: up to its next local midnight (mktime: 23 or 25 hours
			 * where the zone shifts). */
			tm.tm_mday++;
			tm.tm_isdst = -1;
			t = (int64_t)mktime(&tm);
		} else {
			t++; /* a time is inclusive to the second */
		}
	}
	ts_utc(t, out);
	return 0;
}

int cli_local_period(const char *from, const char *to, char from_utc[TS_LEN], char to_utc[TS_LEN])
{
	if (from != NULL && cli_local_bound(from, 0, from_utc) < 0)
		cli_usage_error("\"%s\" is not a date (YYYY-MM-DD)", from);
	if (to != NULL && cli_local_bound(to, 1, to_utc) < 0)
		cli_usage_error("\"%s\" is not a date (YYYY-MM-DD)", to);
	if (from != NULL && to != NULL && strcmp(from_utc, to_utc) >= 0)
		cli_usage_error("the period from %s to %s is empty", from, to);
	return 0;
}

const char *cli_team_code(char *t)
{
	return act_team_code(t) == 0 ? t : NULL;
}

int cli_print_row(const struct store_row *r, int json)
{
	if (json) {
		struct json j;

		json_begin(&j, stdout);
		for (int i = 0; i < r->n; i++) {
			if (r->val[i] == NULL)
				json_key_null(&j, r->name[i]);
			else if (r->numeric[i])
				json_key_int(&j, r->name[i], strtoll(r->val[i], NULL, 10));
			else
				json_key_str(&j, r->name[i], r->val[i]);
		}
		json_end(&j);
		return 0;
	}
	for (int i = 0; i < r->n; i++)
		printf("%s%s", i ? "\t" : "", r->val[i] ? cli_safe(r->val[i]) : "-");
	putchar('\n');
	return 0;
}

/* cli_list's printers: CTX unused for JSON, the header flag for plain text. */
static int print_json(const struct store_row *r, void *ctx)
{
	return cli_print_row(r, 1);
}

static int print_plain(const struct store_row *r, void *ctx)
{
	int *header = ctx;

	if (*header) {
		for (int i = 0; i < r->n; i++)
			printf("%s%s", i ? "\t" : "", r->name[i]);
		putchar('\n');
		*header = 0;
	}
	return cli_print_row(r, 0);
}

int cli_list(store_lister list, const char *arg, int json)
{
	int header = 1;

	if (list(arg, 0, json ? print_json : print_plain, &header) < 0)
		return cli_store_failed();
	return 0;
}

int cli_listing_row(const struct store_row *r, void *ctx)
{
	struct cli_listing *l = ctx;

	if (!l->json && l->header) {
		for (int i = 0; i < r->n; i++)
			printf("%s%s", i ? "\t" : "", r->name[i]);
		putchar('\n');
		l->header = 0;
	}
	return cli_print_row(r, l->json);
}

int cli_store_failed(void)
{
	fprintf(stderr, "tipline: %s\n", store_errmsg());
	return 1;
}

FILE *cli_create_private(const struct config *cfg, const char *path)
{
	int grouped = cfg->database.group[0] != '\0' && cfg->database.group_gid >= 0;
	FILE *f = NULL;
	int fd, e;

	/* 0600 first: the group is set before it may read (and the umask cannot widen it). */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	if ((grouped && fchown(fd, (uid_t)-1, (gid_t)cfg->database.group_gid) < 0) ||
	    fchmod(fd, grouped ? 0640 : 0600) < 0 || (f = fdopen(fd, "w")) == NULL)
		goto fail;
	return f;
fail:
	e = errno;
	close(fd);
	errno = e;
	return NULL;
}

int cli_out_open(const struct config *cfg, const char *path, struct cli_out *o)
{
	o->path = path;
	o->f = stdout;
	o->tmp[0] = '\0';
	if (path == NULL)
		return 0;
	if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s.%d.tmp", path, (int)getpid()) >=
	    sizeof o->tmp) {
		fprintf(stderr, "tipline: %s: the file name is too long\n", path);
		return -1;
	}
	if ((o->f = cli_create_private(cfg, o->tmp)) == NULL) {
		perror(o->tmp);
		return -1;
	}
	return 0;
}

int cli_out_close(struct cli_out *o, int ok)
{
	if (o->path == NULL) {
		if (fflush(stdout) != 0) {
			perror("stdout");
			return -1;
		}
		return ok ? 0 : -1;
	}
	if (fclose(o->f) != 0) {
		if (ok)
			perror(o->tmp);
		ok = 0;
	}
	if (ok && rename(o->tmp, o->path) < 0) {
		perror(o->path);
		ok = 0;
	}
	if (!ok)
		unlink(o->tmp);
	return ok ? 0 : -1;
}

const char *cli_local_time(const char *utc, char out[TS_LEN])
{
	if (utc == NULL)
		return NULL;
	if (ts_utc_to_local(utc, out) < 0)
		snprintf(out, TS_LEN, "%s", utc);
	return out;
}

int cli_daemon_alive(char last[TS_LEN])
{
	char deadline[TS_LEN] = "", now[TS_LEN];
	int r = store_status_get("heartbeat", deadline, sizeof deadline, last);

	if (r <= 0) {
		last[0] = '\0';
		return r;
	}
	ts_now(now);
	return strcmp(now, deadline) <= 0; /* UTC text sorts as time */
}

long cli_age_of(const char *utc)
{
	int64_t t;

	if (utc == NULL || ts_parse_utc(utc, &t) < 0)
		return -1;
	return (long)((int64_t)time(NULL) - t);
}

void cli_daemon_not_running(const char *last)
{
	char local[TS_LEN], stopped[TS_LEN] = "";

	if (last[0] == '\0' && store_status_get("stopped_at", stopped, sizeof stopped, NULL) > 0 &&
	    ts_utc_to_local(stopped, local) == 0)
		fprintf(stderr, "tipline: the daemon is not running (stopped at %s)\n", local);
	else if (last[0] != '\0' && ts_utc_to_local(last, local) == 0)
		fprintf(stderr,
		        "tipline: the daemon is not running (last heartbeat %s, %ld s ago)\n",
		        local, cli_age_of(last));
	else
		fprintf(stderr,
		        "tipline: the daemon is not running (no heartbeat: start tiplined)\n");
}
