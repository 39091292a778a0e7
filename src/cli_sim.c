/*
 * tipline sim: the simulated phone (modem model "dummy"): put an SMS or a delivery report into
 * its directory, list what the daemon sent through it. Works on files, not on the store.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "json.h"
#include "modem.h"

/* What print_sent needs: the format, and the modem's name when there are several. */
struct sent_ctx {
	int json;
	const char *modem; /* NULL: one modem */
};

static int print_sent(const char *file, const char *number, const char *text, int parts,
                      const char *coding, void *arg)
{
	const struct sent_ctx *x = arg;

	if (x->json) {
		struct json j;

		json_begin(&j, stdout);
		json_key_str(&j, "file", file);
		if (x->modem != NULL)
			json_key_str(&j, "modem", x->modem);
		json_key_str(&j, "to", number);
		json_key_str(&j, "text", text);
		json_key_int(&j, "parts", parts);
		json_key_str(&j, "coding", coding);
		json_end(&j);
	} else {
		if (x->modem != NULL)
			printf("%s: ", x->modem);
		printf("%-14s (%d %s part%s) %s\n", cli_safe(number), parts, coding,
		       parts == 1 ? "" : "s", cli_safe(text));
	}
	return 0;
}

/* Issue 25: the modem --modem NAME names (NULL: the first); a bad name is a usage error. */
static const struct modem_config *sim_modem(const struct config *cfg, const char *name)
{
	const struct modem_config *m = name != NULL ? config_modem(cfg, name) : &cfg->modems[0];

	if (m == NULL)
		cli_usage_error("--modem: \"%s\" is not a modem of %s", name, cfg->file);
	if (strcmp(m->model, "dummy") != 0) {
		fprintf(stderr,
		        "tipline: sim works only with the simulated modem (model = "
		        "\"dummy\"); modem %s of %s uses model \"%s\"\n",
		        m->name, cfg->file, m->model);
		exit(1);
	}
	return m;
}

/* Every modem's sent messages (--modem: that one's), its name on each line when several. */
static int sim_sent(const struct config *cfg, const char *only, int json)
{
	int rc = 0;

	for (int i = 0; i < cfg->nmodems; i++) {
		const struct modem_config *m = &cfg->modems[i];
		struct sent_ctx x = {json, cfg->nmodems > 1 ? m->name : NULL};
		char dir[1024];

		if (only != NULL && strcmp(only, m->name) != 0)
			continue;
		if (only == NULL && strcmp(m->model, "dummy") != 0)
			continue;
		sim_modem(cfg, m->name);
		if (m->sent_dir[0] != '\0')
			snprintf(dir, sizeof dir, "%s", m->sent_dir);
		else
			snprintf(dir, sizeof dir, "%s/sent", m->device);
		if (modem_dummy_sent_each(dir, print_sent, &x) < 0)
			rc = 1;
	}
	return rc;
}

int cli_sim(const struct config *cfg, int argc, char **argv)
{
	const char *only = NULL;

	if (cfg->nmodems == 1 && strcmp(cfg->modem.model, "dummy") != 0) {
		fprintf(stderr,
		        "tipline: sim works only with the simulated modem (model = "
		        "\"dummy\"); %s uses model \"%s\"\n",
		        cfg->file, cfg->modem.model);
		return 1;
	}
	if (argc < 2)
		cli_usage_error("sim: say send, sent or report");
	if (strcmp(argv[1], "send") == 0) {
		static const struct option opts[] = {
		    {"from", required_argument, NULL, 'f'},  {"time", required_argument, NULL, 't'},
		    {"parts", required_argument, NULL, 'p'}, {"ref", required_argument, NULL, 'r'},
		    {"modem", required_argument, NULL, 'm'}, {NULL, 0, NULL, 0}};
		const char *from = NULL, *when = NULL;
		int order[64], norder = 0, ref = -1, ch;

		optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
		while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
			switch (ch) {
			case 'f':
				from = optarg;
				break;
			case 'm':
				only = optarg;
				break;
			case 't':
				when = optarg;
				if (cli_check_datetime(when) < 0)
					cli_usage_error("--time: \"%s\" is not YYYY-MM-DD HH:MM:SS",
					                when);
				break;
			case 'r':
				if (cli_parse_int(optarg, 0, 255, &ref) < 0)
					cli_usage_error("--ref: \"%s\" is not 0 to 255", optarg);
				break;
			case 'p': {
				char *s = optarg, *end;

				while (*s != '\0' && norder < 64) {
					long v = strtol(s, &end, 10);

					if (end == s || v < 1 || v > 255)
						cli_usage_error(
						    "--parts: \"%s\" is not a list of part "
						    "numbers such as 2,1,3",
						    optarg);
					order[norder++] = (int)v;
					s = *end == ',' ? end + 1 : end;
					if (*end != ',' && *end != '\0')
						cli_usage_error("--parts: \"%s\" is not a list of "
						                "part numbers such as 2,1,3",
						                optarg);
				}
				break;
			}
			default:
				cli_usage();
			}
		}
		if (from == NULL || from[0] == '\0')
			cli_usage_error("sim send: --from NUMBER is required");
		if (optind + 1 != argc - 1)
			cli_usage_error("sim send: give the TEXT as one argument (quote it)");
		return modem_dummy_inject(sim_modem(cfg, only)->device, from, argv[argc - 1], when,
		                          norder ? order : NULL, (size_t)norder, ref) < 0;
	}
	if (strcmp(argv[1], "report") == 0) {
		static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
		                                     {"ref", required_argument, NULL, 'r'},
		                                     {"modem", required_argument, NULL, 'm'},
		                                     {NULL, 0, NULL, 0}};
		const char *from = NULL;
		int ref = -1, ch;

		optind = 0;
		while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
			if (ch == 'f')
				from = optarg;
			else if (ch == 'm')
				only = optarg;
			else if (ch == 'r' && cli_parse_int(optarg, 0, 255, &ref) == 0)
				continue;
			else
				cli_usage_error("sim report: --from NUMBER --ref 0-255");
		}
		if (from == NULL || ref < 0 || optind != argc - 1)
			cli_usage_error("sim report: --from NUMBER --ref 0-255");
		return modem_dummy_report(sim_modem(cfg, only)->device, from, ref) < 0;
	}
	if (strcmp(argv[1], "sent") == 0) {
		static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
		                                     {"modem", required_argument, NULL, 'm'},
		                                     {NULL, 0, NULL, 0}};
		int json = 0, ch;

		optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
		while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
			if (ch == 'j')
				json = 1;
			else if (ch == 'm')
				only = optarg;
			else
				cli_usage();
		}
		if (optind != argc - 1)
			cli_usage_error("sim sent: unexpected argument \"%s\"", argv[optind + 1]);
		return sim_sent(cfg, only, json);
	}
	cli_usage_error("sim: unknown subcommand \"%s\" (send, sent or report)", argv[1]);
	return 2;
}
