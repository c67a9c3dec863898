/**
 * Documents before the meeting (part 1): the secretary attaches them, every member gets a
 * personal signed link in chat that opens on any phone or computer, and each opening is
 * recorded, so the secretary sees who read them before the meeting.
 */
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError, notFound } from '../errors.ts';
import { enqueueForMembers } from '../outbox/enqueue.ts';
import { signLink } from '../http/signed-link.ts';
import { requireMeeting } from './require-meeting.ts';
import { findMeeting } from './repository.ts';
import { assertOnRoll } from './check-in.ts';

const LINK_DAYS = 60;

export async function attachDocument(
  deps: Pick<Deps, 'db' | 'clock' | 'config' | 'linkSecret'>,
  actor: Principal,
  input: { meetingId: number; title: string; body?: string | null; url?: string | null },
): Promise<{ id: number }> {
  if (!input.body?.trim() && !input.url?.trim())
    throw new AppError('validation', 'Tài liệu cần có nội dung hoặc đường dẫn.', { field: 'body' });
  return deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, {
      role: CAN.runMeetings,
      status: ['scheduled', 'in_progress'],
    });
    const now = deps.clock.now();
    const [{ id }] = await sql.query<{ id: number }>(
      `insert into meeting_documents (meeting_id, title, url, body, sent_at) values ($1, $2, $3, $4, $5) returning id`,
      [meeting.id, input.title.trim(), input.url?.trim() || null, input.body?.trim() || null, now],
    );
    const members = await sql.query<{ id: number }>(`select id from members where cell_id = $1 and active`, [
      meeting.cellId,
    ]);
    const base = deps.config.publicUrl ?? `http://localhost:${deps.config.port}`;
    const expires = new Date(now.getTime() + LINK_DAYS * 86_400_000);
    // One message per member: each carries that member's own link.
    for (const m of members) {
      await enqueueForMembers(
        sql,
        [m.id],
        {
          text: `📎 Tài liệu họp chi bộ: ${input.title.trim()}\nĐồng chí vui lòng đọc trước buổi họp.`,
          link: {
            label: 'Mở tài liệu',
            url: `${base}/d/${signLink(deps.linkSecret, 'meeting-document', [id, m.id], expires)}`,
          },
        },
        { kind: 'meeting.document', refType: 'meeting_document', refId: id, dedupePrefix: `doc:${id}:member:${m.id}` },
      );
    }
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'meeting.document_attached',
      subjectType: 'meeting',
      subjectId: meeting.id,
      details: { documentId: id },
      at: now,
    });
    return { id };
  });
}

/**
 * Records that a member opened a document (the first time counts) and returns it. Only a
 * member on that meeting's roll may open it, whatever link they hold.
 */
export async function openDocument(deps: Pick<Deps, 'db' | 'clock'>, documentId: number, memberId: number) {
  const [doc] = await deps.db.query<{ title: string; body: string | null; url: string | null; meetingId: number }>(
    `select title, body, url, meeting_id as "meetingId" from meeting_documents where id = $1`,
    [documentId],
  );
  if (!doc) throw notFound('tài liệu');
  const meeting = await findMeeting(deps.db, doc.meetingId);
  if (!meeting) throw notFound('tài liệu');
  await assertOnRoll(deps.db, meeting, memberId);
  await deps.db.query(
    `insert into document_opens (document_id, member_id, opened_at) values ($1, $2, $3) on conflict do nothing`,
    [documentId, memberId, deps.clock.now()],
  );
  return doc;
}
