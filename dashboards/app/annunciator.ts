// Audible annunciation (ISA-18.2): while an alarm of a sounding priority is active and
// unacknowledged, its priority's tone repeats until someone acknowledges it or silences it here.
// A new alarm sounds at once, even after a silence. The browser may block sound until the page
// has been clicked (autoplay policy, e.g. after a reload): then the header says so and one
// click anywhere, or on its button, enables it.
import type { Annunciation } from '../../src/api-types/site.js';
import { type Alarm, type Priority, state } from './live.js';

const MUTED = 'plantwatch.muted';

/** on: sound works; off: muted here; blocked: the browser waits for a click; none: no WebAudio. */
export type SoundState = 'on' | 'off' | 'blocked' | 'none';

/** Each priority's own tone, so the ear tells a chiller trip from a maintenance reminder. */
const TONES: Record<Priority, { hz: number; pulses: number; pulseS: number; wave: OscillatorType }> = {
  critical: { hz: 960, pulses: 3, pulseS: 0.18, wave: 'square' },
  high: { hz: 740, pulses: 2, pulseS: 0.22, wave: 'square' },
  medium: { hz: 600, pulses: 1, pulseS: 0.35, wave: 'triangle' },
  low: { hz: 440, pulses: 1, pulseS: 0.3, wave: 'sine' },
};
const RANK: Priority[] = ['critical', 'high', 'medium', 'low'];

let settings: Annunciation = { sound: ['critical', 'high'], repeatMs: 10_000 };
let audio: AudioContext | null = null;
/** Alarms active since before this were silenced by the operator. */
let silencedAt = 0;
/** Activations already announced ("id@activeSince"): a new one sounds without waiting. */
const heard = new Set<string>();
let lastTone = 0;
let sounding: Priority | null = null;
let alarms: () => Iterable<Alarm> = () => [];
let changed: () => void = () => {};

export const isMuted = (): boolean => localStorage.getItem(MUTED) === '1';

export function setMuted(muted: boolean): void {
  localStorage.setItem(MUTED, muted ? '1' : '0');
  if (!muted) enable();
  tick();
  changed();
}

export function soundState(): SoundState {
  if (isMuted()) return 'off';
  if (!audio) return 'none';
  return audio.state === 'running' ? 'on' : 'blocked';
}

/** The priority sounding now (null: quiet). */
export const soundingPriority = (): Priority | null => sounding;

/** The gateway's settings (GET /api/site). */
export function configure(next: Annunciation): void {
  settings = next;
  tick();
}

/**
 * Starts listening: `list` gives the alarms, `onChange` is told when the sound state or what
 * sounds changes (the header redraws). The audio context is made at once, so a browser that
 * blocks it is known before an alarm needs it.
 */
export function startAnnunciator(list: () => Iterable<Alarm>, onChange: () => void): void {
  alarms = list;
  changed = onChange;
  const AC =
    window.AudioContext ??
    (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (AC) {
    audio = new AC();
    audio.addEventListener('statechange', () => {
      tick();
      changed();
    });
  }
  // Any click or key press may lift the browser's block (it counts only inside the gesture).
  // Not on pointerdown: the header's sound button then changes (and the page may shift) between
  // the finger going down and up, and the tap would miss what it was aimed at.
  for (const type of ['click', 'keydown'])
    document.addEventListener(type, enable, { capture: true, passive: true });
  setInterval(tick, 250);
}

/** Asks the browser to let sound play: works inside a click or key press. */
export function enable(): void {
  if (audio && audio.state !== 'running' && audio.state !== 'closed') audio.resume().catch(() => {});
}

/** Silences what sounds now; an alarm raised after this sounds again. */
export function silence(): void {
  // Alarms carry the gateway's times.
  silencedAt = Date.now() - state.clockOffsetMs;
  tick();
  changed();
}

/** The unacknowledged alarms that should be heard: sounding priorities, raised since the last silence. */
function toSound(): Alarm[] {
  const out: Alarm[] = [];
  for (const a of alarms())
    if (
      a.state === 'active-unacknowledged' &&
      settings.sound.includes(a.priority) &&
      (a.activeSince ?? a.since) > silencedAt
    )
      out.push(a);
  return out;
}

/** Called on every alarm change and every 250 ms: starts, repeats or stops the tone. */
export function tick(): void {
  const pending = toSound();
  const top = RANK.find((p) => pending.some((a) => a.priority === p)) ?? null;
  if (top !== sounding) {
    sounding = top;
    changed();
  }
  if (!top) return;
  const fresh = pending.filter((a) => !heard.has(`${a.id}@${a.activeSince ?? a.since}`));
  for (const a of fresh) heard.add(`${a.id}@${a.activeSince ?? a.since}`);
  const now = Date.now();
  if (fresh.length === 0 && now - lastTone < settings.repeatMs) return;
  if (soundState() !== 'on') return; // retried on the next tick once enabled
  lastTone = now;
  play(top);
}

function play(priority: Priority) {
  if (!audio) return;
  const tone = TONES[priority];
  const now = audio.currentTime;
  for (let i = 0; i < tone.pulses; i++) {
    const start = now + i * (tone.pulseS + 0.12);
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = tone.wave;
    osc.frequency.value = tone.hz;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + tone.pulseS);
    osc.connect(gain).connect(audio.destination);
    osc.start(start);
    osc.stop(start + tone.pulseS + 0.05);
  }
}
