/*
 * The modem layer's real paths: open and close a struct modem, connect and disconnect, read
 * and delete incoming parts, send. The watchdog, the simulated phone, health and
 * registration, the SIM card and USSD are in modem_*.c beside it (map in modem_int.h).
 */
#include "modem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "fault.h"
#include "log.h"
#include "modem_int.h"
#include "text.h"
#include "ts.h"

_Static_assert(MODEM_LOCATION_PARTS >= GSM_MAX_MULTI_SMS,
               "a location holds GSM_MAX_MULTI_SMS parts");

void modem_set_err(struct modem *m, const char *what, GSM_Error e)
{
	snprintf(m->errmsg, sizeof m->errmsg, "%s: %s (%s)", what, GSM_ErrorString(e),
	         GSM_ErrorName(e));
}

const char *modem_errmsg(const struct modem *m)
{
	return m->errmsg;
}

long long modem_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void modem_nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Errors that mean the modem is gone or not answering, rather than one bad message. */
int modem_is_link_error(GSM_Error e)
{
	switch (e) {
	case ERR_DEVICEOPENERROR:
	case ERR_DEVICELOCKED:
	case ERR_DEVICENOTEXIST:
	case ERR_DEVICEBUSY:
	case ERR_DEVICENOPERMISSION:
	case ERR_DEVICENODRIVER:
	case ERR_DEVICENOTWORK:
	case ERR_DEVICEDTRRTSERROR:
	case ERR_DEVICECHANGESPEEDERROR:
	case ERR_DEVICEWRITEERROR:
	case ERR_DEVICEREADERROR:
	case ERR_DEVICEPARITYERROR:
	case ERR_TIMEOUT:
	case ERR_NOTCONNECTED:
	case ERR_ABORTED:
	case ERR_INSTALL_NOT_FOUND:
		return 1;
	default:
		return 0;
	}
}

/*
 * The hand-over watch. The outbox must record that the modem has a message before the modem
 * can send it, so that a crash never leaves a copy out in the world uncounted (modem_send).
 * libGammu's AT driver writes the PDU, sleeps 500 ms, writes Ctrl-Z -- the byte that makes
 * the modem send -- and returns 100 ms later: marking after GSM_SendSMS returned left a 100 ms
 * window in which a kill made an uncounted copy (the crash test found third copies there).
 * Its log shows every frame just before the frame is written: the first one-byte frame after
 * "Sending SMS" is the Ctrl-Z. Calling the record callback from the log function,
 * synchronously, puts the record on disk before the byte leaves. The log text is libGammu's
 * (1.42); should it ever not match, they run when GSM_SendSMS returns, as before.
 * The state is M's handover.
 */
static void handover_fire(struct modem *m)
{
	const struct modem_taken *tk = m->handover.tk;

	m->handover.tk = NULL;
	if (tk != NULL)
		tk->record(tk->arg, 1);
}

/*
 * The PDU behind the message GSM_GetNextSMS returns on the AT driver. libGammu 1.42 keeps no
 * trace of the raw PDU in what it returns, and loses an alphanumeric sender after an '@'
 * (septet 0x00 ends its string); but reading from its AT+CMGL cache it logs, at debug level
 * "text", "Getting message from cache" and then the PDU's hex on a line of its own. That line
 * is kept here while a GSM_GetNextSMS runs. A message read with AT+CMGR instead (a modem
 * without AT+CMGL, a PDU too long for the cache) is logged only as a hex dump of the whole
 * frame, which is not read: its sender keeps what the septet table restores (text.h).
 * The state is M's m->pducap.
 */

static int all_hex(const char *t)
{
	size_t n = strspn(t, "0123456789ABCDEFabcdef");

	return n >= 2 && (t[n] == '\0' || strcmp(t + n, ",0") == 0);
}

static void pdu_watch(struct modem *m, const char *text)
{
	if (m->pducap.next_is_pdu) {
		if (all_hex(text)) {
			snprintf(m->pducap.pdu, sizeof m->pducap.pdu, "%s", text);
			m->pducap.next_is_pdu = 0;
		} else if (strcmp(text, "\n") != 0 && strstr(text, ": ") == NULL) {
			m->pducap.next_is_pdu = 0; /* not the PDU line (a date prefix is skipped) */
		}
	} else if (strstr(text, "Getting message from cache") != NULL) {
		m->pducap.next_is_pdu = 1;
	}
}

/*
 * The <mt> of the AT+CNMI libGammu sends (it chooses from the modem's AT+CNMI=? and does not
 * say): in its log, the command is in the ASCII column of the frame's dump and in the echo.
 */
static void cnmi_watch(struct modem *m, const char *text)
{
	const char *p = strstr(text, "AT+CNMI=");
	int mode, mt;

	if (p != NULL && sscanf(p + 8, "%d,%d", &mode, &mt) == 2)
		m->cnmi.mt = mt;
}

/* The log of M's connection (DATA is M). */
static void gammu_log(const char *text, void *data)
{
	struct modem *m = data;

	if (m->cfg->gammu_debug[0] != '\0')
		fputs(text, stderr);
	if (m->pducap.armed)
		pdu_watch(m, text);
	if (m->cnmi.armed)
		cnmi_watch(m, text);
	if (m->handover.tk == NULL)
		return;
	if (!m->handover.sending)
		m->handover.sending = strstr(text, "Sending SMS") != NULL;
	else if (strstr(text, "length 0x01/1") != NULL)
		handover_fire(m);
}

struct modem *modem_open(const struct modem_config *cfg)
{
	GSM_Debug_Info *di;
	struct modem *m = calloc(1, sizeof *m);

	if (m == NULL) {
		log_warnx("modem: out of memory");
		return NULL;
	}
	m->cfg = cfg;
	m->dummy = strcmp(cfg->model, "dummy") == 0;
	m->last_reg = MODEM_REG_UNKNOWN;
	m->reg_checked = -1e9;
	m->watch.devnull_fd = -1;
	/* Text conversion must not depend on the caller's locale; we only use the UTF-8 calls. */
	GSM_InitLocales(NULL);
	di = GSM_GetGlobalDebug();
	if (cfg->gammu_debug[0] != '\0') {
		GSM_SetDebugFileDescriptor(stderr, FALSE, di);
		GSM_SetDebugLevel(cfg->gammu_debug, di);
	}
	m->msms = calloc(1, sizeof *m->msms);
	m->backup = calloc(1, sizeof *m->backup);
	if (m->msms == NULL || m->backup == NULL) {
		log_warnx("modem: out of memory");
		free(m->msms);
		free(m->backup);
		free(m);
		return NULL;
	}
	if (modem_watch_open(m) < 0) {
		modem_close(m);
		return NULL;
	}
	return m;
}

void modem_close(struct modem *m)
{
	if (m == NULL)
		return;
	modem_disconnect(m);
	modem_watch_close(m);
	free(m->msms);
	free(m->backup);
	free(m);
}

/* DATA is the struct modem whose state machine sends. */
static void send_status_cb(GSM_StateMachine *s, int status, int ref, void *data)
{
	struct modem *m = data;

	m->send.done = 1;
	m->send.status = status;
	m->send.msgref = ref;
}

static void debug_text(struct modem *m, int on);

/* +CMTI read by any libGammu call (inside GSM_ReadDevice): read at the caller's next turn. */
static void sms_cb(GSM_StateMachine *s, GSM_SMSMessage *sms, void *data)
{
	struct modem *m = data;

	(void)s;
	/* Its location does not matter: modem_read walks the whole SIM. A whole message here
	 * (+CMT) would mean a modem that routes past the SIM, which AT+CNMI's mt = 1 excludes. */
	if (sms->PDU == SMS_Deliver)
		log_warnx("modem: a message was routed to us without being stored on the SIM "
		          "(+CMT); it cannot be read again");
	m->announced = 1;
}

/*
 * Ask a real modem to announce what it stores (AT+CNMI with libGammu's choice of mode, which
 * prefers mt = 1: store on the SIM and announce where; a message is never routed past the
 * SIM, so "store committed before delete" holds as for a polled one). 0, or -1 when the
 * connection failed; a modem that refuses is polled, as before.
 */
static int announce_on(struct modem *m)
{
	GSM_Error e;

	m->announces = 0;
	m->announced = 1; /* what came while we were away was announced to nobody */
	if (m->dummy)
		return 0;
	GSM_SetIncomingSMSCallback(m->sm, sms_cb, m);
	m->cnmi.mt = -1;
	m->cnmi.armed = 1;
	debug_text(m, 1);
	modem_watch_begin(m);
	e = GSM_SetIncomingSMS(m->sm, TRUE);
	modem_watch_end(m);
	debug_text(m, 0);
	m->cnmi.armed = 0;
	if (modem_was_aborted(m, "announcements"))
		return -1;
	if (e == ERR_NONE && m->cnmi.mt == 2) {
		/*
		 * A modem without mt = 1 gets libGammu's next choice, 2: each message handed over
		 * in a +CMT line and never stored on the SIM, so it would live only in our memory
		 * until its commit. Off again (mt 0): such a modem is polled.
		 */
		modem_watch_begin(m);
		e = GSM_SetIncomingSMS(m->sm, FALSE);
		modem_watch_end(m);
		if (modem_was_aborted(m, "announcements") || modem_is_link_error(e))
			return -1;
		log_warnx(
		    "modem: it announces messages only by handing them over unstored (AT+CNMI "
		    "mt 2); read every modem.poll_interval (%g s) instead",
		    m->cfg->poll_interval);
		return 0;
	}
	if (e == ERR_NONE) {
		m->announces = 1;
		return 0;
	}
	modem_set_err(m, "asking the modem to announce messages (AT+CNMI)", e);
	if (modem_is_link_error(e))
		return -1;
	log_warnx("modem: %s; read every modem.poll_interval (%g s) instead: a lower one (2) "
	          "answers sooner",
	          m->errmsg, m->cfg->poll_interval);
	return 0;
}

static int connect_once(struct modem *m)
{
	const struct modem_config *c = m->cfg;
	GSM_Config *gc;
	GSM_Error e;

	m->resume.valid = 0; /* a new connection walks from the start */
	if (m->connected)
		return 0;
	if (m->dummy && modem_dummy_prepare(m) < 0)
		return -1;
	m->sm = GSM_AllocStateMachine();
	if (m->sm == NULL) {
		snprintf(m->errmsg, sizeof m->errmsg, "out of memory");
		return -1;
	}
	gc = GSM_GetConfig(m->sm, 0);
	free(gc->Device);
	gc->Device = strdup(c->device);
	free(gc->Connection);
	gc->Connection = strdup(c->connection);
	snprintf(gc->Model, sizeof gc->Model, "%s", c->model);
	/* libGammu's choice of AT+CNMI arguments (its config file would give -1, "choose";
	 * ours is zeroed, and 0 would switch announcements off), but mt = 1: store on the SIM,
	 * then announce. */
	for (int i = 0; i < 5; i++)
		gc->CNMIParams[i] = i == 1 ? 1 : -1;
	gc->LockDevice = FALSE;
	gc->StartInfo = FALSE;
	gc->SyncTime = FALSE;
	/* This connection's log goes through gammu_log (GSM_InitConnection_Log installs it): to
	 * stderr when modem.gammu_debug asks for it, and to the hand-over watch during sends. */
	gc->UseGlobalDebugFile = FALSE;
	snprintf(gc->DebugLevel, sizeof gc->DebugLevel, "%s",
	         c->gammu_debug[0] != '\0' ? c->gammu_debug : "nothing");
	GSM_SetConfigNum(m->sm, 1);
	modem_watch_arm(m, m->sm);
	modem_watch_begin(m);
	e = GSM_InitConnection_Log(m->sm, 1, gammu_log, m);
	modem_watch_end(m);
	/* Found whether or not the connection worked: a failed one has a process to reap. */
	if (strncmp(c->connection, "proxy", 5) == 0)
		modem_watch_find_child(m);
	m->connected = 1; /* from here on modem_disconnect closes the device */
	if (e != ERR_NONE || modem_was_aborted(m, "connect")) {
		if (!modem_was_aborted(m, "connect"))
			modem_set_err(m, "connect", e);
		/* A connection that failed half-way has its device open (libGammu only closes it
		 * on some errors): close it, or every retry leaks a descriptor, and for proxyat a
		 * live modem process. */
		modem_disconnect(m);
		return -1;
	}
	/* Callbacks only after InitConnection: it clears them. With none, a send crashes. */
	GSM_SetSendSMSStatusCallback(m->sm, send_status_cb, m);
	modem_ussd_attach(m);
	m->nbad = 0;
	if (m->dummy)
		modem_simcard_seen(m, MODEM_SIM_READY, 0); /* the simulated phone has no SIM lock */
	else if (modem_simcard_check(m) < 0) {
		modem_disconnect(m);
		return -1;
	}
	/* Someone listens for network-initiated USSD: presentation on from the start. */
	if ((m->notice_fn != NULL && modem_ussd_enable(m) < 0) || announce_on(m) < 0) {
		modem_disconnect(m);
		return -1;
	}
	return 0;
}

void modem_disconnect(struct modem *m)
{
	pid_t pid;

	if (m->sm == NULL)
		return;
	/* The handler and the thread let go first: fd, pid and sm are about to be released. */
	pid = modem_watch_release(m);
	if (m->connected) {
		modem_watch_begin(m);
		GSM_TerminateConnection(m->sm);
		modem_watch_end(m);
	}
	GSM_FreeStateMachine(m->sm);
	m->sm = NULL;
	m->connected = 0;
	modem_watch_reap(m, pid);
}

int modem_connect(struct modem *m)
{
	if (connect_once(m) == 0) {
		m->watch.failed_connects = 0;
		modem_health_reset(m); /* a new connection: ask its registration before sending */
		return 0;
	}
	modem_watch_connect_failed(m);
	return -1;
}

int modem_connected(const struct modem *m)
{
	return m->connected;
}

int modem_announces(const struct modem *m)
{
	return m->connected && m->announces;
}

int modem_announced(const struct modem *m)
{
	return m->announced;
}

int modem_wait(struct modem *m, int ms)
{
	long long deadline = modem_now_ms() + (ms > 0 ? ms : 0);

	if (!modem_announces(m))
		return 0;
	do {
		int got;

		if (modem_was_aborted(m, "wait"))
			goto lost;
		modem_watch_begin(m);
		got = GSM_ReadDevice(m->sm, FALSE); /* one read: at most 50 ms without data */
		modem_watch_end(m);
		if (modem_was_aborted(m, "wait"))
			goto lost;
		if (got < 0) {
			snprintf(m->errmsg, sizeof m->errmsg, "wait: not connected");
			goto lost;
		}
		if (m->announced)
			return 1;
	} while (modem_now_ms() < deadline);
	return 0;
lost:
	m->announced = 1; /* the next modem_read meets the failure and reports it */
	return -1;
}

static void datetime_utc(const GSM_DateTime *dt, char out[20])
{
	struct tm tm = {0};
	time_t t;

	if (dt->Year == 0) {
		/* No SMSC time (some modems): use now, so the dedupe key still holds per second. */
		t = time(NULL);
	} else {
		tm.tm_year = dt->Year - 1900;
		tm.tm_mon = dt->Month - 1;
		tm.tm_mday = dt->Day;
		tm.tm_hour = dt->Hour;
		tm.tm_min = dt->Minute;
		tm.tm_sec = dt->Second;
		t = timegm(&tm) - dt->Timezone;
	}
	ts_utc((int64_t)t, out);
}

static int bad_seen(struct modem *m, int loc)
{
	for (int i = 0; i < m->nbad; i++)
		if (m->bad_locs[i] == loc)
			return 1;
	if (m->nbad < MODEM_BAD_MAX)
		m->bad_locs[m->nbad++] = loc;
	return 0;
}

/*
 * The sender of a message read through the AT driver. libGammu 1.42 unpacks an alphanumeric
 * TP-OA into raw septet values ("VIETTEL_DV" arrives as "VIETTEL\x11DV") and cuts it at a
 * septet 0x00 ('@'). The PDU, when it was seen (pducap), gives the whole name; its decoding
 * is used only if it continues what libGammu gave, so a PDU that is not this message's cannot
 * rename a sender. Otherwise the GSM 03.38 table maps the septets back (numbers map to
 * themselves). The simulated phone's senders are plain text and stay as they are.
 */
static void fix_sender(char *sender, size_t sz, const char *pdu)
{
	char mapped[64], whole[64];

	text_gsm7_sender(sender, mapped, sizeof mapped);
	if (pdu != NULL && pdu[0] != '\0' && text_pdu_alnum_sender(pdu, whole, sizeof whole) == 1 &&
	    strncmp(whole, mapped, strlen(mapped)) == 0)
		snprintf(sender, sz, "%s", whole);
	else
		snprintf(sender, sz, "%s", mapped);
}

/* PDU: the message's PDU in hex if the AT driver showed it (pducap), else NULL. */
static void fill_part(const GSM_SMSMessage *sms, struct modem_part *p, const char *pdu, int dummy)
{
	memset(p, 0, offsetof(struct modem_part, text));
	p->text[0] = '\0';
	text_ucs2be_to_utf8(sms->Number, GSM_MAX_NUMBER_LENGTH + 1, p->sender, sizeof p->sender);
	if (!dummy)
		fix_sender(p->sender, sizeof p->sender, pdu);
	text_ucs2be_to_utf8(sms->SMSC.Number, GSM_MAX_NUMBER_LENGTH + 1, p->smsc, sizeof p->smsc);
	datetime_utc(&sms->DateTime, p->smsc_time);
	p->folder = sms->Folder;
	p->location = sms->Location;
	if (sms->PDU == SMS_Status_Report) {
		p->status_report = 1;
		p->msgref = sms->MessageReference;
		/* TP-Status (GSM 03.40 9.2.3.15): 0x00-0x1f delivered; 0x20-0x3f a temporary
		 * error, the service centre still trying (more reports follow); 0x40 and above
		 * a permanent error, or a temporary one it no longer retries: failed. */
		p->status = sms->DeliveryStatus;
		p->delivery = p->status < 0x20 ? 1 : p->status < 0x40 ? -1 : 0;
		p->coding = "gsm7";
		return;
	}
	switch (sms->Coding) {
	case SMS_Coding_Unicode_No_Compression:
	case SMS_Coding_Unicode_Compression:
		p->coding = "ucs2";
		text_ucs2be_to_utf8(sms->Text, GSM_MAX_SMS_LENGTH + 1, p->text, sizeof p->text);
		break;
	case SMS_Coding_8bit: {
		/* Binary data has no text: keep it as hex so nothing is lost. */
		static const char hex[] = "0123456789ABCDEF";
		size_t n = 0;

		p->coding = "8bit";
		for (int i = 0; i < sms->Length && n + 3 < sizeof p->text; i++) {
			p->text[n++] = hex[sms->Text[i] >> 4];
			p->text[n++] = hex[sms->Text[i] & 15];
		}
		p->text[n] = '\0';
		break;
	}
	default:
		p->coding = "gsm7";
		text_ucs2be_to_utf8(sms->Text, GSM_MAX_SMS_LENGTH + 1, p->text, sizeof p->text);
		break;
	}
	/*
	 * Every multipart type libGammu numbers, not only "concatenated": a header with a port
	 * as well (an MMS indicator, WAP, a ringtone or logo "part 1 of 2") is typed after the
	 * port, and gammu joins those parts too. The 16-bit reference when there is one.
	 */
	if (sms->UDH.Type != UDH_NoUDH && sms->UDH.AllParts > 1 && sms->UDH.PartNumber >= 1 &&
	    sms->UDH.PartNumber <= sms->UDH.AllParts) {
		p->concat_total = sms->UDH.AllParts;
		p->concat_seq = sms->UDH.PartNumber;
		p->concat_ref = sms->UDH.ID16bit >= 0  ? sms->UDH.ID16bit
		                : sms->UDH.ID8bit >= 0 ? sms->UDH.ID8bit
		                                       : 0;
	}
}

/* libGammu's debug level "text" while on (for pducap), else what modem.gammu_debug says. */
static void debug_text(struct modem *m, int on)
{
	if (m->cfg->gammu_debug[0] != '\0')
		return; /* the user's level stays; pducap sees it if it is "text" or more */
	GSM_SetDebugLevel(on ? "text" : "nothing", GSM_GetDebug(m->sm));
}

/* The AT driver's PDU capture around one GSM_GetNextSMS (pducap): ON before, off after. */
static void pducap_arm(struct modem *m, int on)
{
	if (m->dummy)
		return; /* the simulated phone's senders are plain text */
	if (on) {
		m->pducap.armed = 1;
		m->pducap.next_is_pdu = 0;
		m->pducap.pdu[0] = '\0';
		debug_text(m, 1);
	} else {
		debug_text(m, 0);
		m->pducap.armed = 0;
	}
}

int modem_read(struct modem *m, struct modem_part *parts, size_t max)
{
	GSM_MultiSMSMessage *msms = m->msms;
	size_t n = 0;
	int start = 1, prev_folder = -1, prev_loc = -1, errors = 0;

	if (!m->connected) {
		snprintf(m->errmsg, sizeof m->errmsg, "not connected");
		return -1;
	}
	if (modem_was_aborted(m, "read"))
		return -1;
	m->announced = 0; /* one announced during the walk below asks for another read */
	start = !modem_dummy_resume_begin(m, &msms->SMS[0]);
	while (n < max) {
		GSM_Error e;

		msms->Number = 0;
		pducap_arm(m, 1);
		modem_watch_begin(m);
		fault_hang("hang-in-modem-read");
		e = GSM_GetNextSMS(m->sm, msms, start ? TRUE : FALSE);
		modem_watch_end(m);
		pducap_arm(m, 0);
		start = 0;
		if (modem_was_aborted(m, "read"))
			return -1;
		if (e == ERR_EMPTY)
			break;
		if (e != ERR_NONE) {
			if (modem_is_link_error(e)) {
				modem_set_err(m, "read", e);
				return -1;
			}
			/*
			 * One unreadable location (a corrupt file, a bad PDU): log it once and
			 * go on to the next, leaving Folder/Location as libGammu set them, or
			 * the walk would start again from the beginning.
			 */
			if (!bad_seen(m, msms->SMS[0].Folder * 10000 + msms->SMS[0].Location))
				log_warnx(
				    "modem: skipping unreadable message at folder %d location "
				    "%d: %s",
				    msms->SMS[0].Folder, msms->SMS[0].Location, GSM_ErrorName(e));
			if (++errors > 1000)
				break; /* a driver that does not move on: give up this cycle */
			if (msms->SMS[0].Folder == prev_folder && msms->SMS[0].Location == prev_loc)
				break;
			prev_folder = msms->SMS[0].Folder;
			prev_loc = msms->SMS[0].Location;
			continue;
		}
		prev_folder = msms->SMS[0].Folder;
		prev_loc = msms->SMS[0].Location;
		{
			size_t before = n;

			/*
			 * A location is taken whole or not at all: it is deleted after the
			 * commit, so a part left out here would be lost. The caller's buffer has
			 * room for MODEM_LOCATION_PARTS beyond max.
			 */
			for (int i = 0; i < msms->Number && i < MODEM_LOCATION_PARTS; i++) {
				const GSM_SMSMessage *sms = &msms->SMS[i];

				/* GetNextSMS walks outbox and templates too: only what was
				 * received. */
				if (!sms->InboxFolder ||
				    (sms->PDU != SMS_Deliver && sms->PDU != SMS_Status_Report))
					continue;
				/* On the AT driver a location is one message: the PDU is its. */
				fill_part(sms, &parts[n],
				          msms->Number == 1 && !m->dummy ? m->pducap.pdu : NULL,
				          m->dummy);
				n++;
			}
			if (n > before)
				m->resume.pending++;
		}
	}
	modem_dummy_resume_end(m, n >= max, prev_folder, prev_loc);
	return (int)n;
}

int modem_delete(struct modem *m, const struct modem_part *p)
{
	GSM_SMSMessage *sms;
	GSM_Error e;

	if (!m->connected) {
		snprintf(m->errmsg, sizeof m->errmsg, "not connected");
		return -1;
	}
	sms = &m->msms->SMS[0];
	memset(sms, 0, sizeof *sms);
	sms->Folder = p->folder;
	sms->Location = p->location;
	modem_watch_begin(m);
	e = GSM_DeleteSMS(m->sm, sms);
	modem_watch_end(m);
	if (modem_was_aborted(m, "delete"))
		return -1;
	if (e == ERR_NONE || e == ERR_EMPTY || e == ERR_INVALIDLOCATION) {
		if (m->resume.pending > 0)
			m->resume.pending--;
		return 0;
	}
	modem_set_err(m, "delete", e);
	if (modem_is_link_error(e))
		return -1;
	log_warnx("modem: %s", m->errmsg);
	return 0;
}

int modem_encode(const char *text, int ucs2, GSM_MultiSMSMessage *out, char *err, size_t errsz)
{
	GSM_MultiPartSMSInfo info;
	unsigned char *buf;
	size_t units = strlen(text) * 2 + 4;
	GSM_Error e;

	buf = calloc(units + 2, 2);
	if (buf == NULL)
		return -1;
	text_utf8_to_ucs2be(text, buf, units);
	GSM_ClearMultiPartSMSInfo(&info);
	info.Class = -1;
	info.EntriesNum = 1;
	/* With UnicodeCoding off libGammu transliterates silently: the caller decides. */
	info.UnicodeCoding = ucs2 ? TRUE : FALSE;
	info.Entries[0].ID = SMS_ConcatenatedTextLong;
	info.Entries[0].Buffer = buf;
	e = GSM_EncodeMultiPartSMS(GSM_GetGlobalDebug(), &info, out);
	free(buf);
	if (e != ERR_NONE) {
		snprintf(err, errsz, "encode: %s (%s)", GSM_ErrorString(e), GSM_ErrorName(e));
		return -1;
	}
	return 0;
}

/*
 * The hand-over watch around the first part on a real modem (the simulated phone records its
 * hand-over itself, modem_dummy_sent): ON before GSM_SendSMS, off after it returned E.
 */
static void handover_arm(struct modem *m, const struct modem_taken *taken, int on, GSM_Error e)
{
	const struct modem_config *c = m->cfg;

	if (on) {
		m->handover.tk = taken;
		m->handover.sending = 0;
		GSM_SetDebugLevel("text", GSM_GetDebug(m->sm));
		return;
	}
	GSM_SetDebugLevel(c->gammu_debug[0] != '\0' ? c->gammu_debug : "nothing",
	                  GSM_GetDebug(m->sm));
	/* Not seen in the log (another libGammu?): the modem has it now in any case. */
	if (e == ERR_NONE)
		handover_fire(m);
	m->handover.tk = NULL;
}

/* One part: MODEM_SENT, or a failure with errmsg set. */
static enum modem_send_result send_part(struct modem *m, GSM_SMSMessage *sms, int i, int *msgref,
                                        const struct modem_taken *taken)
{
	time_t deadline = time(NULL) + m->cfg->send_timeout;
	int watched = i == 0 && taken != NULL && !m->dummy;
	GSM_Error e;

	m->send.done = 0;
	m->send.status = -1;
	m->send.msgref = -1;
	if (watched)
		handover_arm(m, taken, 1, ERR_NONE);
	modem_watch_begin(m);
	e = GSM_SendSMS(m->sm, sms);
	if (watched)
		handover_arm(m, taken, 0, e);
	if (e == ERR_NONE && !m->dummy)
		fault_point("exit-after-modem-took");
	if (e != ERR_NONE) {
		modem_watch_end(m);
		if (modem_was_aborted(m, "send"))
			return MODEM_SEND_LOST;
		modem_set_err(m, "send", e);
		return modem_is_link_error(e) ? MODEM_SEND_LOST : MODEM_SEND_FAILED;
	}
	/* A modem that never answers leaves the callback silent: our own deadline. */
	while (!m->send.done && time(NULL) < deadline && !atomic_load(&m->watch.aborted))
		GSM_ReadDevice(m->sm, TRUE);
	modem_watch_end(m);
	if (!m->send.done) {
		/* GSM_SendSMS returned once the PDU and its Ctrl-Z were written: the modem has it,
		 * and no word came back of what it did with it (the outbox retries). */
		if (!modem_was_aborted(m, "send"))
			snprintf(m->errmsg, sizeof m->errmsg,
			         "send: no answer from the modem in %d s", m->cfg->send_timeout);
		return MODEM_SEND_LOST;
	}
	if (m->send.status != 0) {
		snprintf(m->errmsg, sizeof m->errmsg,
		         "send: the network refused part %d (error %d)", i + 1, m->send.status);
		return MODEM_SEND_FAILED;
	}
	*msgref = m->send.msgref;
	return MODEM_SENT;
}

enum modem_send_result modem_send(struct modem *m, const char *number, const char *text, int ucs2,
                                  int report, int *parts, int *msgref,
                                  const struct modem_taken *taken)
{
	GSM_MultiSMSMessage *msms = m->msms;

	*parts = 0;
	if (!m->connected) {
		snprintf(m->errmsg, sizeof m->errmsg, "not connected");
		return MODEM_SEND_LOST;
	}
	if (modem_was_aborted(m, "send"))
		return MODEM_SEND_LOST;
	if (modem_encode(text, ucs2, msms, m->errmsg, sizeof m->errmsg) < 0)
		return MODEM_SEND_FAILED;
	for (int i = 0; i < msms->Number; i++) {
		GSM_SMSMessage *sms = &msms->SMS[i];
		enum modem_send_result r;

		sms->SMSC.Location = 1;
		sms->PDU = report ? SMS_Status_Report : SMS_Submit;
		text_utf8_to_ucs2be(number, sms->Number, GSM_MAX_NUMBER_LENGTH);
		r = send_part(m, sms, i, msgref, taken);
		if (r != MODEM_SENT)
			return r; /* parts already sent went out: sending again repeats them */
		(*parts)++;
	}
	if (m->dummy) {
		modem_dummy_sent(m, number, msms, taken);
		fault_point("exit-after-modem-took");
	}
	return MODEM_SENT;
}
