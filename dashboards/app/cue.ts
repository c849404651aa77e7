// The visual cue for a new alarm of a sounding priority: the screen flashes (the sound is the
// annunciator's). `data-last-cue` on the body tells when it last did.
export function alarmCue(): void {
  const body = document.body;
  body.classList.remove('flash');
  void body.offsetWidth; // restart the animation
  body.classList.add('flash');
  body.addEventListener('animationend', () => body.classList.remove('flash'), { once: true });
  body.dataset.lastCue = String(Date.now());
}
