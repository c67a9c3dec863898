/**
 * Issue 28, point 5: a secret ballot accepted before a restart is counted after it. The key is
 * derived from a key file generated at first use (no BALLOT_KEY): a fresh load of the service's
 * modules (what a restart is to them: no key, no cache in memory) on the same data folder reads
 * the same file, decrypts the totals, and the board verifies. Started under another key, the
 * close is refused with the reason and the motion stays open with every ballot.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../api/db/connect.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ballots-restart-'));
const keyFile = path.join(dir, 'ballot.key');
const liteDir = path.join(dir, 'pglite');
let db: Db | undefined;

type Service = Awaited<ReturnType<typeof startFresh>>;

/** The service's modules loaded anew, on the data folder as it is. */
async function startFresh(env: { BALLOT_KEY?: string }) {
  await db?.close();
  vi.resetModules();
  delete process.env.BALLOT_KEY;
  if (env.BALLOT_KEY) process.env.BALLOT_KEY = env.BALLOT_KEY;
  process.env.BALLOT_KEY_FILE = keyFile;
  const { connectPglite } = await import('../../api/db/connect.ts');
  const { migrate } = await import('../../api/db/migrate.ts');
  const { buildTestApp, testDeps } = await import('../support/app.ts');
  db = await connectPglite(liteDir);
  await migrate(db);
  const app = await buildTestApp(testDeps(db));
  const post = (url: string, token: string, payload: object = {}) =>
    app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });
  const get = (url: string, token: string) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  return { app, db, post, get };
}

let svc: Service;
let secToken: string;
const voters: string[] = [];
let motionId: number;

beforeAll(async () => {
  svc = await startFresh({});
  const f = await import('../factories/index.ts');
  const tree = await f.makeOrgTree(svc.db);
  secToken = (await f.makeSecretary(svc.db, tree.cellA)).token;
  for (let i = 0; i < 5; i++) voters.push(await f.makeMemberToken(svc.db, await f.makeMember(svc.db, tree.cellA)));
  const meeting = (
    await svc.post(`/orgs/${tree.cellA.id}/meetings`, secToken, {
      kind: 'regular',
      startsAt: new Date().toISOString(),
      mode: 'online',
    })
  ).json();
  expect((await svc.post(`/meetings/${meeting.id}/open`, secToken)).statusCode).toBe(200);
  for (const v of voters) expect((await svc.post(`/meetings/${meeting.id}/check-in`, v)).statusCode).toBe(200);
  const motion = await svc.post(`/meetings/${meeting.id}/motions`, secToken, {
    kind: 'question',
    title: 'Qua một lần khởi động lại',
    ballot: 'secret',
  });
  motionId = motion.json().id;
});
afterAll(async () => {
  await svc?.app.close();
  await db?.close();
  delete process.env.BALLOT_KEY_FILE;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('secret ballots across a restart', () => {
  it('ballots accepted before a restart are counted after it; under another key the close is refused', async () => {
    const choices = ['for', 'for', 'against', 'abstain', 'for'];
    for (const [i, v] of voters.entries())
      expect((await svc.post(`/motions/${motionId}/votes`, v, { choice: choices[i] })).statusCode).toBe(200);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    await svc.app.close();

    // Started with some other key: nothing can be decrypted, so nothing is closed.
    svc = await startFresh({ BALLOT_KEY: 'another-key-that-did-not-encrypt-these-ballots' });
    const refused = await svc.post(`/motions/${motionId}/close?confirm=true`, secToken);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toMatch(/khóa phiếu kín của máy chủ này khác khóa đã mã hóa phiếu/);
    const [state] = await svc.db.query<{ status: string; n: number }>(
      `select status, (select count(*)::int from ballot_box where motion_id = $1) as n from motions where id = $1`,
      [motionId],
    );
    expect(state).toEqual({ status: 'open', n: 5 });
    await svc.app.close();

    // Restarted as it was (the key file): the totals come out exact, and the board verifies.
    svc = await startFresh({});
    const closed = await svc.post(`/motions/${motionId}/close?confirm=true`, secToken);
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ for: 3, against: 1, abstain: 1 });
    const board = (await svc.get(`/motions/${motionId}/board`, secToken)).json();
    const { verifyBoard } = await import('../../api/cli/verify-ballots.ts');
    expect(verifyBoard(board)).toMatchObject({ ok: true, problems: [] });
  });
});
