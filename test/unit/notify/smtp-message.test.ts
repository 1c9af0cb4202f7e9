/**
 * smtp_alert mails: settings and defaults, the exact bytes keepalived 2.2.7 sent to a sink in the
 * lab (Date aside), the SMTP dialogue (multi-line replies, split chunks, refusals), and the VRRP
 * alert texts and switches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mailData, rfc5322Date, SmtpDialogue, smtpAlertSettings, smtpReply, type SmtpMail } from '../../../src/notify/smtp-message.js';
import { alertConfig, alertEnabled, groupAlert, instanceAlert } from '../../../src/vrrp/smtp-alerts.js';

const GLOBAL = {
  routerId: 'rtr1',
  notificationEmails: ['ops@example.com', 'Two <two@example.org>'],
  notificationEmailFrom: 'kad@example.com',
  smtpServer: { host: '127.0.0.1', port: 2525 },
  smtpHeloName: 'helo.example',
  smtpConnectTimeoutS: 5,
};

const MAIL: SmtpMail = {
  heloName: 'helo.example', from: 'kad@example.com', to: GLOBAL.notificationEmails,
  subject: '[rtr1] VRRP Instance VI_1 - Entering BACKUP state', body: '=> VRRP Instance is no longer owning VRRP VIPs <=',
  date: new Date(2026, 10, 25, 17, 17, 25),
};

/** keepalived 2.2.7's session for the config above (captured in a lab namespace), Date line aside. */
const KEEPALIVED_SESSION = [
  'HELO helo.example', 'MAIL FROM:<kad@example.com>', 'RCPT TO:<ops@example.com>', 'RCPT TO:<Two <two@example.org>>', 'DATA',
  'Date: DATE', 'From: kad@example.com', 'Subject: [rtr1] VRRP Instance VI_1 - Entering BACKUP state', 'X-Mailer: Keepalived',
  'To: ops@example.com, Two <two@example.org>', '', '=> VRRP Instance is no longer owning VRRP VIPs <=', '', '.', 'QUIT', '',
].join('\r\n');

test('settings: keepalived\'s defaults (HELO = host name, From = user@host name, timeout 30 s); none without server or address', () => {
  const { smtpHeloName: _h, notificationEmailFrom: _f, smtpServer, ...bare } = GLOBAL;
  const s = smtpAlertSettings({ ...bare, smtpServer, smtpConnectTimeoutS: 30 }, { hostname: 'vm', user: 'root' });
  assert.deepEqual(s, { server: GLOBAL.smtpServer, heloName: 'vm', from: 'root@vm', to: GLOBAL.notificationEmails, timeoutMs: 30_000, routerId: 'rtr1' });
  assert.equal(smtpAlertSettings(bare, { hostname: 'vm', user: 'root' }), undefined);
  assert.equal(smtpAlertSettings({ ...GLOBAL, notificationEmails: [] }, { hostname: 'vm', user: 'root' }), undefined);
});

test('date: strftime("%a, %d %b %Y %T %z") in local time', () => {
  const d = new Date(2026, 0, 5, 7, 8, 9);
  const off = -d.getTimezoneOffset();
  const z = `${off < 0 ? '-' : '+'}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}${String(Math.abs(off) % 60).padStart(2, '0')}`;
  assert.equal(rfc5322Date(d), `Mon, 05 Jan 2026 07:08:09 ${z}`);
});

function converse(mail: SmtpMail, replies: readonly string[]): { written: string; outcome: string } {
  const d = new SmtpDialogue(mail);
  let written = '';
  let outcome = 'waiting';
  for (const r of replies) {
    const step = d.receive(r);
    if (step.kind === 'write') written += step.text;
    if (step.kind === 'sent') {
      written += step.text;
      outcome = 'sent';
    }
    if (step.kind === 'failed') outcome = `failed: ${step.reason}`;
  }
  return { written, outcome };
}

test('dialogue: the bytes keepalived 2.2.7 sends, one command per reply; multi-line and split replies', () => {
  const { written, outcome } = converse(MAIL, ['220-sink\r\n220 ESMTP\r\n', '25', '0 hi\r\n', '250 ok\r\n', '250 ok\r\n', '251 forwarded\r\n', '354 go\r\n', '250 queued\r\n']);
  assert.equal(outcome, 'sent');
  assert.equal(written.replace(/^Date: .*$/m, 'Date: DATE'), KEEPALIVED_SESSION);
  assert.match(written, /^Date: Wed, 25 Nov 2026 17:17:25 [+-]\d{4}\r$/m);
});

test('dialogue: refusals and garbage fail the attempt, nothing more is sent', () => {
  assert.deepEqual(converse(MAIL, ['554 go away\r\n']), { written: '', outcome: 'failed: banner 554, expected 220' });
  assert.equal(converse(MAIL, ['220 x\r\n', '250 ok\r\n', '250 ok\r\n', '550 no such user\r\n']).outcome, 'failed: RCPT TO answered 550');
  assert.match(converse(MAIL, ['HTTP/1.1 400 Bad Request\r\n']).outcome, /^failed: malformed reply/);
  assert.match(converse(MAIL, ['2'.repeat(9000)]).outcome, /^failed: reply over/);
  assert.equal(smtpReply('250-a\r\n250-b\r\n'), 'partial');
});

test('message: header values on one line, body lines starting with a dot are stuffed', () => {
  const text = mailData({ ...MAIL, subject: 'a\r\nBcc: x@example.com', body: 'one\n.two' });
  assert.match(text, /\r\nSubject: a Bcc: x@example.com\r\n/);
  assert.match(text, /\r\n\r\none\r\n\.\.two\r\n\r\n\.\r\n$/);
});

const tr = (to: 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP', from: 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' = 'INIT') => ({ kind: 'transition' as const, instance: 'VI_1', from, to, priority: 100, atUs: 0 });

test('VRRP alert texts as keepalived 2.2.7: instance MASTER/BACKUP/FAULT (initial BACKUP included), group; nothing on STOP', () => {
  assert.deepEqual(instanceAlert('rtr1', tr('BACKUP')), { subject: '[rtr1] VRRP Instance VI_1 - Entering BACKUP state', body: '=> VRRP Instance is no longer owning VRRP VIPs <=' });
  assert.deepEqual(instanceAlert('rtr1', tr('MASTER', 'BACKUP')), { subject: '[rtr1] VRRP Instance VI_1 - Entering MASTER state', body: '=> VRRP Instance is now owning VRRP VIPs <=' });
  assert.deepEqual(instanceAlert('vm', tr('FAULT', 'MASTER')), { subject: '[vm] VRRP Instance VI_1 - Entering FAULT state', body: '=> VRRP Instance is no longer owning VRRP VIPs <=' });
  assert.equal(instanceAlert('vm', tr('FAULT', 'MASTER'), true), undefined, 'no_email_faults');
  assert.equal(instanceAlert('vm', tr('STOP', 'MASTER')), undefined);
  assert.equal(instanceAlert('vm', { kind: 'notify-event', instance: 'VI_1', event: 'MASTER_RX_LOWER_PRI', priority: 100, atUs: 0 }), undefined);
  assert.deepEqual(groupAlert('vm', { kind: 'group-transition', group: 'G1', from: 'BACKUP', to: 'MASTER' }), { subject: '[vm] VRRP Group G1 - Entering MASTER state', body: '=> All VRRP group instances are now in MASTER state <=' });
});

test('VRRP alert switches: own smtp_alert, else smtp_alert_vrrp, else smtp_alert, else off', () => {
  assert.equal(alertEnabled(undefined, {}), false);
  assert.equal(alertEnabled(undefined, { smtpAlert: true }), true);
  assert.equal(alertEnabled(undefined, { smtpAlert: true, smtpAlertVrrp: false }), false);
  assert.equal(alertEnabled(false, { smtpAlertVrrp: true }), false);
  assert.equal(alertEnabled(true, {}), true);
  const c = alertConfig({ routerId: 'r', smtpAlertVrrp: true, raw: new Map([['no_email_faults', []]]) }, { instances: [{ name: 'VI_1' }, { name: 'VI_2', smtpAlert: false }], syncGroups: [{ name: 'G1' }] });
  assert.deepEqual([c.instanceEnabled('VI_1'), c.instanceEnabled('VI_2'), c.instanceEnabled('nope'), c.groupEnabled('G1'), c.noEmailFaults], [true, false, false, true, true]);
});
