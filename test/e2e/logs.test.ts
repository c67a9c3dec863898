/**
 * The logs of a started service carry no token, no signed-link signature and no member's
 * words. The service runs as `npm start` runs it (its own process, debug logging, a Telegram
 * bot on webhooks against the fake Telegram), through a realistic session: a member links
 * and writes to the bot, a secretary uses the API with a bearer token and publishes a notice,
 * the member opens the signed link and confirms, a web-chat member signs in with a code and
 * writes, someone tries a wrong token. Then every log line is searched for each secret.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPglite, type Db } from '../../api/db/connect.ts';
import { migrate } from '../../api/db/migrate.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { testDeps } from '../support/app.ts';
import { freePort, startService, type RunningService } from '../support/spawn-service.ts';
import { FakeTelegram } from '../fakes/telegram-api.ts';
import { waitFor } from '../fakes/http.ts';
import { makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';

const TG = '7001:LOGS-TEST-BOT-TOKEN';
const LINK_SECRET = 'logs-test-link-secret-0123456789';
const MEMBER_TEXT = 'Đồng chí ơi, chuyện riêng nhà tôi: vợ tôi ốm nặng, mã số 7Q2Z-RIENG';
const WEB_TEXT = 'Tôi muốn hỏi kín về kỷ luật của đồng chí Bí Mật 88';

let telegram: FakeTelegram;
let pgTest: TestDb | undefined;
let dir: string | undefined;
let service: RunningService | undefined;
const secrets: Record<string, string> = {};
let seeded: { cellId: number; secretaryToken: string; telegramCode: string; webCode: string };

async function seed(db: Db) {
  const tree = await makeOrgTree(db);
  const sec = await makeSecretary(db, tree.cellA, { fullName: 'Bí Thư Nhật Ký' });
  const member = await makeMember(db, tree.cellA, { fullName: 'Đảng Viên Telegram' });
  const web = await makeMember(db, tree.cellA, { fullName: 'Đảng Viên Web' });
  const deps = testDeps(db);
  return {
    cellId: tree.cellA.id,
    secretaryToken: sec.token,
    telegramCode: (await issueLinkCode(deps, sec.principal, member.id)).code,
    webCode: (await issueLinkCode(deps, sec.principal, web.id)).code,
  };
}

beforeAll(async () => {
  telegram = await new FakeTelegram([TG]).start();
  let databaseUrl: string;
  if (process.env.DATABASE_URL && /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL)) {
    pgTest = await createTestDb();
    seeded = await seed(pgTest.db);
    databaseUrl = pgTest.url!;
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-logs-'));
    const db = await connectPglite(dir);
    await migrate(db);
    seeded = await seed(db);
    await db.close();
    databaseUrl = `file://${dir}`;
  }
  const port = await freePort();
  // A loaded shared machine starts the service slowly: the hook allows 5 minutes.
  service = await startService(
    {
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: databaseUrl,
      DEMO: '0',
      LOG_LEVEL: 'debug',
      LINK_SECRET,
      TELEGRAM_BOT_TOKEN: TG,
      TELEGRAM_API_ROOT: telegram.root,
    },
    /Web chat:/,
    240_000,
  );
  service.baseUrl = `http://127.0.0.1:${port}`;
}, 300_000);

afterAll(async () => {
  await service?.stop('SIGKILL');
  await telegram?.close();
  await pgTest?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a session on a started service', () => {
  it('leaves no token, signature or message text in the logs', async () => {
    const base = service!.baseUrl;
    const api = (p: string, init: RequestInit = {}, token = seeded.secretaryToken) =>
      fetch(`${base}${p}`, {
        ...init,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...init.headers },
      });
    secrets['bearer token'] = seeded.secretaryToken;
    secrets['telegram link code'] = seeded.telegramCode;
    secrets['web link code'] = seeded.webCode;
    secrets['link secret'] = LINK_SECRET;
    secrets['bot token'] = TG;

    // A member links on Telegram through the webhook, then writes to the bot.
    const hook = telegram.webhookOf(TG);
    expect(hook?.url).toContain(base);
    secrets['webhook secret'] = hook!.secret!;
    const chat = 555_001;
    expect(
      await telegram.deliverWebhook(TG, telegram.textUpdate({ fromId: chat, text: `/start ${seeded.telegramCode}` })),
    ).toBe(200);
    await telegram.waitForSent(chat, 1, 30_000);
    expect(await telegram.deliverWebhook(TG, telegram.textUpdate({ fromId: chat, text: MEMBER_TEXT }))).toBe(200);
    await telegram.waitForSent(chat, 2, 30_000);
    secrets['member text'] = MEMBER_TEXT;

    // The secretary publishes a notice with the API token; the member opens the signed link.
    const published = await api(`/orgs/${seeded.cellId}/notices`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'notice', title: 'Họp chi bộ tháng 3', body: 'Kính mời các đồng chí dự họp.' }),
    });
    expect(published.status).toBe(201);
    // The notice arrives after the replies (and their menus) already sent to this chat.
    const linkIn = () =>
      telegram
        .sentTo(chat)
        .map((m) => /(http:\/\/127\.0\.0\.1:\d+\/n\/\S+)/.exec(m.text ?? '')?.[1])
        .find(Boolean);
    const link = (await waitFor(linkIn, 30_000, 'the notice with its signed link')) as string;
    expect(link).toBeTruthy();
    secrets['signed link signature'] = link.split('/').at(-1)!;
    expect((await fetch(link)).status).toBe(200);
    expect((await fetch(`${link}/read`, { method: 'POST', redirect: 'manual' })).status).toBe(303);

    // A web-chat member signs in with a code (also in the query string of the page) and writes.
    expect((await fetch(`${base}/chat?code=${seeded.webCode}`)).status).toBe(200);
    const session = await fetch(`${base}/chat/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: seeded.webCode }),
    });
    expect(session.status).toBe(200);
    const webToken = (await session.json()).token as string;
    secrets['web chat token'] = webToken;
    const said = await api(
      '/chat/api/messages',
      { method: 'POST', body: JSON.stringify({ id: 'msg-00000001', text: WEB_TEXT }) },
      webToken,
    );
    expect(said.status).toBe(200);
    secrets['web chat text'] = WEB_TEXT;

    // Someone tries a token that does not exist.
    const wrong = 'sdv_thisTokenDoesNotExist0123456789abcdef';
    secrets['wrong token'] = wrong;
    expect((await api(`/orgs/${seeded.cellId}`, {}, wrong)).status).toBe(401);

    await service!.stop('SIGTERM');
    const lines = service!
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const logs = lines.map((l) => JSON.parse(l) as { msg?: string; req?: { url?: string } });
    // The session was logged (so the search below searched something).
    expect(logs.filter((l) => l.msg === 'incoming request').length).toBeGreaterThan(8);
    expect(logs.some((l) => /^\/n\/\d+\/\d+\/\d+\/\[redacted\]$/.test(l.req?.url ?? ''))).toBe(true);
    expect(logs.some((l) => l.req?.url?.startsWith('/webhooks/telegram/'))).toBe(true);

    const all = lines.join('\n');
    const folded = all.normalize('NFC');
    for (const [what, value] of Object.entries(secrets)) {
      expect(folded.includes(value), `${what} appears in the logs`).toBe(false);
      // Link codes also as typed without the dash; texts also as JSON-escaped.
      expect(folded.includes(value.replace(/-/g, '')), `${what} (no dash) appears in the logs`).toBe(false);
      expect(all.includes(JSON.stringify(value).slice(1, -1)), `${what} (escaped) appears in the logs`).toBe(false);
    }
  });
});
