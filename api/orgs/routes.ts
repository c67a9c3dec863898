import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from '../auth/authenticate.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { Closed, Count, Id, IdParams, Name, Nullable, OneOf, Responses } from '../http/schemas.ts';
import { ORG_KINDS } from './kinds.ts';
import { createOrg } from './create-org.ts';
import { moveOrg } from './move-org.ts';
import { setOrgDeployment } from './set-org-deployment.ts';
import { getAdoptionReport } from './get-adoption-report.ts';
import { findOrg, listChildren } from './repository.ts';

const OrgKind = Type.Union(ORG_KINDS.map((k) => Type.Literal(k)));
const tags = ['Tổ chức (organisations)'];

const OrgT = Type.Object({
  id: Id,
  parentId: Nullable(Id),
  kind: OneOf(ORG_KINDS),
  name: Type.String(),
  path: Type.String({ description: 'ltree path of ids from the root, e.g. "1.2.7"' }),
  deployed: Type.Boolean(),
  notDeployedReason: Nullable(Type.String()),
});
const CellStatsT = Type.Object({
  orgId: Id,
  name: Type.String(),
  kind: OneOf(ORG_KINDS),
  deployed: Type.Boolean(),
  notDeployedReason: Nullable(Type.String()),
  members: Count,
  official: Count,
  probationary: Count,
  linked: Count,
});
const AdoptionReportT = Type.Object({
  orgId: Id,
  name: Type.String(),
  deployed: Type.Object(
    {
      cells: Count,
      members: Count,
      official: Count,
      probationary: Count,
      linked: Count,
      linkedShare: Type.Number({ minimum: 0, maximum: 1 }),
    },
    { description: 'totals over deployed units only: the adoption denominator' },
  ),
  notDeployed: Type.Object({
    cells: Count,
    members: Count,
    units: Type.Array(Type.Object({ orgId: Id, name: Type.String(), reason: Nullable(Type.String()), members: Count })),
  }),
  cells: Type.Array(CellStatsT),
});

export const orgRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/orgs',
    {
      schema: {
        tags,
        summary: 'Create a unit under a parent',
        body: Closed({
          parentId: Id,
          kind: OrgKind,
          name: Name(300),
          deployed: Type.Optional(Type.Boolean()),
          notDeployedReason: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: Responses(OrgT, 201),
      },
    },
    async (request, reply) => {
      const org = await createOrg(deps, requirePrincipal(request), request.body);
      return reply.status(201).send(org);
    },
  );

  app.get(
    '/orgs/:id',
    {
      schema: {
        tags,
        summary: 'A unit and its direct children',
        params: IdParams,
        response: Responses(Type.Object({ ...OrgT.properties, children: Type.Array(OrgT) })),
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const org = await findOrg(deps.db, request.params.id);
      if (!org) throw notFound('tổ chức');
      await requireRole(deps.db, principal, org.id, CAN.readOrg);
      return { ...org, children: await listChildren(deps.db, org.id) };
    },
  );

  app.post(
    '/orgs/:id/move',
    {
      schema: {
        tags,
        summary: 'Move a unit (and its subtree) under another parent',
        params: IdParams,
        body: Closed({ parentId: Id }),
        response: Responses(OrgT),
      },
    },
    async (request) => moveOrg(deps, requirePrincipal(request), request.params.id, request.body.parentId),
  );

  app.put(
    '/orgs/:id/deployment',
    {
      schema: {
        tags,
        summary: 'Mark a unit deployed or not deployed (with a reason)',
        params: IdParams,
        body: Closed({ deployed: Type.Boolean(), reason: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: Responses(OrgT),
      },
    },
    async (request) => setOrgDeployment(deps, requirePrincipal(request), request.params.id, request.body),
  );

  app.get(
    '/orgs/:id/adoption',
    {
      schema: {
        tags,
        summary: 'Members and chat adoption per cell beneath a unit',
        params: IdParams,
        response: Responses(AdoptionReportT),
      },
    },
    async (request) => getAdoptionReport(deps, requirePrincipal(request), request.params.id),
  );
};
