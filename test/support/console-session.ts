/**
 * Signing in to the console as a member with a role does it: the bot's one-time link, the
 * page's one button, the cookie; and a page's CSRF token for its forms.
 */
import type { App } from '../../api/server.ts';
import type { Deps } from '../../api/context.ts';
import { handleUpdate } from '../../bot/core/conversation.ts';
import { pressSignIn } from './console-sign-in.ts';

let n = 0;

/** Signs in through the link the bot sends to a linked Telegram chat; returns the session cookie. */
export async function consoleSignIn(app: App, deps: Deps, chatId: string, botKey = 'default'): Promise<string> {
  const [reply] = await handleUpdate(deps, {
    channel: 'telegram',
    botKey,
    updateId: `console-sign-in-${++n}-${Date.now()}`,
    from: { id: chatId },
    chat: { id: chatId, kind: 'private' },
    text: 'quan tri',
    receivedAt: deps.clock.now(),
  });
  const token = new URL(reply.link!.url).pathname.split('/').at(-1)!;
  const res = await pressSignIn(app, token);
  if (res.statusCode !== 303) throw new Error(`console sign-in: ${res.statusCode} ${res.body}`);
  return String(res.headers['set-cookie']).split(';')[0];
}

/** Posts a console form as the page at `pageUrl` would: its CSRF token and the cookie that goes with it. */
export async function postConsoleForm(app: App, cookie: string, pageUrl: string, url: string, fields: object = {}) {
  const page = await app.inject({ method: 'GET', url: pageUrl, headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrf) throw new Error(`no form on ${pageUrl}: ${page.statusCode}`);
  const csrfCookie = String(page.headers['set-cookie'] ?? '')
    .split(',')
    .map((c) => c.trim().split(';')[0])
    .find((c) => c.startsWith('sdv_console_csrf='));
  return app.inject({
    method: 'POST',
    url,
    headers: { cookie: csrfCookie ? `${cookie}; ${csrfCookie}` : cookie },
    payload: { _csrf: csrf, ...fields },
  });
}
