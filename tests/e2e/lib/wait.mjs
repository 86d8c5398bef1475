// Event helpers with explicit time limits: every wait names what it waited for.

import { Socket } from "engine.io-client";

/** Resolves or rejects like `promise`, or rejects after `ms` saying what did not happen. */
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The next `event` emitted by `emitter` (its arguments as an array). */
export function once(emitter, event) {
  return new Promise((resolve) => {
    const listener = (...args) => {
      emitter.off(event, listener);
      resolve(args);
    };
    emitter.on(event, listener);
  });
}

/**
 * Collects every message of an engine.io-client socket from the moment it is
 * created, so no message is missed between two waits.
 */
export class Inbox {
  #messages = [];
  #waiters = [];
  #closed = null;

  constructor(socket) {
    socket.on("message", (data) => {
      this.#messages.push(data);
      this.#wake();
    });
    socket.on("close", (reason, description) => {
      this.#closed = { reason, description };
      this.#wake();
    });
  }

  #wake() {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Messages received and not yet taken. */
  get pending() {
    return this.#messages.length;
  }

  /** Takes the next `count` messages, failing when the socket closes or `ms` pass first. */
  async take(count, ms, what = `${count} message(s)`) {
    const ready = async () => {
      while (this.#messages.length < count) {
        if (this.#closed) {
          const { reason, description } = this.#closed;
          throw new Error(
            `socket closed (${reason}${description ? `: ${describe(description)}` : ""}) ` +
              `after ${this.#messages.length} of ${count} message(s)`,
          );
        }
        await new Promise((resolve) => this.#waiters.push(resolve));
      }
      return this.#messages.splice(0, count);
    };
    return within(ms, what, ready());
  }

  /** Takes the next message. */
  async next(ms, what = "a message") {
    return (await this.take(1, ms, what))[0];
  }
}

function describe(description) {
  if (description instanceof Error) return description.message;
  if (description && typeof description === "object") {
    return description.description?.message ?? description.context?.statusText ?? String(description);
  }
  return String(description);
}

/**
 * Opens an engine.io-client socket to `url` and resolves once it is open.
 * Fails with the client's error if it closes or errors first.
 *
 * @returns {Promise<{socket: Socket, inbox: Inbox}>}
 */
export async function connect(url, options = {}, ms = 5_000) {
  const socket = new Socket(url, { path: "/engine.io/", ...options });
  const inbox = new Inbox(socket);
  const opened = new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", (err) => reject(new Error(`connection error: ${describe(err)}`)));
    socket.once("close", (reason, description) =>
      reject(new Error(`closed before open: ${reason} ${description ? describe(description) : ""}`)),
    );
  });
  try {
    await within(ms, `the socket to open (${JSON.stringify(options.transports ?? "default")})`, opened);
  } catch (err) {
    socket.close();
    throw err;
  }
  return { socket, inbox };
}

/** Closes every socket given, ignoring ones already closed. */
export function closeAll(...sockets) {
  for (const s of sockets) {
    if (s && s.readyState !== "closed") s.close();
  }
}

/** Binary message data as a Buffer (the client gives Buffer or ArrayBuffer). */
export function asBuffer(data) {
  if (typeof data === "string") throw new Error(`expected binary data, got text ${JSON.stringify(data.slice(0, 40))}`);
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data));
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new Error(`unexpected message data type ${Object.prototype.toString.call(data)}`);
}
