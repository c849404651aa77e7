// Building DOM safely: text always goes through textContent, never innerHTML.

/** What h() puts inside an element: nodes and text; null, undefined and false are left out. */
export type Child = Node | string | number | null | undefined | false;

/** Properties of h(): element properties, attributes, `dataset`, `class` and `on<event>` listeners. */
export type Props = Record<string, unknown> & {
  dataset?: Record<string, string | undefined>;
  class?: string;
};

/** h('div#id.card.x', { dataset: { id }, onclick }, 'text', child) → element. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K | `${K}.${string}` | `${K}#${string}`,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function h(tag: string, props?: Props | null, ...children: Child[]): HTMLElement;
export function h(tag: string, props?: Props | null, ...children: Child[]): HTMLElement {
  const [head = '', ...classes] = tag.split('.');
  const [name, id] = head.split('#');
  const el = document.createElement(name || 'div');
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function')
      el.addEventListener(key.slice(2), value as EventListener);
    else if (key === 'class') el.className += ` ${value}`;
    else if (key in el && key !== 'list') Object.assign(el, { [key]: value });
    else el.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return el;
}
