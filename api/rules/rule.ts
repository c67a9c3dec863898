/**
 * Party rules as data. Every parameter (threshold, duration, rate) is a list of versions,
 * each with the date it takes effect and the document it rests on, so a meeting is judged
 * by the version in force on its date. Settings marked `setting: true` may be overridden
 * by a province.
 */
export type Confidence = 'firm' | 'one_source' | 'unconfirmed';

export interface RuleVersion<T> {
  value: T;
  /** ISO date the version takes effect. */
  effectiveFrom: string;
  /** Citation, e.g. "Điều lệ Đảng 2011, Điều 9 khoản 5". */
  source: string;
  confidence: Confidence;
}

export interface Rule<T> {
  key: string;
  description: string;
  /** A province may override it (rules.md marks it as a setting). */
  setting: boolean;
  versions: RuleVersion<T>[];
}

/** The version in force on `onDate` (ISO date), or an error when the rule had none yet. */
export function versionInForce<T>(rule: Rule<T>, onDate: string): RuleVersion<T> {
  const candidates = rule.versions
    .filter((v) => v.effectiveFrom <= onDate)
    .sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
  if (candidates.length === 0) throw new Error(`rule ${rule.key} has no version in force on ${onDate}`);
  return candidates[0];
}

/**
 * What a person is told beside a value that is a default rather than a confirmed rule (rules.md
 * marks it [unconfirmed], or says nothing): empty for a confirmed rule.
 */
export function defaultNote(version: Pick<RuleVersion<unknown>, 'confidence'>): string {
  return version.confidence === 'unconfirmed' ? ` (${DEFAULT_WORDS})` : '';
}

export const DEFAULT_WORDS = 'mặc định, chưa có quy định xác nhận — có thể điều chỉnh';
