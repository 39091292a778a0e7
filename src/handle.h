/*
 * Message handling: a stored message → parse → rows and queued replies, all inside the
 * receive path's transaction, so a message and what it caused commit together or not at all.
 */
#ifndef TIPLINE_HANDLE_H
#define TIPLINE_HANDLE_H

#include <stdint.h>

struct config;

int handle_init(const struct config *cfg);
void handle_close(void);
/* Handle inbox row ID (just inserted in the open transaction). 0, or -1 on a store error. */
int handle_message(int64_t id);
/* A delivery report for the message with network reference MSGREF sent to NUMBER. */
int handle_delivery_report(const char *number, int msgref, int delivered, const char *when);

#endif
