/* `tipline serve [--listen ADDR:PORT]`: the USSD aggregator's callback server (serve.c). */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "serve.h"

int cli_serve(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
	                                     {NULL, 0, NULL, 0}};
	const char *listen = cfg->http.listen;
	char host[64];
	int port, ch;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (config_listen_parse(optarg, host, sizeof host, &port) < 0)
				cli_usage_error("--listen: \"%s\" is not ADDR:PORT (such as "
				                "127.0.0.1:8080)",
				                optarg);
			listen = optarg;
			break;
		default:
			cli_usage();
		}
	}
	if (optind != argc)
		cli_usage_error("serve: unexpected argument \"%s\"", argv[optind]);
	/* A long-running program: it logs what it does, as the daemon does. */
	log_set_level(cfg->log_level);
	return serve_run(cfg, listen);
}
