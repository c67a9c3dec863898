import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { AppError, notFound } from '../errors.ts';
import { electionLines } from './close-motion.ts';
import { partyHeader, renderDocx, renderPdf } from './generate-minutes.ts';
import { meetingHeaderNames } from './load-minutes.ts';
import { findMotion } from './motions.ts';
import { ELECTION_BODY_LABELS, type ElectionBody } from './open-election.ts';
import { requireMeeting } from './require-meeting.ts';

/**
 * The result sheet of an election (biên bản kiểm phiếu, rules.md §8) in the party document
 * form: summoned, attending, ballots issued, received, valid, invalid, and each candidate's
 * count and share of those summoned; those elected await the approval of the committee above.
 */
export async function generateResultSheet(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  motionId: number,
  format: 'docx' | 'pdf',
): Promise<Buffer> {
  const motion = await findMotion(deps.db, motionId);
  if (motion?.kind !== 'election') throw notFound('cuộc bầu cử');
  const meeting = await requireMeeting(deps.db, actor, motion.meetingId, { role: CAN.readOrg });
  if (!motion.result?.election) throw new AppError('conflict', 'Cuộc bầu cử chưa kết thúc.');
  const doc = {
    ...partyHeader({ meeting, ...(await meetingHeaderNames(deps.db, meeting)) }),
    title: 'BIÊN BẢN KIỂM PHIẾU',
    subject:
      `${ELECTION_BODY_LABELS[motion.electionBody as ElectionBody]}` +
      `${motion.round > 1 ? ` (vòng ${motion.round})` : ''}` +
      `: ${motion.title}`,
    body: [
      ...(motion.countingCommittee ? [{ text: `Ban kiểm phiếu: ${motion.countingCommittee}.` }] : []),
      ...electionLines(motion.result.election)
        .split('\n')
        .map((text) => ({ text })),
      { text: `Tỷ lệ trúng cử: ${motion.result.threshold} số được triệu tập (${motion.result.source}).` },
    ],
    signatures: [
      { role: 'THƯ KÝ', name: '' },
      { role: 'T/M BAN KIỂM PHIẾU', name: '' },
    ],
  };
  const title = `Biên bản kiểm phiếu — ${motion.title}`;
  return format === 'docx' ? renderDocx(doc, title) : renderPdf(doc, title);
}
