import { Type, type TSchema } from 'typebox';

/** Shared schema pieces; bodies are closed objects so unknown fields are refused. */
export const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
export const IdParams = Type.Object({ id: Id });
export const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
export const Name = (max = 200) => Type.String({ minLength: 1, maxLength: max });
export const Closed = <T extends Record<string, TSchema>>(props: T) =>
  Type.Object(props, { additionalProperties: false });

export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
  data: Type.Optional(Type.Unknown()),
});
