/**
 * The meeting domain's closed lists, defined once: kinds of meeting, how it is held, the
 * choices of a for/against ballot, and their Vietnamese labels. Routes build their schemas
 * from these lists, and the database CHECK constraints list the same values.
 */
export const MEETING_KINDS = ['regular', 'thematic', 'combined'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];

export const MEETING_MODES = ['in_person', 'online', 'hybrid'] as const;
export type MeetingMode = (typeof MEETING_MODES)[number];

export const MEETING_STATUSES = ['scheduled', 'in_progress', 'closed'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export const KIND_LABELS: Record<MeetingKind, string> = {
  regular: 'sinh hoạt thường kỳ',
  thematic: 'sinh hoạt chuyên đề',
  combined: 'sinh hoạt thường kỳ kết hợp chuyên đề',
};

export const MODE_LABELS: Record<MeetingMode, string> = {
  in_person: 'trực tiếp',
  online: 'trực tuyến',
  hybrid: 'trực tiếp kết hợp trực tuyến',
};

/** The choices of a for/against ballot (resolutions, admission, recognition, questions). */
export const CHOICES = ['for', 'against', 'abstain'] as const;
export type Choice = (typeof CHOICES)[number];

export const CHOICE_LABELS: Record<Choice, string> = {
  for: 'Tán thành',
  against: 'Không tán thành',
  abstain: 'Không biểu quyết',
};

export const BALLOTS = ['open', 'secret'] as const;
export type Ballot = (typeof BALLOTS)[number];
