/**
 * Splits a JSON array arriving in chunks into its elements and parses each one on its own, so a large
 * array is never held as one string nor as one parsed array: each element is handed to `each` as soon as
 * its last byte arrives, and can be dropped right after. Only object and array elements are supported
 * (what list endpoints return); the bytes between elements are not validated beyond structure, and any
 * element that is not valid JSON makes `JSON.parse` throw.
 */
export function createJsonArrayStream<T>(each: (element: T) => void) {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let started = false;
  let parts: Buffer[] = [];

  const emit = (bytes: Buffer) => each(JSON.parse(bytes.toString('utf8')) as T);

  /**
   * Inside a string from `i`: returns the index of its closing quote (the string ends there), or the
   * chunk's last index when the string goes on into the next chunk. Jumps from quote to quote (native
   * indexOf) instead of stepping through every byte: strings are most of a container summary.
   */
  function skipString(chunk: Buffer, from: number): number {
    let i = from;
    if (escaped) {
      escaped = false;
      i++; // this byte is escaped, whatever it is
    }
    for (;;) {
      const quote = chunk.indexOf(0x22, i);
      const end = quote === -1 ? chunk.length : quote;
      // Backslashes right before `end` (not before `i`, where nothing is escaped): an odd run escapes it.
      let k = end - 1;
      while (k >= i && chunk[k] === 0x5c) k--;
      const odd = (end - 1 - k) % 2 === 1;
      if (quote === -1) {
        escaped = odd;
        return chunk.length - 1;
      }
      if (!odd) {
        inString = false;
        return quote;
      }
      i = quote + 1;
    }
  }

  return {
    /** Feed the next chunk of the body. */
    write(chunk: Buffer): void {
      // Where the element in progress starts in this chunk (0 when it began in an earlier one).
      let start = depth >= 2 ? 0 : -1;
      for (let i = 0; i < chunk.length; i++) {
        if (inString) {
          i = skipString(chunk, i);
          continue;
        }
        const b = chunk[i] as number;
        if (b === 0x22) {
          if (depth < 2) throw new Error('a JSON array of objects or arrays was expected');
          inString = true;
        } else if (b === 0x7b || b === 0x5b) {
          if (depth === 0 && b !== 0x5b) throw new Error('a JSON array was expected');
          depth++;
          started = true;
          if (depth === 2) start = i;
        } else if (b === 0x7d || b === 0x5d) {
          depth--;
          if (depth < 0) throw new Error('unbalanced JSON');
          if (depth === 1) {
            const tail = chunk.subarray(start, i + 1);
            emit(parts.length === 0 ? tail : Buffer.concat([...parts, tail]));
            parts = [];
            start = -1;
          }
        } else if (depth < 2 && b !== 0x2c && b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) {
          // Outside elements only commas and whitespace may appear.
          throw new Error('a JSON array of objects or arrays was expected');
        }
      }
      if (depth >= 2) parts.push(chunk.subarray(start));
    },
    /** The body ended: throws when it was not one whole array. */
    end(): void {
      if (!started || depth !== 0 || inString) throw new Error('the JSON array ended early');
    },
  };
}
