/*
 * The simulated phone: libGammu's dummy driver on a directory (modem.model = "dummy"). What it
 * needs that a real modem does not (its directory, a record of what was "sent", USSD answers
 * from files, a walk that resumes where the last batch stopped), and what the CLI's
 * `tipline sim send/report/sent` writes into it and reads from it. Part of the modem layer
 * (modem_int.h). "dummy" here is always this phone, never the SIM card.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "modem_int.h"
#include "text.h"
#include "ts.h"

int modem_dummy_prepare(struct modem *m)
{
	/* The dummy driver wants its directory to exist, else a misleading permission error. */
	if (mkdir(m->cfg->device, 0755) < 0 && errno != EEXIST) {
		snprintf(m->errmsg, sizeof m->errmsg, "%s: %s", m->cfg->device, strerror(errno));
		return -1;
	}
	return 0;
}

int modem_dummy_resume_begin(struct modem *m, GSM_SMSMessage *first)
{
	int resuming = m->dummy && m->resume.valid && m->resume.pending == 0;

	first->Folder = resuming ? m->resume.folder : 0;
	first->Location = resuming ? m->resume.location : 0;
	m->resume.valid = 0;
	m->resume.pending = 0;
	return resuming;
}

void modem_dummy_resume_end(struct modem *m, int full, int folder, int location)
{
	if (!full)
		return;
	m->resume.valid = 1;
	m->resume.folder = folder;
	m->resume.location = location;
}

/*
 * The simulated phone's answer from DEVICE/ussd/CODE ("STATUS TEXT"). 1 if the file gave one
 * (M's USSD state filled; status -2 for "never"), 0 if there is no such file.
 */
int modem_dummy_ussd_file(struct modem *m, const char *code)
{
	char path[1200], line[MODEM_USSD_TEXT + 8];
	size_t n;
	FILE *f;

	if (strchr(code, '/') != NULL || code[0] == '.' || code[0] == '\0')
		return 0;
	snprintf(path, sizeof path, "%s/ussd/%s", m->cfg->device, code);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	m->ussd.done = 1;
	m->ussd.status = line[0] == '-' ? -2 : atoi(line);
	n = line[0] != '\0' && line[1] == ' ' ? strlen(line + 2) : 0;
	if (n >= sizeof m->ussd.text)
		n = sizeof m->ussd.text - 1;
	memcpy(m->ussd.text, line + 2, n);
	m->ussd.text[n] = '\0';
	return 1;
}

/*
 * Record what the simulated phone sent, since libGammu's dummy driver keeps no trace of it:
 * written aside by record_sent_prepare, made visible (sent) by record_sent_publish. Returns 0,
 * or -1 after logging (then there is nothing to publish).
 */
static int record_sent_prepare(struct modem *m, const GSM_MultiSMSMessage *out)
{
	char dir[1024];
	struct timespec ts;
	GSM_Error e;
	int i;

	if (m->cfg->sent_dir[0] != '\0')
		snprintf(dir, sizeof dir, "%s", m->cfg->sent_dir);
	else
		snprintf(dir, sizeof dir, "%s/sent", m->cfg->device);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_warn("modem: %s", dir);
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(m->sent_final, sizeof m->sent_final, "%s/%lld%09ld-%d.smsbackup", dir,
	         (long long)ts.tv_sec, ts.tv_nsec, (int)getpid());
	snprintf(m->sent_tmp, sizeof m->sent_tmp, "%s/.tmp-%d", dir, (int)getpid());
	unlink(m->sent_tmp);
	memset(m->backup->SMS, 0, sizeof m->backup->SMS[0] * (size_t)(out->Number + 1));
	for (i = 0; i < out->Number; i++)
		m->backup->SMS[i] = (GSM_SMSMessage *)&out->SMS[i];
	m->backup->SMS[i] = NULL;
	e = GSM_AddSMSBackupFile(m->sent_tmp, m->backup);
	m->backup->SMS[0] = NULL;
	if (e != ERR_NONE) {
		log_warnx("modem: cannot record sent message in %s", dir);
		return -1;
	}
	return 0;
}

/* The simulated phone's send itself: one rename(). */
static void record_sent_publish(struct modem *m)
{
	if (rename(m->sent_tmp, m->sent_final) < 0)
		log_warn("modem: cannot record sent message as %s", m->sent_final);
}

/*
 * The simulated phone sends nothing: its sending is this record, which cannot fail half-way
 * (written aside, then renamed).
 * The copy is written aside first; then the hand-over record is written (not fsynced); then
 * one rename() sends it. A SIGKILL can separate record and copy only in the microseconds
 * between the WAL write and the rename, and then the record overcounts (the message is sent
 * again), never undercounts. The crash test showed the other orders failing: a record after
 * the copy let a kill aimed at the new copy find the gap before the record (a third copy); a
 * record fsynced, or written before the copy's file, left milliseconds in which a kill keeps
 * the record (the page cache survives the process) but no copy, twice on one message: an
 * acknowledgement given up and never sent.
 */
void modem_dummy_sent(struct modem *m, const char *number, GSM_MultiSMSMessage *out,
                      const struct modem_taken *taken)
{
	for (int i = 0; i < out->Number; i++)
		text_utf8_to_ucs2be(number, out->SMS[i].Number, GSM_MAX_NUMBER_LENGTH);
	if (record_sent_prepare(m, out) == 0) {
		if (taken != NULL)
			taken->record(taken->arg, 0);
		record_sent_publish(m);
	}
}

static int parse_utc(const char *s, GSM_DateTime *dt)
{
	struct tm tm = {0};
	int64_t t64 = (int64_t)time(NULL);
	time_t t;

	if (s != NULL && ts_parse_utc(s, &t64) < 0)
		return -1;
	t = (time_t)t64;
	gmtime_r(&t, &tm);
	memset(dt, 0, sizeof *dt);
	dt->Year = tm.tm_year + 1900;
	dt->Month = tm.tm_mon + 1;
	dt->Day = tm.tm_mday;
	dt->Hour = tm.tm_hour;
	dt->Minute = tm.tm_min;
	dt->Second = tm.tm_sec;
	dt->Timezone = 0;
	return 0;
}

int modem_dummy_inject(const char *dir, const char *from, const char *text, const char *smsc_time,
                       const int *order, size_t norder, int ref)
{
	GSM_MultiSMSMessage *out = NULL;
	GSM_SMS_Backup *bk = NULL;
	GSM_DateTime dt;
	char inbox[1024], tmp[1100], final[1100], err[256];
	int ret = -1, next = 1;

	if (parse_utc(smsc_time, &dt) < 0) {
		fprintf(stderr, "sim: time \"%s\" is not YYYY-MM-DD HH:MM:SS\n", smsc_time);
		return -1;
	}
	out = calloc(1, sizeof *out);
	bk = calloc(1, sizeof *bk);
	if (out == NULL || bk == NULL)
		goto out;
	GSM_InitLocales(NULL);
	if (modem_encode(text, text_gsm7_units(text, strlen(text)) < 0, out, err, sizeof err) < 0) {
		fprintf(stderr, "sim: %s\n", err);
		goto out;
	}
	snprintf(inbox, sizeof inbox, "%s/sms", dir);
	mkdir(dir, 0755);
	mkdir(inbox, 0755);
	snprintf(inbox, sizeof inbox, "%s/sms/1", dir);
	if (mkdir(inbox, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "sim: %s: %s\n", inbox, strerror(errno));
		goto out;
	}
	for (size_t k = 0; order != NULL && k < norder; k++) {
		if (order[k] < 1 || order[k] > out->Number) {
			fprintf(stderr, "sim: part %d does not exist (the text makes %d)\n",
			        order[k], out->Number);
			goto out;
		}
	}
	for (size_t k = 0; k < (order ? norder : (size_t)out->Number); k++) {
		GSM_SMSMessage *m = &out->SMS[order ? order[k] - 1 : (int)k];

		m->PDU = SMS_Deliver;
		m->State = SMS_UnRead;
		m->Folder = 1;
		m->InboxFolder = TRUE;
		m->DateTime = dt;
		m->SMSCTime = dt;
		text_utf8_to_ucs2be(from, m->Number, GSM_MAX_NUMBER_LENGTH);
		text_utf8_to_ucs2be("+84900000000", m->SMSC.Number, GSM_MAX_NUMBER_LENGTH);
		if (ref >= 0 && m->UDH.Type == UDH_ConcatenatedMessages) {
			m->UDH.ID8bit = ref & 0xff;
			GSM_EncodeUDHHeader(GSM_GetGlobalDebug(), &m->UDH);
		}
		/* One part per file, as a real modem stores them; written aside, then linked in. */
		snprintf(tmp, sizeof tmp, "%s/.inject-%d", inbox, (int)getpid());
		unlink(tmp);
		bk->SMS[0] = m;
		bk->SMS[1] = NULL;
		if (GSM_AddSMSBackupFile(tmp, bk) != ERR_NONE) {
			fprintf(stderr, "sim: cannot write %s\n", tmp);
			goto out;
		}
		/* link() fails if the name is taken, so two writers never overwrite each other. */
		for (;; next++) {
			if (next > 9999) { /* 10000 would make the dummy driver loop forever */
				fprintf(stderr, "sim: the simulated inbox is full\n");
				unlink(tmp);
				goto out;
			}
			snprintf(final, sizeof final, "%s/%d", inbox, next);
			if (link(tmp, final) == 0)
				break;
			if (errno != EEXIST) {
				fprintf(stderr, "sim: %s: %s\n", final, strerror(errno));
				unlink(tmp);
				goto out;
			}
		}
		unlink(tmp);
	}
	ret = 0;
out:
	free(out);
	free(bk);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int modem_dummy_sent_each(const char *sent_dir,
                          int (*fn)(const char *, const char *, const char *, int, const char *,
                                    void *),
                          void *arg)
{
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	GSM_SMS_Backup *bk = NULL;
	char *text = NULL;
	int ret = -1;

	d = opendir(sent_dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0; /* nothing sent yet */
		fprintf(stderr, "sim: %s: %s\n", sent_dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
			if (nn == NULL)
				goto out;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto out;
		n++;
	}
	/* qsort's first argument must not be NULL even for n == 0 (UBSan): an
	 * empty sent directory leaves names unallocated. */
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_str);
	bk = calloc(1, sizeof *bk);
	text = malloc(GSM_MAX_MULTI_SMS * 1024);
	if (bk == NULL || text == NULL)
		goto out;
	GSM_InitLocales(NULL);
	for (size_t i = 0; i < n; i++) {
		char path[2048], number[64] = "";
		size_t len = 0;
		int parts = 0;
		const char *coding = "gsm7";

		snprintf(path, sizeof path, "%s/%s", sent_dir, names[i]);
		if (GSM_ReadSMSBackupFile(path, bk) != ERR_NONE) {
			fprintf(stderr, "sim: cannot read %s\n", path);
			continue;
		}
		text[0] = '\0';
		for (int k = 0; bk->SMS[k] != NULL; k++) {
			char piece[1024];

			if (k == 0)
				text_ucs2be_to_utf8(bk->SMS[k]->Number, GSM_MAX_NUMBER_LENGTH + 1,
				                    number, sizeof number);
			if (bk->SMS[k]->Coding == SMS_Coding_Unicode_No_Compression)
				coding = "ucs2";
			text_ucs2be_to_utf8(bk->SMS[k]->Text, GSM_MAX_SMS_LENGTH + 1, piece,
			                    sizeof piece);
			if (len + strlen(piece) + 1 < GSM_MAX_MULTI_SMS * 1024) {
				memcpy(text + len, piece, strlen(piece) + 1);
				len += strlen(piece);
			}
			parts++;
		}
		GSM_FreeSMSBackup(bk);
		if (fn(names[i], number, text, parts, coding, arg) != 0)
			break;
	}
	ret = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(bk);
	free(text);
	closedir(d);
	return ret;
}

int modem_dummy_report(const char *dir, const char *from, int msgref)
{
	GSM_SMS_Backup *bk = calloc(1, sizeof *bk);
	GSM_SMSMessage *m = calloc(1, sizeof *m);
	char tmp[1100], final[1100];
	int ret = -1;

	if (bk == NULL || m == NULL)
		goto out;
	GSM_InitLocales(NULL);
	GSM_SetDefaultReceivedSMSData(m);
	m->PDU = SMS_Status_Report;
	m->Folder = 1;
	m->InboxFolder = TRUE;
	m->State = SMS_UnRead;
	m->MessageReference = (unsigned char)msgref;
	m->DeliveryStatus = 0; /* delivered: the backup format keeps no other status */
	parse_utc(NULL, &m->DateTime);
	m->SMSCTime = m->DateTime;
	text_utf8_to_ucs2be(from, m->Number, GSM_MAX_NUMBER_LENGTH);
	text_utf8_to_ucs2be("+84900000000", m->SMSC.Number, GSM_MAX_NUMBER_LENGTH);
	snprintf(tmp, sizeof tmp, "%s/sms/1/.report-%d", dir, (int)getpid());
	unlink(tmp);
	bk->SMS[0] = m;
	if (GSM_AddSMSBackupFile(tmp, bk) != ERR_NONE) {
		fprintf(stderr, "sim: cannot write %s\n", tmp);
		goto out;
	}
	for (int next = 1; next <= 9999; next++) {
		snprintf(final, sizeof final, "%s/sms/1/%d", dir, next);
		if (link(tmp, final) == 0) {
			ret = 0;
			break;
		}
		if (errno != EEXIST)
			break;
	}
	unlink(tmp);
	if (ret < 0)
		fprintf(stderr, "sim: cannot place the report in %s/sms/1\n", dir);
out:
	free(bk);
	free(m);
	return ret;
}
