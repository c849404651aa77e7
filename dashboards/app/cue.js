// The cue for a new critical alarm: the screen flashes and (unless muted) a WebAudio beep sounds.
const KEY = 'plantwatch.muted';
/** @type {AudioContext | null} */
let audio = null;

export const isMuted = () => localStorage.getItem(KEY) === '1';
/** @param {boolean} muted */
export const setMuted = (muted) => localStorage.setItem(KEY, muted ? '1' : '0');

/** Browsers allow sound only after a user gesture: the first click unlocks it. */
export function unlockAudio() {
  const AC = window.AudioContext ?? /** @type {any} */ (window).webkitAudioContext;
  if (!audio && AC) audio = new AC();
  audio?.resume().catch(() => {});
}

function beep() {
  if (!audio || isMuted()) return;
  const now = audio.currentTime;
  for (const start of [0, 0.35, 0.7]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'square';
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, now + start);
    gain.gain.exponentialRampToValueAtTime(0.2, now + start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + start + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + start);
    osc.stop(now + start + 0.3);
  }
}

export function criticalCue() {
  document.body.classList.remove('flash');
  void document.body.offsetWidth; // restart the animation
  document.body.classList.add('flash');
  document.body.addEventListener('animationend', () => document.body.classList.remove('flash'), {
    once: true,
  });
  document.body.dataset.lastCue = String(Date.now());
  beep();
}
