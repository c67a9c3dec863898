/**
 * An editor withdraws a document from the assistant (issue 25 point 4): its passages stop
 * answering at once (the chunks go with the document, and the lessons that pointed at it),
 * the term statistics are refreshed, and the audit log keeps who withdrew what. Rights are
 * checked on the unit the document was loaded for; a national document (loaded with no unit,
 * or for the centre) takes the editor's right on the centre.
 */
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, hasRole, requireRole } from '../auth/roles.ts';
import { forbidden, notFound } from '../errors.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { refreshTermStats } from '../../knowledge/store.ts';

export async function withdrawDocument(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  documentId: number,
): Promise<{ title: string; orgId: number | null }> {
  const [doc] = await deps.db.query<{ title: string; unitId: number | null; key: string }>(
    `select title, doc_key as key, coalesce(org_id, visibility_org_id) as "unitId" from kb_documents where id = $1`,
    [documentId],
  );
  if (!doc) throw notFound('tài liệu');
  if (doc.unitId !== null) await requireRole(deps.db, actor, doc.unitId, CAN.editDocuments);
  else {
    const centres = await deps.db.query<{ id: number }>(`select id from orgs where kind = 'central'`);
    let allowed = false;
    for (const c of centres) allowed ||= await hasRole(deps.db, actor.id, c.id, CAN.editDocuments);
    if (!allowed) throw forbidden(`principal ${actor.id} may not withdraw national document ${documentId}`);
  }
  await deps.db.tx(async (sql) => {
    await sql.query(`delete from kb_documents where id = $1`, [documentId]);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      orgId: doc.unitId,
      action: 'knowledge.document_withdrawn',
      subjectType: 'kb_document',
      subjectId: documentId,
      details: { key: doc.key },
    });
  });
  await refreshTermStats(deps.db);
  return { title: doc.title, orgId: doc.unitId };
}
