import type { CapturedMail } from './mail/mail.store.js';
import type { SmsMessage } from './sms/sms.store.js';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const SHOWN = 50;

function mailRow(mail: CapturedMail): string {
  const unsubscribe = mail.headers['list-unsubscribe'];
  return `<article>
  <h3>${escapeHtml(mail.subject ?? '(no subject)')}</h3>
  <p class="meta">${escapeHtml(mail.receivedAt)} · from ${escapeHtml(mail.envelope.from ?? '<>')} · to ${escapeHtml(mail.envelope.to.join(', '))}
  · <a href="/api/mail/${encodeURIComponent(mail.id)}">JSON</a>${unsubscribe === undefined ? '' : ` · List-Unsubscribe: ${escapeHtml(unsubscribe)}`}</p>
  <pre>${escapeHtml(mail.text ?? '')}</pre>
  ${mail.html === null ? '' : `<details><summary>HTML source</summary><pre>${escapeHtml(mail.html)}</pre></details>`}
</article>`;
}

function smsRow(message: SmsMessage): string {
  const history = message.history.map((change) => `${change.status}${change.errorCode === null ? '' : ` (${change.errorCode})`}`).join(' → ');
  const hooks = message.webhooks.map((hook) => `${hook.messageStatus}: ${hook.httpStatus ?? hook.error ?? '?'}`).join(', ');
  return `<tr>
  <td>${escapeHtml(message.dateCreated)}</td><td>${escapeHtml(message.direction)}</td>
  <td>${escapeHtml(message.from ?? message.messagingServiceSid ?? '')}</td><td>${escapeHtml(message.to)}</td>
  <td>${escapeHtml(message.body)}</td><td>${escapeHtml(String(message.numSegments))}</td>
  <td>${escapeHtml(history)}</td><td>${escapeHtml(hooks)}</td>
</tr>`;
}

/** A plain page for people running Kindred locally: the latest mail and SMS, newest first. */
export function homePage(mail: CapturedMail[], sms: SmsMessage[]): string {
  const latestMail = mail.slice(-SHOWN).reverse();
  const latestSms = sms.slice(-SHOWN).reverse();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kindred sandbox</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; max-width: 70rem; color: #1b1b1b; }
article { border-top: 1px solid #ccc; padding: .5rem 0; }
pre { white-space: pre-wrap; background: #f5f5f5; padding: .5rem; }
.meta { color: #555; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
</style>
</head>
<body>
<h1>Kindred sandbox</h1>
<p>Nothing here was delivered to anyone: mail and SMS are captured. <a href="#mail">Mail</a> · <a href="#sms">SMS</a>. JSON: <a href="/api/mail">/api/mail</a>, <a href="/api/sms?direction=all">/api/sms</a>.</p>
<h2 id="mail">Mail (${mail.length})</h2>
${latestMail.length === 0 ? '<p>No mail yet.</p>' : latestMail.map(mailRow).join('\n')}
<h2 id="sms">SMS (${sms.length})</h2>
${
  latestSms.length === 0
    ? '<p>No SMS yet.</p>'
    : `<table><thead><tr><th>created</th><th>direction</th><th>from</th><th>to</th><th>body</th><th>segments</th><th>status</th><th>webhooks</th></tr></thead>
<tbody>${latestSms.map(smsRow).join('\n')}</tbody></table>`
}
</body>
</html>`;
}
