/*
 * `tipline sync` (the commune's push, once, by hand) and `tipline district init|add-node`
 * (the district's PostgreSQL), issue 27, and the sync's part of `tipline status` (its lines and
 * "sync" object: here, so that cli_status.c only calls them). None writes an action's rows:
 * sync.c moves the change log's cursor, district.c speaks to PostgreSQL.
 *
 * Exit status: 0 done, 1 the district out of reach or refusing (the reason on stderr),
 * 2 bad arguments.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "district.h"
#include "json.h"
#include "store.h"
#include "sync.h"
#include "ts.h"

int cli_sync(const struct config *cfg, int argc, char **argv)
{
	struct sync_result res;
	char err[512];
	int rc, first = 1;

	if (argc > 1)
		cli_usage_error("sync: unexpected argument \"%s\"", argv[1]);
	if (cfg->sync.conninfo[0] == '\0') {
		fprintf(stderr, "tipline: sync is off: no sync.conninfo in %s\n", cfg->file);
		return 1;
	}
	if (cli_open_store(cfg) < 0)
		return 1;
	rc = sync_run(cfg, 0, &res, err, sizeof err);
	printf("sent %lld changes (%lld upserts, %lld deletes) in %lld batches to the district as "
	       "%s",
	       res.upserts + res.deletes, res.upserts, res.deletes, res.batches, cfg->sync.node);
	for (int i = 0; i < sync_ntables; i++) {
		if (res.by_table[i] == 0)
			continue;
		printf("%s%s %lld", first ? ": " : ", ", sync_tables[i].name, res.by_table[i]);
		first = 0;
	}
	printf("\n%lld changes wait\n", res.pending);
	if (rc < 0) {
		fprintf(stderr, "tipline: sync: %s\n", err);
		return 1;
	}
	return 0;
}

/* district init CONNINFO | district add-node CONNINFO NAME */
int cli_district(const struct config *cfg, int argc, char **argv)
{
	char err[512], conninfo[2048];
	struct district *d;
	int add;

	(void)cfg;
	if (argc < 2)
		cli_usage_error("district: give init or add-node");
	add = strcmp(argv[1], "add-node") == 0;
	if (!add && strcmp(argv[1], "init") != 0)
		cli_usage_error("district: \"%s\" is not init or add-node", argv[1]);
	if (argc != (add ? 4 : 3))
		cli_usage_error(add ? "district add-node: give CONNINFO and NAME"
		                    : "district init: give CONNINFO");
	if (argv[2][0] == '\0')
		cli_usage_error("district: CONNINFO is empty");
	if (add && !config_node_name_ok(argv[3]))
		cli_usage_error("district add-node: \"%s\" is not a node name (1 to 40 of a-z, 0-9 "
		                "and -)",
		                argv[3]);
	d = district_connect(argv[2], err, sizeof err);
	if (d == NULL) {
		fprintf(stderr, "tipline: district: %s\n", err);
		return 1;
	}
	if (add ? district_add_node(d, argv[2], argv[3], conninfo, sizeof conninfo, err,
	                            sizeof err) < 0
	        : district_init(d, err, sizeof err) < 0) {
		fprintf(stderr, "tipline: district %s: %s\n", argv[1], err);
		district_close(d);
		return 1;
	}
	district_close(d);
	if (add) {
		printf("node %s: role tipline_node_%s writes only its own rows\n", argv[3],
		       argv[3]);
		printf("put in the commune's sync group (node = \"%s\"):\n", argv[3]);
		printf("%s\n", conninfo);
	} else {
		printf(
		    "district schema ready: schema tipline, roles tipline_node and tipline_report "
		    "(read-only), publication tipline\n");
	}
	return 0;
}

/* --- tipline status: the sync's lines (called by cli_status.c; nothing when sync is off) --- */

/* UTC text as local time, or "never". BUF holds TS_LEN. */
static const char *when(const char *utc, char *buf)
{
	if (utc[0] == '\0' || ts_utc_to_local(utc, buf) < 0)
		return "never";
	return buf;
}

void cli_status_sync_text(const struct config *cfg, const struct status_snapshot *rp)
{
	const struct store_sync_state *st = &rp->sync;
	char a[TS_LEN], b[TS_LEN];

	if (!rp->sync_on)
		return;
	if (!rp->sync_ok) {
		printf("sync:         %s, state unreadable: %s\n", cfg->sync.node,
		       cli_safe(rp->sync_unreadable));
		return;
	}
	printf("sync:         %s, %lld changes wait, last success %s (every %d s)\n",
	       cfg->sync.node, (long long)st->pending, when(st->synced_at, a), cfg->sync.every);
	/* The district's own words (libpq's message): shown through cli_safe. */
	if (st->last_error[0])
		printf("sync error:   %s: %s\n", when(st->tried_at, b), cli_safe(st->last_error));
}

void cli_status_sync_json(const struct config *cfg, const struct status_snapshot *rp,
                          struct json *j)
{
	const struct store_sync_state *st = &rp->sync;
	int ok = rp->sync_ok;

	if (!rp->sync_on)
		return;
	json_key_object(j, "sync");
	json_key_str(j, "node", cfg->sync.node);
	json_key_int(j, "every", cfg->sync.every);
	if (ok) {
		json_key_int(j, "waiting", st->pending);
		json_key_int(j, "cursor", st->cursor);
	} else {
		json_key_null(j, "waiting");
		json_key_null(j, "cursor");
	}
	json_key_str(j, "last_success_at", ok && st->synced_at[0] ? st->synced_at : NULL);
	json_key_str(j, "last_tried_at", ok && st->tried_at[0] ? st->tried_at : NULL);
	json_key_str(j, "last_error",
	             !ok                 ? rp->sync_unreadable
	             : st->last_error[0] ? st->last_error
	                                 : NULL);
	json_object_end(j);
}
