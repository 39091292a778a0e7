/*
 * tipline subcommands of the officers' web console (issue 23): `passwd PHONE` gives an officer
 * a console password (and makes or unmakes an account admin); `console` runs the server
 * (console.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "act.h"
#include "cli.h"
#include "config.h"
#include "console.h"
#include "store.h"
#include "text.h"

/*
 * One line of standard input into BUF (without its newline), the terminal's echo off while it
 * is typed when standard input is one (PROMPT then goes to stderr). 0, -1 at the end of input
 * or on a line too long for BUF.
 */
static int read_secret(const char *prompt, char *buf, size_t sz)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	int rc = -1;
	size_t n;

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)sz, stdin) == NULL)
		goto out;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (n + 1 == sz)
		goto out; /* longer than the buffer: not cut silently */
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	rc = 0;
out:
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	return rc;
}

int cli_passwd(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"admin", no_argument, NULL, 'a'},
	                                     {"no-admin", no_argument, NULL, 'n'},
	                                     {NULL, 0, NULL, 0}};
	struct act_account_in in = {ACT_ACCOUNT_PASSWORD, NULL, NULL, -1};
	struct act_account_out out;
	struct store_console_account a;
	struct act_who w;
	enum act_status st;
	char phone[24], pw[256], again[256];
	int ch, rc = 1;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'a')
			in.admin = 1;
		else if (ch == 'n')
			in.admin = 0;
		else
			cli_usage();
	}
	if (argc - optind != 1)
		cli_usage_error("passwd: give one officer's phone number (the password is asked, "
		                "never taken from the command line)");
	if (text_phone_e164(argv[optind], cfg->country_code, phone, sizeof phone) < 0)
		cli_usage_error("passwd: \"%s\" is not a phone number", argv[optind]);
	if (cli_open_store(cfg) < 0)
		return 1;
	/* Asked before the password is typed: not an officer is said at once. */
	if (store_console_account_get(phone, &a) < 0)
		return cli_store_failed();
	if (!a.contact_found || !a.officer) {
		fprintf(stderr,
		        "tipline: %s is not an officer (tipline contact set %s --role officer): no "
		        "console password\n",
		        phone, phone);
		return 1;
	}
	if (read_secret("Mật khẩu mới / new password: ", pw, sizeof pw) < 0 ||
	    read_secret("Nhập lại / again: ", again, sizeof again) < 0) {
		fprintf(stderr, "tipline: passwd: give the password twice (two lines on standard "
		                "input, each under 256 bytes)\n");
		goto out;
	}
	if (strcmp(pw, again) != 0) {
		fprintf(stderr, "tipline: passwd: the two passwords differ: nothing changed\n");
		goto out;
	}
	/* The same action as the console's admins' page, recorded as by "cli". */
	in.phone = phone;
	in.password = pw;
	act_who_officer(&w, "cli");
	if (store_begin() < 0) {
		rc = cli_store_failed();
		goto out;
	}
	st = act_account(&w, &in, &out);
	if (st != ACT_OK) {
		store_rollback();
		if (st == ACT_REFUSED)
			fprintf(stderr, "tipline: passwd: %s: nothing changed\n", out.why);
		else if (st == ACT_NO_CONTACT)
			fprintf(stderr, "tipline: %s is not an officer: no console password\n",
			        phone);
		else
			rc = cli_store_failed();
		goto out;
	}
	if (store_commit() < 0) {
		rc = cli_store_failed();
		goto out;
	}
	printf("%s: console password set%s\n", phone,
	       in.admin < 0 ? (out.admin ? " (account admin)" : "")
	       : out.admin  ? " (account admin)"
	                    : " (not an account admin)");
	rc = 0;
out:
	explicit_bzero(pw, sizeof pw);
	explicit_bzero(again, sizeof again);
	return rc;
}

int cli_console(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
	                                     {"make-cert", no_argument, NULL, 'm'},
	                                     {NULL, 0, NULL, 0}};
	const char *listen = NULL;
	int ch, make_cert = 0;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'l')
			listen = optarg;
		else if (ch == 'm')
			make_cert = 1;
		else
			cli_usage();
	}
	if (optind != argc)
		cli_usage_error("console: unexpected argument \"%s\"", argv[optind]);
	if (make_cert && listen != NULL)
		cli_usage_error("console: --make-cert makes the certificate and serves nothing: "
		                "no --listen with it");
	if (make_cert)
		return console_make_cert(cfg);
	if (listen != NULL) {
		char host[64];
		int port;

		if (config_listen_parse(listen, host, sizeof host, &port) < 0)
			cli_usage_error(
			    "--listen: \"%s\" is not ADDR:PORT (such as 127.0.0.1:8443)", listen);
	}
	return console_run(cfg, listen);
}
