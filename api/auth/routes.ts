import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from './authenticate.ts';
import { CAN, grantRole, listRoleGrants, requireRole, ROLES } from './roles.ts';
import { ensureMemberPrincipal, findPrincipal } from './principal.ts';
import { AppError, notFound } from '../errors.ts';
import { Closed, DateTime, Id, IdParams, Nullable, OneOf, Responses } from '../http/schemas.ts';
import { findMember } from '../members/repository.ts';
import { listPrincipalTokens, revokeToken } from './manage-tokens.ts';

const tags = ['Quyền (roles)'];
const RoleT = OneOf(ROLES);
const MeT = Type.Object({
  id: Id,
  displayName: Type.String(),
  memberId: Nullable(Id),
  roles: Type.Array(Type.Object({ orgId: Id, orgName: Type.String(), role: RoleT })),
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
    async (request, reply) => {
      const actor = requirePrincipal(request);
      const { role, memberId, principalId } = request.body;
      if ((memberId === undefined) === (principalId === undefined)) {
        throw new AppError('validation', 'Cần đúng một trong hai trường memberId hoặc principalId.', {
          field: 'memberId',
        });
      }
      await requireRole(deps.db, actor, request.params.id, CAN.grantRoles);
      const target = await deps.db.tx(async (sql) => {
        if (memberId !== undefined) {
          if (!(await findMember(sql, memberId))) throw notFound('đảng viên');
          return ensureMemberPrincipal(sql, memberId);
        }
        const p = await findPrincipal(sql, principalId!);
        if (!p) throw notFound('tài khoản');
        return p;
      });
      await grantRole(deps.db, target.id, request.params.id, role);
      return reply.status(201).send({ principalId: target.id, orgId: request.params.id, role });
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
