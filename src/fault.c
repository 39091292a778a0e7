#include "fault.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fault_point(const char *name)
{
	const char *f = getenv("TIPLINE_FAULT");
	size_t n = strlen(name);

	if (f == NULL || strncmp(f, name, n) != 0)
		return;
	if (f[n] == '\0')
		_exit(99);
	if (strcmp(f + n, ":kill") == 0)
		raise(SIGKILL);
}

void fault_hang(const char *name)
{
	const char *f = getenv("TIPLINE_FAULT");

	if (f != NULL && strcmp(f, name) == 0)
		for (;;)
			pause();
}

static struct {
	int parsed;
	long first, count; /* calls first .. first+count-1 fail; count 0: all from first on */
	int kind;
	long calls;
} cd;

static void countdown_parse(void)
{
	fault_countdown_arm(getenv("TIPLINE_FAULT_COUNTDOWN"));
}

void fault_countdown_arm(const char *e)
{
	char kind[16] = "";
	int n;

	cd.parsed = 1;
	cd.first = -1;
	cd.calls = 0;
	if (e == NULL)
		return;
	cd.count = 1;
	cd.kind = FAULT_IOERR;
	n = sscanf(e, "%ld:%ld:%15s", &cd.first, &cd.count, kind);
	if (n < 1) {
		cd.first = -1;
		return;
	}
	if (n < 3) { /* "N:KIND" */
		const char *colon = strchr(e, ':');

		if (colon != NULL)
			sscanf(colon + 1, "%15[a-z]", kind);
	}
	if (strcmp(kind, "full") == 0)
		cd.kind = FAULT_FULL;
	else if (strcmp(kind, "nomem") == 0)
		cd.kind = FAULT_NOMEM;
}

int fault_countdown(void)
{
	if (!cd.parsed)
		countdown_parse();
	if (cd.first < 0)
		return FAULT_NONE;
	cd.calls++;
	if (cd.first == 0 || cd.calls < cd.first)
		return FAULT_NONE;
	if (cd.count > 0 && cd.calls >= cd.first + cd.count)
		return FAULT_NONE;
	return cd.kind;
}

long fault_countdown_calls(void)
{
	if (!cd.parsed)
		countdown_parse();
	return cd.first < 0 ? -1 : cd.calls;
}
