/*
 * The SIM card's PIN across restarts (the card in the modem; the simulated phone is
 * modem_dummy.c): the daemon's guard for the modem layer
 * (modem_set_pin_guard). Every PIN entered is recorded in the database (sim_pins, schema 012)
 * before it goes out, so a PIN the SIM refused (or whose entry a crash, the watchdog or a
 * power cut interrupted) is not entered again by this process or the next, until modem.pin
 * changes or the operator runs `tipline modem pin-retry`; and after two refused PINs none is
 * entered by itself, since a third wrong one blocks the SIM. What the SIM asked for at the
 * last connect goes to the status table (keys sim, sim_pin_refused_at, sim_pins_refused) for
 * `tipline status`.
 */
#ifndef TIPLINE_SIMCARD_H
#define TIPLINE_SIMCARD_H

struct config;
struct modem;

/* Guards M's PIN entries until simcard_close. */
int simcard_init(const struct config *cfg, struct modem *m);
void simcard_close(void);

#endif
