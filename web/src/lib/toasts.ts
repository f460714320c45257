import { useSyncExternalStore } from 'react';

/** A link a toast offers: in-app (`to`) or an app's own address (`href`, a new tab). */
export type ToastLink = { label: string; to: string } | { label: string; href: string };

/** A short notice in the corner: a background job ended, something was copied, … */
export interface Toast {
  id: number;
  tone: 'ok' | 'bad' | 'info';
  title: string;
  body?: string | undefined;
  links?: ToastLink[];
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => {
  for (const l of listeners) l();
};

/** Show a toast; returns its id. At most five stay: the oldest goes first. */
export function showToast(toast: Omit<Toast, 'id'>): number {
  const id = nextId++;
  toasts = [...toasts, { ...toast, id }].slice(-5);
  emit();
  return id;
}

/** Remove a toast (its close button, or its timer). */
export function dismissToast(id: number): void {
  const next = toasts.filter((t) => t.id !== id);
  if (next.length === toasts.length) return;
  toasts = next;
  emit();
}

const subscribe = (cb: () => void) => {
  listeners.add(cb);
  return () => listeners.delete(cb);
};

/** The toasts on screen, re-rendering when they change. */
export const useToasts = (): Toast[] => useSyncExternalStore(subscribe, () => toasts);
