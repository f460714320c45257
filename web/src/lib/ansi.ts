// A tiny SGR (Select Graphic Rendition) parser for job and container logs: colours and bold/dim/italic/underline.
// Every other escape sequence (cursor moves, OSC titles, …) is dropped, so raw control bytes never reach the page.

/** Text with the style in force when it was printed. */
export interface AnsiSegment {
  text: string;
  fg: string | null;
  bg: string | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
}

interface Style {
  fg: string | null;
  bg: string | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
}

const RESET: Style = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false };
// CSI … final byte, or OSC … BEL/ST, or a lone two-byte escape.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
const ESCAPE = /\x1b(?:\[([0-9;:?]*)([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

/** Colour of a 256-colour index as a CSS value (palette entries 0–15 map to theme classes). */
function color256(n: number): string | null {
  if (n < 0 || n > 255) return null;
  if (n < 16) return `p${n}`;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

/** Apply SGR parameters to a style; unknown codes are ignored. */
function apply(style: Style, params: number[]): Style {
  const s = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i] ?? 0;
    if (p === 0) Object.assign(s, RESET);
    else if (p === 1) s.bold = true;
    else if (p === 2) s.dim = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 22) s.bold = s.dim = false;
    else if (p === 23) s.italic = false;
    else if (p === 24) s.underline = false;
    else if (p >= 30 && p <= 37) s.fg = `p${p - 30}`;
    else if (p >= 90 && p <= 97) s.fg = `p${p - 90 + 8}`;
    else if (p === 39) s.fg = null;
    else if (p >= 40 && p <= 47) s.bg = `p${p - 40}`;
    else if (p >= 100 && p <= 107) s.bg = `p${p - 100 + 8}`;
    else if (p === 49) s.bg = null;
    else if (p === 38 || p === 48) {
      const key = p === 38 ? 'fg' : 'bg';
      if (params[i + 1] === 5) {
        s[key] = color256(params[i + 2] ?? -1);
        i += 2;
      } else if (params[i + 1] === 2) {
        const [r, g, b] = [params[i + 2] ?? 0, params[i + 3] ?? 0, params[i + 4] ?? 0].map((v) =>
          Math.min(255, v),
        );
        s[key] = `rgb(${r},${g},${b})`;
        i += 4;
      }
    }
  }
  return s;
}

/** Split a line into styled segments; adjacent text with the same style is merged, empty text dropped. */
export function parseAnsi(input: string): AnsiSegment[] {
  const out: AnsiSegment[] = [];
  let style: Style = RESET;
  let last = 0;
  const push = (text: string) => {
    if (!text) return;
    const prev = out[out.length - 1];
    if (prev && sameStyle(prev, style)) prev.text += text;
    else out.push({ text, ...style });
  };
  for (const m of input.matchAll(ESCAPE)) {
    push(input.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] === 'm' && !m[1]?.includes('?')) {
      const params = (m[1] ?? '').split(/[;:]/).map((x) => (x === '' ? 0 : Number(x)));
      style = apply(style, params);
    }
  }
  push(input.slice(last));
  return out;
}

function sameStyle(a: Style, b: Style): boolean {
  return (
    a.fg === b.fg &&
    a.bg === b.bg &&
    a.bold === b.bold &&
    a.dim === b.dim &&
    a.italic === b.italic &&
    a.underline === b.underline
  );
}

/** Plain text of a line (escapes removed), e.g. for search and copy. */
export const stripAnsi = (input: string): string => input.replace(ESCAPE, '');
