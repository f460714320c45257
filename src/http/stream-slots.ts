import type { FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';
import { clientAddress } from './client-address.js';

/** Limits of concurrent log reads and live streams. */
export interface StreamLimits {
  /** Per signed-in caller (session or API token). */
  perCaller: number;
  /** For the whole panel. */
  total: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { perCaller: 16, total: 512 };

/**
 * Slots for work that holds memory and engine connections while it lasts (log reads, SSE streams):
 * a caller over its share, or the panel over its total, gets 429 instead of another slot.
 */
export function createStreamSlots(limits: StreamLimits = DEFAULT_STREAM_LIMITS) {
  const perCaller = new Map<string, number>();
  let total = 0;
  return {
    /** Take a slot for this request's caller; call the returned function exactly once to give it back. */
    acquire(request: FastifyRequest): () => void {
      const actor = request.actor;
      const key = actor ? (actor.sessionId ?? `token:${actor.userId}`) : `ip:${clientAddress(request)}`;
      const mine = perCaller.get(key) ?? 0;
      if (mine >= limits.perCaller) {
        throw new AppError(
          'RATE_LIMITED',
          `too many open log reads and streams (${limits.perCaller} per session); close some first`,
        );
      }
      if (total >= limits.total) {
        throw new AppError(
          'RATE_LIMITED',
          'the panel has too many open log reads and streams right now; try again shortly',
        );
      }
      perCaller.set(key, mine + 1);
      total++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total--;
        const left = (perCaller.get(key) ?? 1) - 1;
        if (left <= 0) perCaller.delete(key);
        else perCaller.set(key, left);
      };
    },
    /** Slots in use (for tests and metrics). */
    inUse: () => total,
  };
}

export type StreamSlots = ReturnType<typeof createStreamSlots>;
