/**
 * The FAIL signal: two short, high beeps from WebAudio (no sound file to ship or cache). Browsers only
 * let a page start audio after a tap, so the context is unlocked by the tap that starts the camera.
 */

let context: AudioContext | null = null;

/** Call from a user gesture (the Start camera tap): later beeps may then sound without one. */
export function unlockSound(): void {
  context ??= new AudioContext();
  void context.resume();
}

const BEEP_HZ = 1760;
const BEEP_SECONDS = 0.12;
const GAP_SECONDS = 0.08;

export function beepFail(): void {
  if (!context || context.state !== 'running') return;
  const t0 = context.currentTime;
  const gain = context.createGain();
  gain.connect(context.destination);
  gain.gain.setValueAtTime(0, t0);
  for (const start of [t0, t0 + BEEP_SECONDS + GAP_SECONDS]) {
    const tone = context.createOscillator();
    tone.type = 'square';
    tone.frequency.value = BEEP_HZ;
    tone.connect(gain);
    // short ramps: a hard edge clicks
    gain.gain.setValueAtTime(0, start);
    gain.gain.linearRampToValueAtTime(0.3, start + 0.01);
    gain.gain.setValueAtTime(0.3, start + BEEP_SECONDS - 0.01);
    gain.gain.linearRampToValueAtTime(0, start + BEEP_SECONDS);
    tone.start(start);
    tone.stop(start + BEEP_SECONDS);
  }
}
