/* tipline modem pin-retry: the daemon owns the modem; this changes what it reads at connect. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "act.h"
#include "cli.h"
#include "store.h"

/*
 * Forget the PINs the SIM refused (src/simcard.h): the daemon enters modem.pin once more at its
 * next connect (within modem.backoff_max seconds). For a SIM unlocked in a phone, or swapped
 * for the one modem.pin belongs to; a changed modem.pin needs no command.
 */
int cli_modem(const struct config *cfg, int argc, char **argv)
{
	struct act_who w;
	int n = 0;

	optind = 0;
	while (getopt_long(argc, argv, "", (const struct option[]){{NULL, 0, NULL, 0}}, NULL) != -1)
		cli_usage();
	if (optind == argc)
		cli_usage_error("modem: give a subcommand (pin-retry)");
	if (strcmp(argv[optind], "pin-retry") != 0)
		cli_usage_error("modem: unknown subcommand \"%s\"", argv[optind]);
	if (optind + 1 != argc)
		cli_usage_error("modem pin-retry: unexpected argument \"%s\"", argv[optind + 1]);
	if (cli_open_store(cfg) < 0)
		return 1;
	act_who_officer(&w, NULL);
	if (store_begin() < 0 || act_sim_pin_retry(&w, &n) != ACT_OK || store_commit() < 0) {
		store_rollback();
		return cli_store_failed();
	}
	if (n == 0)
		printf("no PIN entry recorded: nothing to retry\n");
	else
		printf("forgot %d PIN entr%s the SIM refused; the daemon enters modem.pin once at "
		       "its next connect\n",
		       n, n == 1 ? "y" : "ies");
	return 0;
}
