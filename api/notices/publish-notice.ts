import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, hasSpendRight, requireRole } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError, notFound } from '../errors.ts';
import { findOrg } from '../orgs/repository.ts';
import { attachmentType, extractAttachmentText } from './extract-attachment-text.ts';
import { deliverNotice } from './deliver-notice.ts';
import { quietHoursEnd } from '../text/vietnam-time.ts';
import { NOTICE_COLUMNS, type Notice, type NoticeKind } from './notice.ts';

export const MAX_BODY = 50_000;
export const MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;

export interface PublishNoticeInput {
  orgId: number;
  kind: NoticeKind;
  title: string;
  body: string;
  officialOnly?: boolean;
  memberIds?: number[];
  publishAt?: Date | null;
  ackDueOn?: string | null;
  paidBroadcast?: boolean;
  attachments?: { filename: string; mime: string; data: Buffer }[];
}

/** The unit, when the caller may publish to it (checked before an upload is read). */
export async function assertMayPublish(deps: Pick<Deps, 'db'>, actor: Principal, orgId: number) {
  const org = await findOrg(deps.db, orgId);
  if (!org) throw notFound('tổ chức');
  await requireRole(deps.db, actor, org.id, CAN.publish);
  return org;
}

/**
 * A committee member or secretary publishes to a subtree they hold the right on (a
 * province-level notice reaches every member beneath). Published now, the deliveries are
 * written in the same transaction as the notice; scheduled, the scheduler publishes it.
 * Everything is checked before anything is written.
 */
export async function publishNotice(
  deps: Pick<Deps, 'db' | 'clock' | 'config' | 'linkSecret'>,
  actor: Principal,
  input: PublishNoticeInput,
): Promise<Notice & { recipients: number }> {
  const org = await assertMayPublish(deps, actor, input.orgId);
  // Paid broadcast spends the bot's Telegram Stars: only roles allowed to spend (PAID_BROADCAST_ROLES).
  if (input.paidBroadcast && !(await hasSpendRight(deps.db, actor.id, org.id, deps.config.paidBroadcastRoles))) {
    throw new AppError(
      'forbidden',
      'Vai trò của đồng chí không được gửi thông báo khẩn trả phí (paidBroadcast); ' +
        'mặc định chỉ quản trị viên hoặc cấp ủy cấp tỉnh trở lên.',
      { field: 'paidBroadcast', detail: `principal ${actor.id} may not spend on org ${org.id}` },
    );
  }
  const now = deps.clock.now();
  if (!input.title.trim()) throw new AppError('validation', 'Tiêu đề không được để trống.', { field: 'title' });
  if (!input.body.trim()) throw new AppError('validation', 'Nội dung không được để trống.', { field: 'body' });
  if (input.body.length > MAX_BODY)
    throw new AppError('payload_too_large', `Nội dung dài quá ${MAX_BODY} ký tự.`, { field: 'body' });
  if (input.publishAt && input.publishAt.getTime() < now.getTime() - 60_000)
    throw new AppError('validation', 'Thời điểm đăng đã qua.', { field: 'publishAt' });
  if (input.memberIds?.length) {
    const inside = await deps.db.query<{ n: number }>(
      `select count(*)::int as n from members m where m.id = any($1::int[]) and m.cell_path <@ text2ltree($2)`,
      [input.memberIds, org.path],
    );
    if (inside[0].n !== new Set(input.memberIds).size)
      throw new AppError('forbidden', 'Danh sách người nhận có đảng viên ngoài phạm vi đơn vị.', {
        field: 'memberIds',
      });
  }
  if ((input.attachments?.length ?? 0) > MAX_ATTACHMENTS)
    throw new AppError('payload_too_large', `Tối đa ${MAX_ATTACHMENTS} tệp đính kèm.`, { field: 'attachments' });
  const files: { filename: string; mime: string; data: Buffer; text: string | null }[] = [];
  for (const a of input.attachments ?? []) {
    if (a.data.length > MAX_ATTACHMENT_BYTES)
      throw new AppError('payload_too_large', `Tệp "${a.filename}" quá lớn.`, { field: 'attachments' });
    const type = attachmentType(a.filename, a.mime);
    files.push({ ...a, text: await extractAttachmentText(a.data, type, a.filename) });
  }
  return deps.db.tx(async (sql) => {
    const [notice] = await sql.query<Notice>(
      `insert into notices (org_id, kind, title, body, official_only, member_ids, publish_at, ack_due_on,
        paid_broadcast, created_by, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning ${NOTICE_COLUMNS}`,
      [
        org.id,
        input.kind,
        input.title.trim(),
        input.body.replace(/\r\n?/g, '\n'),
        input.officialOnly ?? false,
        input.memberIds?.length ? input.memberIds : null,
        // Published in the quiet hours and not urgent: it goes to phones when they end.
        input.publishAt ?? (input.paidBroadcast ? now : quietHoursEnd(now, deps.config.quietHours)),
        input.ackDueOn ?? null,
        input.paidBroadcast ?? false,
        actor.id,
        now,
      ],
    );
    for (const f of files) {
      await sql.query(
        `insert into notice_attachments (notice_id, filename, mime, data, text) values ($1, $2, $3, $4, $5)`,
        [notice.id, f.filename, f.mime, f.data, f.text],
      );
    }
    const recipients = notice.publishAt.getTime() <= now.getTime() ? await deliverNotice(sql, deps, notice) : 0;
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'notice.created',
      subjectType: 'notice',
      subjectId: notice.id,
      details: { recipients },
      at: now,
    });
    return { ...notice, recipients };
  });
}
