// Day and night colours. The page follows the system's setting (prefers-color-scheme) unless
// the header's toggle chose the other one; a choice that matches the system again is forgotten,
// so the page goes back to following it. style.css holds both palettes (CSS variables).
const KEY = 'plantwatch.theme';
const system = window.matchMedia('(prefers-color-scheme: dark)');

export type Theme = 'light' | 'dark';

const systemTheme = (): Theme => (system.matches ? 'dark' : 'light');

export function currentTheme(): Theme {
  const chosen = localStorage.getItem(KEY);
  return chosen === 'light' || chosen === 'dark' ? chosen : systemTheme();
}

function apply() {
  document.documentElement.dataset.theme = currentTheme();
}

/** Day ↔ night. */
export function toggleTheme(): Theme {
  const next: Theme = currentTheme() === 'dark' ? 'light' : 'dark';
  if (next === systemTheme()) localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, next);
  apply();
  return next;
}

/** Applies the theme now and whenever the system's setting changes; `onChange` redraws the toggle. */
export function startTheme(onChange: () => void): void {
  apply();
  system.addEventListener('change', () => {
    apply();
    onChange();
  });
}
