/** Injectable time source so expiry rules can be tested without sleeping. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** ISO timestamp `ms` milliseconds after `from`. */
export const isoAfter = (from: Date, ms: number): string => new Date(from.getTime() + ms).toISOString();
