/**
 * The party's voting rules, table by table (rules.md §1–§4).
 */
import { describe, expect, it } from 'vitest';
import { computeVoteBase, needed, reaches, type RollEntry } from '../../api/rules/vote-math.ts';
import { DECISIONS, QUORUM } from '../../api/rules/meeting-rules.ts';
import { versionInForce } from '../../api/rules/rule.ts';
import { whyNotEntitled } from '../../api/meetings/entitlement.ts';

const member = (o: Partial<RollEntry> = {}): RollEntry => ({
  memberId: 0,
  status: 'official',
  exempt: false,
  suspended: false,
  transferredOut: false,
  transferredIn: false,
  present: true,
  absentWithAcceptedReason: false,
  ...o,
});
const many = (n: number, o: Partial<RollEntry> = {}) => Array.from({ length: n }, () => member(o));
const rule = (k: keyof typeof DECISIONS) => versionInForce(DECISIONS[k], '2026-03-10').value.threshold;

describe('vote base (rule 1)', () => {
  it('shows the arithmetic: 22 official − 2 exempt absent − 1 absent with reason = 19', () => {
    const roll = [
      ...many(19),
      ...many(2, { exempt: true, present: false }),
      member({ present: false, absentWithAcceptedReason: true }),
      ...many(3, { status: 'probationary' }),
      member({ transferredIn: true }),
    ];
    const b = computeVoteBase(roll);
    expect(b.base).toBe(19);
    expect(b.explanation).toBe('Cơ sở tính: 22 chính thức − 2 miễn sinh hoạt vắng − 1 vắng có lý do = 19');
  });
  it('an exempt member who attends is in the base; an absentee without an accepted reason stays in it', () => {
    expect(computeVoteBase([member({ exempt: true, present: true }), member({ present: false })]).base).toBe(2);
  });
  it('suspended and temporarily-transferred-out members leave the base; probationary never count', () => {
    const b = computeVoteBase([
      ...many(10),
      member({ suspended: true }),
      member({ transferredOut: true, present: false }),
      ...many(4, { status: 'probationary' }),
    ]);
    expect(b.base).toBe(10);
    expect(b.official).toBe(12);
  });
});

describe('quorum (rule 2, a setting: more than 2/3 of the base by default)', () => {
  const q = versionInForce(QUORUM, '2026-03-10').value;
  it.each([
    [19, 13, true],
    [19, 12, false],
    [18, 13, true],
    [18, 12, false],
    [3, 3, true],
    [3, 2, false],
  ])('base %i, present %i → %s', (base, present, ok) => {
    expect(reaches(present, base, q)).toBe(ok);
  });
  it('is marked unconfirmed and configurable', () => {
    expect(QUORUM.setting).toBe(true);
    expect(QUORUM.versions[0].confidence).toBe('unconfirmed');
  });
});

describe('thresholds at their boundaries (rule 3)', () => {
  it.each([
    ['resolution', 19, 10, true],
    ['resolution', 19, 9, false],
    ['resolution', 20, 10, false],
    ['resolution', 20, 11, true],
    ['admission', 19, 13, true],
    ['admission', 19, 12, false],
    ['admission', 18, 12, true],
    ['admission', 18, 11, false],
    ['recognition', 9, 6, true],
    ['recognition', 9, 5, false],
    ['discipline', 10, 6, true],
    ['discipline', 10, 5, false],
    ['expulsion', 12, 8, true],
    ['expulsion', 12, 7, false],
    ['election', 7, 4, true],
    ['election', 7, 3, false],
  ] as const)('%s: base %i, %i for → %s', (kind, base, votes, passes) => {
    expect(reaches(votes, base, rule(kind))).toBe(passes);
  });
  it('a tie fails: 10 for of a base of 20 is not more than half', () => {
    expect(reaches(10, 20, rule('resolution'))).toBe(false);
  });
  it('needed: more than 1/2 of 19 is 10, at least 2/3 of 19 is 13', () => {
    expect(needed(19, rule('resolution'))).toBe(10);
    expect(needed(19, rule('admission'))).toBe(13);
    expect(needed(18, rule('admission'))).toBe(12);
  });
  const secretBallots =
    'discipline, expulsion and elections are always secret; resolutions open; admission is the meeting’s choice';
  it(secretBallots, () => {
    const ballot = (k: keyof typeof DECISIONS) => versionInForce(DECISIONS[k], '2026-03-10').value.ballot;
    expect([ballot('discipline'), ballot('expulsion'), ballot('election')]).toEqual(['secret', 'secret', 'secret']);
    expect(ballot('resolution')).toBe('open');
    expect(ballot('admission')).toBe('choice');
  });
  it('applies the version in force on the meeting date (QĐ 22 before 30/5/2025, QĐ 296 after)', () => {
    expect(versionInForce(DECISIONS.discipline, '2025-05-29').source).toMatch(/QĐ 22/);
    expect(versionInForce(DECISIONS.discipline, '2025-06-01').source).toMatch(/QĐ 296/);
  });
});

describe('who may vote (rule 4)', () => {
  it('probationary members are told politely why not', () => {
    expect(
      whyNotEntitled({
        ...member({ status: 'probationary' }),
        fullName: '',
        absenceReason: null,
        checkedInAt: null,
        leftAt: null,
        checkInMethod: null,
      }),
    ).toMatch(/dự bị.*không biểu quyết/);
  });
  it('an exempt member who is present may vote; an absent member may not', () => {
    const row = (o: Partial<RollEntry>) => ({
      ...member(o),
      fullName: '',
      absenceReason: null,
      checkedInAt: null,
      leftAt: null,
      checkInMethod: null,
    });
    expect(whyNotEntitled(row({ exempt: true, present: true }))).toBeUndefined();
    expect(whyNotEntitled(row({ present: false }))).toMatch(/điểm danh/);
    expect(whyNotEntitled(row({ transferredIn: true }))).toMatch(/tạm thời/);
  });
});
