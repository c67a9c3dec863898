import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { TestClock, testDeps } from '../support/app.ts';
import { makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { issueLinkCode, LINK_CODE_TTL_HOURS } from '../../api/chat-accounts/issue-link-code.ts';
import { linkChatAccount, MAX_FAILED_LINK_ATTEMPTS } from '../../api/chat-accounts/link-chat-account.ts';
import { unlinkChatAccount } from '../../api/chat-accounts/unlink-chat-account.ts';
import { listMemberAccounts } from '../../api/chat-accounts/repository.ts';
import type { Deps } from '../../api/context.ts';

let t: TestDb;
let deps: Deps;
const clock = new TestClock();
let secretary: Awaited<ReturnType<typeof makeSecretary>>;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db, clock);
  tree = await makeOrgTree(t.db);
  secretary = await makeSecretary(t.db, tree.cellA);
});
afterAll(() => t?.close());

const telegram = (userId: string, code: string) => ({
  channel: 'telegram' as const,
  botKey: 'hn',
  externalUserId: userId,
  chatId: userId,
  code,
});

describe('linking a chat account with a one-time code', () => {
  it('links once; the same code cannot be used again', async () => {
    const m = await makeMember(t.db, tree.cellA);
    const { code } = await issueLinkCode(deps, secretary.principal, m.id);
    const { member } = await linkChatAccount(deps, telegram('1001', code.toLowerCase()));
    expect(member.id).toBe(m.id);
    await expect(linkChatAccount(deps, telegram('1002', code))).rejects.toMatchObject({ code: 'gone' });
    expect((await listMemberAccounts(t.db, m.id)).map((a) => a.externalUserId)).toEqual(['1001']);
  });

  it('an expired code is refused', async () => {
    const m = await makeMember(t.db, tree.cellA);
    const { code } = await issueLinkCode(deps, secretary.principal, m.id);
    clock.advance((LINK_CODE_TTL_HOURS + 1) * 3600_000);
    await expect(linkChatAccount(deps, telegram('2001', code))).rejects.toMatchObject({ code: 'gone' });
    expect(await listMemberAccounts(t.db, m.id)).toEqual([]);
  });

  it('a new code voids the earlier unused one', async () => {
    const m = await makeMember(t.db, tree.cellA);
    const first = await issueLinkCode(deps, secretary.principal, m.id);
    const second = await issueLinkCode(deps, secretary.principal, m.id);
    await expect(linkChatAccount(deps, telegram('3001', first.code))).rejects.toMatchObject({ code: 'gone' });
    await expect(linkChatAccount(deps, telegram('3001', second.code))).resolves.toBeTruthy();
  });

  it(`stops guessing after ${MAX_FAILED_LINK_ATTEMPTS} wrong codes, even for a right one`, async () => {
    const m = await makeMember(t.db, tree.cellA);
    const { code } = await issueLinkCode(deps, secretary.principal, m.id);
    for (let i = 0; i < MAX_FAILED_LINK_ATTEMPTS; i++) {
      await expect(linkChatAccount(deps, telegram('4001', 'AAAAA-AAAAA'))).rejects.toMatchObject({ code: 'gone' });
    }
    await expect(linkChatAccount(deps, telegram('4001', code))).rejects.toMatchObject({ code: 'too_many_requests' });
    clock.advance(16 * 60_000);
    // The throttle's counters expire by the system clock (rate-limiter-flexible reads Date.now()).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 16 * 60_000);
    try {
      await expect(linkChatAccount(deps, telegram('4001', code))).resolves.toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('one chat account links to one member; unlink then re-link from a new phone works', async () => {
    const a = await makeMember(t.db, tree.cellA);
    const b = await makeMember(t.db, tree.cellA);
    await linkChatAccount(deps, telegram('5001', (await issueLinkCode(deps, secretary.principal, a.id)).code));
    await linkChatAccount(deps, telegram('5001', (await issueLinkCode(deps, secretary.principal, b.id)).code));
    expect(await listMemberAccounts(t.db, a.id)).toEqual([]);
    expect((await listMemberAccounts(t.db, b.id)).map((x) => x.externalUserId)).toEqual(['5001']);

    expect(await unlinkChatAccount(deps, { channel: 'telegram', botKey: 'hn', externalUserId: '5001' })).toBe(true);
    expect(await listMemberAccounts(t.db, b.id)).toEqual([]);
    await linkChatAccount(deps, telegram('5999', (await issueLinkCode(deps, secretary.principal, b.id)).code));
    expect((await listMemberAccounts(t.db, b.id)).map((x) => x.externalUserId)).toEqual(['5999']);
    const audit = await t.db.query(`select action from audit_log where subject_id = $1 order by id`, [String(b.id)]);
    expect(audit.map((r) => r.action)).toEqual(['chat_account.linked', 'chat_account.unlinked', 'chat_account.linked']);
  });

  it('a secretary cannot issue a code for a member of another cell', async () => {
    const other = await makeMember(t.db, tree.cellB);
    await expect(issueLinkCode(deps, secretary.principal, other.id)).rejects.toMatchObject({ code: 'forbidden' });
  });
});
