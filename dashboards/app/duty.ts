// "Who is on duty at this screen" when the gateway runs without login (auth.enabled false):
// the name sent with every alarm action, kept in localStorage. With login, the session names the user.
const KEY = 'plantwatch.duty';
const RECENT = 'plantwatch.duty.recent';

export const dutyUser = (): string => (localStorage.getItem(KEY) ?? '').trim();

/** The names used at this screen lately, newest first (a corrupt entry reads as none). */
function recentNames(): string[] {
  try {
    const names: unknown = JSON.parse(localStorage.getItem(RECENT) ?? '[]');
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

/** Binds the header's on-duty field and its list of recent names. */
export function setupDuty(input: HTMLInputElement, list: HTMLDataListElement, placeholder: string): void {
  input.value = dutyUser();
  input.placeholder = placeholder;
  const fill = () => {
    list.replaceChildren(
      ...recentNames().map((n) => Object.assign(document.createElement('option'), { value: n })),
    );
  };
  fill();
  input.addEventListener('change', () => {
    const name = input.value.trim();
    localStorage.setItem(KEY, name);
    if (!name) return;
    const recent = [name, ...recentNames().filter((n) => n !== name)];
    localStorage.setItem(RECENT, JSON.stringify(recent.slice(0, 8)));
    fill();
  });
}
