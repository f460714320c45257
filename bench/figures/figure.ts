/** One row of the comparison table: a figure of the panel next to its reference from the same run. */
export interface Figure {
  figure: string;
  panel: string;
  reference: string;
  /** Panel / reference (times: lower is better; rates: higher is better), or null for absolute targets. */
  ratio: number | null;
  target: string;
  /** null: a context row (a floor), no target of its own. */
  met: boolean | null;
}
