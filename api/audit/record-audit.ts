import type { Sql } from '../db/connect.ts';

export interface AuditEntry {
  actorPrincipalId?: number | null;
  /** The unit the action concerns: committees above it read the entry in the console. */
  orgId?: number | null;
  action: string;
  subjectType: string;
  subjectId: string | number;
  details?: Record<string, unknown>;
  at?: Date;
}

/**
 * Appends to the audit log (a trigger forbids update and delete). Call it inside the same
 * transaction as the change it records, so one is never kept without the other.
 * Never put secrets or message text in `details`.
 */
export async function recordAudit(sql: Sql, e: AuditEntry): Promise<void> {
  await sql.query(
    `insert into audit_log (at, actor_principal_id, action, subject_type, subject_id, details, org_id)
     values (coalesce($1, now()), $2, $3, $4, $5, $6::jsonb, $7)`,
    [
      e.at ?? null,
      e.actorPrincipalId ?? null,
      e.action,
      e.subjectType,
      String(e.subjectId),
      JSON.stringify(e.details ?? {}),
      e.orgId ?? null,
    ],
  );
}

/** An export in the audit log: what was exported, of which unit, how many rows (never their content). */
export async function recordExport(
  sql: Sql,
  e: { actor: { id: number }; orgId: number; what: string; format: string; rows?: number; at: Date },
): Promise<void> {
  await recordAudit(sql, {
    actorPrincipalId: e.actor.id,
    orgId: e.orgId,
    action: 'export',
    subjectType: 'org',
    subjectId: e.orgId,
    details: { what: e.what, format: e.format, rows: e.rows },
    at: e.at,
  });
}
