/*
 * The anonymous tipsters' hourly count (anon.c): a reply counts from its time on, one older
 * than SINCE no longer does (the cap expires), and one number's replies are not another's.
 * The message mac (issue 25): one message, one mac, 16 hex digits; another number, time or
 * text, another; it outlives a reload; the key's pipe holds 16 bytes.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "anon.h"
#include "check.h"

#define T0 ((int64_t)1796000000) /* any instant: the module takes times, never reads a clock */

static void t_count_expires(void)
{
	CHECK_INT(anon_init(), 0);
	anon_note("+84905111444", T0);
	anon_note("+84905111444", T0 + 1800);
	anon_note("+84905222555", T0 + 1800);
	/* An hour after the first reply: both in the hour. */
	CHECK_INT(anon_count("+84905111444", T0 + 3600 - 3600), 2);
	/* A second later the first has left the hour, and later still the second. */
	CHECK_INT(anon_count("+84905111444", T0 + 3601 - 3600), 1);
	CHECK_INT(anon_count("+84905111444", T0 + 1800 + 3601 - 3600), 0);
	CHECK_INT(anon_count("+84905222555", T0 + 3601 - 3600), 1);
	CHECK_INT(anon_count("+84905333666", T0 - 3600), 0);
	anon_close();
}

static void t_restart_forgets(void)
{
	CHECK_INT(anon_init(), 0);
	anon_note("+84905111444", T0);
	anon_close();
	CHECK_INT(anon_init(), 0);
	CHECK_INT(anon_count("+84905111444", T0 - 3600), 0);
	anon_close();
}

static int is_hex16(const char *s)
{
	return strlen(s) == 16 && strspn(s, "0123456789abcdef") == 16;
}

static void t_message_mac(void)
{
	char a[ANON_MAC_LEN + 1], b[ANON_MAC_LEN + 1];
	unsigned char key[32];
	int fd;

	CHECK_INT(anon_init(), 0);
	anon_message_mac("+84905111444", "2026-03-01 08:00:00", "TIN ANDANH x", a);
	CHECK(is_hex16(a));
	anon_message_mac("+84905111444", "2026-03-01 08:00:00", "TIN ANDANH x", b);
	CHECK_STR(b, a);
	anon_message_mac("+84905111445", "2026-03-01 08:00:00", "TIN ANDANH x", b);
	CHECK(strcmp(a, b) != 0);
	anon_message_mac("+84905111444", "2026-03-01 08:00:01", "TIN ANDANH x", b);
	CHECK(strcmp(a, b) != 0);
	anon_message_mac("+84905111444", "2026-03-01 08:00:00", "TIN ANDANH y", b);
	CHECK(strcmp(a, b) != 0);
	/* Moving the separator is another message: "+849051114448" with "0:00". */
	anon_message_mac("+849051114442", "026-03-01 08:00:00", "TIN ANDANH x", b);
	CHECK(strcmp(a, b) != 0);
	anon_close();
	CHECK_INT(anon_init(), 0);
	anon_message_mac("+84905111444", "2026-03-01 08:00:00", "TIN ANDANH x", b);
	CHECK_STR(b, a);
	fd = anon_key_fd();
	CHECK(fd >= 0);
	CHECK_INT((int)read(fd, key, sizeof key), 16);
	close(fd);
	anon_close();
}

int main(void)
{
	RUN(t_count_expires);
	RUN(t_restart_forgets);
	RUN(t_message_mac);
	return check_done();
}
