/**
 * JSON-schema validation for every route. Bodies are validated strictly: unknown fields and
 * wrong types are errors, never silently dropped or coerced. Path and query strings are text
 * on the wire, so those parts may coerce "42" to 42.
 */
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function makeAjv(coerceTypes: boolean) {
  const ajv = new Ajv({ coerceTypes, removeAdditional: false, useDefaults: true, allErrors: false, strict: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  // Every URL we accept is one people open from a page or a chat: http(s) only, whatever the schema says.
  ajv.addFormat('uri', isHttpUrl);
  return ajv;
}

export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value) || /[\s<>"]/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

const strict = makeAjv(false);
const lenient = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart, contentType }) => {
  // A file body (multipart, CSV, XLSX…) is documented by its schema and checked by readUploadedFile.
  if (httpPart === 'body' && contentType !== undefined && !contentType.includes('json')) return () => true;
  const ajv = httpPart === 'body' ? strict : lenient;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};

/** A short message naming the field of the first error, in Vietnamese then English. */
export function describeValidationError(
  errors: ErrorObject[],
  part: string | undefined,
): { field: string; message: string } {
  const error = errors[0];
  const base = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  let field = base;
  let reason: string;
  switch (error.keyword) {
    case 'additionalProperties':
      field = join(base, String(error.params.additionalProperty));
      reason = 'không được phép (unknown field)';
      break;
    case 'required':
      field = join(base, String(error.params.missingProperty));
      reason = 'là bắt buộc (required)';
      break;
    case 'type':
      reason = `sai kiểu, cần ${error.params.type} (wrong type)`;
      break;
    case 'maxLength':
      reason = `dài quá ${error.params.limit} ký tự (too long)`;
      break;
    case 'minLength':
      reason =
        error.params.limit === 1
          ? 'không được để trống (empty)'
          : `cần ít nhất ${error.params.limit} ký tự (too short)`;
      break;
    case 'enum':
      reason = `phải là một trong: ${(error.params.allowedValues as unknown[]).join(', ')}`;
      break;
    case 'const': {
      // A union of literals fails once per literal, at the same place: name them all.
      const allowed = errors
        .filter((e) => e.keyword === 'const' && e.instancePath === error.instancePath)
        .map((e) => e.params.allowedValue);
      reason = `phải là một trong: ${allowed.join(', ')}`;
      break;
    }
    case 'format':
      reason = `sai định dạng ${error.params.format} (bad format)`;
      break;
    case 'pattern':
      reason = `chứa ký tự không được phép (must match ${error.params.pattern})`;
      break;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      reason = `phải ${COMPARISONS[error.params.comparison as string]} ${error.params.limit} (out of range)`;
      break;
    case 'minItems':
      reason = `cần ít nhất ${error.params.limit} mục (too few items)`;
      break;
    case 'maxItems':
      reason = `có quá ${error.params.limit} mục (too many items)`;
      break;
    default:
      reason = `không hợp lệ (${error.message ?? error.keyword})`;
  }
  const where = field || part || 'body';
  return { field: where, message: `Trường "${where}" ${reason}.` };
}

const COMPARISONS: Record<string, string> = { '>=': 'từ', '<=': 'không quá', '>': 'lớn hơn', '<': 'nhỏ hơn' };

const join = (a: string, b: string) => (a ? `${a}.${b}` : b);
