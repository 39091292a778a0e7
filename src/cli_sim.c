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

static int print_sent(const char *file, const char *number, const char *text, int parts,
                      const char *coding, void *arg)
{
	const int *json = arg;

	if (*json) {
		struct json j;

		json_begin(&j, stdout);
		json_key_str(&j, "file", file);
		json_key_str(&j, "to", number);
		json_key_str(&j, "text", text);
		json_key_int(&j, "parts", parts);
		json_key_str(&j, "coding", coding);
		json_end(&j);
	} else {
		printf("%-14s (%d %s part%s) %s\n", cli_safe(number), parts, coding,
		       parts == 1 ? "" : "s", cli_safe(text));
	}
	return 0;
}

int cli_sim(const struct config *cfg, int argc, char **argv)
{
	if (strcmp(cfg->modem.model, "dummy") != 0) {
		fprintf(stderr,
		        "tipline: sim works only with the simulated modem (model = "
		        "\"dummy\"); %s uses model \"%s\"\n",
		        cfg->file, cfg->modem.model);
		return 1;
	}
	if (argc < 2)
		cli_usage_error("sim: say send, sent or report");
	if (strcmp(argv[1], "send") == 0) {
		static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
		                                     {"time", required_argument, NULL, 't'},
		                                     {"parts", required_argument, NULL, 'p'},
		                                     {"ref", required_argument, NULL, 'r'},
		                                     {NULL, 0, NULL, 0}};
		const char *from = NULL, *when = NULL;
		int order[64], norder = 0, ref = -1, ch;

		optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
		while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
			switch (ch) {
			case 'f':
				from = optarg;
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
		return modem_dummy_inject(cfg->modem.device, from, argv[argc - 1], when,
		                        norder ? order : NULL, (size_t)norder, ref) < 0;
	}
	if (strcmp(argv[1], "report") == 0) {
		static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
		                                     {"ref", required_argument, NULL, 'r'},
		                                     {NULL, 0, NULL, 0}};
		const char *from = NULL;
		int ref = -1, ch;

		optind = 0;
		while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
			if (ch == 'f')
				from = optarg;
			else if (ch == 'r' && cli_parse_int(optarg, 0, 255, &ref) == 0)
				continue;
			else
				cli_usage_error("sim report: --from NUMBER --ref 0-255");
		}
		if (from == NULL || ref < 0 || optind != argc - 1)
			cli_usage_error("sim report: --from NUMBER --ref 0-255");
		return modem_dummy_report(cfg->modem.device, from, ref) < 0;
	}
	if (strcmp(argv[1], "sent") == 0) {
		static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
		                                     {NULL, 0, NULL, 0}};
		char dir[1024];
		int json = 0, ch;

		optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
		while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
			if (ch == 'j')
				json = 1;
			else
				cli_usage();
		}
		if (optind != argc - 1)
			cli_usage_error("sim sent: unexpected argument \"%s\"", argv[optind + 1]);
		if (cfg->modem.sent_dir[0] != '\0')
			snprintf(dir, sizeof dir, "%s", cfg->modem.sent_dir);
		else
			snprintf(dir, sizeof dir, "%s/sent", cfg->modem.device);
		return modem_dummy_sent_each(dir, print_sent, &json) < 0;
	}
	cli_usage_error("sim: unknown subcommand \"%s\" (send, sent or report)", argv[1]);
	return 2;
}
