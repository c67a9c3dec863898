import pino, { type Logger } from 'pino';
import { redactSignedLinks } from './signed-link.ts';

/**
 * Structured JSON logs. Secrets and members' message text never belong in a log line:
 * headers that carry them are redacted, and URLs are logged without their query string
 * (one-time codes and signed links travel there).
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-telegram-bot-api-secret-token"]',
        'req.headers["x-bot-api-secret-token"]',
        'req.headers.cookie',
        '*.token',
        '*.text',
        '*.secret',
        '*.apiKey',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: redactSignedLinks(stripQuery(req.url)),
      }),
    },
  });
}

const stripQuery = (url: string) => (url ? url.split('?')[0] : url);
