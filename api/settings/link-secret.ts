import crypto from 'node:crypto';
import { one, type Db } from '../db/connect.ts';

/**
 * The key that signs web-view and web-chat links: LINK_SECRET when set, otherwise one
 * generated on first start and kept in the database.
 */
export async function loadLinkSecret(db: Db, fromEnv: string | null): Promise<string> {
  if (fromEnv) return fromEnv;
  const candidate = crypto.randomBytes(32).toString('base64url');
  const row = await one<{ value: string }>(
    db,
    `with ins as (
       insert into service_settings (key, value) values ('link_secret', $1) on conflict (key) do nothing returning value
     )
     select value from ins union all select value from service_settings where key = 'link_secret' limit 1`,
    [candidate],
  );
  return row.value;
}
