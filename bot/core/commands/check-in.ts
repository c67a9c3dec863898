import { checkIn } from '../../../api/meetings/check-in.ts';
import type { Command } from '../command.ts';
import { currentMeetingInProgressId } from './meeting-context.ts';

/** diemdanh — online check-in; "diemdanh 123456" with the room code shown by the secretary. */
export const checkInCommand: Command = {
  name: 'diemdanh',
  aliases: ['điểm danh', 'checkin', 'co mat', 'có mặt'],
  summary: 'điểm danh buổi họp (trong phòng họp: diemdanh MÃ)',
  audience: 'member',
  chats: 'any',
  async run(ctx) {
    const meetingId = await currentMeetingInProgressId(ctx);
    const code = /\b(\d{6})\b/.exec(ctx.args)?.[1];
    const { alreadyPresent } = await checkIn(ctx.deps, ctx.principal, {
      meetingId,
      memberId: ctx.member.id,
      method: code ? 'code' : 'chat',
      code,
    });
    const who = ctx.update.chat.kind === 'group' ? `Đồng chí ${ctx.member.fullName}` : 'Đồng chí';
    return { text: alreadyPresent ? `${who} đã điểm danh trước đó.` : `✅ ${who} đã điểm danh.` };
  },
};
