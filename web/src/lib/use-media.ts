import { useSyncExternalStore } from 'react';

/** Whether a media query matches now, re-rendering when it changes (e.g. a phone-width layout). */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (cb) => {
      const mq = window.matchMedia?.(query);
      mq?.addEventListener('change', cb);
      return () => mq?.removeEventListener('change', cb);
    },
    () => window.matchMedia?.(query).matches ?? false,
  );
}

/** The width below which pages switch to their phone layout (styles.css uses the same). */
export const NARROW = '(max-width: 760px)';
