// @ts-check
// Corio Connect Four: sound. Short tones made with WebAudio (no audio files): one as a disc
// lands (higher for your own), and a little tune when a game ends (rising for a win, falling for
// a loss, two even notes for a draw). Off by default; the toggle in the game's header turns it
// on or off, and the choice is remembered in localStorage. It listens to the `corio:room`
// events app.js dispatches after drawing each room state, and changes nothing else.
"use strict";

// The page's scripts share one global scope: this file's type names are its own.
/** @typedef {[frequency: number, start: number, length: number]} SoundNote */

(() => {
  const STORAGE_KEY = "corio-game:sound";
  const toggle = /** @type {HTMLButtonElement} */ (document.getElementById("sound-toggle"));
  const label = /** @type {HTMLElement} */ (document.getElementById("sound-toggle-label"));

  /** @type {Record<"mine" | "theirs" | "win" | "lose" | "draw", SoundNote[]>} */
  const TUNES = {
    mine: [[587.33, 0, 0.12]],
    theirs: [[440, 0, 0.12]],
    win: [[523.25, 0, 0.16], [659.25, 0.14, 0.16], [783.99, 0.28, 0.16], [1046.5, 0.42, 0.4]],
    lose: [[392, 0, 0.22], [329.63, 0.2, 0.22], [261.63, 0.4, 0.5]],
    draw: [[440, 0, 0.2], [440, 0.26, 0.3]],
  };

  let enabled = remembered();
  /** @type {AudioContext | null} */
  let audio = null;

  function remembered() {
    try {
      return localStorage.getItem(STORAGE_KEY) === "on";
    } catch {
      return false; // storage blocked: sound stays off, as by default
    }
  }

  function remember() {
    try {
      localStorage.setItem(STORAGE_KEY, enabled ? "on" : "off");
    } catch {
      // Not remembered, but still toggled for this page.
    }
  }

  function render() {
    toggle.setAttribute("aria-pressed", String(enabled));
    label.textContent = enabled ? "Sound on" : "Sound off";
    toggle.title = enabled ? "Turn sound off" : "Turn sound on";
  }

  /** The audio context, made (or resumed) on demand: browsers start it only after a gesture. */
  function context() {
    if (!audio) {
      if (typeof window.AudioContext !== "function") return null;
      audio = new AudioContext();
    }
    if (audio.state === "suspended") audio.resume().catch(() => {});
    return audio;
  }

  /** @param {SoundNote[]} notes */
  function play(notes) {
    if (!enabled) return;
    const ctx = context();
    if (!ctx) return;
    const t0 = ctx.currentTime + 0.02;
    for (const [frequency, start, length] of notes) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "triangle";
      osc.frequency.value = frequency;
      // A quick rise and an exponential fall: no clicks at either end.
      gain.gain.setValueAtTime(0.0001, t0 + start);
      gain.gain.exponentialRampToValueAtTime(0.12, t0 + start + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + start + length);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + start);
      osc.stop(t0 + start + length + 0.05);
    }
  }

  document.addEventListener("corio:room", (event) => {
    const { room, previous, mine } = event.detail;
    // A room just entered, or a reload: nothing happened that deserves a sound.
    if (!previous || previous.code !== room.code) return;
    if (room.status === "over" && previous.status !== "over") {
      if (!room.winner) play(TUNES.draw);
      else play(!mine || room.winner === mine ? TUNES.win : TUNES.lose);
      return;
    }
    const last = room.last;
    if ((room.moves ?? 0) > (previous.moves ?? 0) && last) {
      const row = Array.isArray(room.board) ? room.board[last.row] : null;
      const color = Array.isArray(row) ? row[last.column] : "";
      play(mine && color === mine ? TUNES.mine : TUNES.theirs);
    }
  });

  toggle.addEventListener("click", () => {
    enabled = !enabled;
    remember();
    render();
    // A sample of what is to come, which also unlocks audio on this gesture.
    play(TUNES.mine);
  });

  // With sound remembered as on, the page's first gesture unlocks audio for what follows.
  const unlock = () => {
    if (enabled) context();
  };
  document.addEventListener("pointerdown", unlock, { once: true });
  document.addEventListener("keydown", unlock, { once: true });

  render();
})();
