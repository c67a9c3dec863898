import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from './authenticate.ts';
import { listRoleGrants, ROLES } from './roles.ts';
import { Closed, DateTime, Id, IdParams, Nullable, OneOf, Responses } from '../http/schemas.ts';
import { listPrincipalTokens, revokePrincipal, revokeToken } from './manage-tokens.ts';
import { assignRole } from './assign-role.ts';
import { listUnitRoles } from './list-unit-roles.ts';
import { removeRole } from './remove-role.ts';

const tags = ['Quyền (roles)'];
const RoleT = OneOf(ROLES);
const MeT = Type.Object({
  id: Id,
  displayName: Type.String(),
  memberId: Nullable(Id),
  roles: Type.Array(Type.Object({ orgId: Id, orgName: Type.String(), role: RoleT })),
});

const GrantT = Type.Object({
  id: Id,
  orgId: Id,
  orgName: Type.String(),
  role: RoleT,
  principalId: Id,
  principalName: Type.String(),
  memberId: Nullable(Id),
  createdAt: DateTime,
});

const TokenT = Type.Object({
  id: Id,
  principalId: Id,
  principalName: Type.String(),
  label: Type.String(),
  createdAt: DateTime,
  expiresAt: DateTime,
  revokedAt: Nullable(DateTime),
  state: OneOf(['active', 'expired', 'revoked'] as const),
});

export const authRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/me',
    { schema: { tags, summary: 'Who the token belongs to, and its roles', response: Responses(MeT) } },
    async (request) => {
      const principal = requirePrincipal(request);
      return { ...principal, roles: await listRoleGrants(deps.db, principal.id) };
    },
  );

  app.post(
    '/orgs/:id/roles',
    {
      schema: {
        tags,
        summary: 'Grant a role on a unit (and its subtree) to a member or principal',
        params: IdParams,
        body: Closed({
          role: Type.Union(ROLES.map((r) => Type.Literal(r))),
          memberId: Type.Optional(Id),
          principalId: Type.Optional(Id),
        }),
        response: Responses(Type.Object({ principalId: Id, orgId: Id, role: RoleT }), 201),
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await assignRole(deps, requirePrincipal(request), { orgId: request.params.id, ...request.body })),
  );

  app.get(
    '/orgs/:id/roles',
    {
      schema: {
        tags,
        summary: 'Every role held on a unit and the units beneath it (for whoever may grant roles there)',
        params: IdParams,
        response: Responses(Type.Array(GrantT)),
      },
    },
    async (request) => listUnitRoles(deps, requirePrincipal(request), request.params.id),
  );

  app.delete(
    '/roles/:id',
    {
      schema: {
        tags,
        summary: 'Remove a role (a grant listed by GET /orgs/:id/roles); recorded in the audit log',
        description: 'Needs the right to grant roles on the unit the role is held on.',
        params: IdParams,
        response: Responses(GrantT),
      },
    },
    async (request) => removeRole(deps, requirePrincipal(request), request.params.id),
  );

  app.post(
    '/principals/:id/revoke',
    {
      schema: {
        tags,
        summary: 'Revoke a principal: every token, web-chat session and console session it has',
        description:
          'Console and web-chat sessions end at once; its tokens at once on this instance, within the ' +
          'principal cache time elsewhere. Its roles stay (DELETE /roles/:id removes them).',
        params: IdParams,
        response: Responses(
          Type.Object({
            principalId: Id,
            tokensRevoked: Type.Array(Id),
            webChats: Type.Integer({ minimum: 0 }),
            consoleSessions: Type.Integer({ minimum: 0 }),
          }),
        ),
      },
    },
    async (request) => {
      const revoked = await revokePrincipal(deps, requirePrincipal(request), request.params.id);
      for (const id of revoked.tokensRevoked) app.principalCache.forgetToken(id);
      return revoked;
    },
  );

  app.get(
    '/tokens',
    {
      schema: {
        tags,
        summary: 'API tokens of the caller (or, for an admin, of a principal wholly inside their subtree)',
        description:
          'Never the token itself: only id, label, dates and state. `all=true` includes revoked and expired.',
        querystring: Closed({ principalId: Type.Optional(Id), all: Type.Optional(Type.Boolean()) }),
        response: Responses(Type.Array(TokenT)),
      },
    },
    async (request) =>
      listPrincipalTokens(deps, requirePrincipal(request), {
        principalId: request.query.principalId,
        includeInactive: request.query.all,
      }),
  );

  app.post(
    '/tokens/:id/revoke',
    {
      schema: {
        tags,
        summary: 'Revoke an API token: at once on this instance, within the principal cache time elsewhere',
        params: IdParams,
        response: Responses(TokenT),
      },
    },
    async (request) => {
      const token = await revokeToken(deps, requirePrincipal(request), request.params.id);
      app.principalCache.forgetToken(token.id);
      return token;
    },
  );
};
