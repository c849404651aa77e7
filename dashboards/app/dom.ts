// Building DOM safely: text always goes through textContent, never innerHTML.

/** What h() puts inside an element: nodes and text; null, undefined and false are left out. */
export type Child = Node | string | number | null | undefined | false;

/** Properties of h(): element properties, attributes, `dataset`, `class` and `on<event>` listeners. */
export type Props = Record<string, unknown> & {
  dataset?: Record<string, string | undefined>;
  class?: string;
};

/** The tag name of a selector such as "input#id.wide": what comes before any "." and "#". */
type TagOf<S extends string> = S extends `${infer T}.${string}`
  ? TagOf<T>
  : S extends `${infer T}#${string}`
    ? T
    : S;
/** The element a selector makes: h('input#x') is an HTMLInputElement, an unknown tag an HTMLElement. */
export type ElementOf<S extends string> =
  TagOf<S> extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[TagOf<S>] : HTMLElement;

/** h('div#id.card.x', { dataset: { id }, onclick }, 'text', child) → element. */
export function h<S extends string>(tag: S, props?: Props | null, ...children: Child[]): ElementOf<S>;
export function h(tag: string, props?: Props | null, ...children: Child[]): HTMLElement {
  // "tag", then "#id" and ".class" parts in any order.
  const name = /^[^.#]*/.exec(tag)?.[0];
  const id = /#([^.#]+)/.exec(tag)?.[1];
  const classes = [...tag.matchAll(/\.([^.#]+)/g)].map((m) => m[1]);
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
