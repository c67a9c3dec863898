/**
 * Discipline as one secret ballot over the forms (rules.md §3). Each form takes its threshold
 * from the decision rules in force (khai trừ: "vote.expulsion", at least 2/3; the others:
 * "vote.discipline", more than 1/2). When no form reaches its threshold, votes add up from the
 * heaviest form down until one does. Probationary members can only receive khiển trách or
 * cảnh cáo.
 */
import { DECISIONS, type DecisionKind } from './meeting-rules.ts';
import type { Rule } from './rule.ts';
import { versionInForce } from './rule.ts';
import { describeFraction, needed, reaches } from './vote-math.ts';

export const DISCIPLINE_FORMS = ['khai_tru', 'cach_chuc', 'canh_cao', 'khien_trach'] as const;
export type DisciplineForm = (typeof DISCIPLINE_FORMS)[number];
/** A ballot may also choose no discipline. */
export const NO_DISCIPLINE = 'khong_ky_luat';
export type DisciplineChoice = DisciplineForm | typeof NO_DISCIPLINE;

export const DISCIPLINE_LABELS: Record<DisciplineChoice, string> = {
  khai_tru: 'Khai trừ',
  cach_chuc: 'Cách chức',
  canh_cao: 'Cảnh cáo',
  khien_trach: 'Khiển trách',
  khong_ky_luat: 'Không kỷ luật',
};

export interface DisciplineRule {
  /** Heaviest first: the order in which votes add up. */
  forms: { form: DisciplineForm; decision: DecisionKind }[];
  /** The forms a probationary member may receive. */
  probationaryForms: DisciplineForm[];
}

// rule: discipline forms and their thresholds — QĐ 22-QĐ/TW Đ15, QĐ 296-QĐ/TW (2025); rules.md §3
export const DISCIPLINE: Rule<DisciplineRule> = {
  key: 'vote.discipline_forms',
  description: 'Hình thức kỷ luật, thứ tự từ nặng đến nhẹ, cộng dồn phiếu',
  setting: false,
  versions: [
    {
      value: {
        forms: [
          { form: 'khai_tru', decision: 'expulsion' },
          { form: 'cach_chuc', decision: 'discipline' },
          { form: 'canh_cao', decision: 'discipline' },
          { form: 'khien_trach', decision: 'discipline' },
        ],
        probationaryForms: ['canh_cao', 'khien_trach'],
      },
      effectiveFrom: '2022-06-28',
      source: 'QĐ 22-QĐ/TW 2021, Điều 15; QĐ 296-QĐ/TW 30/5/2025',
      confidence: 'firm',
    },
  ],
};

export interface DisciplineOutcome {
  adopted: DisciplineForm | null;
  /** One line per form tried, heaviest first: "Cách chức: 6 phiếu, cần trên 1/2 của 19 (10) — chưa đạt". */
  steps: string[];
  explanation: string;
}

export const isDisciplineForm = (choice: string): choice is DisciplineForm =>
  (DISCIPLINE_FORMS as readonly string[]).includes(choice);

/**
 * Why a form was not offered on a discipline ballot: only a probationary member's ballot
 * leaves forms out. `offered` are the ballot's choices (heaviest first); the forms a
 * probationary member may receive are named lightest first.
 */
export function formNotForProbationary(form: DisciplineForm, offered: readonly string[]): string {
  const allowed = offered.filter(isDisciplineForm).reverse();
  return (
    `${DISCIPLINE_LABELS[form]} không áp dụng với đảng viên dự bị: ` +
    `chỉ có thể ${allowed.map((f) => DISCIPLINE_LABELS[f].toLowerCase()).join(' hoặc ')}.`
  );
}

/** The forms offered on the ballot for a member of this status, heaviest first. */
export function disciplineForms(onDate: string, probationary: boolean): DisciplineForm[] {
  const rule = versionInForce(DISCIPLINE, onDate).value;
  return rule.forms.map((f) => f.form).filter((f) => !probationary || rule.probationaryForms.includes(f));
}

/** Applies the cumulative rule to the counts of one discipline ballot. */
export function decideDiscipline(
  counts: Partial<Record<DisciplineChoice, number>>,
  base: number,
  onDate: string,
  probationary: boolean,
): DisciplineOutcome {
  const rule = versionInForce(DISCIPLINE, onDate).value;
  const offered = new Set(disciplineForms(onDate, probationary));
  const steps: string[] = [];
  let cumulative = 0;
  const added: string[] = [];
  for (const { form, decision } of rule.forms) {
    if (!offered.has(form)) continue;
    const n = counts[form] ?? 0;
    cumulative += n;
    added.push(`${DISCIPLINE_LABELS[form].toLowerCase()} ${n}`);
    const threshold = versionInForce(DECISIONS[decision], onDate).value.threshold;
    const ok = base > 0 && reaches(cumulative, base, threshold);
    const sum = added.length > 1 ? `${added.join(' + ')} = ${cumulative}` : `${cumulative}`;
    steps.push(
      `${DISCIPLINE_LABELS[form]}: ${sum} phiếu, ` +
        `cần ${describeFraction(threshold)} của ${base} (${needed(base, threshold)}) — ${ok ? 'đạt' : 'chưa đạt'}`,
    );
    if (ok) {
      return {
        adopted: form,
        steps,
        explanation: `${steps.join('; ')}. Hình thức được quyết định: ${DISCIPLINE_LABELS[form].toUpperCase()}.`,
      };
    }
  }
  return { adopted: null, steps, explanation: `${steps.join('; ')}. Không hình thức nào đạt: không kỷ luật.` };
}
