/*
 * USSD text, pure functions of their arguments (no store, no modem): the card number of a
 * top-up code hidden before it is stored or logged, and the balance read from an answer.
 */
#ifndef TIPLINE_USSD_TEXT_H
#define TIPLINE_USSD_TEXT_H

#include <regex.h>
#include <stddef.h>

/*
 * CODE as it may be stored: a top-up code's card number (*100*<digits>#, and any run of 12
 * or more digits, the length of a scratch card's number; a phone number has 10) has its digits
 * replaced by '*', as a TB message's PIN is. OUT gets SZ bytes at most, always terminated; returns
 * 1 if something was hidden, else 0 (OUT is then CODE).
 */
int ussd_redact(const char *code, char *out, size_t sz);

/*
 * Mask in TEXT (in place) every occurrence of what ussd_redact hides in CODE: a network that
 * echoes the card number ("the card 1234... is used") must not put it in the log either.
 */
void ussd_redact_answer(const char *code, char *text);

/*
 * The amount in a balance answer TEXT. RE (compiled with REG_EXTENDED from ussd.balance_pattern,
 * its first group the amount) or NULL: the first number in TEXT. The amount may have thousands
 * separators, '.' or ',' ("12.345", "1,234,567"), and a leading '-'. 1 and *AMOUNT set, or 0
 * when TEXT holds no amount (no match, or the group has no digits).
 */
int ussd_balance_parse(const regex_t *re, const char *text, long *amount);

#endif
