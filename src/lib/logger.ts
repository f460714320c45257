import pino, { type Logger } from 'pino';

/** How process logs are written: `auto` is pretty on a terminal and JSON lines otherwise. */
export type LogFormat = 'auto' | 'pretty' | 'json';

const REDACT = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'res.headers["set-cookie"]',
    '*.token',
    '*.secret',
  ],
  censor: '[redacted]',
};

/**
 * The process logger: JSON lines for machines (files, journald, docker logs), human-readable lines on a
 * terminal (pino-pretty as a transport, off the main thread); credentials in headers are never written.
 * A given destination (tests) always gets JSON.
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  format: LogFormat = 'json',
): Logger {
  const pretty =
    !destination && (format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true));
  if (pretty) {
    return pino({
      level,
      redact: REDACT,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' },
      },
    });
  }
  return pino({ level, redact: REDACT }, destination);
}
