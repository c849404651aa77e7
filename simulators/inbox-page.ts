/**
 * The demo inbox as a page a browser shows: what the alarm e-mails and chat-group posts said,
 * newest first, for someone who opens http://127.0.0.1:8090/inbox while the demo runs. No
 * script; everything from a message is escaped (a subject is whatever the notifier was given).
 */
import type { InboxChannel, InboxMessage } from './inbox.js';

/** No script at all; the page's own inline style only. */
export const INBOX_PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const REFRESH_SECONDS = 10;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
body { font: 15px/1.5 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 0; background: #f4f5f7; color: #1d2733; }
header { background: #1d2733; color: #fff; padding: 12px 20px; }
header h1 { font-size: 18px; margin: 0; }
header p { margin: 4px 0 0; color: #c4ccd6; font-size: 13px; }
nav { padding: 10px 20px; }
nav a { margin-right: 14px; color: #0b5cad; }
nav a[aria-current] { font-weight: 600; color: #1d2733; text-decoration: none; }
main { padding: 0 20px 20px; max-width: 960px; }
article { background: #fff; border: 1px solid #d6dbe1; border-radius: 6px; margin: 10px 0; padding: 10px 14px; }
article h2 { font-size: 16px; margin: 0 0 4px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 10px; margin: 0 0 6px; font-size: 13px; color: #4a5766; }
dd { margin: 0; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font: 13px/1.45 ui-monospace, monospace; background: #f7f8fa; padding: 8px; margin: 0; border-radius: 4px; }
.kind { display: inline-block; font-size: 12px; padding: 0 6px; border-radius: 3px; margin-right: 6px; background: #e4ebf5; }
`;

function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function facts(rows: readonly (readonly [string, string])[]): string {
  return `<dl>${rows.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`;
}

function messageHtml(message: InboxMessage): string {
  const kind = message.channel === 'email' ? '邮件 E-mail' : '群消息 Webhook';
  const rows: [string, string][] =
    message.channel === 'email'
      ? [
          ['收件人 To', message.to.join(', ')],
          ['发件人 From', message.from],
          ['收到 Received', when(message.receivedAt)],
        ]
      : [
          ['群 Group', message.group],
          ['格式 Format', message.format],
          ['收到 Received', when(message.receivedAt)],
        ];
  return `<article id="m${message.seq}"><h2><span class="kind">${kind}</span>${escapeHtml(message.subject || '(no subject)')}</h2>${facts(rows)}<pre>${escapeHtml(message.text)}</pre></article>`;
}

function filterLinks(channel: InboxChannel | undefined): string {
  const links: [InboxChannel | undefined, string][] = [
    [undefined, '全部 All'],
    ['email', '邮件 E-mail'],
    ['webhook', '群消息 Webhook'],
  ];
  return links
    .map(([which, label]) => {
      const href = which ? `?channel=${which}` : '?';
      return `<a href="${href}"${which === channel ? ' aria-current="page"' : ''}>${label}</a>`;
    })
    .join('');
}

/** The page: `messages` newest first, as DemoInbox.messages gives them. */
export function inboxPage(messages: readonly InboxMessage[], channel?: InboxChannel): string {
  const body =
    messages.length === 0
      ? '<p>还没有消息。No messages yet: inject a fault (e.g. <code>./bin/plantwatch-demo.js fault ch1 trip</code>) and the alarm mail and chat posts land here.</p>'
      : messages.map(messageHtml).join('');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<title>演示收件箱 Demo inbox (${messages.length})</title><style>${STYLE}</style></head>
<body><header><h1>演示收件箱 Demo inbox</h1><p>Plantwatch 演示环境发出的告警邮件和群消息（最新在前，每 ${REFRESH_SECONDS} 秒刷新）· The demo's alarm e-mails and chat-group posts, newest first, refreshed every ${REFRESH_SECONDS} s · JSON: <code>Accept: application/json</code></p></header>
<nav>${filterLinks(channel)}</nav>
<main>${body}</main></body></html>`;
}
