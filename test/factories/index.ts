/**
 * Small builders for test data. They go through the same use cases or repository inserts
 * the service uses, so paths and derived columns are right.
 */
import type { Sql } from '../../api/db/connect.ts';
import { insertOrg, type Org } from '../../api/orgs/repository.ts';
import type { OrgKind } from '../../api/orgs/kinds.ts';
import {
  insertMember,
  insertPeriod,
  type Member,
  type MemberPeriod,
  type NewMember,
} from '../../api/members/repository.ts';
import { prepareMember, type MemberInput } from '../../api/members/prepare-member.ts';
import { createPrincipal, ensureMemberPrincipal, type Principal } from '../../api/auth/principal.ts';
import { createApiToken } from '../../api/auth/tokens.ts';
import { grantRole, type Role } from '../../api/auth/roles.ts';
import { insertAccount, type Channel, type ChatAccount } from '../../api/chat-accounts/repository.ts';

let seq = 0;
const next = () => ++seq;

export async function makeOrg(
  sql: Sql,
  kind: OrgKind,
  parent: Org | null,
  name?: string,
  extra: Partial<Pick<Org, 'deployed' | 'notDeployedReason'>> = {},
): Promise<Org> {
  return insertOrg(sql, {
    parentId: parent?.id ?? null,
    kind,
    name: name ?? `${kind} ${next()}`,
    deployed: extra.deployed ?? true,
    notDeployedReason: extra.notDeployedReason ?? null,
  });
}

/** province → commune → grassroots committee → two cells. */
export async function makeOrgTree(sql: Sql) {
  const province = await makeOrg(sql, 'province', null, 'Đảng bộ tỉnh Thử nghiệm');
  const commune = await makeOrg(sql, 'commune', province, 'Đảng bộ xã Thử nghiệm');
  const committee = await makeOrg(sql, 'grassroots_committee', commune, 'Đảng bộ cơ sở Thử nghiệm');
  const cellA = await makeOrg(sql, 'cell', committee, 'Chi bộ A');
  const cellB = await makeOrg(sql, 'cell', committee, 'Chi bộ B');
  return { province, commune, committee, cellA, cellB };
}

export async function makeMember(sql: Sql, cell: Org | number, overrides: Partial<MemberInput> = {}): Promise<Member> {
  const n = next();
  const input: MemberInput = {
    fullName: `Nguyễn Văn Thử ${n}`,
    gender: n % 2 ? 'male' : 'female',
    birthYear: 1970 + (n % 30),
    cardNumber: `TEST${String(n).padStart(6, '0')}`,
    phone: null,
    cellId: typeof cell === 'number' ? cell : cell.id,
    status: 'official',
    admittedOn: '2010-05-19',
    officialOn: '2011-05-19',
    ...overrides,
  };
  if (input.status === 'probationary' && overrides.officialOn === undefined) input.officialOn = null;
  const { member } = prepareMember(input);
  return insertMember(sql, member as NewMember);
}

/** A cell with `official` official and `probationary` probationary members. */
export async function makeCellWithMembers(
  sql: Sql,
  parent: Org,
  counts: { official: number; probationary?: number },
  name?: string,
) {
  const cell = await makeOrg(sql, 'cell', parent, name);
  const members: Member[] = [];
  for (let i = 0; i < counts.official; i++) members.push(await makeMember(sql, cell));
  for (let i = 0; i < (counts.probationary ?? 0); i++) {
    members.push(await makeMember(sql, cell, { status: 'probationary', admittedOn: '2026-01-15', officialOn: null }));
  }
  return { cell, members };
}

export async function makePeriod(
  sql: Sql,
  member: Member,
  p: Partial<MemberPeriod> & Pick<MemberPeriod, 'kind'>,
): Promise<MemberPeriod> {
  return insertPeriod(sql, {
    memberId: member.id,
    kind: p.kind,
    hostCellId: p.hostCellId ?? null,
    startsOn: p.startsOn ?? '2020-01-01',
    endsOn: p.endsOn ?? null,
    reason: p.reason ?? null,
  });
}

/** A principal holding `role` on `org`, with a bearer token. */
export async function makeUserWithRole(
  sql: Sql,
  org: Org,
  role: Role,
  name?: string,
): Promise<{ principal: Principal; token: string }> {
  const principal = await createPrincipal(sql, name ?? `${role} ${next()}`);
  await grantRole(sql, principal.id, org.id, role);
  return { principal, token: await createApiToken(sql, principal.id) };
}

/** An API token of a member's own (their principal made when they have none), as the app or a chat holds. */
export async function makeMemberToken(sql: Sql, member: Pick<Member, 'id'>): Promise<string> {
  return createApiToken(sql, (await ensureMemberPrincipal(sql, member.id)).id);
}

/** A member who is also secretary of their cell (acts in chat and by token). */
export async function makeSecretary(sql: Sql, cell: Org, overrides: Partial<MemberInput> = {}) {
  const member = await makeMember(sql, cell, overrides);
  const principal = await ensureMemberPrincipal(sql, member.id);
  await grantRole(sql, principal.id, cell.id, 'secretary');
  return { member, principal, token: await createApiToken(sql, principal.id) };
}

export async function linkChat(
  sql: Sql,
  member: Member,
  channel: Channel,
  externalUserId: string,
  botKey = 'default',
): Promise<ChatAccount> {
  return insertAccount(
    sql,
    { channel, botKey, externalUserId, chatId: externalUserId, memberId: member.id, displayName: member.fullName },
    new Date(),
  );
}

/**
 * Many official members in one cell, each linked to a Telegram chat numbered from
 * `firstChatId` (written in SQL: thousands in a blink, for broadcasts). Returns their ids.
 */
export async function makeLinkedMembersInBulk(
  sql: Sql,
  cell: Org,
  count: number,
  firstChatId: number,
): Promise<number[]> {
  const rows = await sql.query<{ member_id: number }>(
    `with m as (
       insert into members (full_name, gender, cell_id, cell_path, status)
       select 'Đảng viên ' || g, 'female', $1, $2::ltree, 'official' from generate_series(1, $3::int) g
       returning id
     )
     insert into chat_accounts (channel, bot_key, external_user_id, chat_id, member_id)
     select 'telegram', 'telegram', ($4::int + row_number() over (order by id) - 1)::text,
            ($4::int + row_number() over (order by id) - 1)::text, id from m
     returning member_id`,
    [cell.id, cell.path, count, firstChatId],
  );
  return rows.map((r) => r.member_id);
}
