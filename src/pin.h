/*
 * PINs kept as salted slow hashes (crypt(3): libcrypt's default method, yescrypt on Debian 12),
 * never as digits: an officer's broadcast PIN (broadcast.c, handle.c) and every SIM PIN the
 * daemon entered (simcard.c). A PIN of 4 to 15 digits can still be found from its hash by trying
 * them all (about 20 ms a try here): the hash keeps the digits out of listings, dumps and
 * backups, not from someone with time and the file.
 */
#ifndef TIPLINE_PIN_H
#define TIPLINE_PIN_H

#include <stddef.h>

/* A salted slow hash of PIN into OUT (OUTSZ bytes). 0, or -1. */
int pin_hash(const char *pin, char *out, size_t outsz);
/* 1 if PIN matches HASH (from pin_hash), else 0; an empty or NULL HASH matches nothing. */
int pin_verify(const char *pin, const char *hash);

#endif
