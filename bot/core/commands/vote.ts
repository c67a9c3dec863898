import { castVote } from '../../../api/meetings/cast-vote.ts';
import { choiceLabel, findMotion, motionChoices, type Choice, type Motion } from '../../../api/meetings/motions.ts';
import { listCandidates } from '../../../api/meetings/open-election.ts';
import { AppError } from '../../../api/errors.ts';
import { foldVietnamese } from '../../../api/text/fold.ts';
import type { Command, CommandContext } from '../command.ts';
import { currentMeeting, currentMotionId } from './meeting-context.ts';
import { whyMemberCannotVote } from '../../../api/meetings/entitlement.ts';
import { voteOnPaper } from '../../../api/meetings/vote-on-paper.ts';
import { onlineSecrecy, PAPER_INSTEAD_LABEL } from '../../../api/meetings/ballot-secrecy.ts';
import type { Choice as ReplyChoice } from '../reply.ts';

const TYPED: Record<string, Choice | undefined> = {
  'tan thanh': 'for',
  'dong y': 'for',
  co: 'for',
  yes: 'for',
  'khong tan thanh': 'against',
  'khong dong y': 'against',
  'phan doi': 'against',
  khong: 'against',
  no: 'against',
  'khong bieu quyet': 'abstain',
  'trung lap': 'abstain',
  'bo phieu trang': 'abstain',
};

/** bieuquyet — shows the open motion with buttons; "bieuquyet tán thành" votes directly. */
export const voteCommand: Command = {
  name: 'bieuquyet',
  aliases: ['biểu quyết', 'bỏ phiếu', 'bo phieu', 'bq'],
  summary: 'biểu quyết nội dung đang mở',
  audience: 'member',
  chats: 'any',
  async run(ctx) {
    const meeting = await currentMeeting(ctx, true);
    const motionId = await currentMotionId(ctx);
    const motion = (await findMotion(ctx.deps.db, motionId))!;
    const refusal = await whyMemberCannotVote(ctx.deps.db, meeting, ctx.member.id);
    if (refusal) return { text: refusal };
    // A secret choice typed in a group would be seen by everyone in it.
    if (ctx.update.chat.kind === 'group' && motion.ballot === 'secret') {
      return { text: 'Đây là bỏ phiếu kín: đồng chí nhắn riêng "bieuquyet" cho bot để bỏ phiếu.' };
    }
    const folded = foldVietnamese(ctx.args);
    if (motion.kind === 'election') return electionBallot(ctx, motion, folded);
    const typed =
      TYPED[folded] ?? motionChoices(motion).find((c) => foldVietnamese(choiceLabel(c)) === folded && folded !== '');
    if (typed && motionChoices(motion).includes(typed)) return vote(ctx, motionId, typed);
    // Few voting online in a secret ballot held in the room: told before choosing, offered paper instead.
    const secrecy = await onlineSecrecy(ctx.deps.db, meeting, motion.ballot);
    const warned = secrecy.toMember && secrecy.online.includes(ctx.member.id);
    return {
      text:
        `${warned ? `${secrecy.toMember}\n\n` : ''}🗳 ${motion.title}` +
        `${motion.ballot === 'secret' ? '\n(Bỏ phiếu kín: lựa chọn không gắn với tên.)' : ''}`,
      choices: [
        ...motionChoices(motion).map(
          (c): ReplyChoice => ({
            label: choiceLabel(c),
            action: { kind: 'vote', motionId, choice: c },
            ...(motion.ballot === 'secret' ? { secret: true as const } : {}),
          }),
        ),
        ...(warned
          ? [{ label: PAPER_INSTEAD_LABEL, action: { kind: 'vote-on-paper' as const, meetingId: meeting.id } }]
          : []),
      ],
    };
  },
};

/** "Bỏ phiếu giấy tại phòng họp": from now on the member votes on paper in the room, not in chat. */
export async function voteOnPaperReply(ctx: CommandContext, meetingId: number) {
  const { alreadyInRoom } = await voteOnPaper(ctx.deps, ctx.principal, meetingId);
  return {
    text: alreadyInRoom
      ? 'Đồng chí đang biểu quyết tại phòng họp: đồng chí bỏ phiếu giấy do ban kiểm phiếu phát.'
      : 'Đã ghi nhận: đồng chí bỏ phiếu giấy tại phòng họp (ban kiểm phiếu phát phiếu), ' +
        'không bỏ phiếu trong chat nữa — để không phiếu nào được tính hai lần.',
  };
}

/** A vote from a button (or a typed choice); the motion's own choices are checked by castVote. */
export async function vote(ctx: CommandContext, motionId: number, choice: string) {
  const { changed, secret, tracker } = await castVote(ctx.deps, ctx.principal, { motionId, choice });
  // Replies are stored (outbox) with the member's chat: a secret ballot's reply never names the choice,
  // only its tracker — a fingerprint of the encrypted ballot, which proves to nobody what was chosen.
  if (secret) return { text: secretReceipt(tracker), conceal: true as const };
  return { text: `${changed ? 'Đã sửa phiếu' : 'Đã ghi nhận phiếu'}: ${choiceLabel(choice)}.` };
}

/** A secret ballot encrypted on the member's device: the service checks its proofs, stores it, names its tracker. */
export async function castSealedBallot(
  ctx: CommandContext,
  sealed: NonNullable<CommandContext['update']['sealedBallot']>,
) {
  const { tracker } = await castVote(ctx.deps, ctx.principal, { motionId: sealed.motionId, encrypted: sealed.ballot });
  return { text: secretReceipt(tracker), conceal: true as const };
}

/**
 * An election in chat: the list is numbered; "bieuquyet giữ 1 3" keeps names 1 and 3 and
 * crosses out the others (at most the seats). The reply does not repeat the names kept.
 */
async function electionBallot(ctx: CommandContext, motion: Motion, folded: string) {
  const list = await listCandidates(ctx.deps.db, motion.id);
  const keep = /^(?:giu|keep)\b(.*)$/.exec(folded);
  if (keep) {
    const numbers = [...new Set(keep[1].match(/\d+/g)?.map(Number) ?? [])];
    if (numbers.some((n) => n < 1 || n > list.length))
      throw new AppError('validation', `Số thứ tự phải từ 1 đến ${list.length}.`);
    const { tracker } = await castVote(ctx.deps, ctx.principal, {
      motionId: motion.id,
      keep: numbers.map((n) => list[n - 1].memberId),
    });
    return {
      text:
        `Đã ghi nhận phiếu bầu kín (giữ ${numbers.length} tên, gạch ${list.length - numbers.length} tên).\n` +
        trackerLine(tracker),
      conceal: true as const,
    };
  }
  // The example keeps no more names than the seats allow (one seat: one name).
  const example = motion.seats === 1 || list.length < 3 ? [1] : [1, 3];
  return {
    text:
      `🗳 ${motion.title} — ${motion.seats} suất, bỏ phiếu kín.\n` +
      `${list.map((c, i) => `${i + 1}. ${c.fullName}`).join('\n')}\n` +
      `Gõ "bieuquyet giữ ${example.join(' ')}" để giữ tên số ${example.join(' và ')} ` +
      `(tối đa ${motion.seats} tên); các tên khác coi như gạch.`,
  };
}

function secretReceipt(tracker: string | null): string {
  return `Đã ghi nhận phiếu kín của đồng chí. Lựa chọn không được lưu kèm tên.\n${trackerLine(tracker)}`;
}

/** The tracker, and what it is for (it is the same whatever was chosen: it proves nothing to anyone else). */
function trackerLine(tracker: string | null): string {
  if (!tracker) return '';
  return (
    `Mã phiếu của đồng chí: ${tracker} (phiếu đã được mã hóa; mã này không cho biết đồng chí chọn gì). ` +
    'Khi biểu quyết kết thúc, kết quả gửi kèm đường dẫn tới bảng kiểm phiếu công khai: đồng chí tìm mã này ở đó.'
  );
}
