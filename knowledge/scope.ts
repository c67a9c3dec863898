import type { Sql } from '../api/db/connect.ts';

/**
 * The subtree a member's questions are answered from: the path of their cell (documents
 * loaded for that cell or any unit above it are visible). Null when the cell is unknown,
 * which sees only documents visible to everyone.
 */
export async function cellScope(sql: Sql, cellId: number | null | undefined): Promise<string | null> {
  if (cellId == null) return null;
  const [cell] = await sql.query<{ path: string }>(`select path::text as path from orgs where id = $1`, [cellId]);
  return cell?.path ?? null;
}
