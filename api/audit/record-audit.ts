import type { Sql } from '../db/connect.ts';

export interface AuditEntry {
  actorPrincipalId?: number | null;
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
    `insert into audit_log (at, actor_principal_id, action, subject_type, subject_id, details)
     values (coalesce($1, now()), $2, $3, $4, $5, $6::jsonb)`,
    [
      e.at ?? null,
      e.actorPrincipalId ?? null,
      e.action,
      e.subjectType,
      String(e.subjectId),
      JSON.stringify(e.details ?? {}),
    ],
  );
}
