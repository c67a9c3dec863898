import type { Sql } from '../db/connect.ts';
import { loadRoll, loadRollEntry, type Meeting, type RollRow } from './repository.ts';
import { meetingDate } from './meeting-date.ts';

/**
 * Why a member may not vote at this meeting, or undefined when they may.
 * rule: who may vote — Điều lệ Điều 3 (probationary members do not vote); rules.md §1, §4.
 */
export function whyNotEntitled(entry: RollRow | undefined): string | undefined {
  if (!entry) return 'Đồng chí không thuộc chi bộ của buổi họp này nên không biểu quyết ở đây.';
  if (entry.status === 'probationary') {
    return (
      'Đảng viên dự bị có quyền dự họp, phát biểu, góp ý nhưng không biểu quyết ' +
      '(Điều lệ Đảng, Điều 3). Cảm ơn ý kiến của đồng chí.'
    );
  }
  if (entry.transferredIn)
    return 'Đồng chí đang sinh hoạt tạm thời tại chi bộ này; quyền biểu quyết thuộc chi bộ chính thức của đồng chí.';
  if (entry.suspended) return 'Đồng chí đang bị đình chỉ sinh hoạt nên không biểu quyết.';
  if (entry.transferredOut) return 'Đồng chí đang chuyển sinh hoạt tạm thời đi nơi khác.';
  if (!entry.present) return 'Đồng chí cần điểm danh (có mặt) trước khi biểu quyết.';
  return undefined;
}

export async function countEntitledPresent(sql: Sql, meeting: Meeting): Promise<number> {
  const roll = await loadRoll(sql, meeting.id, meeting.cellId, meetingDate(meeting.startsAt));
  return roll.filter((r) => !whyNotEntitled(r)).length;
}

/** Why this member may not vote at this meeting right now, if they may not. */
export async function whyMemberCannotVote(sql: Sql, meeting: Meeting, memberId: number): Promise<string | undefined> {
  return whyNotEntitled(await loadRollEntry(sql, meeting, meetingDate(meeting.startsAt), memberId));
}

/** Check-in methods of members in the room (the code, the secretary's mark, moved to vote on paper). */
export const ROOM_METHODS = ['code', 'secretary', 'room'] as const;

/**
 * Where a present member takes part: checked in with the room code, marked present by the
 * secretary, or moved to the room to vote on paper is in the room; checked in from chat is
 * online. Each is counted in one place only.
 */
export function attendsInRoom(entry: Pick<RollRow, 'checkInMethod'> | undefined): boolean {
  return (ROOM_METHODS as readonly (string | null | undefined)[]).includes(entry?.checkInMethod);
}

/**
 * The same decision as SQL over a roll entry `e` (the columns of rollEntrySql): entitled
 * (`whyNotEntitled` finds nothing) and present online (not `attendsInRoom`). It guards the
 * one-statement chat ballot (motions.ts `recordChatBallot`), whose refusals are then
 * explained by the two functions above; test/service/vote-guard.test.ts checks that the
 * three agree on every combination of a roll entry's facts.
 */
export const votesOnlineSql = (e: string) =>
  `coalesce(${e}.status <> 'probationary' and not ${e}."transferredIn" and not ${e}.suspended
     and not ${e}."transferredOut" and ${e}.present
     and coalesce(${e}."checkInMethod", '') not in (${ROOM_METHODS.map((m) => `'${m}'`).join(', ')}), false)`;

/** Entitled members present in the room: the cap on the room's show of hands or paper ballots. */
export async function countEntitledInRoom(sql: Sql, meeting: Meeting): Promise<number> {
  const roll = await loadRoll(sql, meeting.id, meeting.cellId, meetingDate(meeting.startsAt));
  return roll.filter((r) => !whyNotEntitled(r) && attendsInRoom(r)).length;
}
