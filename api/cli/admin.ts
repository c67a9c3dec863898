/**
 * Administration from the command line — the only way to get the first admin token
 * (there is no default password).
 *
 *   npm run admin -- create-org --kind province --name "Đảng bộ tỉnh X" [--parent ID]
 *   npm run admin -- token --org ID [--role admin|committee|secretary|editor] [--name "Tên"] [--days N]
 *   npm run admin -- tokens [--org ID] [--principal ID] [--all]
 *   npm run admin -- revoke TOKEN_ID | --principal ID
 *   npm run admin -- roles --org ID
 *   npm run admin -- remove-role GRANT_ID
 *   npm run admin -- orgs
 *   npm run admin -- backup FILE      (embedded database; works while `npm start` runs)
 *   npm run admin -- restore FILE     (into an empty data folder)
 *   npm run admin -- --help
 */
import { parseArgs } from 'node:util';
import { readConfig } from '../config.ts';
import { embeddedDir, openDatabase } from '../db/open-database.ts';
import { migrate } from '../db/migrate.ts';
import { backupEmbedded, restoreEmbedded } from '../db/embedded-backup.ts';
import { AppError } from '../errors.ts';
import { systemClock } from '../context.ts';
import { issueTokenCommand, listTokensCommand, revokeTokensCommand, TOKEN_USAGE } from '../auth/token-commands.ts';
import { listRolesCommand, removeRoleCommand, ROLE_USAGE } from '../auth/role-commands.ts';
import { findOrg } from '../orgs/repository.ts';
import { createOrg } from '../orgs/create-org.ts';
import { ORG_KINDS, type OrgKind } from '../orgs/kinds.ts';

const USAGE = `Dùng:
  npm run admin -- create-org --kind <${ORG_KINDS.join('|')}> --name "<tên>" [--parent <id>]
${TOKEN_USAGE}
${ROLE_USAGE}
  npm run admin -- orgs
  npm run admin -- backup <tệp>      (sao lưu cơ sở dữ liệu nhúng, chạy được khi dịch vụ đang chạy)
  npm run admin -- restore <tệp>     (khôi phục vào thư mục dữ liệu trống)
  npm run admin -- --help`;

const OPTIONS = {
  kind: { type: 'string' },
  name: { type: 'string' },
  parent: { type: 'string' },
  org: { type: 'string' },
  role: { type: 'string' },
  days: { type: 'string' },
  principal: { type: 'string' },
  all: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The command line's words, or a usage error that names the option it does not know. */
function readArgs() {
  try {
    return parseArgs({ allowPositionals: true, options: OPTIONS });
  } catch (e) {
    const option = /'(-[^']*)'/.exec((e as Error).message)?.[1];
    throw new AppError('validation', `${option ? `Không có tùy chọn ${option}.` : 'Lệnh không hợp lệ.'}\n${USAGE}`);
  }
}

async function main() {
  const { positionals, values } = readArgs();
  // Help needs no database.
  if (values.help || positionals[0] === 'help' || positionals.length === 0) {
    console.log(USAGE);
    return;
  }
  const config = readConfig();
  if (positionals[0] === 'backup' || positionals[0] === 'restore') {
    const file = positionals[1];
    if (!file || positionals.length > 2) throw new AppError('validation', USAGE);
    if (positionals[0] === 'backup') {
      const { bytes } = await backupEmbedded(config, file);
      console.log(`Đã sao lưu vào ${file} (${(bytes / 1024 / 1024).toFixed(1)} MB).`);
    } else {
      await restoreEmbedded(config, file);
      console.log(`Đã khôi phục từ ${file} vào ${embeddedDir(config)}. Khởi động dịch vụ: npm start`);
    }
    return;
  }
  // Beside a running service on the embedded database, its SQL goes through the service.
  const { db } = await openDatabase(config, 'client');
  try {
    await migrate(db);
    switch (positionals[0]) {
      case 'create-org': {
        const kind = values.kind as OrgKind;
        if (!ORG_KINDS.includes(kind) || !values.name) throw new AppError('validation', USAGE);
        const parent = values.parent ? await findOrg(db, Number(values.parent)) : null;
        if (values.parent && !parent) throw new AppError('not_found', `Không có tổ chức ${values.parent}.`);
        const org = await createOrg({ db, clock: systemClock }, null, {
          parentId: parent?.id ?? null,
          kind,
          name: values.name,
        });
        console.log(JSON.stringify(org));
        break;
      }
      case 'token':
        console.log((await issueTokenCommand({ db, clock: systemClock }, values)).join('\n'));
        break;
      case 'tokens':
        console.log((await listTokensCommand({ db, clock: systemClock }, values)).join('\n'));
        break;
      case 'revoke':
        console.log((await revokeTokensCommand({ db, clock: systemClock }, values, positionals.slice(1))).join('\n'));
        break;
      case 'roles':
        console.log((await listRolesCommand({ db }, values.org)).join('\n'));
        break;
      case 'remove-role':
        console.log((await removeRoleCommand({ db, clock: systemClock }, positionals[1])).join('\n'));
        break;
      case 'orgs': {
        const rows = await db.query(
          `select id, parent_id as "parentId", kind, name, deployed from orgs order by path limit 500`,
        );
        for (const r of rows)
          console.log(`${r.id}\t${r.parentId ?? '-'}\t${r.kind}\t${r.deployed ? '' : '(không triển khai) '}${r.name}`);
        break;
      }
      default:
        console.log(USAGE);
    }
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  console.error(e instanceof AppError ? e.message : e);
  process.exit(1);
});
