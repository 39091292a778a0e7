/* src/http.c's pieces that need no socket: the masked client address, the log budget. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "check.h"
#include "http.h"

static void mask(int family, const char *text, char *out, size_t sz)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		inet_pton(AF_INET, text, &((struct sockaddr_in *)&ss)->sin_addr);
	else
		inet_pton(AF_INET6, text, &((struct sockaddr_in6 *)&ss)->sin6_addr);
	http_mask_addr((struct sockaddr *)&ss, out, sz);
}

static void t_client_address_masked(void)
{
	char b[64];

	mask(AF_INET, "203.0.113.77", b, sizeof b);
	CHECK_STR(b, "203.0.113.0/24");
	mask(AF_INET6, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", b, sizeof b);
	CHECK_STR(b, "2001:db8:1:2::/64");
	mask(AF_INET6, "::ffff:198.51.100.9", b, sizeof b);
	CHECK_STR(b, "198.51.100.0/24");
	http_mask_addr(NULL, b, sizeof b);
	CHECK_STR(b, "an unknown address");
}

static void t_log_budget(void)
{
	struct http_log_budget lb = {0};
	int shown = 0;

	for (int i = 0; i < 100; i++)
		shown += http_log_allow(&lb, "test: events");
	CHECK_INT(shown, HTTP_LOG_BURST);
	CHECK_INT(lb.unshown, 100 - HTTP_LOG_BURST);
	/* The next interval: the count is said once, and lines are allowed again. */
	lb.start -= HTTP_LOG_INTERVAL + 1;
	CHECK_INT(http_log_allow(&lb, "test: events"), 1);
	CHECK_INT(lb.unshown, 0);
	CHECK_INT(lb.shown, 1);
}

int main(void)
{
	RUN(t_client_address_masked);
	RUN(t_log_budget);
	return check_done();
}
