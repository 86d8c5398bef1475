// Types for the JSDoc of app.js, which tsc checks at build time (docs/game.md, "The contract");
// never served. The events and their payloads come from events.d.ts, which the build generates
// from play/contract.hpp into the build directory; the tsconfig there maps "corio-game-events"
// onto it.
import type { Socket, io } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "corio-game-events";

export type * from "corio-game-events";

/** The page's socket: what it may send and what it receives, as the server declares them. */
export type GameSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** An event the page sends; the server acknowledges every one. */
export type RequestEvent = keyof ClientToServerEvents;

/** The arguments of request `E`, without its ack callback. */
export type ArgumentsOf<E extends RequestEvent> =
  Parameters<ClientToServerEvents[E]> extends [...infer A, (ack: never) => void] ? A : never;

/** What the server acknowledges request `E` with. */
export type AckOf<E extends RequestEvent> =
  Parameters<ClientToServerEvents[E]> extends [...unknown[], (ack: infer T) => void] ? T : never;

/** What app.js tells the page's other scripts (sound.js, outcome.js) after drawing a `room` state. */
export interface RoomChange {
  room: import("corio-game-events").RoomState;
  /** The state drawn before, of the same room; null when the page just entered it. */
  previous: import("corio-game-events").RoomState | null;
  /** The colour this page's user plays; null for a spectator. */
  mine: import("corio-game-events").PlayerColor | null;
}

declare global {
  interface DocumentEventMap {
    /** Dispatched on document by app.js after each `room` state it draws. */
    "corio:room": CustomEvent<RoomChange>;
    /** Dispatched on document by app.js when the page leaves its room. */
    "corio:left": Event;
  }
  interface Window {
    /** The socket.io-client bundle's global (vendor/socket.io.min.js, loaded by index.html; start() checks that it did). */
    io: typeof io;
  }
}
