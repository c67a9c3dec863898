/**
 * Kinds of party organisation and where each may sit (rules.md §7; Điều lệ Đ21, Đ24).
 * Since 1/7/2025 there is no district level; older data keeps it, so both shapes are valid.
 */
export const ORG_KINDS = [
  'central',
  'province',
  'district',
  'commune',
  'grassroots_committee',
  'grassroots_cell',
  'sub_committee',
  'cell',
] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export const ORG_KIND_LABELS: Record<OrgKind, string> = {
  central: 'Trung ương',
  province: 'Đảng bộ tỉnh/thành phố',
  district: 'Đảng bộ huyện (trước 1/7/2025)',
  commune: 'Đảng bộ xã/phường/đặc khu',
  grassroots_committee: 'Đảng bộ cơ sở',
  grassroots_cell: 'Chi bộ cơ sở',
  sub_committee: 'Đảng bộ bộ phận',
  cell: 'Chi bộ',
};

const UPPER_LEVELS: readonly OrgKind[] = ['central', 'province', 'district', 'commune'];

/** Allowed parent kinds; `null` means the kind may be a root. */
export const ALLOWED_PARENTS: Record<OrgKind, readonly (OrgKind | null)[]> = {
  central: [null],
  province: [null, 'central'],
  district: [null, 'province'],
  commune: [null, 'province', 'district'],
  grassroots_committee: [null, ...UPPER_LEVELS],
  // a chi bộ cơ sở sits directly under a higher level
  grassroots_cell: [null, ...UPPER_LEVELS],
  sub_committee: ['grassroots_committee'],
  cell: ['grassroots_committee', 'sub_committee'],
};

/** Units that hold members directly and meet as a cell. */
export const CELL_KINDS: readonly OrgKind[] = ['cell', 'grassroots_cell'];

export const isCellKind = (kind: string): boolean => (CELL_KINDS as readonly string[]).includes(kind);
