/**
 * Meeting and voting rules as data (rules.md §2–§5). Each has versions with effective dates
 * and sources; meetings apply the version in force on their date. Thresholds are integer
 * fractions: "more than 1/2" is { num: 1, den: 2, strict: true }; "at least 2/3" is
 * { num: 2, den: 3, strict: false }.
 */
import type { Rule } from './rule.ts';

export interface Fraction {
  num: number;
  den: number;
  /** true: more than the fraction; false: at least the fraction. */
  strict: boolean;
}

export const DECISION_KINDS = [
  'resolution',
  'question',
  'admission',
  'recognition',
  'discipline',
  'expulsion',
  'election',
  // a nominee the convening committee did not propose, put to the meeting before going on the list
  'introduction',
] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export interface DecisionRule {
  threshold: Fraction;
  /** 'secret' always secret; 'open' show of hands; 'choice' the meeting chooses. */
  ballot: 'open' | 'secret' | 'choice';
  /** What the threshold is a fraction of: the vote base (those summoned, rule 1; the default) or those attending. */
  base?: 'summoned' | 'attending';
}

const CHARTER = 'Điều lệ Đảng 2011';

// rule: quorum — no central rule for monthly meetings [unconfirmed]; a setting, default more than 2/3 of the vote base.
export const QUORUM: Rule<Fraction> = {
  key: 'meeting.quorum',
  description: 'Số có mặt tối thiểu so với số đảng viên được triệu tập',
  setting: true,
  versions: [
    {
      value: { num: 2, den: 3, strict: true },
      effectiveFrom: '2011-01-19',
      source:
        'Chưa có quy định trung ương cho sinh hoạt thường kỳ; mặc định theo thông lệ địa phương (có thể điều chỉnh)',
      confidence: 'unconfirmed',
    },
  ],
};

export const DECISIONS: Record<DecisionKind, Rule<DecisionRule>> = {
  // rule: ordinary resolution — more than 1/2 of the vote base, Điều lệ Đ9 k5
  resolution: {
    key: 'vote.resolution',
    description: 'Nghị quyết, kết luận của chi bộ',
    setting: false,
    versions: [
      {
        value: { threshold: { num: 1, den: 2, strict: true }, ballot: 'open' },
        effectiveFrom: '2011-01-19',
        source: `${CHARTER}, Điều 9 khoản 5`,
        confidence: 'firm',
      },
    ],
  },
  question: {
    key: 'vote.question',
    description: 'Biểu quyết một vấn đề',
    setting: false,
    versions: [
      {
        value: { threshold: { num: 1, den: 2, strict: true }, ballot: 'choice' },
        effectiveFrom: '2011-01-19',
        source: `${CHARTER}, Điều 9 khoản 5`,
        confidence: 'firm',
      },
    ],
  },
  // rule: admission — at least 2/3 of official members, Điều lệ Đ4 k3; HD 01 5.1
  admission: {
    key: 'vote.admission',
    description: 'Kết nạp đảng viên (từng người)',
    setting: false,
    versions: [
      {
        value: { threshold: { num: 2, den: 3, strict: false }, ballot: 'choice' },
        effectiveFrom: '2011-01-19',
        source: `${CHARTER}, Điều 4 khoản 3; HD 01-HD/TW 5.1`,
        confidence: 'firm',
      },
    ],
  },
  // rule: recognition as official member — at least 2/3, Điều lệ Đ5 k1
  recognition: {
    key: 'vote.recognition',
    description: 'Công nhận đảng viên chính thức',
    setting: false,
    versions: [
      {
        value: { threshold: { num: 2, den: 3, strict: false }, ballot: 'choice' },
        effectiveFrom: '2011-01-19',
        source: `${CHARTER}, Điều 5 khoản 1`,
        confidence: 'firm',
      },
    ],
  },
  // rule: discipline (khiển trách, cảnh cáo, cách chức) — more than 1/2, secret, QĐ 22 Đ15 → QĐ 296
  discipline: {
    key: 'vote.discipline',
    description: 'Kỷ luật: khiển trách, cảnh cáo, cách chức',
    setting: false,
    versions: [
      {
        value: { threshold: { num: 1, den: 2, strict: true }, ballot: 'secret' },
        effectiveFrom: '2022-06-28',
        source: 'QĐ 22-QĐ/TW 2021, Điều 15',
        confidence: 'firm',
      },
      {
        value: { threshold: { num: 1, den: 2, strict: true }, ballot: 'secret' },
        effectiveFrom: '2025-05-30',
        source: 'QĐ 296-QĐ/TW 30/5/2025 (thay QĐ 22; tỷ lệ được cho là không đổi)',
        confidence: 'firm',
      },
    ],
  },
  // rule: expulsion — at least 2/3, secret
  expulsion: {
    key: 'vote.expulsion',
    description: 'Kỷ luật khai trừ',
    setting: false,
    versions: [
      {
        value: { threshold: { num: 2, den: 3, strict: false }, ballot: 'secret' },
        effectiveFrom: '2022-06-28',
        source: 'QĐ 22-QĐ/TW 2021, Điều 15',
        confidence: 'firm',
      },
      {
        value: { threshold: { num: 2, den: 3, strict: false }, ballot: 'secret' },
        effectiveFrom: '2025-05-30',
        source: 'QĐ 296-QĐ/TW 30/5/2025 (thay QĐ 22)',
        confidence: 'firm',
      },
    ],
  },
  // rule: elections — more than 1/2 of those summoned, secret, QĐ 190-QĐ/TW 2024 [one source]
  election: {
    key: 'vote.election',
    description: 'Bầu cử (cấp ủy, bí thư, phó bí thư, đại biểu)',
    setting: false,
    versions: [
      {
        value: { threshold: { num: 1, den: 2, strict: true }, ballot: 'secret' },
        effectiveFrom: '2024-01-01',
        source: 'QĐ 190-QĐ/TW 2024',
        confidence: 'one_source',
      },
    ],
  },
  // rule: a nominee the convening committee did not propose goes on the list only if more than 30 % of those
  // attending agree — QĐ 190-QĐ/TW 2024, Điều 14 [one source]; secret, as the opinion on who goes on the list
  introduction: {
    key: 'vote.introduction',
    description: 'Giới thiệu người ứng cử, được đề cử ngoài danh sách của cấp ủy triệu tập',
    setting: false,
    versions: [
      {
        value: { threshold: { num: 3, den: 10, strict: true }, ballot: 'secret', base: 'attending' },
        effectiveFrom: '2024-10-10',
        source: 'QĐ 190-QĐ/TW 2024, Điều 14',
        confidence: 'one_source',
      },
    ],
  },
};

// rule: congress quorum — more than 2/3 of those summoned attend; widely cited, article not confirmed (rules.md §2)
// [unconfirmed — a setting]. Applied to a meeting that holds an election.
export const CONGRESS_QUORUM: Rule<Fraction> = {
  key: 'meeting.congress_quorum',
  description: 'Đại hội hợp lệ khi số có mặt vượt tỷ lệ này của số được triệu tập',
  setting: true,
  versions: [
    {
      value: { num: 2, den: 3, strict: true },
      effectiveFrom: '2011-01-19',
      source: 'Điều lệ Đảng 2011 và hướng dẫn thi hành (được trích dẫn rộng rãi; chưa xác nhận điều khoản)',
      confidence: 'unconfirmed',
    },
  ],
};

// rule: the list's surplus — at most 30 % of the seats (QĐ 190-QĐ/TW 2024, Điều 14; rules.md §8) [one source]
export const ELECTION_SURPLUS: Rule<Fraction> = {
  key: 'election.max_surplus',
  description: 'Số dư tối đa của danh sách bầu cử so với số lượng cần bầu',
  setting: false,
  versions: [
    {
      value: { num: 3, den: 10, strict: false },
      effectiveFrom: '2024-10-10',
      source: 'QĐ 190-QĐ/TW 2024, Điều 14',
      confidence: 'one_source',
    },
  ],
};

// rule: with few seats 30 % is less than one person; the rules file is silent. One person's surplus is allowed
// (answers on 2025 congresses: a committee of 3–5 may have one more candidate) [unconfirmed — a setting, default 1].
export const ELECTION_SURPLUS_FLOOR: Rule<number> = {
  key: 'election.min_surplus_allowed',
  description: 'Số dư được phép tối thiểu (người) khi 30 % số lượng cần bầu chưa tới một người',
  setting: true,
  versions: [
    {
      value: 1,
      effectiveFrom: '2024-10-10',
      source: 'Hỏi đáp về đại hội đảng bộ các cấp 2025 (số dư tối đa 1 người với cấp ủy 3–5 người); chưa xác nhận',
      confidence: 'unconfirmed',
    },
  ],
};

// A secret ballot held in the room with fewer than this many voting online: those who count the paper know the
// paper counts and the totals, so the online ballots' choices follow by subtraction. Not a party rule — the rules
// file is silent: a setting, default 3 (issue 26).
export const SECRET_ONLINE_MINIMUM: Rule<number> = {
  key: 'ballot.secret_online_minimum',
  description: 'Số người bỏ phiếu kín trực tuyến tối thiểu để lựa chọn của họ không suy ra được từ phiếu giấy',
  setting: true,
  versions: [
    {
      value: 3,
      effectiveFrom: '2011-01-19',
      source: 'Thiết lập của hệ thống để giữ bí mật phiếu (không phải quy định của Đảng)',
      confidence: 'unconfirmed',
    },
  ],
};

// rule: meeting length — at least 90 minutes, 120 when combined with a thematic meeting (HD 42-HD/BTCTW 2025)
// — warn, don't block
export const MIN_MINUTES: Rule<{ regular: number; combined: number }> = {
  key: 'meeting.min_minutes',
  description: 'Thời lượng tối thiểu (phút)',
  setting: true,
  versions: [
    {
      value: { regular: 90, combined: 120 },
      effectiveFrom: '2025-10-28',
      source: 'HD 42-HD/BTCTW 28/10/2025',
      confidence: 'one_source',
    },
  ],
};

// rule: documents on the platform at least one day before (HD 42)
export const DOCUMENTS_AHEAD_HOURS: Rule<number> = {
  key: 'meeting.documents_ahead_hours',
  description: 'Tài liệu gửi trước buổi họp (giờ)',
  setting: true,
  versions: [{ value: 24, effectiveFrom: '2025-10-28', source: 'HD 42-HD/BTCTW 28/10/2025', confidence: 'one_source' }],
};

// rule: meeting quality levels (criteria in HD 42 not retrieved — editable data) [unconfirmed]
export const QUALITY_LEVELS: Rule<{ key: string; label: string }[]> = {
  key: 'meeting.quality_levels',
  description: 'Mức xếp loại chất lượng buổi sinh hoạt',
  setting: true,
  versions: [
    {
      value: [
        { key: 'tot', label: 'Tốt' },
        { key: 'kha', label: 'Khá' },
        { key: 'trung_binh', label: 'Trung bình' },
        { key: 'kem', label: 'Kém' },
      ],
      effectiveFrom: '2025-10-28',
      source: 'HD 42-HD/BTCTW (tiêu chí chưa truy xuất được; dữ liệu có thể chỉnh)',
      confidence: 'unconfirmed',
    },
  ],
};

// rule: elections — a tie at the last seat or too few elected: the congress decides whether to vote again among
// the remaining candidates (QĐ 190-QĐ/TW 2024) [unconfirmed — a setting, default: one further round].
export const ELECTION_ROUNDS: Rule<{ maxRounds: number }> = {
  key: 'election.max_rounds',
  description: 'Số vòng bầu tối đa khi bằng phiếu ở suất cuối hoặc bầu chưa đủ (mặc định: thêm một vòng)',
  setting: true,
  versions: [
    {
      value: { maxRounds: 2 },
      effectiveFrom: '2024-10-10',
      source: 'QĐ 190-QĐ/TW 10/10/2024 (đại hội quyết định bầu tiếp; chưa xác nhận — có thể điều chỉnh)',
      confidence: 'unconfirmed',
    },
  ],
};
