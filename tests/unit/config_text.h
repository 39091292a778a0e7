/*
 * The unit tests' way to a struct config: TEXT written to a file of its own and loaded by the
 * real config_load (errors go to stderr; the tests check the result, the integration tests
 * the text). config_text_path holds the file's name (gone by the return) for a test that
 * checks the file:line an error names. The caller owns the config (config_free).
 */
#ifndef TIPLINE_TEST_CONFIG_TEXT_H
#define TIPLINE_TEST_CONFIG_TEXT_H

#include <stdio.h>
#include <unistd.h>

#include "config.h"

/* The least a config needs: a modem and a database. */
#define MIN "modem: { device = \"m\"; connection = \"none\"; };\ndatabase: { path = \"d\"; };\n"

static char config_text_path[64];

static struct config *load_text(const char *text)
{
	FILE *f;
	struct config *c;

	snprintf(config_text_path, sizeof config_text_path, "/tmp/tipline-test-%d.conf",
	         (int)getpid());
	f = fopen(config_text_path, "w");
	if (f == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	c = config_load(config_text_path);
	unlink(config_text_path);
	return c;
}

#endif
