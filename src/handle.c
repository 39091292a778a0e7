#include "handle.h"

#include "config.h"
#include "log.h"
#include "store.h"

static const struct config *hcfg;

int handle_init(const struct config *cfg)
{
	hcfg = cfg;
	return 0;
}

void handle_close(void)
{
	hcfg = NULL;
}

int handle_message(int64_t id)
{
	log_debug("message %lld stored", (long long)id);
	return 0;
}

int handle_delivery_report(const char *number, int msgref, int delivered, const char *when)
{
	log_debug("delivery report from %s for reference %d: %s", number, msgref,
		  delivered ? "delivered" : "failed");
	return 0;
}
