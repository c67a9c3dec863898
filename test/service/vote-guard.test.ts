/**
 * The chat ballot is checked twice over: in SQL, where one statement decides whether to write
 * it (`votesOnlineSql`), and in TypeScript, which explains a refusal (`whyNotEntitled`,
 * `attendsInRoom`). If they ever disagreed, a member would be refused for no reason given, or
 * a ballot the rules forbid would be counted. This walks every combination of a roll entry's
 * facts through both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attendsInRoom, votesOnlineSql, whyNotEntitled } from '../../api/meetings/entitlement.ts';
import type { RollRow } from '../../api/meetings/repository.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});

const flags = [false, true];
const methods = [null, 'chat', 'code', 'secretary', 'room'];
function* entries(): Generator<RollRow> {
  for (const status of ['official', 'probationary'] as const)
    for (const transferredIn of flags)
      for (const suspended of flags)
        for (const transferredOut of flags)
          for (const present of flags)
            for (const checkInMethod of present ? methods.slice(1) : methods)
              yield {
                memberId: 1,
                fullName: 'Đảng viên',
                status,
                transferredIn,
                suspended,
                transferredOut,
                present,
                exempt: false,
                absentWithAcceptedReason: false,
                absenceReason: null,
                checkedInAt: checkInMethod ? new Date() : null,
                leftAt: null,
                checkInMethod,
              } as RollRow;
}

describe('the chat ballot guard', () => {
  it('allows exactly the roll entries the rules let vote online, and no ballot without an entry', async () => {
    const all = [...entries()];
    const rows = await t.db.query<{ i: number; allowed: boolean }>(
      `select e.i, ${votesOnlineSql('e')} as allowed
         from jsonb_to_recordset($1::jsonb) as e(i int, status text, "transferredIn" boolean, suspended boolean,
                                                  "transferredOut" boolean, present boolean, "checkInMethod" text)
       order by e.i`,
      [JSON.stringify(all.map((e, i) => ({ ...e, i })))],
    );
    const expected = all.map((e) => !whyNotEntitled(e) && !attendsInRoom(e));
    expect(rows.map((r) => r.allowed)).toEqual(expected);
    // present means checked in, with a method; only official, present online, nothing else votes
    expect(expected.filter(Boolean).length).toBe(1);
    const [none] = await t.db.query<{ allowed: boolean }>(
      `select ${votesOnlineSql('e')} as allowed
         from (select 1) x left join lateral (select 'official' as status, false as "transferredIn", false as suspended,
                 false as "transferredOut", true as present, 'chat' as "checkInMethod" where false) e on true`,
    );
    expect(none.allowed).toBe(whyNotEntitled(undefined) === undefined);
  });
});
