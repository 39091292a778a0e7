/*
 * Officers' console accounts (act.h): a password set or reset, an account disabled or enabled,
 * an account admin made or unmade — from `tipline passwd` and from the console's admins' page
 * alike, each with its row in console_audit.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "act_int.h"
#include "pin.h"
#include "store.h"
#include "text.h"
#include "ts.h"

int act_password_ok(const char *pw, char *why, size_t sz)
{
	size_t n = strlen(pw), i = 0, chars = 0;

	if (!text_utf8_valid(pw, n)) {
		snprintf(why, sz, "the password is not valid UTF-8");
		return -1;
	}
	while (i < n) {
		uint32_t cp;

		i += text_utf8_next(pw + i, n - i, &cp);
		if (cp < 0x20 || cp == 0x7f) {
			snprintf(why, sz, "the password has a control character");
			return -1;
		}
		chars++;
	}
	if (chars < ACT_PASSWORD_MIN) {
		snprintf(why, sz, "the password has %zu characters: at least %d", chars,
		         ACT_PASSWORD_MIN);
		return -1;
	}
	return 0;
}

/* The audit's name of each change, as the accounts page lists them. */
static const char *const audit_action[] = {
    [ACT_ACCOUNT_PASSWORD] = "account_password",
    [ACT_ACCOUNT_DISABLE] = "account_disable",
    [ACT_ACCOUNT_ENABLE] = "account_enable",
    [ACT_ACCOUNT_ADMIN] = "account_admin",
};

/*
 * May W change accounts? The shell on the box (no phone: `tipline passwd` run by whoever may
 * read the database) may; a phone only when it is an enabled officer's account admin.
 */
static enum act_status may_manage(struct act_who *w, int *is_self_of, const char *phone)
{
	struct store_console_account me;

	*is_self_of = 0;
	if (w->phone == NULL)
		return ACT_OK;
	if (store_console_account_get(w->phone, &me) < 0)
		return ACT_ERROR;
	if (!me.found || !me.officer || !me.admin || me.disabled)
		return ACT_NOT_ALLOWED;
	*is_self_of = strcmp(w->phone, phone) == 0;
	return ACT_OK;
}

enum act_status act_account(struct act_who *w, const struct act_account_in *in,
                            struct act_account_out *out)
{
	struct store_console_account a;
	char now[TS_LEN], hash[160];
	const char *detail = NULL;
	enum act_status st;
	int self, r, admin = in->admin;

	memset(out, 0, sizeof *out);
	hash[0] = '\0';
	if ((st = may_manage(w, &self, in->phone)) != ACT_OK)
		return st;
	if (store_console_account_get(in->phone, &a) < 0)
		return ACT_ERROR;
	if (!a.contact_found || !a.officer)
		return ACT_NO_CONTACT;
	out->admin = a.found && a.admin;
	/* An admin never locks themself out of the console, nor drops their own rights. */
	if (self && in->op != ACT_ACCOUNT_PASSWORD &&
	    !(in->op == ACT_ACCOUNT_ADMIN && in->admin > 0))
		return ACT_NOT_ALLOWED;
	/* From the console a password never changes who is admin: that is its own change. */
	if (w->phone != NULL && in->op == ACT_ACCOUNT_PASSWORD)
		admin = -1;
	if (in->op != ACT_ACCOUNT_PASSWORD && !a.found)
		return ACT_NOT_FOUND;
	ts_now(now);
	switch (in->op) {
	case ACT_ACCOUNT_PASSWORD:
		if (act_password_ok(in->password, out->why, sizeof out->why) < 0)
			return ACT_REFUSED;
		if (pin_hash(in->password, hash, sizeof hash) < 0) {
			snprintf(out->why, sizeof out->why, "crypt(3) could not hash the password");
			return ACT_REFUSED;
		}
		r = store_console_password_set(a.contact_id, hash, admin, now);
		explicit_bzero(hash, sizeof hash);
		if (admin >= 0)
			detail = admin ? "admin" : "not admin";
		if (admin >= 0)
			out->admin = admin;
		break;
	case ACT_ACCOUNT_DISABLE:
	case ACT_ACCOUNT_ENABLE:
		r = store_console_set_disabled(a.contact_id, in->op == ACT_ACCOUNT_DISABLE, now);
		break;
	case ACT_ACCOUNT_ADMIN:
		if (admin < 0)
			return ACT_ERROR;
		if ((a.admin != 0) == (admin != 0))
			return ACT_UNCHANGED;
		r = store_console_set_admin(a.contact_id, admin, now);
		detail = admin ? "admin" : "not admin";
		out->admin = admin;
		break;
	default:
		return ACT_ERROR;
	}
	if (r < 0 || store_console_audit(now, w->by ? w->by : "cli", audit_action[in->op],
	                                 in->phone, detail) < 0)
		return ACT_ERROR;
	return ACT_OK;
}
