// The operator's structured logger. Level from LOG_LEVEL (default info); JSON lines on stdout.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name = 'bedrock-forge-operator'): Logger {
  return pino({
    name,
    level: process.env.LOG_LEVEL ?? 'info',
    // Never print credentials, whatever a caller passes in.
    redact: { paths: ['*.secretAccessKey', '*.sessionToken', '*.token', '*.password'], censor: '[redacted]' },
  });
}
