#include "fault.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fault_point(const char *name)
{
	const char *f = getenv("TIPLINE_FAULT");

	if (f != NULL && strcmp(f, name) == 0)
		_exit(99);
}

void fault_hang(const char *name)
{
	const char *f = getenv("TIPLINE_FAULT");

	if (f != NULL && strcmp(f, name) == 0)
		for (;;)
			pause();
}
