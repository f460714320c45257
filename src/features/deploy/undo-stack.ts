/** A job's log, as far as undo needs it. */
interface UndoLog {
  info(text: string): void;
  warn(text: string): void;
}

/**
 * What a deploy attempt created, to take back if the attempt fails: "failure leaves nothing behind".
 * Undo runs newest first; each step is logged, and one failing step does not stop the others.
 */
export function createUndoStack(log: UndoLog) {
  const steps: { what: string; fn: () => Promise<unknown> }[] = [];
  return {
    push(what: string, fn: () => Promise<unknown>): void {
      steps.push({ what, fn });
    },
    /** Forget everything: the attempt succeeded and keeps what it made. */
    clear(): void {
      steps.length = 0;
    },
    async run(): Promise<void> {
      if (steps.length === 0) return;
      log.info(
        `cleaning up what this attempt created (${steps.length} step${steps.length === 1 ? '' : 's'})`,
      );
      while (steps.length > 0) {
        const step = steps.pop()!;
        try {
          await step.fn();
          log.info(`undone: ${step.what}`);
        } catch (error) {
          log.warn(
            `could not undo "${step.what}": ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    },
  };
}

export type UndoStack = ReturnType<typeof createUndoStack>;
