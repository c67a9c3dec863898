/**
 * The command line's token subcommands (npm run admin -- token | tokens | revoke): the
 * operator's way in, with no principal of its own, so it may list and revoke any token.
 */
import type { Deps } from '../context.ts';
import { AppError } from '../errors.ts';
import { findOrg } from '../orgs/repository.ts';
import { createPrincipal } from './principal.ts';
import { grantRole, ROLES, type Role } from './roles.ts';
import { createApiToken, DEFAULT_TOKEN_DAYS, listTokens, MAX_TOKEN_DAYS, tokenExpiry } from './tokens.ts';
import { revokePrincipal, revokeToken } from './manage-tokens.ts';
import { PRINCIPAL_CACHE_MS } from './authenticate.ts';
import { recordAudit } from '../audit/record-audit.ts';

export const TOKEN_USAGE =
  `  npm run admin -- token --org <id> [--role ${ROLES.join('|')}] [--name "<tên>"] ` +
  `[--days <1–${MAX_TOKEN_DAYS}, mặc định ${DEFAULT_TOKEN_DAYS}>]
  npm run admin -- tokens [--org <id>] [--principal <id>] [--all]
  npm run admin -- revoke <token id> | --principal <id>`;

type Values = Record<string, string | boolean | undefined>;
const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
const positiveId = (v: string | undefined, what: string) => {
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw new AppError('validation', `${what} phải là số id.`);
  return Number(v);
};

/** Issues a principal with a role and its token; returns the lines to print (the token shown once). */
export async function issueTokenCommand(deps: Pick<Deps, 'db' | 'clock'>, values: Values): Promise<string[]> {
  const orgId = positiveId(str(values.org), '--org');
  const org = orgId ? await findOrg(deps.db, orgId) : undefined;
  if (!org) throw new AppError('validation', `Cần --org <id> của một tổ chức có thật.\n${TOKEN_USAGE}`);
  const role = (str(values.role) ?? 'admin') as Role;
  if (!ROLES.includes(role)) throw new AppError('validation', TOKEN_USAGE);
  const days = str(values.days) === undefined ? DEFAULT_TOKEN_DAYS : Number(str(values.days));
  const now = deps.clock.now();
  const expiresAt = tokenExpiry(now, days);
  const { token, principalId } = await deps.db.tx(async (sql) => {
    const principal = await createPrincipal(sql, str(values.name) ?? `Quản trị ${org.name}`);
    await grantRole(sql, principal.id, org.id, role);
    await recordAudit(sql, {
      orgId: org.id,
      action: 'role.granted',
      subjectType: 'principal',
      subjectId: principal.id,
      details: { role, via: 'cli' },
      at: now,
    });
    return {
      principalId: principal.id,
      token: await createApiToken(sql, principal.id, { label: 'cli', expiresAt, now }),
    };
  });
  return [
    `Token (${role} trên "${org.name}", principal ${principalId}, ` +
      `hết hạn ${expiresAt.toISOString()}) — chỉ hiện một lần:`,
    token,
  ];
}

/** One line per token: id, state, principal, label, expiry — never the token. */
export async function listTokensCommand(deps: Pick<Deps, 'db' | 'clock'>, values: Values): Promise<string[]> {
  const orgId = positiveId(str(values.org), '--org');
  const org = orgId ? await findOrg(deps.db, orgId) : undefined;
  if (orgId && !org) throw new AppError('not_found', `Không có tổ chức ${orgId}.`);
  const tokens = await listTokens(deps.db, deps.clock.now(), {
    principalId: positiveId(str(values.principal), '--principal'),
    underOrgPath: org?.path,
    includeInactive: values.all === true,
  });
  if (tokens.length === 0) return ['Không có mã truy cập nào.'];
  return [
    'id\ttrạng thái\tprincipal\tnhãn\ttạo lúc\thết hạn',
    ...tokens.map(
      (t) =>
        `${t.id}\t${t.state}\t${t.principalId} ${t.principalName}\t${t.label || '-'}\t` +
        `${iso(t.createdAt)}\t${iso(t.expiresAt)}`,
    ),
  ];
}

/**
 * Revokes one token by id, or a principal: every active token, and every web-chat and console
 * session it has (api/auth/manage-tokens.ts).
 */
export async function revokeTokensCommand(
  deps: Pick<Deps, 'db' | 'clock'>,
  values: Values,
  positionals: string[],
): Promise<string[]> {
  const tokenId = positiveId(positionals[0], 'Id của mã truy cập');
  const principalId = positiveId(str(values.principal), '--principal');
  if ((tokenId === undefined) === (principalId === undefined))
    throw new AppError('validation', `Cần đúng một: <token id> hoặc --principal <id>.\n${TOKEN_USAGE}`);
  const lines: string[] = [];
  if (tokenId !== undefined) {
    const t = await revokeToken(deps, null, tokenId);
    lines.push(`Đã thu hồi mã truy cập ${t.id} (principal ${t.principalId} ${t.principalName}).`);
  } else {
    const r = await revokePrincipal(deps, null, principalId!);
    lines.push(
      `Đã thu hồi principal ${r.principalId}: ${r.tokensRevoked.length} mã truy cập` +
        (r.tokensRevoked.length ? ` (${r.tokensRevoked.join(', ')})` : '') +
        `, ${r.webChats} phiên web chat, ${r.consoleSessions} phiên trang quản trị.`,
    );
  }
  lines.push(
    `Phiên web chat và trang quản trị kết thúc ngay; dịch vụ đang chạy ngừng nhận mã trong vòng ` +
      `${PRINCIPAL_CACHE_MS / 1000} giây.`,
  );
  return lines;
}

const iso = (d: Date) => new Date(d).toISOString().slice(0, 16).replace('T', ' ');
