/**
 * Members' feedback and petitions (phản ánh, kiến nghị): sent from chat to the committee of
 * the member's cell (or, if they choose, the level above); statuses received → processing
 * → answered / closed, each step recorded with who and when; the answer goes back to the
 * member in chat. A member sees only their own; a committee sees its subtree's.
 */
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { AppError, notFound } from '../errors.ts';
import { findMember } from '../members/repository.ts';
import { findOrg } from '../orgs/repository.ts';
import { enqueueForMembers } from '../outbox/enqueue.ts';

export type FeedbackStatus = 'received' | 'processing' | 'answered' | 'closed';
const NEXT: Record<FeedbackStatus, FeedbackStatus[]> = {
  received: ['processing', 'answered', 'closed'],
  processing: ['answered', 'closed'],
  answered: ['closed'],
  closed: [],
};
export const STATUS_LABELS: Record<FeedbackStatus, string> = {
  received: 'đã tiếp nhận',
  processing: 'đang xử lý',
  answered: 'đã trả lời',
  closed: 'đã đóng',
};

export async function sendFeedback(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { body: string; photoRef?: string | null; escalate?: boolean },
): Promise<{ id: number; orgName: string }> {
  if (!actor.memberId) throw new AppError('forbidden', 'Chỉ đảng viên mới gửi phản ánh.');
  const body = input.body.trim();
  if (!body && !input.photoRef) throw new AppError('validation', 'Phản ánh cần có nội dung.', { field: 'body' });
  if (body.length > 4000) throw new AppError('validation', 'Phản ánh dài quá 4000 ký tự.', { field: 'body' });
  const member = (await findMember(deps.db, actor.memberId))!;
  const cell = (await findOrg(deps.db, member.cellId))!;
  const target = input.escalate && cell.parentId ? (await findOrg(deps.db, cell.parentId))! : cell;
  return deps.db.tx(async (sql) => {
    const [{ id }] = await sql.query<{ id: number }>(
      `insert into feedback (member_id, org_id, body, photo_ref, created_at) values ($1, $2, $3, $4, $5) returning id`,
      [member.id, target.id, body || '(ảnh)', input.photoRef ?? null, deps.clock.now()],
    );
    await sql.query(
      `insert into feedback_events (feedback_id, status, actor_principal_id, at) values ($1, 'received', $2, $3)`,
      [id, actor.id, deps.clock.now()],
    );
    return { id, orgName: target.name };
  });
}

export async function updateFeedback(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  feedbackId: number,
  input: { status: FeedbackStatus; answer?: string | null; note?: string | null },
): Promise<void> {
  await deps.db.tx(async (sql) => {
    const [f] = await sql.query<{ orgId: number; memberId: number; status: FeedbackStatus }>(
      `select org_id as "orgId", member_id as "memberId", status from feedback where id = $1 for update`,
      [feedbackId],
    );
    if (!f) throw notFound('phản ánh');
    await requireRole(sql, actor, f.orgId, CAN.readOrg);
    if (!NEXT[f.status].includes(input.status)) {
      throw new AppError(
        'conflict',
        `Không thể chuyển phản ánh từ "${STATUS_LABELS[f.status]}" sang "${STATUS_LABELS[input.status]}".`,
        { field: 'status' },
      );
    }
    if (input.status === 'answered' && !input.answer?.trim())
      throw new AppError('validation', 'Cần nội dung trả lời.', { field: 'answer' });
    const now = deps.clock.now();
    await sql.query(`update feedback set status = $2, answer = coalesce($3, answer) where id = $1`, [
      feedbackId,
      input.status,
      input.answer?.trim() || null,
    ]);
    await sql.query(
      `insert into feedback_events (feedback_id, status, note, actor_principal_id, at) values ($1, $2, $3, $4, $5)`,
      [feedbackId, input.status, input.note ?? input.answer ?? null, actor.id, now],
    );
    const text =
      input.status === 'answered'
        ? `📬 Trả lời phản ánh #${feedbackId}:\n${input.answer!.trim()}`
        : `Phản ánh #${feedbackId} của đồng chí: ${STATUS_LABELS[input.status]}.`;
    await enqueueForMembers(
      sql,
      [f.memberId],
      { text },
      {
        kind: 'feedback.update',
        refType: 'feedback',
        refId: feedbackId,
        dedupePrefix: `feedback:${feedbackId}:${input.status}`,
      },
    );
  });
}

export interface FeedbackRow {
  id: number;
  body: string;
  status: FeedbackStatus;
  answer: string | null;
  createdAt: Date;
  memberName: string;
  orgName: string;
  hasPhoto: boolean;
  /** Only in a unit's list: each change, oldest first. */
  history?: { status: FeedbackStatus; at: string; by: string | null }[];
}

export async function listFeedback(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  scope: { orgId?: number },
): Promise<FeedbackRow[]> {
  const columns = `f.id, f.body, f.status, f.answer, f.created_at as "createdAt", m.full_name as "memberName",
                    o.name as "orgName", f.photo_ref is not null as "hasPhoto"`;
  if (scope.orgId === undefined) {
    if (!actor.memberId) throw new AppError('forbidden', 'Chỉ đảng viên mới có phản ánh riêng.');
    return deps.db.query(
      `select ${columns} from feedback f join members m on m.id = f.member_id join orgs o on o.id = f.org_id
        where f.member_id = $1 order by f.id desc limit 50`,
      [actor.memberId],
    );
  }
  const org = await findOrg(deps.db, scope.orgId);
  if (!org) throw notFound('tổ chức');
  await requireRole(deps.db, actor, org.id, CAN.readOrg);
  return deps.db.query(
    `select ${columns},
        coalesce((select json_agg(json_build_object('status', e.status, 'at', e.at, 'by', p.display_name) order by e.id)
          from feedback_events e left join principals p on p.id = e.actor_principal_id
            where e.feedback_id = f.id), '[]') as history
       from feedback f join members m on m.id = f.member_id join orgs o on o.id = f.org_id
      where o.path <@ text2ltree($1) order by f.id desc limit 500`,
    [org.path],
  );
}
