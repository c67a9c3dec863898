/**
 * A secret ballot held in the room with few voting online (issue 26): those who count the
 * paper know the paper counts, and the totals are announced, so with one member online their
 * choice follows by subtraction (with two, often). Arithmetic cannot hide it; people can: the
 * members online are told before they choose and offered to vote on paper in the room, and
 * the secretary is told when she opens the ballot. The minimum is a setting (default 3).
 */
import type { Sql } from '../db/connect.ts';
import { SECRET_ONLINE_MINIMUM } from '../rules/meeting-rules.ts';
import { versionInForce } from '../rules/rule.ts';
import { attendsInRoom, whyNotEntitled } from './entitlement.ts';
import { meetingDate } from './meeting-date.ts';
import { loadRoll, type Meeting } from './repository.ts';

export const PAPER_INSTEAD_LABEL = 'Bỏ phiếu giấy tại phòng họp';

export interface OnlineSecrecy {
  /** Members entitled to vote who are present online. */
  online: number[];
  /** Empty when their secrecy holds; else what the secretary and the members online are told. */
  toSecretary: string;
  toMember: string;
}

export async function onlineSecrecy(sql: Sql, meeting: Meeting, ballot: 'open' | 'secret'): Promise<OnlineSecrecy> {
  const date = meetingDate(meeting.startsAt);
  const entitled = (await loadRoll(sql, meeting.id, meeting.cellId, date)).filter((r) => !whyNotEntitled(r));
  const online = entitled.filter((r) => !attendsInRoom(r)).map((r) => r.memberId);
  const inRoom = entitled.length - online.length;
  const rule = versionInForce(SECRET_ONLINE_MINIMUM, date);
  const min = rule.value;
  const exposed = ballot === 'secret' && meeting.mode !== 'online' && inRoom > 0 && online.length < min;
  if (!exposed || online.length === 0) return { online, toSecretary: '', toMember: '' };
  const setting = rule.confidence === 'unconfirmed' ? ` (ngưỡng ${min} là thiết lập mặc định, có thể điều chỉnh)` : '';
  return {
    online,
    toSecretary:
      `Chỉ có ${online.length} đảng viên bỏ phiếu kín trực tuyến (dưới ${min}): người kiểm phiếu giấy biết số ` +
      'phiếu giấy và tổng số nên có thể suy ra lựa chọn của họ. Nên đề nghị các đồng chí này bỏ phiếu giấy tại ' +
      `phòng họp${setting}.`,
    toMember:
      `⚠️ Chỉ có ${online.length} đồng chí bỏ phiếu kín trực tuyến: người kiểm phiếu giấy biết số phiếu giấy và ` +
      'tổng số nên có thể suy ra lựa chọn của đồng chí. Nếu đồng chí đang ở phòng họp, nên bỏ phiếu giấy: ' +
      `bấm "${PAPER_INSTEAD_LABEL}".`,
  };
}
