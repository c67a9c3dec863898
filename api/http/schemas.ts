import { Type, type TSchema } from 'typebox';

/** Shared schema pieces; bodies are closed objects so unknown fields are refused. */
export const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
export const IdParams = Type.Object({ id: Id });
export const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
export const Name = (max = 200) => Type.String({ minLength: 1, maxLength: max });
/** A link for people to open: http or https only (never `javascript:`, `data:`, `file:`). */
export const HttpUrl = (max = 2000) =>
  Type.String({ format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://', maxLength: max });
export const Closed = <T extends Record<string, TSchema>>(props: T) =>
  Type.Object(props, { additionalProperties: false });

export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
  data: Type.Optional(Type.Unknown()),
});

// Response schemas: the contract /docs shows, and what Fastify serialises with. A field left
// out of a response schema is dropped from the answer, so these list every field returned.

/** `T` or `null` (a response schema must say so, or null is written as "" or 0). */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** A timestamp: a Date in code, ISO 8601 on the wire. */
export const DateTime = Type.Unsafe<Date | string>(Type.String({ format: 'date-time' }));
export const Count = Type.Integer({ minimum: 0 });
export const Ok = Type.Object({ ok: Type.Boolean({ description: 'always true' }) });
/** A file sent as is (CSV, XLSX, DOCX, PDF, an attachment). */
export const FileBody = Type.String({ format: 'binary' });
/** An HTML page (the signed links opened in a browser). */
export const HtmlPage = Type.String({ description: 'text/html page' });

/**
 * The `response` part of a route schema: the success status with its body, and the error
 * body every failure has (`api/http/errors.ts`).
 */
export const Responses = <T extends TSchema, S extends number = 200>(body: T, status?: S) =>
  ({ [status ?? 200]: body, '4xx': ErrorBody }) as { [K in S]: T } & { '4xx': typeof ErrorBody };

/** Responses whose success body depends on the content type (JSON or a file; HTML). */
export const ContentResponses = (status: number, content: Record<string, TSchema>, description: string) => ({
  [status]: { description, content: mediaTypes(content) },
  '4xx': ErrorBody,
});

/** A signed link's path (`api/http/signed-link.ts`): ids, expiry and signature as sent. */
export const SignedLinkPart = Type.String({ minLength: 1, maxLength: 200 });

/** The multipart upload body (`api/http/uploads.ts`): one file in the field `file`. */
export const UploadBody = Type.Object(
  { file: Type.String({ format: 'binary', description: 'the file' }) },
  { description: 'multipart/form-data with one field `file`, or the raw file with its own content type' },
);

/** One of a list of strings, typed as their union (for responses). */
export const OneOf = <T extends string>(values: readonly T[]) => Type.Unsafe<T>(Type.String({ enum: [...values] }));

/** A `content` map (request body or response) from media types to their schemas. */
export const mediaTypes = (types: Record<string, TSchema>) =>
  Object.fromEntries(Object.entries(types).map(([type, schema]) => [type, { schema }]));

/**
 * The same schema, for a use case whose rows are not typed yet (`db.query` without a row type):
 * serialised and documented alike, checked by the tests rather than by tsc.
 */
export const UntypedRows = <T extends TSchema>(t: T) => Type.Unsafe<unknown>(t);
