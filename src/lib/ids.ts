import { v7 as uuidv7 } from 'uuid';

/** A new time-ordered id (UUIDv7): rows sort by creation on both database engines. */
export const newId = (): string => uuidv7();
