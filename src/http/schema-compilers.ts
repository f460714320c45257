import type { FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';

type SchemaControllerOptions = NonNullable<FastifyServerOptions['schemaController']>;

/**
 * Fastify's schema controller with zod's compilers as its factories: every route schema here is zod, so
 * Fastify's defaults (Ajv and fast-json-stringify, ~300 KB of code that its constructor would load and set
 * up) are never needed. Pass to every Fastify instance the panel creates.
 */
export const zodSchemaController: SchemaControllerOptions = {
  compilersFactory: {
    // Fastify types these factories for Ajv; any (schema) → validate/serialize compiler is accepted.
    buildValidator: (() => validatorCompiler) as unknown as NonNullable<
      SchemaControllerOptions['compilersFactory']
    >['buildValidator'],
    buildSerializer: (() => serializerCompiler) as unknown as NonNullable<
      SchemaControllerOptions['compilersFactory']
    >['buildSerializer'],
  },
};
