import type { z } from 'zod';
import { conflict } from '../../domain/errors.js';
import type { JobDefinition } from './job-types.js';

/** The job types this process can run, by name. */
export function createJobRegistry() {
  const types = new Map<string, JobDefinition>();
  return {
    /** Register a job type; a second registration of one name is a programming error. */
    register<S extends z.ZodType>(def: JobDefinition<S>): void {
      if (types.has(def.type)) throw conflict(`job type ${def.type} is already registered`);
      types.set(def.type, def as JobDefinition);
    },
    get: (type: string): JobDefinition | undefined => types.get(type),
    has: (type: string): boolean => types.has(type),
  };
}

export type JobRegistry = ReturnType<typeof createJobRegistry>;
