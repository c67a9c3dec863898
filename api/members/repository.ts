import { maybeOne, one, type Sql } from '../db/connect.ts';

export type MemberStatus = 'official' | 'probationary';
export type Gender = 'male' | 'female';

export interface Member {
  id: number;
  fullName: string;
  gender: Gender;
  birthYear: number | null;
  cardNumber: string | null;
  phone: string | null;
  cellId: number;
  status: MemberStatus;
  admittedOn: string | null;
  probationEndsOn: string | null;
  officialOn: string | null;
  active: boolean;
}

export type NewMember = Omit<Member, 'id' | 'active'>;

export const MEMBER_COLUMNS = `m.id, m.full_name as "fullName", m.gender, m.birth_year as "birthYear",
  m.card_number as "cardNumber", m.phone, m.cell_id as "cellId", m.status,
  m.admitted_on as "admittedOn", m.probation_ends_on as "probationEndsOn", m.official_on as "officialOn", m.active`;

export async function findMember(sql: Sql, id: number): Promise<Member | undefined> {
  return maybeOne<Member>(sql, `select ${MEMBER_COLUMNS} from members m where m.id = $1`, [id]);
}

export async function insertMember(sql: Sql, m: NewMember): Promise<Member> {
  return one<Member>(
    sql,
    `insert into members as m (full_name, gender, birth_year, card_number, phone, cell_id, cell_path, status,
                         admitted_on, probation_ends_on, official_on)
     select $1, $2, $3, $4, $5, o.id, o.path, $7, $8, $9, $10 from orgs o where o.id = $6
     returning ${MEMBER_COLUMNS}`,
    [
      m.fullName,
      m.gender,
      m.birthYear,
      m.cardNumber,
      m.phone,
      m.cellId,
      m.status,
      m.admittedOn,
      m.probationEndsOn,
      m.officialOn,
    ],
  );
}

/** Many members in one statement (imports, demo data). */
export async function insertMembers(sql: Sql, rows: NewMember[]): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <K extends keyof NewMember>(k: K) => rows.map((r) => r[k]);
  const inserted = await sql.query(
    `insert into members (full_name, gender, birth_year, card_number, phone, cell_id, cell_path, status,
                          admitted_on, probation_ends_on, official_on)
     select r.full_name, r.gender, r.birth_year, r.card_number, r.phone, r.cell_id, o.path, r.status,
            r.admitted_on, r.probation_ends_on, r.official_on
       from unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::date[],
         $9::date[], $10::date[])
            as r(full_name, gender, birth_year, card_number, phone, cell_id, status, admitted_on, probation_ends_on,
              official_on)
       join orgs o on o.id = r.cell_id
     returning id`,
    [
      col('fullName'),
      col('gender'),
      col('birthYear'),
      col('cardNumber'),
      col('phone'),
      col('cellId'),
      col('status'),
      col('admittedOn'),
      col('probationEndsOn'),
      col('officialOn'),
    ],
  );
  return inserted.length;
}

export async function updateMemberRow(
  sql: Sql,
  id: number,
  patch: Partial<Omit<Member, 'id' | 'cellId'>>,
): Promise<Member> {
  const columns: Record<string, string> = {
    fullName: 'full_name',
    gender: 'gender',
    birthYear: 'birth_year',
    cardNumber: 'card_number',
    phone: 'phone',
    status: 'status',
    admittedOn: 'admitted_on',
    probationEndsOn: 'probation_ends_on',
    officialOn: 'official_on',
    active: 'active',
  };
  const entries = Object.entries(patch).filter(([k, v]) => k in columns && v !== undefined);
  const sets = entries.map(([k], i) => `${columns[k]} = $${i + 2}`);
  if (sets.length === 0) return (await findMember(sql, id))!;
  return one<Member>(sql, `update members m set ${sets.join(', ')} where m.id = $1 returning ${MEMBER_COLUMNS}`, [
    id,
    ...entries.map(([, v]) => v),
  ]);
}

export async function findCardNumbers(sql: Sql, cardNumbers: string[], exceptMemberId = 0): Promise<string[]> {
  if (cardNumbers.length === 0) return [];
  const rows = await sql.query<{ card: string }>(
    `select card_number as card from members where card_number = any($1::text[]) and id <> $2`,
    [cardNumbers, exceptMemberId],
  );
  return rows.map((r) => r.card);
}

export interface MemberListRow extends Member {
  cellName: string;
  exempt: boolean;
  suspended: boolean;
  transferredOut: boolean;
}

/** Members of a cell or of every cell under a unit, with the facts in force on `onDate`. */
export async function listMembersUnder(
  sql: Sql,
  orgPath: string,
  onDate: string,
  page: { limit: number; offset: number } = { limit: 1_000_000_000, offset: 0 },
): Promise<MemberListRow[]> {
  return sql.query<MemberListRow>(
    `select ${MEMBER_COLUMNS}, o.name as "cellName",
            exists (select 1 from member_periods p where p.member_id = m.id and p.kind = 'exempt' ${inForce}) as exempt,
            exists (select 1 from member_periods p where p.member_id = m.id
              and p.kind in ('suspended', 'prosecuted') ${inForce}) as suspended,
            exists (select 1 from member_periods p where p.member_id = m.id
              and p.kind = 'temporary_transfer' ${inForce}) as "transferredOut"
       from members m join orgs o on o.id = m.cell_id
      where m.cell_path <@ text2ltree($1) and m.active
      order by o.path, m.full_name, m.id
      limit $3 offset $4`,
    [orgPath, onDate, page.limit, page.offset],
  );
}

const inForce = `and p.starts_on <= $2::date and (p.ends_on is null or p.ends_on >= $2::date)`;

export type PeriodKind = 'exempt' | 'suspended' | 'prosecuted' | 'temporary_transfer';

export interface MemberPeriod {
  id: number;
  memberId: number;
  kind: PeriodKind;
  hostCellId: number | null;
  startsOn: string;
  endsOn: string | null;
  reason: string | null;
}

export async function insertPeriod(sql: Sql, p: Omit<MemberPeriod, 'id'>): Promise<MemberPeriod> {
  return one<MemberPeriod>(
    sql,
    `insert into member_periods (member_id, kind, host_cell_id, starts_on, ends_on, reason)
      values ($1, $2, $3, $4, $5, $6)
     returning id, member_id as "memberId", kind, host_cell_id as "hostCellId", starts_on as "startsOn",
       ends_on as "endsOn", reason`,
    [p.memberId, p.kind, p.hostCellId, p.startsOn, p.endsOn, p.reason],
  );
}

export async function listPeriods(sql: Sql, memberId: number): Promise<MemberPeriod[]> {
  return sql.query<MemberPeriod>(
    `select id, member_id as "memberId", kind, host_cell_id as "hostCellId", starts_on as "startsOn",
      ends_on as "endsOn", reason
       from member_periods where member_id = $1 order by starts_on, id`,
    [memberId],
  );
}

export async function moveMemberToCell(
  sql: Sql,
  memberId: number,
  fromCellId: number,
  toCellId: number,
  on: string,
  note: string | null,
) {
  await sql.query(
    `insert into member_transfers (member_id, from_cell_id, to_cell_id, transferred_on, note)
      values ($1, $2, $3, $4, $5)`,
    [memberId, fromCellId, toCellId, on, note],
  );
  await sql.query(
    `update members set cell_id = o.id, cell_path = o.path from orgs o where o.id = $2 and members.id = $1`,
    [memberId, toCellId],
  );
}

export async function listTransfers(sql: Sql, memberId: number) {
  return sql.query<{ fromCellId: number; toCellId: number; transferredOn: string; note: string | null }>(
    `select from_cell_id as "fromCellId", to_cell_id as "toCellId", transferred_on as "transferredOn", note
       from member_transfers where member_id = $1 order by transferred_on, id`,
    [memberId],
  );
}
