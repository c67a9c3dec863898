-- What a unit's party documents (the "Báo cáo sơ kết", minutes, result sheets) carry in their header
-- and signature (Hướng dẫn 36-HD/VPTW; rules.md §9), set by the unit's committee in the console.
-- Each column is optional: left empty, the value is derived (the issuing body from the unit's name,
-- the locality from the units' names, the signer from the cell's secretary) or left to fill in by hand.
create table org_document_settings (
  org_id integer primary key references orgs(id),
  issuer_name text check (length(issuer_name) between 1 and 200),
  locality text check (length(locality) between 1 and 100),
  signer_name text check (length(signer_name) between 1 and 200),
  signer_title text check (signer_title in ('secretary', 'deputy_secretary')),
  updated_at timestamptz not null default now(),
  updated_by integer references principals(id)
);
