/**
 * Configured names in two languages. A name is written `name: Chiller 1` or
 * `name: { en: Chiller 1, zh: 1号冷水机组 }` (either language alone is fine). At load it becomes
 * the English (default) `name` — so code that reads `.name` keeps working — plus an optional
 * `nameZh`; a missing English falls back to the Chinese one. The same for `label`, `message`,
 * `title`: the Chinese sibling is always the key followed by `Zh`.
 */
import { z } from 'zod';

export interface Bilingual {
  en: string;
  zh?: string;
}

/** The languages the gateway speaks: Chinese first for this department, English besides. */
export const LANGUAGES = ['zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * A text in English, Chinese or both. `text` validates each language's text (e.g. a message's
 * placeholders); its issues are reported at `.en` / `.zh`. `what` names it in errors.
 */
export function bilingual(text: z.ZodType<string> = z.string().min(1), what = 'a name') {
  const expected = `${what}, or { en: …, zh: … } with at least one of the two`;
  return z.unknown().transform((value, ctx): Bilingual => {
    if (typeof value === 'string') return { en: checked(text, value, [], ctx) };
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `required: ${expected}` });
      return z.NEVER;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: `${expected} (got ${describe(value)})` });
      return z.NEVER;
    }
    const entries = Object.entries(value);
    const unknown = entries
      .filter(([key]) => !(LANGUAGES as readonly string[]).includes(key))
      .map(([key]) => key);
    if (unknown.length > 0 || entries.length === 0) {
      const extra = unknown.length > 0 ? ` (unknown key ${unknown.join(', ')})` : ' (got {})';
      ctx.addIssue({ code: 'custom', message: `${expected}${extra}` });
      return z.NEVER;
    }
    const record = value as Record<string, unknown>;
    const en = record.en === undefined ? undefined : checked(text, record.en, ['en'], ctx);
    const zh = record.zh === undefined ? undefined : checked(text, record.zh, ['zh'], ctx);
    const result: Bilingual = { en: en ?? zh ?? '' };
    if (zh !== undefined) result.zh = zh;
    return result;
  });
}

function checked(text: z.ZodType<string>, value: unknown, path: string[], ctx: z.RefinementCtx): string {
  const parsed = text.safeParse(value);
  if (parsed.success) return parsed.data;
  if (value === '') {
    const leave = path.length > 0 ? ', or leave this language out' : '';
    ctx.addIssue({ code: 'custom', path, message: `empty: write the text${leave}` });
    return '';
  }
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: 'custom', path: [...path, ...issue.path.map(String)], message: issue.message });
  return '';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

/** T with each key of K a plain (default-language) text and a `…Zh` sibling; distributes over unions. */
export type Lifted<T, K extends string> = T extends unknown
  ? {
      [P in keyof T]: P extends K ? (T[P] extends Bilingual ? string : string | undefined) : T[P];
    } & { [P in `${K}Zh`]?: string }
  : never;

/** An object transform: `name: {en, zh}` → `name: en, nameZh: zh` (for each key given). */
export function lift<K extends string>(...keys: K[]) {
  return <T extends object>(value: T): Lifted<T, K> => {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const key of keys) {
      const text = out[key] as Bilingual | undefined;
      if (text === undefined) continue;
      out[key] = text.en;
      if (text.zh !== undefined) out[`${key}Zh`] = text.zh;
    }
    return out as Lifted<T, K>;
  };
}
