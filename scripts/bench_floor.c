/*
 * bench_floor: what libGammu alone costs, the floor under any daemon built on it.
 * Built at bench time by scripts/bench_run.py (not part of the product build).
 *
 *   bench_floor read DIR         walk every SMS of a dummy phone in DIR with GSM_GetNextSMS
 *                                (no delete, no database); prints "files parts errors seconds"
 *   bench_floor send DEVICE K    send K one-part GSM-7 messages through the AT driver over
 *                                connection "proxyat" (DEVICE is the emulator's command line);
 *                                prints "sent seconds_total seconds_per_part"
 *
 * Exit status 0 on success, 1 on a libGammu error (its name on stderr).
 */
#include <gammu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static GSM_StateMachine *connect_phone(const char *device, const char *connection,
				       const char *model)
{
	GSM_StateMachine *s = GSM_AllocStateMachine();
	GSM_Config *cfg;
	GSM_Error e;

	if (s == NULL)
		return NULL;
	cfg = GSM_GetConfig(s, 0);
	free(cfg->Device);
	cfg->Device = strdup(device);
	free(cfg->Connection);
	cfg->Connection = strdup(connection);
	snprintf(cfg->Model, sizeof cfg->Model, "%s", model);
	cfg->LockDevice = FALSE;
	cfg->StartInfo = FALSE;
	cfg->SyncTime = FALSE;
	GSM_SetConfigNum(s, 1);
	e = GSM_InitConnection(s, 1);
	if (e != ERR_NONE) {
		fprintf(stderr, "bench_floor: connect: %s\n", GSM_ErrorName(e));
		GSM_FreeStateMachine(s);
		return NULL;
	}
	return s;
}

static int walk(const char *dir)
{
	GSM_StateMachine *s;
	GSM_MultiSMSMessage *m = calloc(1, sizeof *m);
	long files = 0, parts = 0, errors = 0;
	gboolean start = TRUE;
	double t0 = now();

	if (m == NULL)
		return 1;
	s = connect_phone(dir, "none", "dummy");
	if (s == NULL)
		return 1;
	for (;;) {
		GSM_Error e;

		m->Number = 0;
		e = GSM_GetNextSMS(s, m, start);
		start = FALSE;
		if (e == ERR_EMPTY)
			break;
		if (e != ERR_NONE) {
			if (++errors > 100000)
				break;
			continue;
		}
		files++;
		parts += m->Number;
	}
	GSM_TerminateConnection(s);
	GSM_FreeStateMachine(s);
	free(m);
	printf("%ld %ld %ld %.6f\n", files, parts, errors, now() - t0);
	return 0;
}

static volatile int send_done, send_status;

static void on_sent(GSM_StateMachine *s, int status, int ref, void *data)
{
	send_done = 1;
	send_status = status;
}

static int send_many(const char *device, int k)
{
	GSM_StateMachine *s;
	GSM_MultiSMSMessage *m = calloc(1, sizeof *m);
	GSM_MultiPartSMSInfo info;
	unsigned char buf[400];
	double t0;
	int sent = 0;

	if (m == NULL)
		return 1;
	s = connect_phone(device, "proxyat", "at");
	if (s == NULL)
		return 1;
	GSM_SetSendSMSStatusCallback(s, on_sent, NULL);
	t0 = now();
	for (int i = 0; i < k; i++) {
		char text[80];
		double deadline;
		GSM_Error e;

		snprintf(text, sizeof text, "Da ghi nhan tin bao, ma so T%d. Cam on ban.", i + 1);
		EncodeUnicode(buf, text, strlen(text));
		GSM_ClearMultiPartSMSInfo(&info);
		info.Class = -1;
		info.EntriesNum = 1;
		info.UnicodeCoding = FALSE;
		info.Entries[0].ID = SMS_ConcatenatedTextLong;
		info.Entries[0].Buffer = buf;
		e = GSM_EncodeMultiPartSMS(GSM_GetGlobalDebug(), &info, m);
		if (e != ERR_NONE || m->Number != 1) {
			fprintf(stderr, "bench_floor: encode: %s\n", GSM_ErrorName(e));
			break;
		}
		m->SMS[0].SMSC.Location = 1;
		m->SMS[0].PDU = SMS_Submit;
		EncodeUnicode(m->SMS[0].Number, "+84912345678", 12);
		send_done = 0;
		e = GSM_SendSMS(s, &m->SMS[0]);
		if (e != ERR_NONE) {
			fprintf(stderr, "bench_floor: send: %s\n", GSM_ErrorName(e));
			break;
		}
		deadline = now() + 30;
		while (!send_done && now() < deadline)
			GSM_ReadDevice(s, TRUE);
		if (!send_done || send_status != 0) {
			fprintf(stderr, "bench_floor: send: no confirmation (status %d)\n",
				send_status);
			break;
		}
		sent++;
	}
	{
		double t = now() - t0;

		printf("%d %.6f %.6f\n", sent, t, sent ? t / sent : 0.0);
	}
	GSM_TerminateConnection(s);
	GSM_FreeStateMachine(s);
	free(m);
	return sent == k ? 0 : 1;
}

/*
 * K messages of three parts each to one number, with (FAST 1) or without libGammu's
 * GSM_SetFastSMSSending around each message's parts (AT+CMMS=2, then =0, as gammu-smsd does):
 * prints parts sent, seconds, seconds per part.
 */
static int send_multi(const char *device, int k, int fast)
{
	GSM_StateMachine *s;
	GSM_MultiSMSMessage *m = calloc(1, sizeof *m);
	GSM_MultiPartSMSInfo info;
	unsigned char buf[2000];
	char text[600];
	double t0;
	int sent = 0, ok = 1;

	if (m == NULL)
		return 1;
	s = connect_phone(device, "proxyat", "at");
	if (s == NULL)
		return 1;
	GSM_SetSendSMSStatusCallback(s, on_sent, NULL);
	text[0] = '\0';
	for (int i = 0; i < 16; i++) /* 416 GSM-7 characters: three parts */
		strcat(text, "Thong bao cua cong an xa. ");
	t0 = now();
	for (int i = 0; i < k && ok; i++) {
		GSM_Error e;

		EncodeUnicode(buf, text, strlen(text));
		GSM_ClearMultiPartSMSInfo(&info);
		info.Class = -1;
		info.EntriesNum = 1;
		info.UnicodeCoding = FALSE;
		info.Entries[0].ID = SMS_ConcatenatedTextLong;
		info.Entries[0].Buffer = buf;
		e = GSM_EncodeMultiPartSMS(GSM_GetGlobalDebug(), &info, m);
		if (e != ERR_NONE || m->Number < 2) {
			fprintf(stderr, "bench_floor: encode: %s (%d parts)\n", GSM_ErrorName(e),
				m->Number);
			break;
		}
		if (fast && GSM_SetFastSMSSending(s, TRUE) != ERR_NONE)
			fprintf(stderr, "bench_floor: AT+CMMS=2 refused\n");
		for (int j = 0; j < m->Number; j++) {
			double deadline;

			m->SMS[j].SMSC.Location = 1;
			m->SMS[j].PDU = SMS_Submit;
			EncodeUnicode(m->SMS[j].Number, "+84912345678", 12);
			send_done = 0;
			e = GSM_SendSMS(s, &m->SMS[j]);
			if (e != ERR_NONE) {
				fprintf(stderr, "bench_floor: send: %s\n", GSM_ErrorName(e));
				ok = 0;
				break;
			}
			deadline = now() + 30;
			while (!send_done && now() < deadline)
				GSM_ReadDevice(s, TRUE);
			if (!send_done || send_status != 0) {
				fprintf(stderr, "bench_floor: send: no confirmation (status %d)\n",
					send_status);
				ok = 0;
				break;
			}
			sent++;
		}
		if (fast)
			GSM_SetFastSMSSending(s, FALSE);
	}
	{
		double t = now() - t0;

		printf("%d %.6f %.6f\n", sent, t, sent ? t / sent : 0.0);
	}
	GSM_TerminateConnection(s);
	GSM_FreeStateMachine(s);
	free(m);
	return ok && sent > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	GSM_InitLocales(NULL);
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return walk(argv[2]);
	if (argc == 4 && strcmp(argv[1], "send") == 0)
		return send_many(argv[2], atoi(argv[3]));
	if (argc == 5 && strcmp(argv[1], "sendmulti") == 0)
		return send_multi(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: bench_floor read DIR | bench_floor send DEVICE K | "
			"bench_floor sendmulti DEVICE K FAST\n");
	return 2;
}
