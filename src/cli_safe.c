/* cli_safe: stored text shown on an officer's terminal (see cli.h). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"

const char *cli_safe(const char *s)
{
	/* A ring of buffers, so that one printf can show several fields; kept (and grown) for
	 * the process's life, freed at exit. */
	static char *slot[CLI_SAFE_SLOTS];
	static size_t size[CLI_SAFE_SLOTS];
	static unsigned next;
	size_t len, need;
	unsigned k;

	if (s == NULL || !text_safe_needed(s, len = strlen(s)))
		return s;
	need = TEXT_SAFE_MAX(len);
	k = next++ % CLI_SAFE_SLOTS;
	if (size[k] < need) {
		char *p = realloc(slot[k], need);

		if (p == NULL)
			return "(unprintable)"; /* never the raw text */
		slot[k] = p;
		size[k] = need;
	}
	text_safe(s, len, slot[k], need);
	return slot[k];
}
