// The operator's structured logger. Level from LOG_LEVEL (default info); JSON lines on stdout.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name = 'bedrock-forge-operator'): Logger {
  return pino({
    name,
    level: process.env.LOG_LEVEL ?? 'info',
    // Never print credentials, whatever a caller passes in.
    redact: { paths: ['*.secretAccessKey', '*.sessionToken', '*.token', '*.password'], censor: '[redacted]' },
  },
  // Written synchronously: pino's default stdout writes in the background, and its flush at exit
  // could then land before a line still being written ("stopped" before "released the lease",
  // seen once in the installed test). The operator logs little enough for this to cost nothing.
  pino.destination({ dest: 1, sync: true }));
}
