/* tipline parse: how a text (or each stdin line) parses under the configured keywords. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "parse.h"

int cli_parse(const struct config *cfg, int argc, char **argv)
{
	struct parse_result res;

	if (argc > 2)
		cli_usage_error(
		    "parse: give one TEXT (quote it), or none to read lines from stdin");
	if (argc == 2) {
		parse_message(cfg->rules, argv[1], strlen(argv[1]), &res);
		parse_print_json(cfg->rules, argv[1], strlen(argv[1]), &res, stdout);
		return 0;
	}
	{
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;

		while ((len = getline(&line, &cap, stdin)) >= 0) {
			if (len > 0 && line[len - 1] == '\n')
				len--;
			if (len > 0 && line[len - 1] == '\r')
				len--;
			parse_message(cfg->rules, line, (size_t)len, &res);
			parse_print_json(cfg->rules, line, (size_t)len, &res, stdout);
		}
		free(line);
	}
	return 0;
}
