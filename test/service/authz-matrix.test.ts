/**
 * The authorization matrix (issue 12): every route the service registers — the API, the
 * docs, the web chat, the webhooks, the signed links — called as each kind of caller, with
 * the expected status kept here as data. Every refusal must leave every table as it was
 * (compared by a digest of all rows). A route registered without an entry fails the test, so
 * a new route cannot ship without someone deciding who may call it.
 *
 * Callers: anonymous; a member of cell A; the secretary of cell A; the committee (cấp ủy) of
 * the grassroots unit above cells A and B; an editor of the province; an admin of another
 * province. Each request acts on province one; each call gets fresh objects, so one caller's
 * success never changes what the next one meets.
 *
 * Then what the matrix cannot show in one call: roles removed (through the API, and by the end
 * of the membership they were held through) stop at once, and revocation ends the console and
 * web-chat sessions a token or a principal opened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import {
  linkChat,
  makeMember,
  makeMemberToken,
  makeOrgTree,
  makeSecretary,
  makeUserWithRole,
} from '../factories/index.ts';
import { createApiToken } from '../../api/auth/tokens.ts';
import { grantRole } from '../../api/auth/roles.ts';
import { ensureMemberPrincipal, type Principal } from '../../api/auth/principal.ts';
import { scheduleMeeting } from '../../api/meetings/schedule-meeting.ts';
import { openMeeting } from '../../api/meetings/open-meeting.ts';
import { closeMeeting } from '../../api/meetings/close-meeting.ts';
import { checkIn, respondAttendance } from '../../api/meetings/check-in.ts';
import { openMotion } from '../../api/meetings/open-motion.ts';
import { attachDocument } from '../../api/meetings/documents.ts';
import { openElection } from '../../api/meetings/open-election.ts';
import { closeMotion } from '../../api/meetings/close-motion.ts';
import { publishNotice } from '../../api/notices/publish-notice.ts';
import { sendFeedback } from '../../api/feedback/feedback.ts';
import { loadDocument } from '../../api/knowledge/load-document.ts';
import { createBots } from '../../bot/bots.ts';
import { issueConsoleLink } from '../../api/console/issue-console-link.ts';
import { pressSignIn } from '../support/console-sign-in.ts';
import type { App } from '../../api/server.ts';
import type { Deps } from '../../api/context.ts';
import type { Member } from '../../api/members/repository.ts';

const WHO = ['anonymous', 'member', 'secretary', 'committee', 'editor', 'otherAdmin'] as const;
type Who = (typeof WHO)[number];
type Statuses = [
  anonymous: number,
  member: number,
  secretary: number,
  committee: number,
  editor: number,
  otherAdmin: number,
];

interface Req {
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
}
interface Entry {
  /** The request this caller makes (fresh objects created here). */
  req: (f: Fixture, who: Who) => Promise<Req> | Req;
  /** Expected status per caller, in WHO order; one number when every caller gets the same. */
  expect: number | Statuses;
}

const day = (n: number) => new Date(Date.UTC(2026, 2, 10 + n, 12)).toISOString();
const csv = 'Họ và tên,Giới tính,Năm sinh,Số thẻ đảng,Loại đảng viên,Ngày kết nạp\nNhập Từ Tệp,Nam,1980,,Chính thức,';
const multipart = (filename: string, text: string) => {
  const boundary = 'matrixBOUNDARY';
  return {
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload:
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      `Content-Type: text/markdown\r\n\r\n${text}\r\n--${boundary}--\r\n`,
  };
};

// ─── The matrix ────────────────────────────────────────────────────────────────────────
//                                         anon member  sec  comm  edit other
const MATRIX: Record<string, Entry> = {
  // Public pages and service endpoints.
  'GET /health': { req: () => ({ url: '/health' }), expect: 200 },
  'GET /health/live': { req: () => ({ url: '/health/live' }), expect: 200 },
  'GET /health/ready': { req: () => ({ url: '/health/ready' }), expect: 200 },
  'GET /': { req: () => ({ url: '/' }), expect: 200 },
  // Reached with METRICS_TOKEN only (hostile-input.test.ts); none of these callers has it.
  'GET /metrics': { req: () => ({ url: '/metrics' }), expect: 401 },
  'GET /docs': { req: () => ({ url: '/docs' }), expect: 200 },
  'GET /docs/static/index.html': { req: () => ({ url: '/docs/static/index.html' }), expect: 302 },
  'GET /docs/static/swagger-initializer.js': {
    req: () => ({ url: '/docs/static/swagger-initializer.js' }),
    expect: 200,
  },
  'GET /docs/static/*': { req: () => ({ url: '/docs/static/swagger-ui.css' }), expect: 200 },
  'GET /docs/json': { req: () => ({ url: '/docs/json' }), expect: 200 },
  'GET /docs/yaml': { req: () => ({ url: '/docs/yaml' }), expect: 200 },
  'GET /chat': { req: () => ({ url: '/chat' }), expect: 200 },

  // Web chat: a member's API token signs in; other principals are not members.
  'POST /chat/api/session': {
    req: () => ({ url: '/chat/api/session', payload: {} }),
    expect: [401, 200, 200, 401, 401, 401],
  },
  // An API token is not a web-chat session.
  'POST /chat/api/messages': {
    req: () => ({ url: '/chat/api/messages', payload: { id: 'msg-00000001', text: 'trogiup' } }),
    expect: 401,
  },
  'GET /chat/api/inbox': { req: () => ({ url: '/chat/api/inbox' }), expect: 401 },
  // The script that encrypts a secret ballot in the browser is public; the motion's key is for a web-chat session.
  'GET /chat/ballot.js': { req: () => ({ url: '/chat/ballot.js' }), expect: 200 },
  'GET /chat/api/ballots/:motionId': { req: () => ({ url: '/chat/api/ballots/1' }), expect: 401 },
  // A platform webhook without the bot's secret.
  'POST /webhooks/:channel/:bot': {
    req: () => ({ url: '/webhooks/telegram/telegram', payload: { update_id: 1, message: { text: 'x' } } }),
    expect: 401,
  },
  // Signed links re-typed to the other route: the signature is for another purpose.
  'GET /n/:notice/:member/:exp/:sig': { req: async (f) => ({ url: await f.docLinkAsNotice() }), expect: 403 },
  'POST /n/:notice/:member/:exp/:sig/read': {
    req: async (f) => ({ url: `${await f.docLinkAsNotice()}/read` }),
    expect: 403,
  },
  'GET /n/:notice/:member/:exp/:sig/a/:attachment': {
    req: async (f) => ({ url: `${await f.docLinkAsNotice()}/a/1` }),
    expect: 403,
  },
  'GET /d/:doc/:member/:exp/:sig': { req: async (f) => ({ url: await f.noticeLinkAsDoc() }), expect: 403 },

  // Who am I, roles, tokens.
  'GET /me': { req: () => ({ url: '/me' }), expect: [401, 200, 200, 200, 200, 200] },
  'POST /orgs/:id/roles': {
    req: async (f) => ({
      url: `/orgs/${f.p1.cellA.id}/roles`,
      payload: { role: 'secretary', memberId: (await f.freshMember()).id },
    }),
    expect: [401, 403, 403, 403, 403, 403],
  },
  // Roles on province one: its admin's (none of these callers is); the other province's admin
  // may neither see nor remove them.
  'GET /orgs/:id/roles': {
    req: (f) => ({ url: `/orgs/${f.p1.province.id}/roles` }),
    expect: [401, 403, 403, 403, 403, 403],
  },
  'DELETE /roles/:id': {
    req: async (f) => ({ url: `/roles/${await f.freshGrantId()}` }),
    expect: [401, 403, 403, 403, 403, 403],
  },
  'GET /tokens': { req: () => ({ url: '/tokens' }), expect: [401, 200, 200, 200, 200, 200] },
  // Another member's token: only that member or an admin over all their units may revoke it.
  'POST /tokens/:id/revoke': {
    req: async (f) => ({ url: `/tokens/${await f.freshMemberTokenId()}/revoke` }),
    expect: [401, 403, 403, 403, 403, 403],
  },
  'POST /principals/:id/revoke': {
    req: async (f) => ({ url: `/principals/${await f.freshMemberPrincipalId()}/revoke` }),
    expect: [401, 403, 403, 403, 403, 403],
  },

  // Organisations.
  'POST /orgs': {
    req: (f) => ({ url: '/orgs', payload: { parentId: f.p1.committee.id, kind: 'cell', name: 'Chi bộ mới' } }),
    expect: [401, 403, 403, 403, 403, 403],
  },
  'GET /orgs/:id': { req: (f) => ({ url: `/orgs/${f.p1.cellA.id}` }), expect: [401, 403, 200, 200, 403, 403] },
  'POST /orgs/:id/move': {
    req: (f) => ({ url: `/orgs/${f.p1.cellB.id}/move`, payload: { parentId: f.p1.committee.id } }),
    expect: [401, 403, 403, 403, 403, 403],
  },
  'PUT /orgs/:id/deployment': {
    req: (f) => ({ url: `/orgs/${f.p1.cellB.id}/deployment`, payload: { deployed: false, reason: 'Thử' } }),
    expect: [401, 403, 403, 403, 403, 403],
  },
  'GET /orgs/:id/adoption': {
    req: (f) => ({ url: `/orgs/${f.p1.cellA.id}/adoption` }),
    expect: [401, 403, 200, 200, 403, 403],
  },

  // Members.
  'POST /orgs/:id/members': {
    req: (f) => ({
      url: `/orgs/${f.p1.cellA.id}/members`,
      payload: {
        fullName: 'Đảng Viên Mới',
        gender: 'female',
        status: 'official',
        admittedOn: '2015-01-01',
        officialOn: '2016-01-01',
      },
    }),
    expect: [401, 403, 201, 201, 403, 403],
  },
  'GET /orgs/:id/members': {
    req: (f) => ({ url: `/orgs/${f.p1.cellA.id}/members` }),
    expect: [401, 403, 200, 200, 403, 403],
  },
  'POST /orgs/:id/members/import': {
    req: (f) => ({
      url: `/orgs/${f.p1.cellA.id}/members/import`,
      payload: csv,
      headers: { 'content-type': 'text/csv' },
    }),
    expect: [401, 403, 200, 200, 403, 403],
  },
  'GET /members/:id': { req: (f) => ({ url: `/members/${f.memberId}` }), expect: [401, 200, 200, 200, 403, 403] },
  'PATCH /members/:id': {
    req: async (f) => ({ url: `/members/${(await f.freshMember()).id}`, payload: { phone: '0912 345 678' } }),
    expect: [401, 403, 200, 200, 403, 403],
  },
  'POST /members/:id/periods': {
    req: async (f) => ({
      url: `/members/${(await f.freshMember()).id}/periods`,
      payload: { kind: 'exempt', startsOn: '2026-03-01', reason: 'Tuổi cao' },
    }),
    expect: [401, 403, 201, 201, 403, 403],
  },
  // Into cell B: the secretary of cell A has no right there.
  'POST /members/:id/transfer': {
    req: async (f) => ({
      url: `/members/${(await f.freshMember()).id}/transfer`,
      payload: { toCellId: f.p1.cellB.id, transferredOn: '2026-03-01' },
    }),
    expect: [401, 403, 403, 200, 403, 403],
  },
  'POST /members/:id/link-codes': {
    req: async (f) => ({ url: `/members/${(await f.freshMember()).id}/link-codes` }),
    expect: [401, 403, 201, 201, 403, 403],
  },

  // Meetings.
  'POST /orgs/:id/meetings': {
    req: (f) => ({
      url: `/orgs/${f.p1.cellA.id}/meetings`,
      payload: { kind: 'regular', startsAt: day(2), mode: 'hybrid' },
    }),
    expect: [401, 403, 201, 403, 403, 403],
  },
  'GET /meetings/:id': {
    req: async (f) => ({ url: `/meetings/${await f.meeting('scheduled')}` }),
    expect: [401, 403, 200, 200, 403, 403],
  },
  'POST /meetings/:id/open': {
    req: async (f) => ({ url: `/meetings/${await f.meeting('scheduled')}/open` }),
    expect: [401, 403, 200, 403, 403, 403],
  },
  'POST /meetings/:id/documents': {
    req: async (f) => ({
      url: `/meetings/${await f.meeting('scheduled')}/documents`,
      payload: { title: 'Dự thảo', body: 'Nội dung' },
    }),
    expect: [401, 403, 201, 403, 403, 403],
  },
  // Members on the roll answer for themselves.
  'POST /meetings/:id/attendance': {
    req: async (f) => ({
      url: `/meetings/${await f.meeting('scheduled')}/attendance`,
      payload: { attending: false, reason: 'Đi công tác' },
    }),
    expect: [401, 200, 200, 403, 403, 403],
  },
  // Marking the member present is the secretary's; the member may check in themself.
  'POST /meetings/:id/check-in': {
    req: async (f) => ({ url: `/meetings/${await f.meeting('open')}/check-in`, payload: { memberId: f.memberId } }),
    expect: [401, 200, 200, 403, 403, 403],
  },
  'POST /meetings/:id/absences/:memberId': {
    req: async (f) => ({
      url: `/meetings/${await f.meeting('scheduled', { absent: true })}/absences/${f.memberId}`,
      payload: { accepted: true },
    }),
    expect: [401, 403, 200, 403, 403, 403],
  },
  'POST /meetings/:id/leave': {
    req: async (f) => ({
      url: `/meetings/${await f.meeting('open', { present: true })}/leave`,
      payload: { memberId: f.memberId },
    }),
    expect: [401, 200, 200, 403, 403, 403],
  },
  'POST /meetings/:id/motions': {
    req: async (f) => ({
      url: `/meetings/${await f.meeting('open')}/motions`,
      payload: { kind: 'resolution', title: 'Thông qua nghị quyết' },
    }),
    expect: [401, 403, 201, 403, 403, 403],
  },
  'POST /motions/:id/votes': {
    req: async (f) => ({ url: `/motions/${await f.motion()}/votes`, payload: { choice: 'for' } }),
    expect: [401, 200, 200, 403, 403, 403],
  },
  'POST /motions/:id/show-of-hands': {
    req: async (f) => ({
      url: `/motions/${await f.motion()}/show-of-hands`,
      payload: { for: 0, against: 0, abstain: 0 },
    }),
    expect: [401, 403, 200, 403, 403, 403],
  },
  'POST /motions/:id/close': {
    req: async (f) => ({ url: `/motions/${await f.motion()}/close?confirm=true` }),
    expect: [401, 403, 200, 403, 403, 403],
  },
  'POST /meetings/:id/agenda': {
    req: async (f) => ({ url: `/meetings/${await f.meeting('scheduled')}/agenda`, payload: { items: ['Thời sự'] } }),
    expect: [401, 403, 200, 403, 403, 403],
  },
  'POST /meetings/:id/minutes/approve': {
    req: async (f) => ({ url: `/meetings/${await f.meeting('open')}/minutes/approve` }),
    expect: [401, 403, 200, 403, 403, 403],
  },
  // A closed secret ballot's board: the cell's members and those who may read the cell (issue 28).
  'GET /motions/:id/board': {
    req: async (f) => ({ url: `/motions/${await f.election(true)}/board` }),
    expect: [401, 200, 200, 200, 403, 403],
  },
  // Its signed link (sent with the result): a forged signature opens nothing, whoever asks.
  'GET /b/:motion/:exp/:sig': {
    req: async (f) => ({ url: `/b/${await f.election(true)}/9999999999/${'x'.repeat(32)}` }),
    expect: 403,
  },
  'GET /b/:motion/:exp/:sig/board.json': {
    req: async (f) => ({ url: `/b/${await f.election(true)}/9999999999/${'x'.repeat(32)}/board.json` }),
    expect: 403,
  },
  'GET /motions/:id/progress': {
    req: async (f) => ({ url: `/motions/${await f.motion()}/progress` }),
    expect: [401, 403, 200, 200, 403, 403],
  },
  'POST /meetings/:id/counting-committee': {
    req: async (f) => ({ url: `/meetings/${await f.meeting('open')}/counting-committee`, payload: { memberIds: [] } }),
    expect: [401, 403, 200, 403, 403, 403],
  },
  // A member checked in online goes to vote on paper in the room: only for themselves.
  'POST /meetings/:id/vote-on-paper': {
    req: async (f) => ({ url: `/meetings/${await f.motionMeeting()}/vote-on-paper` }),
    expect: [401, 200, 200, 403, 403, 403],
  },
  'POST /meetings/:id/officers': {
    req: async (f) => ({
      url: `/meetings/${await f.meeting('open')}/officers`,
      payload: { chairMemberId: f.secretary.memberId, minuteTakerMemberId: f.memberId },
    }),
    expect: [401, 403, 200, 403, 403, 403],
  },
  'POST /meetings/:id/elections': {
    req: async (f) => ({
      url: `/meetings/${await f.congress()}/elections`,
      payload: {
        body: 'secretary',
        title: 'Bầu bí thư',
        seats: 1,
        candidates: [{ memberId: f.memberId, nominatedBy: 'committee' }],
      },
    }),
    expect: [401, 403, 201, 403, 403, 403],
  },
  // Nominating someone else is the secretary's (a member may only nominate themselves).
  'POST /motions/:id/candidates': {
    req: async (f) => ({
      url: `/motions/${await f.election()}/candidates`,
      payload: { memberId: f.secretary.memberId, nominatedBy: 'nominated' },
    }),
    expect: [401, 403, 200, 403, 403, 403],
  },
  'POST /motions/:id/paper-ballots': {
    req: async (f) => ({
      url: `/motions/${await f.election()}/paper-ballots`,
      payload: { counts: { issued: 0, received: 0 }, countingCommittee: 'Ban kiểm phiếu' },
    }),
    expect: [401, 403, 200, 403, 403, 403],
  },
  'GET /motions/:id/result-sheet.:format': {
    req: async (f) => ({ url: `/motions/${await f.election(true)}/result-sheet.pdf` }),
    expect: [401, 403, 200, 200, 403, 403],
  },
  'POST /meetings/:id/opinions': {
    req: async (f) => ({ url: `/meetings/${await f.meeting('open')}/opinions`, payload: { body: 'Tôi đồng ý.' } }),
    expect: [401, 201, 201, 403, 403, 403],
  },
  'POST /meetings/:id/rating': {
    req: async (f) => ({ url: `/meetings/${await f.meeting('closed')}/rating`, payload: { level: 'tốt' } }),
    expect: [401, 200, 200, 403, 403, 403],
  },
  'POST /meetings/:id/close': {
    req: async (f) => ({ url: `/meetings/${await f.meeting('open')}/close?confirm=true` }),
    expect: [401, 403, 200, 403, 403, 403],
  },
  // The right is checked first; with no resolution voted through, the secretary gets 409.
  'POST /meetings/:id/resolution': {
    req: async (f) => ({
      url: `/meetings/${await f.meeting('closed')}/resolution`,
      payload: { body: 'Nghị quyết', tasks: [] },
    }),
    expect: [401, 403, 409, 403, 403, 403],
  },
  // Only the assignee closes their task; to anyone else it does not exist.
  'POST /tasks/:id/done': {
    req: async (f) => ({ url: `/tasks/${await f.task()}/done` }),
    expect: [401, 200, 404, 404, 404, 404],
  },
  'GET /meetings/:id/minutes.:format': {
    req: async (f) => ({ url: `/meetings/${await f.meeting('closed')}/minutes.docx` }),
    expect: [401, 403, 200, 200, 403, 403],
  },
  'POST /meetings/:id/amendments': {
    req: async (f) => ({
      url: `/meetings/${await f.meeting('closed')}/amendments`,
      payload: { body: 'Sửa lỗi chính tả.' },
    }),
    expect: [401, 403, 201, 403, 403, 403],
  },
  // A report on the unit above the cells: the cell's secretary has no right there.
  'GET /orgs/:id/meetings/completeness': {
    req: (f) => ({ url: `/orgs/${f.p1.committee.id}/meetings/completeness?month=2026-03` }),
    expect: [401, 403, 403, 200, 403, 403],
  },

  // Notices.
  'POST /orgs/:id/notices': {
    req: (f) => ({
      url: `/orgs/${f.p1.cellA.id}/notices`,
      payload: { kind: 'notice', title: 'Thông báo', body: 'Nội dung thông báo.' },
    }),
    expect: [401, 403, 201, 201, 403, 403],
  },
  'PATCH /notices/:id': {
    req: async (f) => ({ url: `/notices/${await f.notice()}`, payload: { title: 'Thông báo (sửa)' } }),
    expect: [401, 403, 200, 200, 403, 403],
  },
  'GET /notices/:id/stats': {
    req: async (f) => ({ url: `/notices/${await f.notice()}/stats` }),
    expect: [401, 403, 200, 200, 403, 403],
  },
  // Reminding the unread recipients: whoever may publish on the notice's unit (cell A's notice).
  'POST /notices/:id/remind': {
    req: async (f) => ({ url: `/notices/${await f.notice()}/remind` }),
    expect: [401, 403, 200, 200, 403, 403],
  },

  // Feedback.
  'POST /feedback': {
    req: () => ({ url: '/feedback', payload: { body: 'Đề nghị sửa đường.' } }),
    expect: [401, 201, 201, 403, 403, 403],
  },
  'GET /feedback': { req: () => ({ url: '/feedback' }), expect: [401, 200, 200, 403, 403, 403] },
  'GET /orgs/:id/feedback': {
    req: (f) => ({ url: `/orgs/${f.p1.cellA.id}/feedback` }),
    expect: [401, 403, 200, 200, 403, 403],
  },
  'POST /feedback/:id/status': {
    req: async (f) => ({ url: `/feedback/${await f.feedback()}/status`, payload: { status: 'processing' } }),
    expect: [401, 403, 200, 200, 403, 403],
  },

  // The assistant.
  'POST /orgs/:id/knowledge/documents': {
    req: (f) => ({
      url: `/orgs/${f.p1.province.id}/knowledge/documents`,
      ...multipart('quy-che.md', '# Quy chế\n\nĐiều 1. Nội dung.'),
    }),
    expect: [401, 403, 403, 403, 202, 403],
  },
  'GET /knowledge/jobs/:id': {
    req: async (f) => ({ url: `/knowledge/jobs/${await f.job()}` }),
    expect: [401, 403, 403, 403, 200, 403],
  },
  'POST /knowledge/ask': {
    req: () => ({ url: '/knowledge/ask', payload: { question: 'Thủ tục chuyển sinh hoạt đảng?' } }),
    expect: [401, 200, 200, 200, 200, 200],
  },
  // Only the asker rates their answer; to anyone else the question does not exist.
  'POST /knowledge/questions/:id/rating': {
    req: async (f) => ({ url: `/knowledge/questions/${await f.question()}/rating`, payload: { rating: -1 } }),
    expect: [401, 200, 404, 404, 404, 404],
  },
  // Only an article offered for the caller's own question can be chosen: this one never was.
  'POST /knowledge/questions/:id/choice': {
    req: async (f) => ({ url: `/knowledge/questions/${await f.question()}/choice`, payload: { chunkId: 1 } }),
    expect: [401, 404, 404, 404, 404, 404],
  },
  'POST /orgs/:id/knowledge/lessons': {
    req: async (f) => ({
      url: `/orgs/${f.p1.province.id}/knowledge/lessons`,
      payload: { question: 'Đảng phí đóng thế nào?', chunkId: await f.articleChunk() },
    }),
    expect: [401, 403, 403, 403, 201, 403],
  },
  // Withdrawing needs the editor's right on the document's unit (a fresh document each time).
  'DELETE /knowledge/documents/:id': {
    req: async (f) => ({ url: `/knowledge/documents/${await f.documentId()}` }),
    expect: [401, 403, 403, 403, 200, 403],
  },
  'GET /orgs/:id/knowledge/questions': {
    req: (f) => ({ url: `/orgs/${f.p1.province.id}/knowledge/questions?filter=unanswered` }),
    expect: [401, 403, 403, 403, 200, 403],
  },

  // The console (api/console/) signs in with its own one-time link and session cookie: an API
  // token is no console session. Without one, every page and form answers 401 and changes
  // nothing; a made-up sign-in link or token is refused.
  'GET /console/login/:token': { req: () => ({ url: '/console/login/ungues5able-token' }), expect: 401 },
  // The sign-in button's form carries a CSRF token from the sign-in page (no login CSRF).
  'POST /console/login': {
    req: () => ({ url: '/console/login', payload: { token: 'ungues5able-token' } }),
    expect: 403,
  },
  'POST /console/logout': { req: () => ({ url: '/console/logout', payload: {} }), expect: 401 },
  'GET /console': { req: () => ({ url: '/console' }), expect: 401 },
  'GET /console/sessions': { req: () => ({ url: '/console/sessions' }), expect: 401 },
  'POST /console/sessions/:id/end': { req: () => ({ url: '/console/sessions/1/end', payload: {} }), expect: 401 },
  'GET /console/units/:id': { req: (f) => ({ url: `/console/units/${f.p1.cellA.id}` }), expect: 401 },
  'GET /console/units/:id/roles': { req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/roles` }), expect: 401 },
  'POST /console/roles/:id/remove': {
    req: async (f) => ({ url: `/console/roles/${await f.freshGrantId()}/remove`, payload: {} }),
    expect: 401,
  },
  'GET /console/units/:id/audit': { req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/audit` }), expect: 401 },
  'POST /console/documents/:id/withdraw': {
    req: (f) => ({ url: `/console/documents/1/withdraw`, payload: { unitId: String(f.p1.province.id) } }),
    expect: 401,
  },
  'POST /console/units/:id/lessons': {
    req: (f) => ({ url: `/console/units/${f.p1.province.id}/lessons`, payload: {} }),
    expect: 401,
  },
  'POST /console/units/:id/exclusions': {
    req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/exclusions`, payload: {} }),
    expect: 401,
  },
  'POST /console/units/:id/document-settings': {
    req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/document-settings`, payload: {} }),
    expect: 401,
  },
  'GET /console/units/:id/units.:format': {
    req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/units.csv` }),
    expect: 401,
  },
  'GET /console/units/:id/members.:format': {
    req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/members.csv` }),
    expect: 401,
  },
  'GET /console/units/:id/report.docx': {
    req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/report.docx` }),
    expect: 401,
  },
  'GET /console/units/:id/meetings': { req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/meetings` }), expect: 401 },
  'GET /console/units/:id/meetings.:format': {
    req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/meetings.csv` }),
    expect: 401,
  },
  'POST /console/units/:id/meetings': {
    req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/meetings`, payload: {} }),
    expect: 401,
  },
  'GET /console/meetings/:id': { req: () => ({ url: '/console/meetings/1' }), expect: 401 },
  'POST /console/meetings/:id/open': { req: () => ({ url: '/console/meetings/1/open', payload: {} }), expect: 401 },
  'POST /console/meetings/:id/close': { req: () => ({ url: '/console/meetings/1/close', payload: {} }), expect: 401 },
  'POST /console/meetings/:id/check-in': {
    req: () => ({ url: '/console/meetings/1/check-in', payload: {} }),
    expect: 401,
  },
  'POST /console/meetings/:id/roll': {
    req: () => ({ url: '/console/meetings/1/roll', payload: {} }),
    expect: 401,
  },
  'POST /console/meetings/:id/motions': {
    req: () => ({ url: '/console/meetings/1/motions', payload: {} }),
    expect: 401,
  },
  'POST /console/meetings/:id/motions/:motionId/close': {
    req: () => ({ url: '/console/meetings/1/motions/1/close', payload: {} }),
    expect: 401,
  },
  'GET /console/meetings/:id/progress': { req: () => ({ url: '/console/meetings/1/progress' }), expect: 401 },
  'POST /console/meetings/:id/motions/:motionId/paper': {
    req: () => ({ url: '/console/meetings/1/motions/1/paper', payload: {} }),
    expect: 401,
  },
  'POST /console/meetings/:id/motions/:motionId/paper-none': {
    req: () => ({ url: '/console/meetings/1/motions/1/paper-none', payload: {} }),
    expect: 401,
  },
  'POST /console/meetings/:id/counting-committee': {
    req: () => ({ url: '/console/meetings/1/counting-committee', payload: {} }),
    expect: 401,
  },
  'POST /console/meetings/:id/officers': {
    req: () => ({ url: '/console/meetings/1/officers', payload: {} }),
    expect: 401,
  },
  'POST /console/meetings/:id/agenda': {
    req: () => ({ url: '/console/meetings/1/agenda', payload: {} }),
    expect: 401,
  },
  'POST /console/meetings/:id/minutes/approve': {
    req: () => ({ url: '/console/meetings/1/minutes/approve', payload: {} }),
    expect: 401,
  },
  'POST /console/meetings/:id/documents': {
    req: () => ({ url: '/console/meetings/1/documents', payload: {} }),
    expect: 401,
  },
  'POST /console/meetings/:id/resolution': {
    req: () => ({ url: '/console/meetings/1/resolution', payload: {} }),
    expect: 401,
  },
  'GET /console/meetings/:id/minutes.:format': {
    req: () => ({ url: '/console/meetings/1/minutes.docx' }),
    expect: 401,
  },
  'GET /console/units/:id/members': { req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/members` }), expect: 401 },
  'POST /console/units/:id/members/import': {
    req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/members/import`, payload: {} }),
    expect: 401,
  },
  'POST /console/units/:id/members/import-draft': {
    req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/members/import-draft`, payload: { draft: 'x' } }),
    expect: 401,
  },
  'GET /console/units/:id/questions': {
    req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/questions` }),
    expect: 401,
  },
  'GET /console/units/:id/notices': { req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/notices` }), expect: 401 },
  'POST /console/units/:id/notices': {
    req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/notices`, payload: {} }),
    expect: 401,
  },
  'GET /console/notices/:id': { req: () => ({ url: '/console/notices/1' }), expect: 401 },
  'POST /console/notices/:id/remind': {
    req: async (f) => ({ url: `/console/notices/${await f.notice()}/remind`, payload: {} }),
    expect: 401,
  },
  'GET /console/units/:id/knowledge': {
    req: (f) => ({ url: `/console/units/${f.p1.province.id}/knowledge` }),
    expect: 401,
  },
  'POST /console/units/:id/knowledge': {
    req: (f) => ({
      url: `/console/units/${f.p1.province.id}/knowledge`,
      ...multipart('quy-che.md', '# Quy chế\n\nĐiều 1. Nội dung.'),
    }),
    expect: 401,
  },
  'GET /console/knowledge/jobs/:id': {
    req: async (f) => ({ url: `/console/knowledge/jobs/${await f.job()}` }),
    expect: 401,
  },
  'GET /console/knowledge/jobs/:id/status': {
    req: async (f) => ({ url: `/console/knowledge/jobs/${await f.job()}/status` }),
    expect: 401,
  },
  'GET /console/units/:id/feedback': { req: (f) => ({ url: `/console/units/${f.p1.cellA.id}/feedback` }), expect: 401 },
  'POST /console/feedback/:id/answer': {
    req: () => ({ url: '/console/feedback/1/answer', payload: {} }),
    expect: 401,
  },
};

// ─── Fixture ──────────────────────────────────────────────────────────────────────────
let t: TestDb;
let app: App;
let deps: Deps;
const clock = new TestClock(new Date('2026-03-10T05:00:00Z'));
const routes: string[] = [];

class Fixture {
  tokens = new Map<Who, string>();
  constructor(
    readonly p1: Awaited<ReturnType<typeof makeOrgTree>>,
    readonly member: Member,
    readonly secretary: Principal,
    readonly memberPrincipal: Principal,
    readonly editor: Principal,
  ) {}
  get memberId() {
    return this.member.id;
  }
  freshMember() {
    return makeMember(t.db, this.p1.cellA);
  }
  /** A secretary grant on cell A, held by a fresh member of it. */
  async freshGrantId() {
    const principal = await ensureMemberPrincipal(t.db, (await this.freshMember()).id);
    await grantRole(t.db, principal.id, this.p1.cellA.id, 'secretary');
    const [row] = await t.db.query<{ id: number }>(`select id from role_grants where principal_id = $1`, [
      principal.id,
    ]);
    return row.id;
  }
  async freshMemberPrincipalId() {
    const m = await this.freshMember();
    await makeMemberToken(t.db, m);
    return (await ensureMemberPrincipal(t.db, m.id)).id;
  }
  async freshMemberTokenId() {
    const m = await this.freshMember();
    await makeMemberToken(t.db, m);
    const [row] = await t.db.query<{ id: number }>(`select id from api_tokens order by id desc limit 1`);
    return row.id;
  }
  /** A fresh meeting of cell A in the given state; the member can be marked absent or present. */
  async meeting(state: 'scheduled' | 'open' | 'closed', opts: { absent?: boolean; present?: boolean } = {}) {
    const m = await scheduleMeeting(deps, this.secretary, {
      cellId: this.p1.cellA.id,
      kind: 'regular',
      startsAt: clock.now(),
      mode: 'hybrid',
    });
    if (opts.absent)
      await respondAttendance(deps, this.memberPrincipal, { meetingId: m.id, attending: false, reason: 'Ốm' });
    if (state === 'scheduled') return m.id;
    await openMeeting(deps, this.secretary, m.id);
    if (opts.present)
      await checkIn(deps, this.secretary, { meetingId: m.id, memberId: this.memberId, method: 'secretary' });
    if (state === 'closed') await closeMeeting(deps, this.secretary, m.id, { confirm: true });
    return m.id;
  }
  /** An open meeting where the member and the secretary are present online. */
  async motionMeeting() {
    // Both check in online: members in the room vote in the room, not through the API.
    const meetingId = await this.meeting('open');
    const sec = this.secretary.memberId!;
    await checkIn(deps, this.memberPrincipal, { meetingId, memberId: this.memberId, method: 'chat' });
    await checkIn(deps, this.secretary, { meetingId, memberId: sec, method: 'chat' });
    return meetingId;
  }
  /** An open motion in a meeting where the member and the secretary are present. */
  async motion() {
    const meetingId = await this.motionMeeting();
    return (
      await openMotion(deps, this.secretary, { meetingId, kind: 'resolution', title: 'Biểu quyết thử', ballot: 'open' })
    ).id;
  }
  /** An open election (one seat) with the member as candidate; closed when asked. */
  /** An open meeting that every member of the cell attends: a congress may elect (more than 2/3 present). */
  async congress() {
    const meetingId = await this.meeting('open');
    await t.db.query(
      `insert into meeting_attendance (meeting_id, member_id, checked_in_at, check_in_method)
       select $1, id, now(), 'chat' from members where cell_id = $2 and active`,
      [meetingId, this.p1.cellA.id],
    );
    return meetingId;
  }
  async election(closed = false) {
    const meetingId = await this.congress();
    const e = await openElection(deps, this.secretary, {
      meetingId,
      body: 'secretary',
      title: 'Bầu bí thư',
      seats: 1,
      candidates: [{ memberId: this.memberId, nominatedBy: 'committee' }],
    });
    if (closed) await closeMotion(deps, this.secretary, e.id, { confirm: true });
    return e.id;
  }
  async notice() {
    const n = await publishNotice(deps, this.secretary, {
      orgId: this.p1.cellA.id,
      kind: 'notice',
      title: 'Thông báo thử',
      body: 'Nội dung.',
    });
    return n.id;
  }
  async feedback() {
    return (await sendFeedback(deps, this.memberPrincipal, { body: 'Phản ánh thử.' })).id;
  }
  async task() {
    const meetingId = await this.meeting('closed');
    const [row] = await t.db.query<{ id: number }>(
      `insert into tasks (meeting_id, cell_id, assignee_member_id, title, due_on)
       values ($1, $2, $3, 'Việc thử', '2026-04-01') returning id`,
      [meetingId, this.p1.cellA.id, this.memberId],
    );
    return row.id;
  }
  async question() {
    const res = await app.inject({
      method: 'POST',
      url: '/knowledge/ask',
      headers: { authorization: `Bearer ${this.tokens.get('member')}` },
      payload: { question: 'Đảng phí đóng thế nào?' },
    });
    return res.json().questionId as number;
  }
  /** A document loaded for province 1 (loaded again when withdrawn). */
  async documentId() {
    await this.job();
    const [row] = await t.db.query<{ id: number }>(
      `select id from kb_documents where org_id = $1 order by id desc limit 1`,
      [this.p1.province.id],
    );
    return row.id;
  }
  /** A passage of an article in a document loaded for province 1. */
  async articleChunk() {
    await this.job();
    const [row] = await t.db.query<{ id: number }>(
      `select c.id::int as id from kb_chunks c join kb_documents d on d.id = c.document_id
        where c.article is not null and d.org_id = $1 order by c.id desc limit 1`,
      [this.p1.province.id],
    );
    return row.id;
  }
  async job() {
    const { jobId } = await loadDocument(deps, this.editor, this.p1.province.id, {
      filename: 'huong-dan.md',
      data: Buffer.from('# Hướng dẫn\n\nĐiều 1. Thử.'),
    });
    await settle();
    return jobId;
  }
  /** The member's links from the outbox, for a fresh notice and a fresh meeting document. */
  private async links() {
    await this.notice();
    const meetingId = await this.meeting('scheduled');
    await attachDocument(deps, this.secretary, { meetingId, title: 'Tài liệu', body: 'Nội dung' });
    const rows = await t.db.query<{ kind: string; url: string }>(
      `select kind, payload->'link'->>'url' as url from outbox_messages
        where member_id = $1 and payload ? 'link' order by id desc`,
      [this.memberId],
    );
    const path = (kind: string) => new URL(rows.find((r) => r.kind === kind)!.url).pathname;
    return { notice: path('notice'), doc: path('meeting.document') };
  }
  async docLinkAsNotice() {
    return (await this.links()).doc.replace(/^\/d\//, '/n/');
  }
  async noticeLinkAsDoc() {
    return (await this.links()).notice.replace(/^\/n\//, '/d/');
  }
}

let f: Fixture;
/** The province the other admin administers. */
let otherProvinceId: number;

/** Background work started by a request (document ingestion) has finished. */
async function settle() {
  for (let i = 0; i < 400; i++) {
    const [row] = await t.db.query<{ n: number }>(`select count(*)::int as n from kb_jobs where status = 'running'`);
    if (row.n === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('background ingest did not finish');
}

/** One digest per table over every row, so any insert, update or delete shows. */
async function digest(): Promise<Map<string, string>> {
  const tables = await t.db.query<{ name: string }>(
    `select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  const rows = await t.db.query<{ name: string; d: string }>(
    tables
      .map(
        (x) =>
          `select '${x.name}' as name, md5(coalesce(string_agg(r::text, '|' order by r::text), '')) as d
             from "${x.name}" r`,
      )
      .join(' union all '),
  );
  return new Map(rows.map((r) => [r.name, r.d]));
}

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db, clock);
  const bots = createBots(deps, { TELEGRAM_BOT_TOKEN: '123:MATRIX', TELEGRAM_API_ROOT: 'http://127.0.0.1:9' });
  app = await buildTestApp(deps, {
    plugins: bots.plugins,
    onRoute: (r) => {
      for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${r.url}`);
    },
  });
  const p1 = await makeOrgTree(t.db);
  const p2 = await makeOrgTree(t.db);
  otherProvinceId = p2.province.id;
  const member = await makeMember(t.db, p1.cellA, { fullName: 'Đảng Viên Ma Trận' });
  const memberPrincipal = await ensureMemberPrincipal(t.db, member.id);
  await linkChat(t.db, member, 'telegram', '990001', 'telegram');
  const secretary = await makeSecretary(t.db, p1.cellA);
  const committee = await makeUserWithRole(t.db, p1.committee, 'committee');
  const editor = await makeUserWithRole(t.db, p1.province, 'editor');
  const otherAdmin = await makeUserWithRole(t.db, p2.province, 'admin');
  f = new Fixture(p1, member, secretary.principal, memberPrincipal, editor.principal);
  f.tokens.set('member', await createApiToken(t.db, memberPrincipal.id));
  f.tokens.set('secretary', secretary.token);
  f.tokens.set('committee', committee.token);
  f.tokens.set('editor', editor.token);
  f.tokens.set('otherAdmin', otherAdmin.token);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('the authorization matrix', () => {
  it('every registered route has an entry, and every entry a registered route', () => {
    const missing = routes.filter((r) => !(r in MATRIX));
    expect(missing, 'routes without an entry in the authorization matrix').toEqual([]);
    expect(Object.keys(MATRIX).filter((k) => !routes.includes(k))).toEqual([]);
  });

  it('every route answers each caller as the matrix says, and a refusal changes nothing', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const entry = MATRIX[route];
      if (!entry) continue;
      const [method] = route.split(' ');
      // Refusals first, each between two digests; then the calls that succeed.
      const order = [...WHO].sort((a, b) => Number(ok(entry, a)) - Number(ok(entry, b)));
      for (const who of order) {
        const want = expected(entry, who);
        const req = await entry.req(f, who);
        await settle();
        const before = want >= 400 ? await digest() : null;
        const token = f.tokens.get(who);
        const res = await app.inject({
          method: method as 'GET',
          url: req.url,
          payload: req.payload as string,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...req.headers },
        });
        if (res.statusCode !== want)
          wrong.push(`${route} as ${who}: ${res.statusCode} (want ${want}) ${res.body.slice(0, 160)}`);
        if (before) {
          await settle();
          const after = await digest();
          const changed = [...after].filter(([table, d]) => before.get(table) !== d).map(([table]) => table);
          if (changed.length) wrong.push(`${route} as ${who}: refused but changed ${changed.join(', ')}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 900_000);
});

function expected(entry: Entry, who: Who): number {
  return typeof entry.expect === 'number' ? entry.expect : entry.expect[WHO.indexOf(who)];
}
function ok(entry: Entry, who: Who): boolean {
  return expected(entry, who) < 400;
}

// ─── Role removal, the end of membership, revocation ──────────────────────────────────────
const as = (token: string) => ({ authorization: `Bearer ${token}` });

/** A console session of `principal` (a sign-in link, its page, the button): the cookie. */
async function consoleSession(principal: Principal): Promise<string> {
  const link = await issueConsoleLink(deps, principal);
  const res = await pressSignIn(app, new URL(link.url).pathname.split('/').at(-1)!);
  expect(res.statusCode).toBe(303);
  return String(res.headers['set-cookie']).split(';')[0];
}
const consolePage = (cookie: string, url = '/console') => app.inject({ method: 'GET', url, headers: { cookie } });

/** A web-chat session signed in with a member's API token: its bearer token. */
async function webChat(memberToken: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/chat/api/session', headers: as(memberToken), payload: {} });
  expect(res.statusCode).toBe(200);
  return res.json().token;
}
let sent = 0;
const sayOnWeb = (webToken: string, text: string) =>
  app.inject({
    method: 'POST',
    url: '/chat/api/messages',
    headers: as(webToken),
    payload: { id: `authz-${String(++sent).padStart(4, '0')}`, text },
  });

async function auditActions(subjectId: number): Promise<string[]> {
  const rows = await t.db.query<{ action: string }>(
    `select action from audit_log where subject_id = $1 and action like 'role.%' order by id`,
    [String(subjectId)],
  );
  return rows.map((r) => r.action);
}

describe('roles end when removed, and with the membership they were held through', () => {
  it('a province lists every role on its units and removes one: the holder is refused at once; audited', async () => {
    const admin = await makeUserWithRole(t.db, f.p1.province, 'admin');
    const sec = await makeSecretary(t.db, f.p1.cellA);
    const cookie = await consoleSession(sec.principal);
    const listed = await app.inject({ url: `/orgs/${f.p1.province.id}/roles`, headers: as(admin.token) });
    expect(listed.statusCode).toBe(200);
    const grant = listed.json().find((g: { principalId: number }) => g.principalId === sec.principal.id);
    expect(grant).toMatchObject({ orgId: f.p1.cellA.id, role: 'secretary', memberId: sec.member.id });

    const removed = await app.inject({ method: 'DELETE', url: `/roles/${grant.id}`, headers: as(admin.token) });
    expect(removed.statusCode).toBe(200);
    const create = await app.inject({
      method: 'POST',
      url: `/orgs/${f.p1.cellA.id}/members`,
      headers: as(sec.token),
      payload: { fullName: 'Không Được Thêm', gender: 'male', status: 'official' },
    });
    expect(create.statusCode).toBe(403);
    // Her only role is gone: so is her console session, and she is told why when she asks for a link.
    expect((await consolePage(cookie)).statusCode).toBe(401);
    await expect(issueConsoleLink(deps, sec.principal)).rejects.toMatchObject({ code: 'forbidden' });
    expect(await auditActions(sec.principal.id)).toEqual(['role.removed']);
    // Removing it again: it is gone.
    expect(
      (await app.inject({ method: 'DELETE', url: `/roles/${grant.id}`, headers: as(admin.token) })).statusCode,
    ).toBe(404);
  });

  it('another province’s admin can neither give this province’s member a role nor see or remove roles', async () => {
    const otherAdmin = f.tokens.get('otherAdmin')!;
    const member = await f.freshMember();
    const before = await t.db.query(`select count(*)::int n from role_grants`);
    const grant = await app.inject({
      method: 'POST',
      url: `/orgs/${otherProvinceId}/roles`,
      headers: as(otherAdmin),
      payload: { role: 'committee', memberId: member.id },
    });
    expect(grant.statusCode).toBe(403);
    expect(await t.db.query(`select count(*)::int n from role_grants`)).toEqual(before);
    const list = await app.inject({ url: `/orgs/${f.p1.province.id}/roles`, headers: as(otherAdmin) });
    expect(list.statusCode).toBe(403);
    const remove = await app.inject({
      method: 'DELETE',
      url: `/roles/${await f.freshGrantId()}`,
      headers: as(otherAdmin),
    });
    expect(remove.statusCode).toBe(403);
  });

  it('a secretary moved out of her cell loses that role, its console and new console links', async () => {
    const admin = await makeUserWithRole(t.db, f.p1.province, 'admin');
    const sec = await makeSecretary(t.db, f.p1.cellA);
    const cookie = await consoleSession(sec.principal);
    expect((await consolePage(cookie, `/console/units/${f.p1.cellA.id}`)).statusCode).toBe(200);
    const moved = await app.inject({
      method: 'POST',
      url: `/members/${sec.member.id}/transfer`,
      headers: as(admin.token),
      payload: { toCellId: f.p1.cellB.id, transferredOn: '2026-03-01' },
    });
    expect(moved.statusCode).toBe(200);
    expect((await consolePage(cookie, `/console/units/${f.p1.cellA.id}`)).statusCode).toBe(401);
    await expect(issueConsoleLink(deps, sec.principal)).rejects.toMatchObject({ code: 'forbidden' });
    const schedule = await app.inject({
      method: 'POST',
      url: `/orgs/${f.p1.cellA.id}/meetings`,
      headers: as(sec.token),
      payload: { kind: 'regular', startsAt: day(3), mode: 'hybrid' },
    });
    expect(schedule.statusCode).toBe(403);
    expect(await auditActions(sec.principal.id)).toEqual(['role.ended']);
  });

  it('a committee member who moves within her commune keeps her commune role', async () => {
    const admin = await makeUserWithRole(t.db, f.p1.province, 'admin');
    const member = await makeMember(t.db, f.p1.cellA);
    const principal = await ensureMemberPrincipal(t.db, member.id);
    await grantRole(t.db, principal.id, f.p1.commune.id, 'committee');
    const moved = await app.inject({
      method: 'POST',
      url: `/members/${member.id}/transfer`,
      headers: as(admin.token),
      payload: { toCellId: f.p1.cellB.id, transferredOn: '2026-03-01' },
    });
    expect(moved.statusCode).toBe(200);
    expect(await t.db.query(`select role from role_grants where principal_id = $1`, [principal.id])).toEqual([
      { role: 'committee' },
    ]);
  });

  it('a deactivated secretary loses every role, her console, and her API token', async () => {
    const admin = await makeUserWithRole(t.db, f.p1.province, 'admin');
    const sec = await makeSecretary(t.db, f.p1.cellA);
    const cookie = await consoleSession(sec.principal);
    const off = await app.inject({
      method: 'PATCH',
      url: `/members/${sec.member.id}`,
      headers: as(admin.token),
      payload: { active: false },
    });
    expect(off.statusCode).toBe(200);
    expect((await consolePage(cookie)).statusCode).toBe(401);
    expect((await app.inject({ url: '/me', headers: as(sec.token) })).statusCode).toBe(401);
    expect(await t.db.query(`select 1 from role_grants where principal_id = $1`, [sec.principal.id])).toEqual([]);
    expect(await auditActions(sec.principal.id)).toEqual(['role.ended']);
  });
});

describe('revocation ends the sessions a token or a principal opened', () => {
  it('a web-chat session signed in with a revoked member token ends, and can ask for no console link', async () => {
    const sec = await makeSecretary(t.db, f.p1.cellA);
    const web = await webChat(sec.token);
    const asked = await sayOnWeb(web, 'quan tri');
    expect(asked.statusCode).toBe(200);
    expect(JSON.stringify(asked.json())).toContain('/console/login/');
    const [token] = await t.db.query<{ id: number }>(`select id from api_tokens where principal_id = $1`, [
      sec.principal.id,
    ]);
    const revoked = await app.inject({ method: 'POST', url: `/tokens/${token.id}/revoke`, headers: as(sec.token) });
    expect(revoked.statusCode).toBe(200);
    const links = await t.db.query(`select count(*)::int n from console_login_links where principal_id = $1`, [
      sec.principal.id,
    ]);
    const again = await sayOnWeb(web, 'quan tri');
    expect(again.statusCode).toBe(401);
    expect(again.json().message).toMatch(/Phiên web chat đã hết/);
    expect(
      await t.db.query(`select count(*)::int n from console_login_links where principal_id = $1`, [sec.principal.id]),
    ).toEqual(links);
  });

  it('revoking a principal ends its console and web-chat sessions and its tokens', async () => {
    const admin = await makeUserWithRole(t.db, f.p1.province, 'admin');
    const sec = await makeSecretary(t.db, f.p1.cellA);
    const web = await webChat(sec.token);
    const cookie = await consoleSession(sec.principal);
    expect((await consolePage(cookie)).statusCode).toBe(200);
    const res = await app.inject({
      method: 'POST',
      url: `/principals/${sec.principal.id}/revoke`,
      headers: as(admin.token),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ webChats: 1, consoleSessions: 1 });
    expect((await consolePage(cookie)).statusCode).toBe(401);
    expect((await sayOnWeb(web, 'trogiup')).statusCode).toBe(401);
    expect((await app.inject({ url: '/me', headers: as(sec.token) })).statusCode).toBe(401);
  });
});
