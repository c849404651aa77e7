/** MQTT topic-filter matching ("+" one level, "#" the rest), as brokers apply ACLs. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  // Per MQTT, wildcards at the first level never match topics starting with "$" ($SYS...).
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * Whether a subscription filter stays inside what `allowed` filters permit: every topic
 * the requested filter could match must be matched by one allowed filter.
 */
export function filterWithin(requested: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => filterCovers(a, requested));
}

function filterCovers(allowed: string, requested: string): boolean {
  const a = allowed.split('/');
  const r = requested.split('/');
  // As in topicMatches: a first-level wildcard grants no "$" topic ($SYS...).
  if (requested.startsWith('$') && (a[0] === '+' || a[0] === '#')) return false;
  for (let i = 0; i < a.length; i++) {
    const level = a[i];
    // "#" is a wildcard only as the last level; "a/#/b" (a typo) matches nothing, so grants nothing.
    if (level === '#') return i === a.length - 1;
    const wanted = r[i];
    if (wanted === undefined || wanted === '#') return false;
    if (level === '+') continue;
    if (wanted === '+' || wanted !== level) return false;
  }
  return a.length === r.length;
}
