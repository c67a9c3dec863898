/**
 * Issue 28, point 4: a secret ballot encrypted on the member's device (the web chat). The web
 * chat's own calls are made here as its page makes them — the motion's key from
 * /chat/api/ballots/:id, the ballot encrypted by the page's code (bot/web/ballot-client.ts),
 * ciphertexts and proofs posted to /chat/api/messages — and the service must refuse, with the
 * reason and without writing anything, a ballot whose proof was tampered with, one made under
 * another key, and one marking two choices; then take a good one, counted at close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BallotContext,
  type EncryptedBallot,
  keyPairFromSeed,
  randomSeed,
} from '../../api/meetings/ballot-crypto.ts';
import { verifyBoard } from '../../api/cli/verify-ballots.ts';
import type { App } from '../../api/server.ts';
import { encryptBallot } from '../../bot/web/ballot-client.ts';
import { makeMember, makeMemberToken, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { TestClock, testDeps } from '../support/app.ts';
import { type Running, startServiceWithBots } from '../support/bot-harness.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let t: TestDb;
let app: App;
let svc: Running;
const clock = new TestClock(new Date('2026-03-12T12:00:00Z'));
let secToken: string;
let motionId: number;
let chatToken: string;
let memberId: number;
let outsiderToken: string;
/** A second voter of the cell, signed in with the API token. */
let secondVoterToken: string;
let n = 0;

const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    payload: method === 'POST' ? (payload ?? {}) : undefined,
  });

beforeAll(async () => {
  t = await createTestDb();
  // The service as it runs, with its web chat (no Telegram or Zalo token).
  svc = await startServiceWithBots(testDeps(t.db, clock), {}, false);
  app = svc.app;
  const tree = await makeOrgTree(t.db);
  secToken = (await makeSecretary(t.db, tree.cellA)).token;
  outsiderToken = await makeMemberToken(t.db, await makeMember(t.db, tree.cellB));
  const voters = [];
  for (let i = 0; i < 3; i++) {
    const m = await makeMember(t.db, tree.cellA);
    voters.push({ m, token: await makeMemberToken(t.db, m) });
  }
  const meeting = (
    await call('POST', `/orgs/${tree.cellA.id}/meetings`, secToken, {
      kind: 'regular',
      startsAt: '2026-03-12T12:00:00Z',
      mode: 'online',
    })
  ).json();
  expect((await call('POST', `/meetings/${meeting.id}/open`, secToken)).statusCode).toBe(200);
  for (const v of voters)
    expect((await call('POST', `/meetings/${meeting.id}/check-in`, v.token)).statusCode).toBe(200);
  motionId = (
    await call('POST', `/meetings/${meeting.id}/motions`, secToken, {
      kind: 'question',
      title: 'Mã hóa trên máy đảng viên',
      ballot: 'secret',
    })
  ).json().id;
  // The web chat, signed in with the member's API token.
  memberId = voters[0].m.id;
  secondVoterToken = voters[1].token;
  const session = await app.inject({
    method: 'POST',
    url: '/chat/api/session',
    headers: { authorization: `Bearer ${voters[0].token}` },
    payload: {},
  });
  expect(session.statusCode).toBe(200);
  chatToken = session.json().token;
});
afterAll(async () => {
  await svc?.close();
  await t?.close();
});

async function motionKeyForDevice(): Promise<BallotContext> {
  const res = await call('GET', `/chat/api/ballots/${motionId}`, chatToken);
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** Casts as the page does; returns the text of the service's replies. */
async function cast(sealed: EncryptedBallot, token = chatToken): Promise<string> {
  const res = await call('POST', '/chat/api/messages', token, {
    id: `device-ballot-${++n}`,
    ballot: { motionId, sealed },
  });
  expect(res.statusCode).toBe(200);
  return res
    .json()
    .replies.map((r: { text: string }) => r.text)
    .join('\n');
}

const stored = async () => {
  const [row] = await t.db.query<{ ballots: number; voted: number }>(
    `select (select count(*)::int from ballot_box where motion_id = $1) as ballots,
            (select count(*)::int from ballot_participation where motion_id = $1 and member_id = $2) as voted`,
    [motionId, memberId],
  );
  return row;
};

const REFUSED = 'Phiếu kín mã hóa trên máy của đồng chí không hợp lệ';

describe('a ballot encrypted in the web chat', () => {
  it('the page is given the motion’s public key and choices, to signed-in members only', async () => {
    const ctx = await motionKeyForDevice();
    expect(ctx.choices).toEqual(['for', 'against', 'abstain']);
    expect((ctx as BallotContext & { labels: string[] }).labels).toEqual([
      'Tán thành',
      'Không tán thành',
      'Không biểu quyết',
    ]);
    expect(ctx.publicKey).toMatch(/^[\w-]{43}$/);
    expect((await call('GET', `/chat/api/ballots/${motionId}`, 'w.not-a-session')).statusCode).toBe(401);
    // A member of another cell is not given the motion (nor its title).
    const outsider = await app.inject({
      method: 'POST',
      url: '/chat/api/session',
      headers: { authorization: `Bearer ${outsiderToken}` },
      payload: {},
    });
    const refused = await call('GET', `/chat/api/ballots/${motionId}`, outsider.json().token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toBe('Đồng chí không thuộc chi bộ của buổi họp này nên không biểu quyết ở đây.');
    expect(refused.body).not.toContain('Mã hóa trên máy đảng viên');
  });

  it('the encryption is a script of our own origin, and the page’s CSP allows no other, nor eval', async () => {
    const page = await app.inject({ method: 'GET', url: '/chat' });
    const csp = String(page.headers['content-security-policy']);
    const scriptSrc = /script-src ([^;]*)/.exec(csp)![1].split(' ');
    expect(scriptSrc[0]).toBe("'self'");
    expect(scriptSrc.slice(1).every((s) => /^'sha256-[\w+/=]+'$/.test(s))).toBe(true);
    expect(page.body).toContain('<script src="/chat/ballot.js" defer></script>');
    const script = await app.inject({ method: 'GET', url: '/chat/ballot.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain('SotayBallot');
    const again = await app.inject({
      method: 'GET',
      url: '/chat/ballot.js',
      headers: { 'if-none-match': String(script.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
  });

  it('a tampered proof is refused with the reason, and nothing is stored', async () => {
    const ctx = await motionKeyForDevice();
    const { ballot } = encryptBallot(ctx, [0]);
    const [first, ...rest] = ballot.proofs[0].responses;
    const flipped = first.startsWith('A') ? `B${first.slice(1)}` : `A${first.slice(1)}`;
    const tampered = {
      ...ballot,
      proofs: [{ ...ballot.proofs[0], responses: [flipped, ...rest] }, ...ballot.proofs.slice(1)],
    };
    expect(await cast(tampered)).toContain(REFUSED);
    expect(await stored()).toEqual({ ballots: 0, voted: 0 });
  });

  it('a ballot made under another key is refused, and nothing is stored', async () => {
    const ctx = await motionKeyForDevice();
    const other = { ...ctx, publicKey: keyPairFromSeed(randomSeed()).publicKey };
    expect(await cast(encryptBallot(other, [1]).ballot)).toContain(REFUSED);
    expect(await stored()).toEqual({ ballots: 0, voted: 0 });
  });

  it('a ballot marking two choices — each ciphertext proven 0 or 1 — is refused, and nothing is stored', async () => {
    const ctx = await motionKeyForDevice();
    const a = encryptBallot(ctx, [0]).ballot;
    const b = encryptBallot(ctx, [1]).ballot;
    // "for" from one ballot, "against" from another: every range proof holds, the sum is 2.
    const two: EncryptedBallot = {
      ciphertexts: [a.ciphertexts[0], b.ciphertexts[1], a.ciphertexts[2]],
      proofs: [a.proofs[0], b.proofs[1], a.proofs[2]],
      sumProof: a.sumProof,
    };
    expect(await cast(two)).toContain(REFUSED);
    expect(await stored()).toEqual({ ballots: 0, voted: 0 });
  });

  it('a sound ballot is taken once, named by the tracker the device computed, and counted at close', async () => {
    const ctx = await motionKeyForDevice();
    const { ballot, tracker } = encryptBallot(ctx, [1]);
    const reply = await cast(ballot);
    expect(reply).toContain('Đã ghi nhận phiếu kín của đồng chí.');
    expect(reply).toContain(`Mã phiếu của đồng chí: ${tracker}`);
    expect(await stored()).toEqual({ ballots: 1, voted: 1 });
    // Once: a second encrypted ballot from the same member is refused.
    expect(await cast(encryptBallot(ctx, [0]).ballot)).toContain('Đồng chí đã bỏ phiếu kín cho nội dung này');
    expect(await stored()).toEqual({ ballots: 1, voted: 1 });
    // Another member who got hold of those ciphertexts cannot cast a copy: one choice would count twice.
    const other = await app.inject({
      method: 'POST',
      url: '/chat/api/session',
      headers: { authorization: `Bearer ${secondVoterToken}` },
      payload: {},
    });
    expect(await cast(ballot, other.json().token)).toContain('trùng với một phiếu đã nhận');
    expect(await stored()).toEqual({ ballots: 1, voted: 1 });

    expect((await call('POST', `/motions/${motionId}/close?confirm=true`, secToken)).statusCode).toBe(200);
    const board = (await call('GET', `/motions/${motionId}/board`, secToken)).json();
    expect(board.ballots.map((b: { tracker: string }) => b.tracker)).toEqual([tracker]);
    const verdict = verifyBoard(board);
    expect(verdict.ok).toBe(true);
    expect(verdict.totals.map((x) => x.total)).toEqual([0, 1, 0]);
    // Closed: the page is told so, not given a key to encrypt with.
    expect((await call('GET', `/chat/api/ballots/${motionId}`, chatToken)).json().message).toContain('đã kết thúc');
  });
});
