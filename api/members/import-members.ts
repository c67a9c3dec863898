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
import { findCardNumbers, insertMembers, type NewMember } from './repository.ts';
import { readMemberSheet, type SheetFormat, type SheetRow } from './member-sheet.ts';

export interface ImportProblem {
  line: number;
  field: string;
  message: string;
}

export const MAX_IMPORT_ROWS = 20_000;

/**
 * Imports a member list into a unit: every row is checked first, and either all rows are
 * imported or none (the answer lists each bad row's line and reason).
 */
export async function importMembers(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  orgId: number,
  file: { data: Buffer; format: SheetFormat },
): Promise<{ imported: number }> {
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
  const problems: ImportProblem[] = [];
  const members: NewMember[] = [];
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
    members.push(member);
  }
  const taken = new Set(await findCardNumbers(deps.db, [...seenCards.keys()]));
  for (const [card, line] of seenCards) {
    if (taken.has(card))
      problems.push({ line, field: 'cardNumber', message: `Số thẻ đảng ${card} đã có trong hệ thống.` });
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line);
    throw new AppError(
      'validation',
      `Có ${problems.length} lỗi trong tệp; chưa nhập dòng nào. Sửa các dòng được nêu rồi gửi lại.`,
      {
        field: 'file',
        data: { problems },
      },
    );
  }
  const imported = await deps.db.tx(async (sql) => {
    const n = await insertMembers(sql, members);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      orgId: org.id,
      action: 'members.imported',
      subjectType: 'org',
      subjectId: org.id,
      details: { format: file.format, imported: n },
      at: deps.clock.now(),
    });
    return n;
  });
  return { imported };
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
