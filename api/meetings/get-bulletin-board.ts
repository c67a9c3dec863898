/**
 * A closed secret motion's bulletin board (issue 28): every counted ballot by its tracker, its
 * ciphertexts and proofs, the encrypted paper count, the aggregate, and the totals with their
 * decryption proofs. For the cell's members (each finds their tracker) and those who may read
 * the cell; `npm run verify-ballots` checks it. Nothing on it names a voter or a choice.
 */
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, hasRole } from '../auth/roles.ts';
import { AppError, notFound } from '../errors.ts';
import { findMember } from '../members/repository.ts';
import { findMotion } from './motions.ts';
import { findMeeting } from './repository.ts';
import { type BulletinBoard, loadBulletinBoard } from './sealed-ballots.ts';

export async function getBulletinBoard(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  motionId: number,
): Promise<BulletinBoard> {
  const motion = await findMotion(deps.db, motionId);
  const meeting = motion ? await findMeeting(deps.db, motion.meetingId) : undefined;
  if (!motion || !meeting) throw notFound('nội dung biểu quyết');
  const member = actor.memberId ? await findMember(deps.db, actor.memberId) : undefined;
  const ofCell = member?.active && member.cellId === meeting.cellId;
  if (!ofCell && !(await hasRole(deps.db, actor.id, meeting.cellId, CAN.readOrg)))
    throw new AppError('forbidden', 'Chỉ đảng viên của chi bộ và cấp ủy quản lý mới xem được bảng kiểm phiếu.');
  if (motion.ballot !== 'secret')
    throw new AppError('conflict', 'Biểu quyết công khai không có bảng kiểm phiếu mã hóa.');
  if (motion.status !== 'closed')
    throw new AppError('conflict', 'Bảng kiểm phiếu được công bố khi kết thúc biểu quyết.');
  const board = await loadBulletinBoard(deps.db, motionId);
  if (!board) throw new AppError('conflict', 'Nội dung này được kiểm phiếu trước khi có phiếu mã hóa.');
  return board;
}
