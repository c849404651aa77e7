/** Structured logs (pino). Pretty-printed on a terminal, JSON lines otherwise. */
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(
  level = process.env.PLANTWATCH_LOG_LEVEL ?? 'info',
  name = 'plantwatch',
): Logger {
  const pretty = process.stdout.isTTY && process.env.PLANTWATCH_LOG_FORMAT !== 'json';
  return pino({
    name,
    level,
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  });
}

/** A logger that discards everything: for tests and embedded use. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
