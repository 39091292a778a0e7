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
 * for the one modem.pin belongs to; a changed modem.pin needs no command. With several modems
 * (issue 25) --modem NAME says whose SIM: the others' entries stay, for their SIMs may count
 * every wrong try.
 */
int cli_modem(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"modem", required_argument, NULL, 'm'},
	                                     {NULL, 0, NULL, 0}};
	const char *name = NULL, *modem;
	struct act_who w;
	int n = 0, ch;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'm')
			cli_usage();
		name = optarg;
	}
	if (optind == argc)
		cli_usage_error("modem: give a subcommand (pin-retry)");
	if (strcmp(argv[optind], "pin-retry") != 0)
		cli_usage_error("modem: unknown subcommand \"%s\"", argv[optind]);
	if (optind + 1 != argc)
		cli_usage_error("modem pin-retry: unexpected argument \"%s\"", argv[optind + 1]);
	modem = cli_modem_arg(cfg, name, "modem pin-retry");
	if (cli_open_store(cfg) < 0)
		return 1;
	act_who_officer(&w, NULL);
	if (store_begin() < 0 || act_sim_pin_retry(&w, modem, &n) != ACT_OK || store_commit() < 0) {
		store_rollback();
		return cli_store_failed();
	}
	if (n == 0)
		printf("no PIN entry recorded: nothing to retry\n");
	else
		printf("forgot %d PIN entr%s the SIM refused; the daemon enters modem.pin once at "
		       "its next connect%s%s\n",
		       n, n == 1 ? "y" : "ies", modem != NULL ? " to modem " : "",
		       modem != NULL ? modem : "");
	return 0;
}
