/**
 * A cell with its secretary and members, a meeting scheduled and opened through the HTTP API,
 * and short verbs to act as any of them — the setting most meeting tests start from.
 */
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../api/server.ts';
import type { Member } from '../../api/members/repository.ts';
import type { Db } from '../../api/db/connect.ts';
import { makeMember, makeMemberToken, makeOrgTree, makeSecretary } from '../factories/index.ts';

export interface MeetingScenario {
  tree: Awaited<ReturnType<typeof makeOrgTree>>;
  sec: Awaited<ReturnType<typeof makeSecretary>>;
  /** The secretary first, then the other official members. */
  officials: Member[];
  probationary: Member[];
  meetingId: number;
  /** The room's check-in code. */
  code: string;
  /** Acts as the secretary (no member) or as a member. */
  post(url: string, payload?: object, who?: Member): Promise<LightMyRequestResponse>;
  get(url: string, who?: Member): Promise<LightMyRequestResponse>;
  /** Checks members in: online (from chat) or in the room (with the code). */
  checkIn(members: Member[], where: 'online' | 'room'): Promise<void>;
}

export async function makeMeetingScenario(
  app: App,
  db: Db,
  o: {
    official: number;
    probationary?: number;
    mode?: 'in_person' | 'online' | 'hybrid';
    startsAt: string;
    place?: string;
    kind?: 'regular' | 'thematic';
    topic?: string;
    agenda?: string[];
    /** Open the meeting (default true). */
    open?: boolean;
  },
): Promise<MeetingScenario> {
  const tree = await makeOrgTree(db);
  const sec = await makeSecretary(db, tree.cellA, { fullName: 'Bí Thư' });
  const tokens = new Map<number, string>([[sec.member.id, sec.token]]);
  const officials: Member[] = [sec.member];
  for (let i = 1; i < o.official; i++) {
    const m = await makeMember(db, tree.cellA, { fullName: `Đảng Viên ${String(i).padStart(2, '0')}` });
    tokens.set(m.id, await makeMemberToken(db, m));
    officials.push(m);
  }
  const probationary: Member[] = [];
  for (let i = 1; i <= (o.probationary ?? 0); i++) {
    const m = await makeMember(db, tree.cellA, {
      fullName: `Dự Bị ${i}`,
      status: 'probationary',
      admittedOn: '2026-06-01',
      officialOn: null,
    });
    tokens.set(m.id, await makeMemberToken(db, m));
    probationary.push(m);
  }
  const headers = (who?: Member) => ({ authorization: `Bearer ${who ? tokens.get(who.id) : sec.token}` });
  const post = (url: string, payload?: object, who?: Member) =>
    app.inject({ method: 'POST', url, headers: headers(who), payload: payload ?? {} });
  const get = (url: string, who?: Member) => app.inject({ url, headers: headers(who) });
  const scheduled = await post(`/orgs/${tree.cellA.id}/meetings`, {
    kind: o.kind ?? 'regular',
    topic: o.topic,
    startsAt: o.startsAt,
    mode: o.mode ?? 'hybrid',
    place: o.place ?? 'Nhà văn hóa thôn Đông',
    agenda: o.agenda,
  });
  if (scheduled.statusCode !== 201) throw new Error(`schedule: ${scheduled.body}`);
  const meetingId: number = scheduled.json().id;
  let code = '';
  if (o.open ?? true) {
    const opened = await post(`/meetings/${meetingId}/open`);
    if (opened.statusCode !== 200) throw new Error(`open: ${opened.body}`);
    code = opened.json().checkinCode;
  }
  return {
    tree,
    sec,
    officials,
    probationary,
    meetingId,
    code,
    post,
    get,
    async checkIn(members, where) {
      for (const m of members) {
        const res = await post(`/meetings/${meetingId}/check-in`, where === 'room' ? { code } : {}, m);
        if (res.statusCode !== 200) throw new Error(`check-in ${m.fullName}: ${res.body}`);
      }
    },
  };
}
