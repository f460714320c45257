/** A promise-chain mutex: `run(fn)` calls run one after another, in call order. */
export function createMutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const result = tail.then(fn, fn);
      tail = result.catch(() => {});
      return result;
    },
  };
}

/** A mutex. */
export type Mutex = ReturnType<typeof createMutex>;
