import { useEffect } from 'react';

const APP = 'Warp Panel';

/** The tab's title for `parts` ("Deploy draw.example.com · Jobs · Warp Panel"); empty parts are skipped. */
export const pageTitle = (...parts: (string | null | undefined)[]): string =>
  [...parts.filter((p): p is string => Boolean(p?.trim())), APP].join(' · ');

/** Set document.title while the page is shown (every page calls this once). */
export function useTitle(...parts: (string | null | undefined)[]): void {
  const title = pageTitle(...parts);
  useEffect(() => {
    document.title = title;
  }, [title]);
}
