import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

interface Scope {
  trx: Transaction<Database>;
  afterCommit: (() => void)[];
}

/** A Kysely handle whose queries join the caller's transaction, plus the way to open one. */
export interface Transactor {
  /** Use for every repository: inside `transaction(fn)` its queries run in that transaction. */
  db: Kysely<Database>;
  /** Run `fn` in one transaction: every write through `db` stands or falls together. Nests (joins the outer one). */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Run `fn` once the current transaction committed (at once outside one): wake-ups, notifications. */
  afterCommit(fn: () => void): void;
}

/**
 * Transactions without threading a `trx` through every call: the open transaction is carried by
 * the async context, and the repositories' handle routes each query to it. Work started after the
 * commit (`afterCommit`) runs outside that context, so it never touches a finished transaction.
 */
export function createTransactor(root: Kysely<Database>): Transactor {
  const scopes = new AsyncLocalStorage<Scope>();
  const db = new Proxy(root, {
    get(target, prop) {
      const scope = scopes.getStore();
      if (!scope) {
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      // A repository that opens its own transaction joins the current one instead.
      if (prop === 'transaction') {
        return () => ({ execute: <T>(fn: (trx: Transaction<Database>) => Promise<T>) => fn(scope.trx) });
      }
      const value = Reflect.get(scope.trx, prop, scope.trx);
      return typeof value === 'function' ? value.bind(scope.trx) : value;
    },
  });
  return {
    db,
    async transaction<T>(fn: () => Promise<T>): Promise<T> {
      if (scopes.getStore()) return fn();
      const afterCommit: (() => void)[] = [];
      const result = await root.transaction().execute((trx) => scopes.run({ trx, afterCommit }, fn));
      for (const run of afterCommit) run();
      return result;
    },
    afterCommit(fn: () => void): void {
      const scope = scopes.getStore();
      if (scope) scope.afterCommit.push(fn);
      else fn();
    },
  };
}
