import { pino } from 'pino';

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Writes each pino record as one readable line ("testbed info: message key=value"); stderr is synchronous here. */
const readableStderr = {
  write(record: string): void {
    const { level, msg, time: _time, pid: _pid, hostname: _hostname, name, ...fields } = JSON.parse(record) as Record<string, unknown>;
    const extra = Object.entries(fields).map(([key, value]) => ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    process.stderr.write(`${String(name)} ${LEVEL_NAMES[Number(level)] ?? String(level)}: ${String(msg)}${extra.join('')}\n`);
  },
};

/** Diagnostics of the test bed (builds, child processes), on stderr so they never mix with a command's output. */
export const harnessLog = pino({ name: 'testbed', level: process.env.LOG_LEVEL ?? 'info' }, readableStderr);
