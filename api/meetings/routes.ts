import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from '../auth/authenticate.ts';
import { AppError } from '../errors.ts';
import {
  Closed,
  ContentResponses,
  Count as CountT,
  DateTime,
  HtmlPage,
  HttpUrl,
  Id,
  IdParams,
  IsoDate,
  Nullable,
  Ok,
  OneOf,
  Responses,
  SignedLinkPart,
} from '../http/schemas.ts';
import { verifyLink } from '../http/signed-link.ts';
import { DocumentFileResponses, DocumentFormatParam, sendDocument } from '../http/document-file.ts';
import { errorPage } from '../http/public-page.ts';
import { escapeHtml } from '../http/escape-html.ts';
import { DECISION_KINDS } from '../rules/meeting-rules.ts';
import { DISCIPLINE_FORMS, NO_DISCIPLINE } from '../rules/discipline.ts';
import { CHOICES, MEETING_KINDS, MEETING_MODES } from './vocabulary.ts';
import { recordPaperBallots } from './record-paper-ballots.ts';
import { getMotionProgress } from './motion-progress.ts';
import { nameCountingCommittee } from './counting-committee.ts';
import { voteOnPaper } from './vote-on-paper.ts';
import { setMeetingOfficers } from './set-meeting-officers.ts';
import { changeCandidate, ELECTION_BODIES, NOMINATIONS, openElection } from './open-election.ts';
import { generateResultSheet } from './generate-result-sheet.ts';
import { scheduleMeeting } from './schedule-meeting.ts';
import { openMeeting } from './open-meeting.ts';
import { acceptAbsence, checkIn, recordLeave, respondAttendance } from './check-in.ts';
import { openMotion } from './open-motion.ts';
import { castVote } from './cast-vote.ts';
import { recordShowOfHands } from './record-show-of-hands.ts';
import { closeMotion } from './close-motion.ts';
import { closeMeeting } from './close-meeting.ts';
import { addOpinion } from './add-opinion.ts';
import { rateMeeting } from './rate-meeting.ts';
import { adoptResolution, completeTask } from './adopt-resolution.ts';
import { attachDocument, openDocument } from './documents.ts';
import { amendMinutes, generateMinutes } from './generate-minutes.ts';
import { approveMinutes } from './approve-minutes.ts';
import { setAgenda } from './set-agenda.ts';
import { getCompletenessReport } from './get-completeness-report.ts';
import { getMeeting } from './get-meeting.ts';

const tags = ['Sinh hoạt chi bộ (meetings)'];
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const ChoiceT = Type.Union([...CHOICES, ...DISCIPLINE_FORMS, NO_DISCIPLINE].map((c) => Type.Literal(c)));
const Count = Type.Integer({ minimum: 0, maximum: 10_000 });

const MeetingT = Type.Object({
  id: Id,
  cellId: Id,
  kind: OneOf(['regular', 'thematic', 'combined']),
  topic: Nullable(Type.String()),
  startsAt: DateTime,
  place: Nullable(Type.String()),
  mode: OneOf(['in_person', 'online', 'hybrid']),
  status: OneOf(['scheduled', 'in_progress', 'closed']),
  openedAt: Nullable(DateTime),
  closedAt: Nullable(DateTime),
  checkinCode: Nullable(Type.String({ description: 'the room code, while check-in is open' })),
});
const RollRowT = Type.Object({
  memberId: Id,
  fullName: Type.String(),
  status: OneOf(['official', 'probationary']),
  exempt: Type.Boolean(),
  suspended: Type.Boolean(),
  transferredOut: Type.Boolean({ description: 'temporarily transferred out to another cell' }),
  transferredIn: Type.Boolean({ description: 'temporarily transferred in: attends, not on this roll' }),
  present: Type.Boolean(),
  absentWithAcceptedReason: Nullable(Type.Boolean({ description: 'null when there is no absence on record' })),
  absenceReason: Nullable(Type.String()),
  checkedInAt: Nullable(DateTime),
  leftAt: Nullable(DateTime),
  checkInMethod: Nullable(Type.String()),
});
const AttendanceViewT = Type.Object({
  meetingId: Id,
  present: Type.Array(RollRowT),
  absentWithReason: Type.Array(RollRowT),
  absentWithoutReason: Type.Array(RollRowT),
  notYetCheckedIn: Type.Array(RollRowT, { description: 'before the start: not checked in yet ("chưa điểm danh")' }),
  started: Type.Boolean({ description: 'opened and its start time reached' }),
  exemptAbsent: Type.Array(RollRowT, { description: 'exempt members not present, shown apart' }),
  guests: Type.Array(RollRowT, { description: 'attending, not on this roll (transferred in)' }),
  voteBase: Type.Object({
    base: CountT,
    official: CountT,
    exemptAbsent: CountT,
    suspended: CountT,
    transferredOut: CountT,
    absentWithReason: CountT,
    explanation: Type.String(),
  }),
  presentInBase: CountT,
  quorum: Type.Object({
    required: CountT,
    reached: Type.Boolean(),
    rule: Type.String(),
    source: Type.String(),
    note: Type.String({ description: 'the rule is a default setting, not a confirmed rule (else empty)' }),
    explanation: Type.String(),
  }),
  majorityOfBase: CountT,
  roll: Type.Array(RollRowT),
});
const MotionResultT = Type.Object({
  for: Type.Optional(CountT),
  against: Type.Optional(CountT),
  abstain: Type.Optional(CountT),
  base: CountT,
  baseExplanation: Type.String(),
  threshold: Type.String(),
  needed: CountT,
  passed: Type.Boolean(),
  source: Type.String(),
  counts: Type.Optional(Type.Record(Type.String(), CountT, { description: 'every choice, chat and room together' })),
  explanation: Type.Optional(Type.String({ description: 'discipline: the cumulative steps' })),
  adopted: Type.Optional(Nullable(Type.String({ description: 'discipline: the form adopted' }))),
  // open ballots only: votes from chat and hands in the room (a secret ballot is never split by channel)
  chatBallots: Type.Optional(CountT),
  roomBallots: Type.Optional(CountT),
  election: Type.Optional(
    Type.Object({
      summoned: CountT,
      attending: CountT,
      ballotsIssued: CountT,
      ballotsReceived: CountT,
      valid: CountT,
      invalid: CountT,
      seats: CountT,
      candidates: Type.Array(
        Type.Object({
          memberId: Id,
          fullName: Type.String(),
          votes: CountT,
          share: Type.String(),
          elected: Type.Boolean(),
        }),
      ),
      elected: Type.Array(Type.String()),
      furtherRound: Nullable(
        Type.Object({
          motionId: Nullable(Id),
          seats: CountT,
          reason: OneOf(['tie', 'too_few']),
          candidates: Type.Array(Type.String()),
        }),
      ),
    }),
  ),
});
const MotionT = Type.Object({
  id: Id,
  meetingId: Id,
  kind: OneOf(DECISION_KINDS),
  title: Type.String(),
  ballot: OneOf(['open', 'secret']),
  allowChange: Type.Boolean(),
  status: OneOf(['open', 'closed']),
  roomFor: CountT,
  roomAgainst: CountT,
  roomAbstain: CountT,
  options: Nullable(Type.Array(Type.String(), { description: 'the choices offered; null: for / against / abstain' })),
  subjectMemberId: Nullable(Id),
  countingCommittee: Nullable(Type.String()),
  // secret ballots: the room's paper count entered, or declared none — never the counts themselves
  paperBallots: Nullable(OneOf(['counted', 'none'])),
  seats: Nullable(CountT),
  electionBody: Nullable(Type.String()),
  round: CountT,
  previousRoundId: Nullable(Id),
  result: Nullable(MotionResultT),
});
const CandidateT = Type.Object({ memberId: Id, fullName: Type.String(), nominatedBy: OneOf(NOMINATIONS) });
const MeetingDetailT = Type.Object({
  ...MeetingT.properties,
  attendance: AttendanceViewT,
  motions: Type.Array(MotionT),
  ratings: Type.Array(Type.Object({ level: Type.String(), count: CountT })),
  overdueTasks: Type.Array(Type.Object({ id: Id, title: Type.String(), dueOn: IsoDate, assignee: Type.String() })),
});
const CompletenessT = Type.Object({
  orgId: Id,
  month: Type.String(),
  meetings: CountT,
  byKind: Type.Record(Type.String(), CountT),
  complete: CountT,
  summary: Type.String(),
  rows: Type.Array(
    Type.Object({
      cellId: Id,
      cellName: Type.String(),
      meetingId: Id,
      kind: Type.String(),
      part1: Type.Boolean({ description: 'documents sent ahead' }),
      part2: Type.Boolean({ description: 'check-in, rating and a closed resolution vote' }),
      part3: Type.Boolean({ description: 'resolution published with tasks' }),
    }),
  ),
});
const DocumentLinkParams = Type.Object({
  doc: SignedLinkPart,
  member: SignedLinkPart,
  exp: SignedLinkPart,
  sig: SignedLinkPart,
});

export const meetingRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/orgs/:id/meetings',
    {
      schema: {
        tags,
        summary: 'Schedule a cell meeting (regular, thematic, or both in one session)',
        params: IdParams,
        body: Closed({
          kind: Type.Union(MEETING_KINDS.map((k) => Type.Literal(k))),
          topic: Type.Optional(Text(300)),
          startsAt: Type.String({ format: 'date-time' }),
          place: Type.Optional(Text(300)),
          mode: Type.Union(MEETING_MODES.map((k) => Type.Literal(k))),
          agenda: Type.Optional(Type.Array(Text(300), { maxItems: 30 })),
        }),
        response: Responses(MeetingT, 201),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const meeting = await scheduleMeeting(deps, requirePrincipal(request), {
        ...b,
        cellId: request.params.id,
        startsAt: new Date(b.startsAt),
      });
      return reply.status(201).send(meeting);
    },
  );

  app.get(
    '/meetings/:id',
    {
      schema: {
        tags,
        summary: 'A meeting with its live attendance view, quorum and motions',
        params: IdParams,
        response: Responses(MeetingDetailT),
      },
    },
    async (request) => getMeeting(deps, requirePrincipal(request), request.params.id),
  );

  app.post(
    '/meetings/:id/open',
    {
      schema: {
        tags,
        summary: 'Start the meeting and its check-in (returns the room code; confirm=true over an hour early)',
        params: IdParams,
        querystring: Closed({ confirm: Type.Optional(Type.Boolean()) }),
        response: Responses(MeetingT),
      },
    },
    async (request) =>
      openMeeting(deps, requirePrincipal(request), request.params.id, { confirmEarly: request.query.confirm }),
  );

  app.post(
    '/meetings/:id/officers',
    {
      schema: {
        tags,
        summary: 'Name the chair and the minute-taker (they sign the minutes)',
        params: IdParams,
        body: Closed({ chairMemberId: Id, minuteTakerMemberId: Id }),
        response: Responses(Ok),
      },
    },
    async (request) => {
      await setMeetingOfficers(deps, requirePrincipal(request), { meetingId: request.params.id, ...request.body });
      return { ok: true };
    },
  );

  app.post(
    '/meetings/:id/agenda',
    {
      schema: {
        tags,
        summary: 'Set the agenda (section II of the minutes), before the meeting ends',
        params: IdParams,
        body: Closed({ items: Type.Array(Text(300), { minItems: 1, maxItems: 30 }) }),
        response: Responses(
          Type.Object({ agenda: Type.Array(Type.Object({ position: CountT, title: Type.String() })) }),
        ),
      },
    },
    async (request) => ({
      agenda: await setAgenda(deps, requirePrincipal(request), { meetingId: request.params.id, ...request.body }),
    }),
  );

  app.post(
    '/meetings/:id/documents',
    {
      schema: {
        tags,
        summary: 'Attach a document; every member gets a personal link and opens are recorded',
        params: IdParams,
        body: Closed({
          title: Text(300),
          body: Type.Optional(Text(200_000)),
          url: Type.Optional(HttpUrl(2000)),
        }),
        response: Responses(Type.Object({ id: Id }), 201),
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await attachDocument(deps, requirePrincipal(request), { meetingId: request.params.id, ...request.body })),
  );

  app.post(
    '/meetings/:id/attendance',
    {
      schema: {
        tags,
        summary: 'A member confirms attendance or reports absence with a reason',
        params: IdParams,
        body: Closed({ attending: Type.Boolean(), reason: Type.Optional(Text(500)) }),
        response: Responses(Ok),
      },
    },
    async (request) => {
      await respondAttendance(deps, requirePrincipal(request), { meetingId: request.params.id, ...request.body });
      return { ok: true };
    },
  );

  app.post(
    '/meetings/:id/check-in',
    {
      schema: {
        tags,
        summary: 'Check in: yourself (online or with the room code), or a member marked present by the secretary',
        params: IdParams,
        body: Closed({ memberId: Type.Optional(Id), code: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })) }),
        response: Responses(Type.Object({ ok: Type.Boolean(), alreadyPresent: Type.Boolean() })),
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const { memberId, code } = request.body;
      const bySecretary = memberId !== undefined && memberId !== principal.memberId;
      const target = memberId ?? principal.memberId;
      if (!target) throw new AppError('validation', 'Cần memberId.', { field: 'memberId' });
      const r = await checkIn(deps, principal, {
        meetingId: request.params.id,
        memberId: target,
        method: bySecretary ? 'secretary' : code ? 'code' : 'chat',
        code,
      });
      return { ok: true, alreadyPresent: r.alreadyPresent };
    },
  );

  app.post(
    '/meetings/:id/absences/:memberId',
    {
      schema: {
        tags,
        summary: "Accept or refuse a member's absence reason, or record one on their behalf (with reason)",
        params: Type.Object({ id: Id, memberId: Id }),
        body: Closed({ accepted: Type.Boolean(), reason: Type.Optional(Text(500)) }),
        response: Responses(Ok),
      },
    },
    async (request) => {
      await acceptAbsence(deps, requirePrincipal(request), {
        meetingId: request.params.id,
        memberId: request.params.memberId,
        accepted: request.body.accepted,
        reason: request.body.reason,
      });
      return { ok: true };
    },
  );

  app.post(
    '/meetings/:id/leave',
    {
      schema: {
        tags,
        summary: 'Record leaving early',
        params: IdParams,
        body: Closed({ memberId: Id }),
        response: Responses(Ok),
      },
    },
    async (request) => {
      await recordLeave(deps, requirePrincipal(request), {
        meetingId: request.params.id,
        memberId: request.body.memberId,
      });
      return { ok: true };
    },
  );

  app.post(
    '/meetings/:id/motions',
    {
      schema: {
        tags,
        summary: 'Open a motion (ballot follows the rules)',
        params: IdParams,
        body: Closed({
          kind: Type.Union(DECISION_KINDS.map((k) => Type.Literal(k))),
          title: Text(500),
          ballot: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('secret')])),
          allowChange: Type.Optional(Type.Boolean()),
          subjectMemberId: Type.Optional(Id),
        }),
        response: Responses(
          Type.Object({
            ...MotionT.properties,
            warnings: Type.Array(Type.String(), { description: 'what the secretary should know (a late recognition)' }),
          }),
          201,
        ),
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await openMotion(deps, requirePrincipal(request), { meetingId: request.params.id, ...request.body })),
  );

  app.post(
    '/motions/:id/votes',
    {
      schema: {
        tags,
        summary: 'Vote: a choice, or for an election the candidates kept on the ballot (the others crossed out)',
        params: IdParams,
        body: Closed({
          choice: Type.Optional(ChoiceT),
          keep: Type.Optional(Type.Array(Id, { maxItems: 200 })),
        }),
        response: Responses(
          Type.Object({
            ok: Type.Boolean(),
            changed: Type.Boolean(),
            tracker: Nullable(
              Type.String({ description: 'a secret ballot: the fingerprint of its encryption, to find on the board' }),
            ),
          }),
        ),
      },
    },
    async (request) => {
      const r = await castVote(deps, requirePrincipal(request), { motionId: request.params.id, ...request.body });
      return { ok: true, changed: r.changed, tracker: r.tracker };
    },
  );

  app.post(
    '/motions/:id/show-of-hands',
    {
      schema: {
        tags,
        summary: "Record the room's show of hands (those who did not vote in chat)",
        params: IdParams,
        body: Closed({ for: Count, against: Count, abstain: Count }),
        response: Responses(Ok),
      },
    },
    async (request) => {
      await recordShowOfHands(deps, requirePrincipal(request), { motionId: request.params.id, ...request.body });
      return { ok: true };
    },
  );

  app.post(
    '/meetings/:id/elections',
    {
      schema: {
        tags,
        summary: 'Open an election (secret ballot): what is elected, the seats, the candidates',
        params: IdParams,
        body: Closed({
          body: Type.Union(ELECTION_BODIES.map((b) => Type.Literal(b))),
          title: Text(500),
          seats: Type.Integer({ minimum: 1, maximum: 100 }),
          candidates: Type.Array(
            Closed({ memberId: Id, nominatedBy: Type.Union(NOMINATIONS.map((n) => Type.Literal(n))) }),
            { minItems: 1, maxItems: 200 },
          ),
        }),
        response: Responses(Type.Object({ ...MotionT.properties, candidates: Type.Array(CandidateT) }), 201),
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await openElection(deps, requirePrincipal(request), { meetingId: request.params.id, ...request.body })),
  );

  app.post(
    '/motions/:id/candidates',
    {
      schema: {
        tags,
        summary: 'Nominate (or self-nominate) a candidate, or withdraw one, before the first ballot',
        params: IdParams,
        body: Closed({
          memberId: Id,
          nominatedBy: Type.Optional(Type.Union(NOMINATIONS.map((n) => Type.Literal(n)))),
          withdraw: Type.Optional(Type.Boolean()),
        }),
        response: Responses(
          Type.Object({
            candidates: Type.Array(CandidateT, { description: 'the list; a nominee only once introduced' }),
            introduction: Type.Optional(
              Type.Object(MotionT.properties, {
                description:
                  'a nominee the committee did not propose: the ballot that decides whether they go on the list',
              }),
            ),
          }),
        ),
      },
    },
    async (request) =>
      changeCandidate(deps, requirePrincipal(request), { motionId: request.params.id, ...request.body }),
  );

  app.get(
    '/motions/:id/result-sheet.:format',
    {
      schema: {
        tags,
        summary: "An election's result sheet (biên bản kiểm phiếu) as DOCX or PDF",
        params: Type.Object({ id: Id, format: DocumentFormatParam }),
        response: DocumentFileResponses('the result sheet file'),
      },
    },
    async (request, reply) => {
      const { id, format } = request.params;
      const data = await generateResultSheet(deps, requirePrincipal(request), id, format);
      return sendDocument(reply, data, `bien-ban-kiem-phieu-${id}`, format);
    },
  );

  app.post(
    '/motions/:id/paper-ballots',
    {
      schema: {
        tags,
        summary:
          "A secret ballot's paper ballots in the room, as counted by the counting committee (or none): " +
          'the secretary or a member of the committee she named',
        params: IdParams,
        body: Closed({
          // a choice (khien_trach…), or for an election: issued, received, invalid and each candidate's member id
          counts: Type.Optional(
            Type.Record(Type.String({ pattern: '^([a-z_]{2,20}|[0-9]{1,10})$' }), Count, { maxProperties: 210 }),
          ),
          // who counted; default: the counting committee named for the meeting, or whoever enters the count
          countingCommittee: Type.Optional(Text(500)),
          // nobody in the room voted on paper
          none: Type.Optional(Type.Literal(true)),
        }),
        response: Responses(Ok),
      },
    },
    async (request) => {
      await recordPaperBallots(deps, requirePrincipal(request), { motionId: request.params.id, ...request.body });
      return { ok: true };
    },
  );

  app.get(
    '/motions/:id/progress',
    {
      schema: {
        tags,
        summary: 'A vote in progress: ballots received (a count), the paper count, what is missing before closing',
        params: IdParams,
        response: Responses(
          Type.Object({
            motionId: Id,
            ballot: OneOf(['open', 'secret']),
            received: CountT,
            online: CountT,
            inRoom: CountT,
            paper: Nullable(OneOf(['counted', 'none', 'missing'])),
            threshold: Type.String(),
            base: CountT,
            needed: CountT,
            missing: Type.Array(Type.String()),
          }),
        ),
      },
    },
    async (request) => getMotionProgress(deps, requirePrincipal(request), request.params.id),
  );

  app.post(
    '/meetings/:id/counting-committee',
    {
      schema: {
        tags,
        summary: "Name the meeting's counting committee: they may enter the room's paper counts",
        params: IdParams,
        body: Closed({ memberIds: Type.Array(Id, { maxItems: 20 }) }),
        response: Responses(
          Type.Object({ members: Type.Array(Type.Object({ memberId: Id, fullName: Type.String() })) }),
        ),
      },
    },
    async (request) => ({
      members: await nameCountingCommittee(deps, requirePrincipal(request), {
        meetingId: request.params.id,
        memberIds: request.body.memberIds,
      }),
    }),
  );

  app.post(
    '/meetings/:id/vote-on-paper',
    {
      schema: {
        tags,
        summary: 'A member checked in online who is in the room votes on paper there from now on',
        params: IdParams,
        response: Responses(Type.Object({ ok: Type.Boolean(), alreadyInRoom: Type.Boolean() })),
      },
    },
    async (request) => ({ ok: true, ...(await voteOnPaper(deps, requirePrincipal(request), request.params.id)) }),
  );

  app.post(
    '/motions/:id/close',
    {
      schema: {
        tags,
        summary: 'Close a motion: result against its threshold and base (confirm=true when too few voted)',
        params: IdParams,
        querystring: Closed({ confirm: Type.Optional(Type.Boolean()) }),
        response: Responses(Type.Object({ ...MotionResultT.properties, text: Type.String() })),
      },
    },
    async (request) =>
      closeMotion(deps, requirePrincipal(request), request.params.id, { confirm: request.query.confirm }),
  );

  app.post(
    '/meetings/:id/opinions',
    {
      schema: {
        tags,
        summary: 'Add an opinion on an agenda item',
        params: IdParams,
        body: Closed({ itemPosition: Type.Optional(Type.Integer({ minimum: 1 })), body: Text(4000) }),
        response: Responses(Ok, 201),
      },
    },
    async (request, reply) => {
      await addOpinion(deps, requirePrincipal(request), { meetingId: request.params.id, ...request.body });
      return reply.status(201).send({ ok: true });
    },
  );

  app.post(
    '/meetings/:id/rating',
    {
      schema: {
        tags,
        summary: 'Rate the meeting (tốt/khá/trung bình/kém)',
        params: IdParams,
        body: Closed({ level: Text(30) }),
        response: Responses(Ok),
      },
    },
    async (request) => {
      await rateMeeting(deps, requirePrincipal(request), { meetingId: request.params.id, level: request.body.level });
      return { ok: true };
    },
  );

  app.post(
    '/meetings/:id/close',
    {
      schema: {
        tags,
        summary: 'Close the meeting (confirm=true when shorter than the rule)',
        params: IdParams,
        querystring: Closed({ confirm: Type.Optional(Type.Boolean()) }),
        response: Responses(Type.Object({ warnings: Type.Array(Type.String()) })),
      },
    },
    async (request) =>
      closeMeeting(deps, requirePrincipal(request), request.params.id, { confirm: request.query.confirm }),
  );

  app.post(
    '/meetings/:id/resolution',
    {
      schema: {
        tags,
        summary: 'Publish the adopted resolution with tasks (part 3)',
        params: IdParams,
        body: Closed({
          body: Text(50_000),
          tasks: Type.Array(Closed({ assigneeMemberId: Id, title: Text(500), dueOn: IsoDate }), { maxItems: 100 }),
        }),
        response: Responses(Ok),
      },
    },
    async (request) => {
      await adoptResolution(deps, requirePrincipal(request), { meetingId: request.params.id, ...request.body });
      return { ok: true };
    },
  );

  app.post(
    '/tasks/:id/done',
    {
      schema: {
        tags,
        summary: 'Report a task done',
        params: IdParams,
        response: Responses(Type.Object({ title: Type.String() })),
      },
    },
    async (request) => completeTask(deps, requirePrincipal(request), request.params.id),
  );

  app.get(
    '/meetings/:id/minutes.:format',
    {
      schema: {
        tags,
        summary: 'The minutes (biên bản) as DOCX or PDF, written from what happened',
        params: Type.Object({ id: Id, format: DocumentFormatParam }),
        response: DocumentFileResponses('the minutes file'),
      },
    },
    async (request, reply) => {
      const { id, format } = request.params;
      const data = await generateMinutes(deps, requirePrincipal(request), id, format);
      return sendDocument(reply, data, `bien-ban-${id}`, format);
    },
  );

  app.post(
    '/meetings/:id/minutes/approve',
    {
      schema: {
        tags,
        summary: 'The minutes were read back and approved at the meeting (they then say so, with the time)',
        params: IdParams,
        response: Responses(Type.Object({ approvedAt: DateTime })),
      },
    },
    async (request) => approveMinutes(deps, requirePrincipal(request), request.params.id),
  );

  app.post(
    '/meetings/:id/amendments',
    {
      schema: {
        tags,
        summary: 'Record a correction to the minutes (never a silent edit)',
        params: IdParams,
        body: Closed({ body: Text(5000) }),
        response: Responses(Ok, 201),
      },
    },
    async (request, reply) => {
      await amendMinutes(deps, requirePrincipal(request), request.params.id, request.body.body);
      return reply.status(201).send({ ok: true });
    },
  );

  app.get(
    '/orgs/:id/meetings/completeness',
    {
      schema: {
        tags,
        summary: 'Meetings held by type and how many had all three parts, per cell, for a month',
        params: IdParams,
        querystring: Closed({ month: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' }) }),
        response: Responses(CompletenessT),
      },
    },
    async (request) => getCompletenessReport(deps, requirePrincipal(request), request.params.id, request.query.month),
  );

  // The personal, signed document link sent in chat: opens on any browser, records the opening.
  const html = { 'text/html': HtmlPage };
  app.get(
    '/d/:doc/:member/:exp/:sig',
    {
      schema: {
        hide: true,
        params: DocumentLinkParams,
        response: {
          ...ContentResponses(200, html, 'the document'),
          403: { content: { 'text/html': { schema: HtmlPage } } },
        },
      },
    },
    async (request, reply) => {
      const { doc, member, exp, sig } = request.params;
      if (!verifyLink(deps.linkSecret, 'meeting-document', [doc, member], exp, sig, deps.clock.now())) {
        return reply
          .status(403)
          .header('content-type', 'text/html; charset=utf-8')
          .send(
            errorPage(
              'Không mở được tài liệu',
              'Đường dẫn không hợp lệ hoặc đã hết hạn. Xin đồng chí mở lại tài liệu từ tin nhắn mới nhất của bot.',
            ),
          );
      }
      const d = await openDocument(deps, Number(doc), Number(member));
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .send(
          `<!doctype html><html lang="vi"><meta charset="utf-8">` +
            `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(d.title)}</title>` +
            `<body style="font:18px/1.6 serif;max-width:760px;margin:1em auto;padding:0 1em">` +
            `<h1 style="font-size:1.3em">${escapeHtml(d.title)}</h1>` +
            `${d.body ? `<div style="white-space:pre-wrap">${escapeHtml(d.body)}</div>` : ''}` +
            `${d.url ? `<p><a href="${escapeHtml(d.url)}">Tải tài liệu</a></p>` : ''}</body></html>`,
        );
    },
  );
};
