/**
 * Applying the rules: the vote base with its arithmetic, quorum, and whether a motion
 * passes. Integer arithmetic only — "more than 1/2 of 19" is 10, "at least 2/3 of 19" is 13.
 */
import type { Fraction } from './meeting-rules.ts';

export interface RollEntry {
  memberId: number;
  status: 'official' | 'probationary';
  exempt: boolean;
  suspended: boolean;
  /** Temporarily transferred OUT to another cell. */
  transferredOut: boolean;
  /** Temporarily transferred IN from another cell: attends, not on this roll. */
  transferredIn: boolean;
  present: boolean;
  /** Absent for the whole meeting with a reason the convener accepted. */
  absentWithAcceptedReason: boolean;
}

export interface VoteBase {
  base: number;
  official: number;
  exemptAbsent: number;
  suspended: number;
  transferredOut: number;
  absentWithReason: number;
  /** "Cơ sở tính: 22 chính thức − 2 miễn sinh hoạt vắng − 1 vắng có lý do = 19" */
  explanation: string;
}

// rule: vote-base — Điều lệ Đ9 k5; QĐ 24 9.3.2 (QĐ 294 believed unchanged)
export function computeVoteBase(roll: RollEntry[]): VoteBase {
  const official = roll.filter((r) => r.status === 'official' && !r.transferredIn);
  const suspended = official.filter((r) => r.suspended).length;
  const transferredOut = official.filter((r) => !r.suspended && r.transferredOut).length;
  const rest = official.filter((r) => !r.suspended && !r.transferredOut);
  // An exempt member who attends is in the base and may vote.
  const exemptAbsent = rest.filter((r) => r.exempt && !r.present).length;
  const absentWithReason = rest.filter((r) => !r.exempt && !r.present && r.absentWithAcceptedReason).length;
  const base = official.length - suspended - transferredOut - exemptAbsent - absentWithReason;
  const terms = [
    [suspended, 'đình chỉ hoặc bị truy tố, tạm giam'],
    [transferredOut, 'chuyển sinh hoạt tạm thời đi'],
    [exemptAbsent, 'miễn sinh hoạt vắng'],
    [absentWithReason, 'vắng có lý do'],
  ] as const;
  const minus = terms
    .filter(([n]) => n > 0)
    .map(([n, label]) => ` − ${n} ${label}`)
    .join('');
  return {
    base,
    official: official.length,
    exemptAbsent,
    suspended,
    transferredOut,
    absentWithReason,
    explanation: `Cơ sở tính: ${official.length} chính thức${minus} = ${base}`,
  };
}

/** Whether `count` reaches the fraction of `base`: strict → count > f·base; else count ≥ f·base. */
export function reaches(count: number, base: number, f: Fraction): boolean {
  return f.strict ? count * f.den > f.num * base : count * f.den >= f.num * base;
}

/** The smallest count that reaches the fraction of `base`. */
export function needed(base: number, f: Fraction): number {
  return f.strict ? Math.floor((f.num * base) / f.den) + 1 : Math.ceil((f.num * base) / f.den);
}

export function describeFraction(f: Fraction): string {
  // Tenths and hundredths read as a percentage ("trên 30 %"), as the rules write them.
  const frac = f.den === 10 || f.den === 100 ? `${(100 * f.num) / f.den} %` : `${f.num}/${f.den}`;
  return f.strict ? `trên ${frac}` : `ít nhất ${frac}`;
}
