import { useEffect, useState } from 'react';

/** The user's theme choice; `system` follows prefers-color-scheme (pure CSS). */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'warp.theme';

function read(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** Apply a choice to <html data-theme> (CSS uses it to override the media query). */
export function applyTheme(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

/** Current theme choice and a setter that persists it. */
export function useTheme(): [ThemeChoice, (c: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(read);
  useEffect(() => {
    applyTheme(choice);
    try {
      if (choice === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, choice);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }, [choice]);
  return [choice, setChoice];
}

/** Apply the saved choice before first render. */
export const initTheme = (): void => applyTheme(read());
