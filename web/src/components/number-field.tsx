import type { ReactNode } from 'react';
import { Field } from './ui.js';

/** A labelled whole-number input (ports, replicas): numeric keypad on phones, bounds for the browser. */
export function NumberField({
  label,
  name,
  value,
  onChange,
  min,
  max,
  hint,
  error,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  min: number;
  max: number;
  hint?: ReactNode;
  error?: ReactNode | undefined;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(p) => (
        <input
          {...p}
          name={name}
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
