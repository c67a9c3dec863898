import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from '../auth/authenticate.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { AppError, notFound } from '../errors.ts';
import {
  Closed,
  ContentResponses,
  Count,
  FileBody,
  mediaTypes,
  Id,
  IdParams,
  IsoDate,
  Name,
  Nullable as OrNull,
  OneOf,
  Responses,
  UploadBody,
} from '../http/schemas.ts';
import { readUploadedFile } from '../http/uploads.ts';
import { findOrg } from '../orgs/repository.ts';
import { createMember } from './create-member.ts';
import { type MemberPatch, updateMember } from './update-member.ts';
import { addMemberPeriod, type PeriodInput } from './add-member-period.ts';
import { transferMember } from './transfer-member.ts';
import { importMembers } from './import-members.ts';
import { exportMembers } from './export-members.ts';
import { findMember, listMembersUnder, listPeriods, listTransfers } from './repository.ts';
import { vietnamDate } from '../text/vietnam-time.ts';

const tags = ['Đảng viên (members)'];
const Gender = Type.Union([Type.Literal('male'), Type.Literal('female')]);
const Status = Type.Union([Type.Literal('official'), Type.Literal('probationary')]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Optional(Type.Union([t, Type.Null()]));
const memberFields = {
  fullName: Name(200),
  gender: Gender,
  birthYear: Nullable(Type.Integer({ minimum: 1900, maximum: 2100 })),
  cardNumber: Nullable(Type.String({ minLength: 1, maxLength: 30 })),
  phone: Nullable(Type.String({ minLength: 1, maxLength: 20, pattern: '^[+0-9 ().-]+$' })),
  status: Status,
  admittedOn: Nullable(IsoDate),
  officialOn: Nullable(IsoDate),
};

const MemberT = Type.Object({
  id: Id,
  fullName: Type.String(),
  gender: OneOf(['male', 'female']),
  birthYear: OrNull(Type.Integer()),
  cardNumber: OrNull(Type.String()),
  phone: OrNull(Type.String()),
  cellId: Id,
  status: OneOf(['official', 'probationary']),
  admittedOn: OrNull(IsoDate),
  probationEndsOn: OrNull(IsoDate),
  officialOn: OrNull(IsoDate),
  active: Type.Boolean(),
});
const MemberListRowT = Type.Object({
  ...MemberT.properties,
  cellName: Type.String(),
  exempt: Type.Boolean({ description: 'exempt from meetings today' }),
  suspended: Type.Boolean({ description: 'suspended or prosecuted today' }),
  transferredOut: Type.Boolean({ description: 'temporarily transferred to another cell today' }),
});
const PERIOD_KINDS = ['exempt', 'suspended', 'prosecuted', 'temporary_transfer'] as const;
const PeriodT = Type.Object({
  id: Id,
  memberId: Id,
  kind: OneOf(PERIOD_KINDS),
  hostCellId: OrNull(Id),
  startsOn: IsoDate,
  endsOn: OrNull(IsoDate),
  reason: OrNull(Type.String()),
});
const MemberDetailT = Type.Object({
  ...MemberT.properties,
  periods: Type.Array(PeriodT),
  transfers: Type.Array(
    Type.Object({ fromCellId: Id, toCellId: Id, transferredOn: IsoDate, note: OrNull(Type.String()) }),
  ),
});
const SHEET_TYPES = {
  'text/csv': FileBody,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': FileBody,
};

export const memberRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/orgs/:id/members',
    {
      schema: {
        tags,
        summary: 'Add a member to a cell',
        params: IdParams,
        body: Closed(memberFields),
        response: Responses(MemberT, 201),
      },
    },
    async (request, reply) => {
      const member = await createMember(deps, requirePrincipal(request), {
        ...request.body,
        cellId: request.params.id,
      });
      return reply.status(201).send(member);
    },
  );

  app.get(
    '/orgs/:id/members',
    {
      schema: {
        tags,
        summary: 'Members of a cell or of every cell beneath a unit (JSON, CSV or XLSX)',
        params: IdParams,
        querystring: Closed({
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')])),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
        }),
        response: ContentResponses(
          200,
          { 'application/json': Type.Array(MemberListRowT), ...SHEET_TYPES },
          'the members (format=json), or the sheet as a file (format=csv, format=xlsx)',
        ),
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const format = request.query.format ?? 'json';
      if (format !== 'json') {
        const file = await exportMembers(deps, principal, request.params.id, format);
        return reply
          .header('content-type', file.contentType)
          .header('content-disposition', `attachment; filename="${file.filename}"`)
          .send(file.data);
      }
      const org = await findOrg(deps.db, request.params.id);
      if (!org) throw notFound('tổ chức');
      await requireRole(deps.db, principal, org.id, CAN.readOrg);
      const { limit = 500, offset = 0 } = request.query;
      return listMembersUnder(deps.db, org.path, vietnamDate(deps.clock.now()), { limit, offset });
    },
  );

  app.post(
    '/orgs/:id/members/import',
    {
      schema: {
        tags,
        summary:
          'Import members from CSV or XLSX: all rows or none; bad rows listed by line; a known card number updates',
        description:
          'multipart/form-data with field `file`, or a raw text/csv or xlsx body. Columns: ' +
          'Họ và tên, Giới tính, Năm sinh, Số thẻ đảng, Điện thoại, Chi bộ, ' +
          'Loại đảng viên, Ngày kết nạp, Ngày chính thức.',
        params: IdParams,
        body: { content: { 'multipart/form-data': { schema: UploadBody }, ...mediaTypes(SHEET_TYPES) } },
        querystring: Type.Object({
          preview: Type.Optional(Type.Boolean({ description: 'say what would be added and changed; write nothing' })),
        }),
        response: Responses(
          Type.Object({
            imported: Count,
            updated: Count,
            unchanged: Count,
            added: Type.Array(Type.String(), { description: 'names of the members added' }),
            changed: Type.Array(
              Type.Object({
                line: Type.Integer(),
                fullName: Type.String(),
                changes: Type.Array(Type.Object({ column: Type.String(), from: Type.String(), to: Type.String() })),
              }),
              { description: 'members matched by card number whose record the file changes' },
            ),
            preview: Type.Boolean(),
          }),
        ),
      },
    },
    async (request) => {
      const file = await readUploadedFile(request);
      const format = /\.xlsx$/i.test(file.filename) || file.mimetype.includes('spreadsheetml') ? 'xlsx' : 'csv';
      if (format === 'csv' && file.data.subarray(0, 2).toString('latin1') === 'PK') {
        throw new AppError('validation', 'Tệp có vẻ là XLSX; hãy đặt tên tệp có đuôi .xlsx.', { field: 'file' });
      }
      return importMembers(
        deps,
        requirePrincipal(request),
        request.params.id,
        { data: file.data, format },
        { preview: request.query.preview === true },
      );
    },
  );

  app.get(
    '/members/:id',
    {
      schema: {
        tags,
        summary: 'A member with dated facts and transfer history',
        params: IdParams,
        response: Responses(MemberDetailT),
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const member = await findMember(deps.db, request.params.id);
      if (!member) throw notFound('đảng viên');
      if (principal.memberId !== member.id) await requireRole(deps.db, principal, member.cellId, CAN.readOrg);
      return {
        ...member,
        periods: await listPeriods(deps.db, member.id),
        transfers: await listTransfers(deps.db, member.id),
      };
    },
  );

  app.patch(
    '/members/:id',
    {
      schema: {
        tags,
        summary: 'Edit a member',
        params: IdParams,
        body: Type.Partial(Closed({ ...memberFields, active: Type.Boolean() }), {
          additionalProperties: false,
          minProperties: 1,
        }),
        response: Responses(MemberT),
      },
    },
    async (request) => updateMember(deps, requirePrincipal(request), request.params.id, request.body as MemberPatch),
  );

  app.post(
    '/members/:id/periods',
    {
      schema: {
        tags,
        summary: 'Record an exemption, suspension, prosecution or temporary transfer (dated)',
        params: IdParams,
        body: Closed({
          kind: Type.Union(['exempt', 'suspended', 'prosecuted', 'temporary_transfer'].map((k) => Type.Literal(k))),
          startsOn: IsoDate,
          endsOn: Nullable(IsoDate),
          reason: Nullable(Type.String({ maxLength: 500 })),
          hostCellId: Nullable(Id),
        }),
        response: Responses(PeriodT, 201),
      },
    },
    async (request, reply) => {
      const period = await addMemberPeriod(
        deps,
        requirePrincipal(request),
        request.params.id,
        request.body as PeriodInput,
      );
      return reply.status(201).send(period);
    },
  );

  app.post(
    '/members/:id/transfer',
    {
      schema: {
        tags,
        summary: 'Official transfer to another cell (history kept)',
        params: IdParams,
        body: Closed({ toCellId: Id, transferredOn: IsoDate, note: Nullable(Type.String({ maxLength: 500 })) }),
        response: Responses(MemberT),
      },
    },
    async (request) => transferMember(deps, requirePrincipal(request), request.params.id, request.body),
  );
};
