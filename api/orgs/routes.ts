import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from '../auth/authenticate.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { Closed, Id, IdParams, Name } from '../http/schemas.ts';
import { ORG_KINDS } from './kinds.ts';
import { createOrg } from './create-org.ts';
import { moveOrg } from './move-org.ts';
import { setOrgDeployment } from './set-org-deployment.ts';
import { getAdoptionReport } from './get-adoption-report.ts';
import { findOrg, listChildren } from './repository.ts';

const OrgKind = Type.Union(ORG_KINDS.map((k) => Type.Literal(k)));
const tags = ['Tổ chức (organisations)'];

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
      },
    },
    async (request, reply) => {
      const org = await createOrg(deps, requirePrincipal(request), request.body);
      return reply.status(201).send(org);
    },
  );

  app.get(
    '/orgs/:id',
    { schema: { tags, summary: 'A unit and its direct children', params: IdParams } },
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
      },
    },
    async (request) => setOrgDeployment(deps, requirePrincipal(request), request.params.id, request.body),
  );

  app.get(
    '/orgs/:id/adoption',
    {
      schema: { tags, summary: 'Members and chat adoption per cell beneath a unit', params: IdParams },
    },
    async (request) => getAdoptionReport(deps, requirePrincipal(request), request.params.id),
  );
};
