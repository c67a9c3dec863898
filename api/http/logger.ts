import pino, { type Logger } from 'pino';
import { redactSignedLinks } from './signed-link.ts';

/**
 * Structured JSON logs. Secrets and members' message text never belong in a log line:
 * - headers that carry secrets are redacted (bearer tokens, webhook secrets, cookies);
 * - fields named like message text or secrets are redacted at any of the first levels;
 * - request URLs are logged without their query string (one-time codes travel there) and
 *   without long opaque path segments (the signature of a signed link, /n/…/<sig>);
 * - request and response bodies are never logged.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-telegram-bot-api-secret-token"]',
          'req.headers["x-bot-api-secret-token"]',
          'req.headers.cookie',
          'req.body',
          ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
      },
    },
    destination,
  );
}

/** Fields whose value is a secret or a member's words, wherever they appear in a log object. */
const SECRET_FIELDS = [
  'token',
  'secret',
  'apiKey',
  'password',
  'authorization',
  'text',
  'caption',
  'question',
  'answer',
  'body',
  'payload',
  'link',
];

/** Path segments this long and opaque are signatures or tokens, never ids. */
const OPAQUE_SEGMENT = /^[A-Za-z0-9_.~-]{16,}$/;

/** The URL without its query string and without signature-like path segments. */
export function redactUrl(url: string): string {
  if (!url) return url;
  const [path] = url.split('?');
  return redactSignedLinks(path)
    .split('/')
    .map((s) => (OPAQUE_SEGMENT.test(s) && !/^\d+$/.test(s) ? '[redacted]' : s))
    .join('/');
}
