// Helpers for the official socket.io-client against the conformance app's echo app
// (`/echo.io/`, spec part C). Every wait has an explicit time limit and names what it waited for.

import { setTimeout as delay } from "node:timers/promises";

import { io } from "socket.io-client";

import { within } from "./wait.mjs";

export const ECHO_PATH = "/echo.io/";

/**
 * A new socket.io-client socket on namespace `nsp` with its own Manager (its own Engine.IO
 * connection). Reconnection is off unless `options` turns it on.
 */
export function client(url, nsp = "/", options = {}) {
  const socket = io(`${url}${nsp}`, { path: ECHO_PATH, reconnection: false, forceNew: true, ...options });
  created.add(socket);
  return socket;
}

/** Every socket client() made: closeEverything() is the safety net after a failed test. */
const created = new Set();

/**
 * Disconnects every socket client() made, so that a test that failed half-way leaves no
 * connection (or reconnection timer) that would keep the test process alive.
 */
export function closeEverything() {
  for (const socket of created) socket.disconnect();
  created.clear();
}

/** Closes every socket given (and so its Manager when no other namespace uses it). */
export function closeSockets(...sockets) {
  for (const s of sockets.flat()) s?.disconnect();
}

/** Resolves with `socket` once it is connected; rejects on `connect_error` or after `ms`. */
export function connected(socket, ms, what = `the connection to ${socket.nsp}`) {
  if (socket.connected) return Promise.resolve(socket);
  let cleanup;
  const done = new Promise((resolve, reject) => {
    const onConnect = () => resolve(socket);
    const onError = (err) =>
      reject(new Error(`connect_error on ${socket.nsp}: ${err?.message ?? err}`, { cause: err }));
    socket.on("connect", onConnect);
    socket.on("connect_error", onError);
    cleanup = () => {
      socket.off("connect", onConnect);
      socket.off("connect_error", onError);
    };
  });
  return within(ms, what, done).finally(cleanup);
}

/** Resolves with the error of the next `connect_error`; rejects if the socket connects instead. */
export function connectError(socket, ms, what = `a connect_error on ${socket.nsp}`) {
  let cleanup;
  const done = new Promise((resolve, reject) => {
    const onConnect = () =>
      reject(new Error(`${socket.nsp} connected (id ${socket.id}) but must be refused`));
    const onError = (err) => resolve(err);
    socket.on("connect", onConnect);
    socket.on("connect_error", onError);
    cleanup = () => {
      socket.off("connect", onConnect);
      socket.off("connect_error", onError);
    };
  });
  return within(ms, what, done).finally(cleanup);
}

/** Emits `event(...args)` with an ack callback; resolves with the ack's arguments (an array). */
export function ack(socket, ms, event, ...args) {
  return new Promise((resolve, reject) => {
    socket.timeout(ms).emit(event, ...args, (err, ...answer) => {
      if (err) reject(new Error(`no ack for '${event}' on ${socket.nsp} within ${ms} ms: ${err.message}`));
      else resolve(answer);
    });
  });
}

/**
 * Records, from its creation, every event a socket receives (`onAny`) plus its `connect` and
 * `disconnect` events, so nothing is missed between two waits.
 */
export class Events {
  /** @type {{event: string, args: any[]}[]} every event received, in order */
  log = [];
  #socket;
  #waiters = [];

  constructor(socket) {
    this.#socket = socket;
    socket.onAny((event, ...args) => this.#push(event, args));
    socket.on("connect", () => this.#push("connect", []));
    socket.on("disconnect", (reason, details) => this.#push("disconnect", [reason, details]));
  }

  #push(event, args) {
    this.log.push({ event, args });
    for (const w of this.#waiters.splice(0)) w();
  }

  /** The names of the events received so far, in order. */
  get names() {
    return this.log.map((e) => e.event);
  }

  /** The argument lists of every `event` received so far. */
  all(event) {
    return this.log.filter((e) => e.event === event).map((e) => e.args);
  }

  /**
   * Waits until `count` events named `event` have been received since the start (or since
   * index `from` of the log) and returns their argument lists. Fails early when the socket is
   * disconnected for good (no reconnection will come).
   */
  async wait(event, ms, { count = 1, from = 0, what } = {}) {
    const ready = async () => {
      for (;;) {
        const found = this.log.slice(from).filter((e) => e.event === event);
        if (found.length >= count) return found.slice(0, count).map((e) => e.args);
        const last = this.log.at(-1);
        if (event !== "disconnect" && last?.event === "disconnect" && !this.#socket.active) {
          throw new Error(
            `${this.#socket.nsp} disconnected (${last.args[0]}) after ${found.length} of ${count} '${event}'`,
          );
        }
        await new Promise((resolve) => this.#waiters.push(resolve));
      }
    };
    return within(ms, what ?? `${count} '${event}' event(s) on ${this.#socket.nsp}`, ready());
  }

  /** The arguments of the first `event` received after log index `from`. */
  async next(event, ms, from = 0) {
    return (await this.wait(event, ms, { from }))[0];
  }
}

/**
 * Calls `probe()` until `accept(value)` holds, at most for `ms`, 50 ms apart. For server state
 * that changes asynchronously (a disconnect reaching the server), never as a fixed sleep.
 */
export async function eventually(ms, what, probe, accept) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}; last value ${JSON.stringify(value)}`);
    }
    await delay(50);
  }
}

/** Makes binary data comparable: every ArrayBuffer or typed array becomes a Buffer. */
export function plain(value) {
  if (value instanceof ArrayBuffer) return Buffer.from(new Uint8Array(value));
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** The JSON text of a value with buffers shown as hex: equal texts mean equal key order too. */
export function canonical(value) {
  return JSON.stringify(plain(value), (_, v) =>
    v && v.type === "Buffer" && Array.isArray(v.data) ? `<bin ${Buffer.from(v.data).toString("hex")}>` : v,
  );
}
