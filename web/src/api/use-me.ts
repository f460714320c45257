import { useQuery } from '@tanstack/react-query';
import { queries } from './queries.js';

/** The signed-in user, or null when there is no session. */
export function useMe() {
  return useQuery({ ...queries.me(), staleTime: 60_000 });
}
