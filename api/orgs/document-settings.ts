/**
 * What a unit's party documents carry in their header and signature (Hướng dẫn 36-HD/VPTW;
 * rules.md §9): the issuing body (a đảng bộ's committee, "Đảng ủy …"; a cell, signed for by its
 * chi ủy when it has one), its ký hiệu, the locality written before the date, and who signs on
 * the committee's behalf with which title. The report, the minutes and the result sheets read
 * them from here. Each value may be set by the unit's committee (org_document_settings,
 * migration 120); what is not set is derived, or left blank for the office to fill in by hand.
 */
import type { Deps } from '../context.ts';
import type { Sql } from '../db/connect.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { notFound } from '../errors.ts';
import { isCellKind } from './kinds.ts';
import { CELL_COMMITTEE_MIN_OFFICIAL } from '../rules/membership.ts';
import { versionInForce } from '../rules/rule.ts';
import { localityOf } from '../text/party-header.ts';

export type SignerTitle = 'secretary' | 'deputy_secretary';
export const SIGNER_TITLES: Record<SignerTitle, string> = { secretary: 'BÍ THƯ', deputy_secretary: 'PHÓ BÍ THƯ' };

export interface DocumentSettings {
  /** As stored; null where the committee set nothing. */
  stored: {
    issuerName: string | null;
    locality: string | null;
    signerName: string | null;
    signerTitle: SignerTitle | null;
  };
  /** "Đảng ủy Thị trấn Hòa Bình", "Chi ủy Chi bộ Khu phố 1" / "Chi bộ Khu phố 2". */
  issuerName: string;
  /** The body in "T/M …": "ĐẢNG ỦY", "CHI ỦY", "CHI BỘ". */
  issuerBody: string;
  /** The ký hiệu after the document's type: "ĐU" (đảng ủy), "CB" (chi bộ, chi ủy). */
  symbol: string;
  /** The party organisation above ("Đảng bộ tỉnh …"), for the first header line; null at a root. */
  parentName: string | null;
  /** The locality before the date; null: left to fill in. */
  locality: string | null;
  /** Who signs, and as what ("BÍ THƯ"); null: left to fill in. */
  signerName: string | null;
  signerTitle: string | null;
}

export async function getDocumentSettings(sql: Sql, orgId: number, onDate: string): Promise<DocumentSettings> {
  const units = await sql.query<{ id: number; name: string; kind: string }>(
    `select a.id, a.name, a.kind from orgs c join orgs a on a.path @> c.path where c.id = $1
      order by nlevel(a.path) desc`,
    [orgId],
  );
  if (!units.length) throw notFound('tổ chức', `org ${orgId}`);
  const [row] = await sql.query<DocumentSettings['stored'] & { official: number; secretary: string | null }>(
    `select s.issuer_name as "issuerName", s.locality, s.signer_name as "signerName", s.signer_title as "signerTitle",
            (select count(*)::int from members m where m.cell_id = $1 and m.active and m.status = 'official')
              as official,
            (select m.full_name from role_grants g join principals p on p.id = g.principal_id
               join members m on m.id = p.member_id
              where g.org_id = $1 and g.role = 'secretary' and m.active order by g.id limit 1) as secretary
       from (select 1) one left join org_document_settings s on s.org_id = $1`,
    [orgId],
  );
  const unit = units[0];
  const cell = isCellKind(unit.kind);
  // rule: cell committee — Điều lệ Đ21, Đ24 (9 or more official members elect a chi ủy)
  const hasCommittee = !cell || row.official >= versionInForce(CELL_COMMITTEE_MIN_OFFICIAL, onDate).value;
  const issuerName = row.issuerName ?? issuingBody(unit.name);
  return {
    stored: {
      issuerName: row.issuerName,
      locality: row.locality,
      signerName: row.signerName,
      signerTitle: row.signerTitle,
    },
    issuerName,
    issuerBody: cell ? (hasCommittee ? 'CHI ỦY' : 'CHI BỘ') : bodyOf(issuerName),
    symbol: /^đảng ủy/iu.test(issuerName) ? 'ĐU' : 'CB',
    parentName: units[1] ? withoutNote(units[1].name) : null,
    locality: await documentLocality(sql, orgId),
    signerName: row.signerName ?? (cell ? row.secretary : null),
    signerTitle: row.signerTitle
      ? SIGNER_TITLES[row.signerTitle]
      : cell && row.secretary
        ? SIGNER_TITLES.secretary
        : null,
  };
}

export interface DocumentSettingsInput {
  issuerName: string | null;
  locality: string | null;
  signerName: string | null;
  signerTitle: SignerTitle | null;
}

/** The unit's committee (or a cell's secretary, or an admin) sets what its documents carry. */
export async function saveDocumentSettings(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  orgId: number,
  input: DocumentSettingsInput,
): Promise<void> {
  await deps.db.tx(async (sql) => {
    await requireRole(sql, actor, orgId, CAN.publish);
    const clean = (s: string | null) => s?.replace(/\s+/g, ' ').trim() || null;
    await sql.query(
      `insert into org_document_settings (org_id, issuer_name, locality, signer_name, signer_title, updated_at,
                                          updated_by)
       values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (org_id) do update set issuer_name = excluded.issuer_name, locality = excluded.locality,
         signer_name = excluded.signer_name, signer_title = excluded.signer_title,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [
        orgId,
        clean(input.issuerName),
        clean(input.locality),
        clean(input.signerName),
        input.signerTitle,
        deps.clock.now(),
        actor.id,
      ],
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      orgId,
      action: 'org.document_settings',
      subjectType: 'org',
      subjectId: orgId,
      at: deps.clock.now(),
    });
  });
}

/**
 * The body named in a unit's document header: a đảng bộ's documents are its committee's
 * ("Đảng bộ xã X" → "Đảng ủy xã X"); a cell's carry the cell's name ("Chi bộ Khu phố 1"),
 * signed "T/M CHI ỦY" when it has a chi ủy, "T/M CHI BỘ" when it has a secretary only.
 */
export function issuingBody(unitName: string): string {
  const name = withoutNote(unitName);
  return /^đảng bộ\s/iu.test(name) ? name.replace(/^đảng bộ/iu, 'Đảng ủy') : name;
}

const bodyOf = (issuer: string) => {
  const m = /^(đảng ủy|chi ủy|chi bộ|ban thường vụ)/iu.exec(issuer);
  return (m ? m[1] : issuer).toLocaleUpperCase('vi');
};

/** A unit's name without a trailing note in brackets ("… (demo)"), as a document writes it. */
export const withoutNote = (name: string) => name.replace(/\s*\([^)]*\)\s*$/, '').trim();

/**
 * The locality a unit's documents write before the date: set on the unit or the nearest unit
 * above it (a town sets it once for its cells), else read from the units' names ("Đảng bộ xã
 * Đồng Đăng" → "Đồng Đăng"); null when neither says (left to fill in).
 */
export async function documentLocality(sql: Sql, orgId: number): Promise<string | null> {
  const units = await sql.query<{ name: string; locality: string | null }>(
    `select a.name, s.locality from orgs c join orgs a on a.path @> c.path
       left join org_document_settings s on s.org_id = a.id
      where c.id = $1 order by nlevel(a.path) desc`,
    [orgId],
  );
  return units.find((u) => u.locality)?.locality ?? localityOf(units.map((u) => u.name));
}
