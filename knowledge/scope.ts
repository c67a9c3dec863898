import type { Sql } from '../api/db/connect.ts';

/**
 * The subtree a member's questions are answered from: the path of their cell (documents
 * loaded for that cell or any unit above it are visible). Null when the cell is unknown,
 * which sees only the national documents (visible to everyone).
 */
export async function cellScope(sql: Sql, cellId: number | null | undefined): Promise<string | null> {
  if (cellId == null) return null;
  const [cell] = await sql.query<{ path: string }>(`select path::text as path from orgs where id = $1`, [cellId]);
  return cell?.path ?? null;
}

/**
 * Who sees a document loaded for a unit: that unit's subtree (returns the unit's id), a root
 * unit included — every province made with `create-org --kind province` is a root, and one
 * province's documents must never answer another's members. Only a document loaded for the
 * centre (kind `central`, the national root) is national: visible to everyone (null). So
 * publishing nationally takes the editor's right on the centre; a province's editor has none.
 */
export async function documentVisibility(sql: Sql, orgId: number): Promise<number | null> {
  const [org] = await sql.query<{ kind: string }>(`select kind from orgs where id = $1`, [orgId]);
  return org?.kind === 'central' ? null : orgId;
}
