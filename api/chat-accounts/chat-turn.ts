/**
 * What the conversation core reads at the start of every chat update, in one statement: the
 * sender's linked account, her member record, her principal and whether she runs her cell's
 * meetings. Measured on a meeting evening's taps (bench:webhook, --profile 1), these were four
 * statements of the ten a tap cost; here they are one row of a
 * statement shared with the other updates being processed meanwhile (api/db/batched-write.ts:
 * no timer, a lone update's read goes at once).
 */
import { CAN } from '../auth/roles.ts';
import type { Principal } from '../auth/principal.ts';
import { batchTable, batchedWrite, inBatchOrder } from '../db/batched-write.ts';
import type { Sql } from '../db/connect.ts';
import { MEMBER_COLUMNS, type Member } from '../members/repository.ts';
import type { ChatAccount } from './repository.ts';

export interface ChatTurnKey {
  channel: string;
  botKey: string;
  /** The sender's id on the platform. */
  userId: string;
}

export interface ChatTurn {
  account?: ChatAccount;
  member?: Member;
  /** Absent until the member first acts (ensureMemberPrincipal creates it). */
  principal?: Principal;
  /** Holds a role that runs meetings on the member's cell or above it (CAN.runMeetings). */
  isSecretary: boolean;
}

const TURN_BATCH = batchTable({ channel: 'text', bot_key: 'text', user_id: 'text' });

interface Row extends Member {
  n: number;
  accountId: number | null;
  accountMemberId: number;
  accountChatId: string;
  accountDisplayName: string | null;
  principalId: number | null;
  principalDisplayName: string;
  isSecretary: boolean;
}

const loadBatched = batchedWrite<ChatTurnKey, ChatTurn>({
  maxSize: 128,
  // Reads do not contend with each other: a second statement may go while the first runs.
  inFlight: 2,
  async run(sql, items) {
    const rows = await sql.query<Row>(
      `with i as (${TURN_BATCH})
       select i.n,
              a.id as "accountId", a.member_id as "accountMemberId", a.chat_id as "accountChatId",
              a.display_name as "accountDisplayName",
              ${MEMBER_COLUMNS},
              p.id as "principalId", p.display_name as "principalDisplayName",
              -- the check of hasRole(principal, the member's cell, CAN.runMeetings)
              coalesce(p.id is not null and exists (
                select 1 from role_grants g join orgs granted on granted.id = g.org_id
                  join orgs target on target.id = m.cell_id
                 where g.principal_id = p.id and g.role = any($4::text[])
                   and target.path <@ granted.path), false) as "isSecretary"
         from i
         left join chat_accounts a on a.channel = i.channel and a.bot_key = i.bot_key
               and a.external_user_id = i.user_id and a.unlinked_at is null
         left join members m on m.id = a.member_id
         left join principals p on p.member_id = m.id`,
      [items.map((k) => k.channel), items.map((k) => k.botKey), items.map((k) => k.userId), [...CAN.runMeetings]],
    );
    return inBatchOrder(items.length, rows).map((r, i) => toTurn(items[i], r));
  },
});

/** The chat turn of one update, read together with those of the other updates in flight. */
export const loadChatTurn = (sql: Sql, key: ChatTurnKey): Promise<ChatTurn> => loadBatched(sql, key);

function toTurn(key: ChatTurnKey, r: Row | undefined): ChatTurn {
  if (!r) return { isSecretary: false };
  const turn: ChatTurn = { isSecretary: r.isSecretary };
  if (r.accountId === null) return turn;
  turn.account = {
    id: Number(r.accountId),
    channel: key.channel,
    botKey: key.botKey,
    externalUserId: key.userId,
    chatId: r.accountChatId,
    memberId: Number(r.accountMemberId),
    displayName: r.accountDisplayName,
  };
  if (r.id !== null) {
    turn.member = {
      id: r.id,
      fullName: r.fullName,
      gender: r.gender,
      birthYear: r.birthYear,
      cardNumber: r.cardNumber,
      phone: r.phone,
      cellId: r.cellId,
      status: r.status,
      admittedOn: r.admittedOn,
      probationEndsOn: r.probationEndsOn,
      officialOn: r.officialOn,
      active: r.active,
    };
  }
  if (r.principalId !== null)
    turn.principal = { id: Number(r.principalId), displayName: r.principalDisplayName, memberId: r.id };
  return turn;
}
