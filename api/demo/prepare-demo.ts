import type { Deps } from '../context.ts';
import { createApiToken } from '../auth/tokens.ts';
import { issueLinkCode } from '../chat-accounts/issue-link-code.ts';
import { ensureMemberPrincipal, findPrincipal } from '../auth/principal.ts';
import { hasDemoData, seedDemo } from './seed-demo.ts';
import { loadSampleDocuments } from '../../ingest/load-samples.ts';
import { assistant } from '../../knowledge/assistant.ts';

const DEMO_TOKEN_DAYS = 7;
const SHOWN_KEY = 'demo_admin_token_shown_at';

/**
 * Loads the demo organisation on first start and issues a week-long admin token — once per
 * database (the data folder): later starts say how to get a new one instead of minting
 * another. Every start issues one-time web-chat links for a demo secretary and member (a new
 * code voids the previous unused one), so a newcomer can try everything without a bot token.
 * Returns the lines to print.
 */
export async function prepareDemo(deps: Deps, baseUrl: string): Promise<{ lines: string[] }> {
  const fresh = !(await hasDemoData(deps));
  if (fresh) await seedDemo(deps);
  const samples = await loadSampleDocuments(deps.db, assistant().embedder).catch((e: Error) => {
    deps.log.warn({ err: e.message }, 'sample documents not loaded');
    return -1;
  });
  const [ids] = await deps.db.query<{ adminId: number; rootId: number; secretaryId: number; memberId: number }>(
    `select (select g.principal_id from role_grants g join orgs o on o.id = g.org_id
      where o.is_demo and g.role = 'admin' order by g.id limit 1) as "adminId",
            (select id from orgs where is_demo and parent_id is null order by id limit 1) as "rootId",
            (select p.member_id from role_grants g join principals p on p.id = g.principal_id
              join orgs o on o.id = g.org_id
              where o.is_demo and g.role = 'secretary' order by g.id limit 1) as "secretaryId",
            (select m.id from members m join role_grants g on g.org_id = m.cell_id
              join principals p on p.id = g.principal_id
              where g.role = 'secretary' and m.id <> p.member_id and m.status = 'official' order by m.id
                limit 1) as "memberId"`,
  );
  if (!ids?.adminId)
    return { lines: ['  Demo: dữ liệu demo không đầy đủ; tạo token bằng: npm run admin -- token --org <id>'] };
  const now = deps.clock.now();
  // Claimed in one statement, so two instances starting together mint at most one token.
  const claimed = await deps.db.query(
    `insert into service_settings (key, value) values ($1, $2) on conflict (key) do nothing returning key`,
    [SHOWN_KEY, now.toISOString()],
  );
  const token = claimed.length
    ? await createApiToken(deps.db, ids.adminId, {
        label: 'demo',
        expiresAt: new Date(now.getTime() + DEMO_TOKEN_DAYS * 86_400_000),
        now,
      })
    : null;
  const [shown] = token
    ? []
    : await deps.db.query<{ value: string }>(`select value from service_settings where key = $1`, [SHOWN_KEY]);
  const admin = (await findPrincipal(deps.db, ids.adminId))!;
  const secretaryPrincipal = await ensureMemberPrincipal(deps.db, ids.secretaryId);
  const secretaryCode = await issueLinkCode(deps, admin, ids.secretaryId);
  const memberCode = await issueLinkCode(deps, admin, ids.memberId);
  return {
    lines: [
      `  Demo:      ${fresh ? 'đã nạp' : 'đã có'} Đảng bộ Thị trấn Hòa Bình ` +
        `(13 chi bộ, 320 đảng viên; tổ chức gốc id ${ids.rootId})`,
      ...(samples > 0
        ? [`  Trợ lý ảo: đã nạp ${samples} tài liệu mẫu (knowledge/samples/); hỏi thử: "thủ tục kết nạp đảng viên"`]
        : []),
      ...(token
        ? [
            `  Admin token (hết hạn sau ${DEMO_TOKEN_DAYS} ngày, chỉ in lần này): ${token}`,
            `    curl -H "Authorization: Bearer ${token}" ${baseUrl}/orgs/${ids.rootId}/adoption`,
          ]
        : [
            `  Admin token: đã in một lần ở lần khởi động đầu (${shown?.value.slice(0, 16).replace('T', ' ')} UTC). ` +
              `Mã mới: npm run admin -- token --org ${ids.rootId}`,
          ]),
      `  Web chat của bí thư chi bộ (principal ${secretaryPrincipal.id}): ${baseUrl}/chat?code=${secretaryCode.code}`,
      `  Web chat của một đảng viên:  ${baseUrl}/chat?code=${memberCode.code}`,
    ],
  };
}
