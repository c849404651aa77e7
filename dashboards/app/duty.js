// "Who is on duty at this screen" when the gateway runs without login (auth.enabled false):
// the name sent with every alarm action, kept in localStorage. With login, the session names the user.
const KEY = 'plantwatch.duty';
const RECENT = 'plantwatch.duty.recent';

export const dutyUser = () => (localStorage.getItem(KEY) ?? '').trim();

/** @param {HTMLInputElement} input @param {HTMLDataListElement} list @param {string} placeholder */
export function setupDuty(input, list, placeholder) {
  input.value = dutyUser();
  input.placeholder = placeholder;
  const fill = () => {
    const recent = JSON.parse(localStorage.getItem(RECENT) ?? '[]');
    list.replaceChildren(
      ...recent.map((/** @type {string} */ n) =>
        Object.assign(document.createElement('option'), { value: n }),
      ),
    );
  };
  fill();
  input.addEventListener('change', () => {
    const name = input.value.trim();
    localStorage.setItem(KEY, name);
    if (!name) return;
    const recent = [
      name,
      ...JSON.parse(localStorage.getItem(RECENT) ?? '[]').filter((/** @type {string} */ n) => n !== name),
    ];
    localStorage.setItem(RECENT, JSON.stringify(recent.slice(0, 8)));
    fill();
  });
}
