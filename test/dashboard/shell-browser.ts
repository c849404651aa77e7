/**
 * Reading the page for the shell's browser tests. These functions run in the page (playwright
 * sends their source); the tests' tsconfig has no DOM types, so the few page globals they use
 * are declared here, as loosely as they are used.
 */
import type { Locator } from 'playwright-core';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  top: number;
}
interface PageElement {
  getBoundingClientRect(): Box;
  parentElement: { scrollWidth: number; clientWidth: number } | null;
}
declare const getComputedStyle: (el: unknown) => Record<string, string>;
declare const window: { innerHeight: number; scrollBy(x: number, y: number): void };
declare const document: { elementFromPoint(x: number, y: number): unknown };

/** A computed style property of an element, e.g. "rgb(208, 32, 27)". */
export const styleOf = (element: Locator, property: string): Promise<string> =>
  element.evaluate((el, prop) => getComputedStyle(el)[prop] ?? '', property);

/** Scrolls the page up or down (never sideways) to bring the element to mid-screen. */
export const scrollToMiddle = (element: Locator): Promise<void> =>
  element.evaluate((el) => {
    window.scrollBy(0, (el as unknown as PageElement).getBoundingClientRect().top - window.innerHeight / 2);
  });

/** Whether a tap at the element's centre lands on it (nothing drawn over it). */
export const isTappable = (element: Locator): Promise<boolean> =>
  element.evaluate((el) => {
    const r = (el as unknown as PageElement).getBoundingClientRect();
    return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el;
  });

/** How wide the element's parent is inside, and how wide it shows. */
export const parentScroll = (element: Locator): Promise<{ scroll: number; client: number }> =>
  element.evaluate((el) => {
    const parent = (el as unknown as PageElement).parentElement;
    return { scroll: parent?.scrollWidth ?? 0, client: parent?.clientWidth ?? 0 };
  });
