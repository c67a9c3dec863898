import type { Deps } from '../context.ts';
import { createApiToken } from '../auth/tokens.ts';
import { issueLinkCode } from '../chat-accounts/issue-link-code.ts';
import { findPrincipal, type Principal } from '../auth/principal.ts';
import { issueConsoleLink } from '../console/issue-console-link.ts';
import { ensureDemoPeople, type DemoPerson, type DemoPersonKind } from './demo-people.ts';
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
export async function prepareDemo(deps: Deps, baseUrl: string): Promise<{ lines: string[]; signIn: string[] }> {
  const fresh = !(await hasDemoData(deps));
  if (fresh) await seedDemo(deps);
  const samples = await loadSampleDocuments(deps.db, assistant().embedder).catch((e: Error) => {
    deps.log.warn({ err: e.message }, 'sample documents not loaded');
    return -1;
  });
  const [ids] = await deps.db.query<{ adminId: number; rootId: number }>(
    `select (select g.principal_id from role_grants g join orgs o on o.id = g.org_id
      where o.is_demo and g.role = 'admin' order by g.id limit 1) as "adminId",
            (select id from orgs where is_demo and parent_id is null order by id limit 1) as "rootId"`,
  );
  const people = await deps.db.tx((sql) => ensureDemoPeople(sql));
  if (!ids?.adminId || !people)
    return {
      lines: ['  Demo: dữ liệu demo không đầy đủ; tạo token bằng: npm run admin -- token --org <id>'],
      signIn: [],
    };
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
  const signIn: string[] = [];
  for (const person of people) signIn.push(...(await signInLines(deps, admin, person, baseUrl)));
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
    ],
    signIn,
  };
}

const WHO: Record<DemoPersonKind, string> = {
  member: 'Đảng viên',
  secretary: 'Bí thư chi bộ',
  committee: 'Cấp ủy viên (Đảng ủy Thị trấn)',
  editor: 'Biên tập tài liệu cho Trợ lý ảo',
};

/**
 * One person's sign-in: the web chat by a one-time link code (72 hours; a new start issues a
 * new one, which replaces it), and for a role the console by a one-time link (10 minutes;
 * after that, "quản trị" typed in that web chat gives a new one).
 */
async function signInLines(deps: Deps, admin: Principal, person: DemoPerson, baseUrl: string): Promise<string[]> {
  const code = await issueLinkCode(deps, admin, person.memberId);
  const lines = [
    `  • ${WHO[person.kind]}: đồng chí ${person.fullName} — ${person.unitName}` +
      (person.unitName === person.cellName ? '' : ` (sinh hoạt tại ${person.cellName})`),
    `      Web chat:  ${baseUrl}/chat?code=${code.code}`,
  ];
  if (person.kind === 'member') return lines;
  const link = await issueConsoleLink(deps, {
    id: person.principalId,
    displayName: person.fullName,
    memberId: person.memberId,
  });
  const page = person.kind === 'editor' ? 'tài liệu cho Trợ lý ảo' : 'trang quản trị';
  lines.push(`      Quản trị:  ${link.url}   (${page}; dùng một lần trong ${link.minutes} phút)`);
  return lines;
}
