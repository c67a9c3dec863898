import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { AppError, notFound } from '../errors.ts';
import { ExtractionFailed } from '../extract/run-extraction.ts';
import { findOrg } from '../orgs/repository.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { isCellKind } from '../orgs/kinds.ts';
import { foldVietnamese } from '../text/fold.ts';
import { prepareMember, type MemberInput } from './prepare-member.ts';
import { findCardNumbers, insertMembers, type NewMember, updateMemberRow } from './repository.ts';
import { writeVnDate } from '../text/vn-date.ts';
import { readMemberSheet, SHEET_COLUMNS, type SheetFormat, type SheetRow } from './member-sheet.ts';

export interface ImportProblem {
  line: number;
  field: string;
  /** The column as the template names it ("Ngày kết nạp"), for people; `field` is for programs. */
  column: string;
  message: string;
}

/** A member the file changes (matched by card number), with each changed column. */
export interface ImportChange {
  line: number;
  fullName: string;
  changes: { column: string; from: string; to: string }[];
}

export interface ImportResult {
  /** Members added. */
  imported: number;
  /** Members already on the list (same card number) whose record the file changed. */
  updated: number;
  /** Rows that matched a member and changed nothing. */
  unchanged: number;
  added: string[];
  changed: ImportChange[];
  /** A preview: nothing was written. */
  preview: boolean;
}

export const MAX_IMPORT_ROWS = 20_000;

/**
 * Imports a member list into a unit: every row is checked first, and either all rows are
 * imported or none (the answer lists each bad row's line and reason, naming the column as the
 * template does). A row whose card number belongs to a member of the unit updates that member
 * — so a list exported here, corrected and imported back, updates rather than fails — and the
 * answer says who was added and what changed for whom; `preview` says it without writing.
 */
export async function importMembers(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  orgId: number,
  file: { data: Buffer; format: SheetFormat },
  options: { preview?: boolean } = {},
): Promise<ImportResult> {
  const org = await findOrg(deps.db, orgId);
  if (!org) throw notFound('tổ chức', `org ${orgId}`);
  await requireRole(deps.db, actor, orgId, CAN.manageMembers);
  let sheet: Awaited<ReturnType<typeof readMemberSheet>>;
  try {
    sheet = await readMemberSheet(file.data, file.format, MAX_IMPORT_ROWS);
  } catch (e) {
    if (!(e instanceof ExtractionFailed)) throw e;
    throw new AppError('validation', `Không đọc được tệp ${file.format.toUpperCase()}.`, {
      field: 'file',
      detail: (e as Error).message,
    });
  }
  if (sheet.rows.length === 0) throw new AppError('validation', 'Tệp không có dòng dữ liệu nào.', { field: 'file' });
  if (sheet.rows.length > MAX_IMPORT_ROWS)
    throw new AppError('validation', `Tệp quá ${MAX_IMPORT_ROWS} dòng; hãy chia nhỏ.`, { field: 'file' });

  const cells = await deps.db.query<{ id: number; name: string }>(
    `select id, name from orgs where path <@ text2ltree($1) and kind in ('cell', 'grassroots_cell')`,
    [org.path],
  );
  const problems: Omit<ImportProblem, 'column'>[] = [];
  const members: (NewMember & { line: number })[] = [];
  const seenCards = new Map<string, number>();
  for (const row of sheet.rows) {
    const parsed = parseRow(row, isCellKind(org.kind) ? org.id : null, cells);
    problems.push(...parsed.problems.map((p) => ({ line: row.line, ...p })));
    if (!parsed.input) continue;
    const { member, problems: ruleProblems } = prepareMember(parsed.input);
    problems.push(...ruleProblems.map((p) => ({ line: row.line, ...p })));
    if (member.cardNumber) {
      const earlier = seenCards.get(member.cardNumber);
      if (earlier)
        problems.push({ line: row.line, field: 'cardNumber', message: `Số thẻ đảng trùng với dòng ${earlier}.` });
      else seenCards.set(member.cardNumber, row.line);
    }
    members.push({ ...member, line: row.line });
  }
  // A card number already in the system: a member of this unit is updated; anyone else's is refused.
  const existing = await findMembersByCard(deps, org.path, [...seenCards.keys()]);
  const taken = new Set(await findCardNumbers(deps.db, [...seenCards.keys()]));
  const cellNames = new Map(cells.map((c) => [c.id, c.name]));
  const added: (NewMember & { line: number })[] = [];
  const updates: { id: number; member: NewMember; change: ImportChange }[] = [];
  let unchanged = 0;
  for (const m of members) {
    const current = m.cardNumber ? existing.get(m.cardNumber) : undefined;
    if (!current) {
      if (m.cardNumber && taken.has(m.cardNumber))
        problems.push({
          line: m.line,
          field: 'cardNumber',
          message: `Số thẻ đảng ${m.cardNumber} là của một đảng viên ngoài đơn vị này.`,
        });
      added.push(m);
      continue;
    }
    if (current.cellId !== m.cellId) {
      problems.push({
        line: m.line,
        field: 'cell',
        message:
          `Đồng chí ${current.fullName} đang sinh hoạt ở ${cellNames.get(current.cellId) ?? 'chi bộ khác'}; ` +
          'đổi chi bộ bằng thủ tục chuyển sinh hoạt, không bằng nhập danh sách.',
      });
      continue;
    }
    const changes = describeChanges(current, m);
    if (changes.length === 0) unchanged++;
    else updates.push({ id: current.id, member: m, change: { line: m.line, fullName: m.fullName, changes } });
  }
  if (problems.length > 0) {
    throw new AppError(
      'validation',
      `Có ${problems.length} lỗi trong tệp; chưa nhập dòng nào. Sửa các dòng được nêu rồi gửi lại.`,
      { field: 'file', data: { problems: describeProblems(problems) } },
    );
  }
  const result = {
    imported: added.length,
    updated: updates.length,
    unchanged,
    added: added.map((m) => m.fullName),
    changed: updates.map((u) => u.change),
  };
  if (options.preview) return { ...result, preview: true };
  await deps.db.tx(async (sql) => {
    await insertMembers(
      sql,
      added.map(({ line: _line, ...m }) => m),
    );
    for (const u of updates) {
      const { cellId: _cell, line: _line, ...fields } = u.member as NewMember & { line: number };
      await updateMemberRow(sql, u.id, fields);
    }
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      orgId: org.id,
      action: 'members.imported',
      subjectType: 'org',
      subjectId: org.id,
      details: { format: file.format, imported: added.length, updated: updates.length },
      at: deps.clock.now(),
    });
  });
  return { ...result, preview: false };
}

const COLUMN_OF = new Map<string, string>(SHEET_COLUMNS.map((c) => [c.key, c.header]));

/** Each problem once, in line order, with its column named as the template names it. */
function describeProblems(problems: Omit<ImportProblem, 'column'>[]): ImportProblem[] {
  const seen = new Set<string>();
  return problems
    .sort((a, b) => a.line - b.line)
    .filter((p) => {
      const key = `${p.line}|${p.field}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((p) => ({ ...p, column: COLUMN_OF.get(p.field) ?? p.field }));
}

interface CurrentMember {
  id: number;
  cellId: number;
  fullName: string;
  gender: string;
  birthYear: number | null;
  phone: string | null;
  status: string;
  admittedOn: string | null;
  officialOn: string | null;
}

async function findMembersByCard(deps: Pick<Deps, 'db'>, path: string, cards: string[]) {
  if (cards.length === 0) return new Map<string, CurrentMember>();
  const rows = await deps.db.query<CurrentMember & { card: string }>(
    `select m.id, m.card_number as card, m.cell_id as "cellId", m.full_name as "fullName", m.gender,
            m.birth_year as "birthYear", m.phone, m.status,
            to_char(m.admitted_on, 'YYYY-MM-DD') as "admittedOn", to_char(m.official_on, 'YYYY-MM-DD') as "officialOn"
       from members m join orgs c on c.id = m.cell_id
      where m.card_number = any($1::text[]) and m.active and c.path <@ text2ltree($2)`,
    [cards, path],
  );
  return new Map(rows.map((r) => [r.card, r]));
}

const SHOWN: Record<string, (v: unknown) => string> = {
  gender: (v) => (v === 'male' ? 'Nam' : v === 'female' ? 'Nữ' : ''),
  status: (v) => (v === 'official' ? 'Chính thức' : v === 'probationary' ? 'Dự bị' : ''),
  admittedOn: (v) => (v ? writeVnDate(String(v)) : ''),
  officialOn: (v) => (v ? writeVnDate(String(v)) : ''),
};

/** The columns whose value the file changes, written as the list writes them. */
function describeChanges(current: CurrentMember, next: NewMember): ImportChange['changes'] {
  const keys = ['fullName', 'gender', 'birthYear', 'phone', 'status', 'admittedOn', 'officialOn'] as const;
  const out: ImportChange['changes'] = [];
  for (const k of keys) {
    const show = SHOWN[k] ?? ((v: unknown) => (v === null || v === undefined ? '' : String(v)));
    const from = show(current[k]);
    const to = show((next as unknown as Record<string, unknown>)[k]);
    if (from !== to) out.push({ column: COLUMN_OF.get(k) ?? k, from, to });
  }
  return out;
}

type Parsed = { input?: MemberInput; problems: { field: string; message: string }[] };

function parseRow(row: SheetRow, defaultCellId: number | null, cells: { id: number; name: string }[]): Parsed {
  const v = row.values;
  const problems: Parsed['problems'] = [];
  const need = (field: string, label: string, value: string | undefined) => {
    if (!value) problems.push({ field, message: `Thiếu ${label}.` });
    return value ?? '';
  };
  const fullName = need('fullName', 'họ và tên', v.fullName);
  if (fullName.length > 200) problems.push({ field: 'fullName', message: 'Họ và tên dài quá 200 ký tự.' });
  const gender = parseGender(need('gender', 'giới tính', v.gender));
  if (v.gender && !gender)
    problems.push({ field: 'gender', message: `Giới tính "${v.gender}" không hợp lệ (Nam/Nữ).` });
  const status = parseStatus(v.status ?? 'chính thức');
  if (!status)
    problems.push({ field: 'status', message: `Loại đảng viên "${v.status}" không hợp lệ (Chính thức/Dự bị).` });
  const birthYear = v.birthYear ? Number(v.birthYear) : null;
  if (v.birthYear && !(Number.isInteger(birthYear) && birthYear! >= 1900 && birthYear! <= 2100)) {
    problems.push({ field: 'birthYear', message: `Năm sinh "${v.birthYear}" không hợp lệ.` });
  }
  const admittedOn = parseDate(v.admittedOn);
  if (v.admittedOn && !admittedOn)
    problems.push({ field: 'admittedOn', message: `Ngày kết nạp "${v.admittedOn}" không hợp lệ (dd/mm/yyyy).` });
  const officialOn = parseDate(v.officialOn);
  if (v.officialOn && !officialOn)
    problems.push({ field: 'officialOn', message: `Ngày chính thức "${v.officialOn}" không hợp lệ (dd/mm/yyyy).` });
  const cellId = resolveCell(v.cell, defaultCellId, cells);
  if (!cellId) {
    problems.push({
      field: 'cell',
      message: v.cell ? `Không có chi bộ "${v.cell}" trong đơn vị này.` : 'Thiếu tên chi bộ.',
    });
  }
  if (problems.length > 0) return { problems };
  return {
    problems,
    input: {
      fullName,
      gender: gender!,
      birthYear,
      cardNumber: v.cardNumber ?? null,
      phone: v.phone ?? null,
      cellId: cellId!,
      status: status!,
      admittedOn,
      officialOn,
    },
  };
}

function parseGender(value: string): 'male' | 'female' | null {
  const f = foldVietnamese(value);
  if (['nam', 'male', 'm'].includes(f)) return 'male';
  if (['nu', 'female', 'f'].includes(f)) return 'female';
  return null;
}

function parseStatus(value: string): 'official' | 'probationary' | null {
  const f = foldVietnamese(value);
  if (['chinh thuc', 'official'].includes(f)) return 'official';
  if (['du bi', 'probationary'].includes(f)) return 'probationary';
  return null;
}

/** dd/mm/yyyy (as Vietnamese spreadsheets write it) or ISO yyyy-mm-dd. */
export function parseDate(value: string | undefined): string | null {
  if (!value) return null;
  let y: number, m: number, d: number;
  const vn = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (vn) [d, m, y] = [Number(vn[1]), Number(vn[2]), Number(vn[3])];
  else if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

function resolveCell(
  value: string | undefined,
  defaultCellId: number | null,
  cells: { id: number; name: string }[],
): number | null {
  if (!value) return defaultCellId;
  const byId = /^\d+$/.test(value) ? cells.find((c) => c.id === Number(value)) : undefined;
  if (byId) return byId.id;
  const f = foldVietnamese(value);
  return cells.find((c) => foldVietnamese(c.name) === f)?.id ?? null;
}
