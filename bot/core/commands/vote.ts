import { castVote } from '../../../api/meetings/cast-vote.ts';
import { CHOICE_LABELS, CHOICES, findMotion, type Choice } from '../../../api/meetings/motions.ts';
import { foldVietnamese } from '../../../api/text/fold.ts';
import type { Command, CommandContext } from '../command.ts';
import { currentMeeting, currentMotionId } from './meeting-context.ts';
import { whyMemberCannotVote } from '../../../api/meetings/entitlement.ts';

const TYPED: Record<string, Choice> = {
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
    const typed = TYPED[foldVietnamese(ctx.args)];
    if (typed) return vote(ctx, motionId, typed);
    return {
      text: `🗳 ${motion.title}${motion.ballot === 'secret' ? '\n(Bỏ phiếu kín: lựa chọn không gắn với tên.)' : ''}`,
      choices: CHOICES.map((c) => ({ label: CHOICE_LABELS[c], action: { kind: 'vote', motionId, choice: c } })),
    };
  },
};

/** A vote from a button (or a typed choice). */
export async function vote(ctx: CommandContext, motionId: number, choice: Choice) {
  const { changed } = await castVote(ctx.deps, ctx.principal, { motionId, choice });
  return { text: `${changed ? 'Đã sửa phiếu' : 'Đã ghi nhận phiếu'}: ${CHOICE_LABELS[choice]}.` };
}
