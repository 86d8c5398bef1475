// @ts-check
// Corio Connect Four: the browser side.
//
// One page with three views (sign-in, lobby, game). Accounts go through the JSON API under
// /api/; everything else through one Socket.IO connection on "/". The server is the only
// source of truth: the page never changes the board itself, it renders each `room` state.
//
// Security: the page runs under a strict CSP (no inline script or style), and every piece of
// text that comes from the server (names, chat, room codes, messages) is put into the page
// with textContent, never parsed as HTML.
//
// The socket's events and payloads are typed by the contract the server declares in C++
// (apps/game/play/contract.hpp): the build generates events.d.ts from it and tsc checks this
// file against it (types.d.ts, docs/game.md), so the page cannot drift from the server.
"use strict";

/** @typedef {import("./types").GameSocket} GameSocket */
/** @typedef {import("./types").RequestEvent} RequestEvent */
/** @typedef {import("./types").RoomState} RoomState */
/** @typedef {import("./types").RoomSummary} RoomSummary */
/** @typedef {import("./types").ChatMessage} ChatMessage */
/** @typedef {import("./types").PlayerColor} PlayerColor */
/** @typedef {import("./types").AwayPlayer} AwayPlayer */
/** @typedef {import("./types").RoomOptions} RoomOptions */
/**
 * @template {RequestEvent} E
 * @typedef {import("./types").ArgumentsOf<E>} ArgumentsOf
 */
/**
 * @template {RequestEvent} E
 * @typedef {import("./types").AckOf<E>} AckOf
 */
/** @typedef {"room" | "rooms" | "online"} NewsKind */
/** @typedef {"connecting" | "online" | "reconnecting" | "offline"} ConnectionState */
/** @typedef {{ status: number, data: any, retryAfter: string | null }} ApiResult */

(() => {
  const ACK_TIMEOUT_MS = 5000;
  const COLUMNS = 7;
  const ROWS = 6;
  const CHAT_HISTORY_LIMIT = 200;
  const CODE_PATTERN = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}$/;
  const APP_TITLE = "Corio Connect Four";

  /**
   * An element of index.html, there by construction (the page and this file ship together).
   * @param {string} id
   */
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  /** @param {string} id */
  const $button = (id) => /** @type {HTMLButtonElement} */ ($(id));
  /** @param {string} id */
  const $input = (id) => /** @type {HTMLInputElement} */ ($(id));

  const ui = {
    session: $("session"),
    userName: $("user-name"),
    onlineCount: $("online-count"),
    onlineText: $("online-text"),
    guestPill: $("guest-pill"),
    upgradeButton: $button("upgrade-button"),
    logoutButton: $button("logout-button"),
    banner: $("connection-banner"),
    main: $("main"),
    views: {
      loading: $("loading-view"),
      auth: $("auth-view"),
      lobby: $("lobby-view"),
      game: $("game-view"),
    },
    // sign-in
    tabLogin: $button("tab-login"),
    tabRegister: $button("tab-register"),
    tabGuest: $button("tab-guest"),
    authInvite: $("auth-invite"),
    authForm: $("auth-form"),
    authUsernameLabel: $("auth-username-label"),
    authUsername: $input("auth-username"),
    authGuestHint: $("auth-guest-hint"),
    authPasswordField: $("auth-password-field"),
    authPassword: $input("auth-password"),
    authPasswordHint: $("auth-password-hint"),
    authError: $("auth-error"),
    authSubmit: $button("auth-submit"),
    // lobby
    lobbyNotice: $("lobby-notice"),
    lobbyOnline: $("lobby-online"),
    createRoomButton: $button("create-room-button"),
    // quick match and the turn clock
    clockChoice: /** @type {HTMLSelectElement} */ ($("clock-choice")),
    quickMatchButton: $button("quick-match-button"),
    matchWait: $("match-wait"),
    cancelMatchButton: $button("cancel-match-button"),
    joinForm: $("join-form"),
    joinCode: $input("join-code"),
    joinButton: $button("join-button"),
    joinError: $("join-error"),
    joinErrorText: $("join-error-text"),
    watchInsteadButton: $button("watch-instead-button"),
    roomList: $("room-list"),
    roomListEmpty: $("room-list-empty"),
    leaderboardBody: $("leaderboard-body"),
    leaderboardEmpty: $("leaderboard-empty"),
    guestLeaderboardPart: $("guest-leaderboard-part"),
    guestLeaderboardBody: $("guest-leaderboard-body"),
    leaderboardRefresh: $button("leaderboard-refresh"),
    computerForm: /** @type {HTMLFormElement} */ ($("computer-form")),
    computerButton: $button("computer-button"),
    // game
    roomCode: $("room-code"),
    copyCodeButton: $button("copy-code-button"),
    copyInviteButton: $button("copy-invite-button"),
    watchingPill: $("watching-pill"),
    rematchButton: $button("rematch-button"),
    leaveButton: $button("leave-button"),
    statusDisc: $("status-disc"),
    status: $("status"),
    yourTurn: $("your-turn"),
    board: $("board"),
    boardPointer: $("board-pointer"),
    gameError: $("game-error"),
    players: {
      red: { item: $("player-red"), name: $("player-red-name"), meta: $("player-red-meta"), clock: $("player-red-clock") },
      yellow: {
        item: $("player-yellow"), name: $("player-yellow-name"), meta: $("player-yellow-meta"),
        clock: $("player-yellow-clock"),
      },
    },
    spectators: $("spectators"),
    moveList: $("move-list"),
    moveListEmpty: $("move-list-empty"),
    chatLog: $("chat-log"),
    chatEmpty: $("chat-empty"),
    chatForm: $("chat-form"),
    chatInput: $input("chat-input"),
    chatSend: $button("chat-send"),
    chatError: $("chat-error"),
    leaveDialog: /** @type {HTMLDialogElement} */ ($("leave-dialog")),
    upgradeDialog: /** @type {HTMLDialogElement} */ ($("upgrade-dialog")),
    upgradeForm: $("upgrade-form"),
    upgradeName: $("upgrade-name"),
    upgradeUsername: $input("upgrade-username"),
    upgradePassword: $input("upgrade-password"),
    upgradeError: $("upgrade-error"),
    upgradeCancel: $button("upgrade-cancel"),
    upgradeSubmit: $button("upgrade-submit"),
    guestLogoutDialog: /** @type {HTMLDialogElement} */ ($("guest-logout-dialog")),
  };

  const state = {
    /** @type {string | null} */
    me: null, // own user name, from /api/me, the login answer, then `welcome`
    guest: false, // whether `me` is a guest account (no password yet)
    /** @type {string | null} */
    invite: null, // the room of an invite link (#/r/CODE) not yet followed
    badInvite: false, // the page was opened with an invite link that holds no room code
    /** @type {GameSocket | null} */
    socket: null,
    /** @type {ConnectionState} */
    connection: "connecting",
    onlineText: "", // the last "N online" of this connection; "" until it came
    /** @type {"login" | "register" | "guest"} */
    authMode: "login",
    /** @type {RoomState | null} */
    room: null, // the last `room` state received
    roomReceivedAt: 0, // performance.now() when it arrived: the base of the away countdowns
    resyncing: false, // connected again, and no `room` state since
    selectedColumn: 3,
    moveInFlight: false,
    /** @type {string | null} */
    fullRoomCode: null, // the room a `join_room` found full, offered to watch instead
    // The newest version seen of each kind of news. With several server nodes, two changes
    // can arrive out of order; an older one than what the page shows is dropped.
    versions: { room: 0, rooms: 0, online: 0 },
    /** @type {HTMLElement[][]} */
    cells: [], // cells[row][column], row 0 at the bottom
    /** @type {HTMLElement[]} */
    pointerDiscs: [],
    /** @type {ReturnType<typeof setInterval> | 0} */
    countdownTimer: 0,
    /** @type {Set<number>} */
    chatIds: new Set(), // ids of the messages shown: a replayed one that came live already is not shown twice
    /** @type {ReturnType<typeof setInterval> | 0} */
    clockTimer: 0, // ticks the running turn clock
    waitingForMatch: false, // in the quick match queue
  };

  // ---------------------------------------------------------------- small helpers

  /**
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag
   * @param {string} [className]
   * @param {string} [text]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /**
   * @param {HTMLElement} node
   * @param {string | null | undefined} text
   */
  function setText(node, text) {
    node.textContent = text || "";
  }

  /**
   * Runs `action` with `button` disabled, so a double click cannot send twice.
   * @param {HTMLButtonElement} button
   * @param {() => Promise<unknown>} action
   */
  async function busy(button, action) {
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      await action();
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  /** @typedef {keyof typeof ui.views} ViewName */

  /** @param {ViewName} name */
  function showView(name) {
    for (const [key, view] of Object.entries(ui.views)) view.hidden = key !== name;
    ui.session.hidden = !state.me;
    if (name !== "game") document.title = APP_TITLE;
  }

  function currentView() {
    return (/** @type {ViewName[]} */ (Object.keys(ui.views))).find((key) => !ui.views[key].hidden);
  }

  /** @param {string} text */
  function showBanner(text) {
    setText(ui.banner, text);
    ui.banner.hidden = !text;
  }

  // ---------------------------------------------------------------- HTTP API

  /**
   * Calls the JSON API; never throws. `status` 0 means the server could not be reached.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<ApiResult>}
   */
  async function api(method, path, body) {
    /** @type {Record<string, string>} */
    const headers = { Accept: "application/json" };
    /** @type {RequestInit} */
    const init = { method, credentials: "same-origin", headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      return { status: 0, data: null, retryAfter: null };
    }
    let data = null;
    if (response.status !== 204) {
      try {
        data = await response.json();
      } catch {
        data = null;
      }
    }
    return { status: response.status, data, retryAfter: response.headers.get("Retry-After") };
  }

  /**
   * A sentence for a failed API call: the server's own when it gave one.
   * @param {ApiResult} result
   */
  function apiError(result) {
    const sentence = result.data && typeof result.data.error === "string" ? result.data.error : "";
    if (result.status === 0) return "Cannot reach the server. Check your connection and try again.";
    if (result.status === 429 && !sentence) {
      return `Too many attempts. Try again in ${result.retryAfter || "a few"} s.`;
    }
    return sentence || `Unexpected answer from the server (HTTP ${result.status}).`;
  }

  // ---------------------------------------------------------------- connection state

  /**
   * Shows in the header whether the page is connected. The number of players online shows only
   * while connected: without a connection it would be an old number posing as a live one.
   * @param {ConnectionState} connection
   */
  function setConnection(connection) {
    state.connection = connection;
    /** @type {Record<ConnectionState, string>} */
    const texts = {
      connecting: "connecting…",
      online: state.onlineText || "connected",
      reconnecting: "Reconnecting…",
      offline: "Offline",
    };
    for (const pill of [ui.onlineCount, ui.lobbyOnline]) pill.dataset.connection = connection;
    setText(ui.onlineText, texts[connection]);
    setText(ui.lobbyOnline, texts[connection]);
  }

  // ---------------------------------------------------------------- Socket.IO

  function connectSocket() {
    if (!state.socket) {
      // Same origin, default transports; the session cookie goes along by itself.
      /** @type {GameSocket} */
      const socket = window.io({ autoConnect: false });
      state.socket = socket;
      wireSocket(socket);
    }
    if (!state.socket.connected) state.socket.connect();
  }

  function disconnectSocket() {
    if (state.socket) state.socket.disconnect();
  }

  /**
   * Emits `event` and waits for its ack; never throws: failures come back as `{error}`.
   * @template {RequestEvent} E
   * @param {E} event
   * @param {ArgumentsOf<E>} args
   * @returns {Promise<AckOf<E>>}
   */
  async function request(event, ...args) {
    /**
     * Every ack type has an optional `error`.
     * @param {string} error
     */
    const refused = (error) => /** @type {AckOf<E>} */ ({ error });
    const socket = state.socket;
    // Emits made while disconnected would be buffered and sent later, long after the user
    // gave up on them (a move, a join): refuse them now instead.
    if (!socket || !socket.connected) {
      return refused("Not connected to the server. Wait a moment and try again.");
    }
    try {
      // socket.io-client's types cannot follow a generic event through timeout(): this
      // function's signature checks the event, its arguments and its ack against the contract.
      const timed = /** @type {any} */ (socket.timeout(ACK_TIMEOUT_MS));
      const reply = await timed.emitWithAck(event, ...args);
      if (reply && typeof reply === "object") return /** @type {AckOf<E>} */ (reply);
      return refused("Unexpected answer from the server.");
    } catch {
      return refused("The server did not answer in time. Please try again.");
    }
  }

  /**
   * Whether news of `kind` with `version` is newer than what the page has, and if so remembers
   * it. A message without a version (an older server) is always news.
   * @param {NewsKind} kind
   * @param {number | undefined} version
   */
  function isNews(kind, version) {
    if (version === undefined || !Number.isFinite(version)) return true;
    if (version < state.versions[kind]) return false;
    state.versions[kind] = version;
    return true;
  }

  /** @param {GameSocket} socket */
  function wireSocket(socket) {
    socket.on("connect", () => {
      showBanner("");
      state.onlineText = "";
      setConnection("online");
      state.resyncing = true;
      // The server sends everything afresh after a connect (maybe from a store that restarted
      // and counts from 0 again).
      state.versions = { room: 0, rooms: 0, online: 0 };
    });

    socket.on("connect_error", (err) => {
      if (err && err.message === "unauthorized") {
        // The session is gone (expired, logged out elsewhere): retrying cannot help.
        socket.disconnect();
        signedOut("Your session has ended. Please log in again.");
        return;
      }
      if (socket.active) {
        setConnection("reconnecting");
        showBanner("Cannot reach the server. Retrying…");
      } else {
        setConnection("offline");
        showBanner(`The server refused the connection: ${err ? err.message : "unknown reason"}.`);
      }
    });

    socket.on("disconnect", async (reason) => {
      if (reason === "io client disconnect") return;
      setConnection("reconnecting");
      if (reason === "io server disconnect") {
        // The server closed us on purpose (e.g. a logout in another tab): is the session alive?
        const me = await api("GET", "/api/me");
        if (me.status === 401) {
          signedOut("You were logged out.");
        } else {
          socket.connect();
        }
        return;
      }
      // The server takes a player out of the quick match queue when their last socket goes.
      if (state.waitingForMatch) {
        setWaitingForMatch(false);
        setText(ui.lobbyNotice, "Quick match was cancelled: the connection dropped.");
      }
      showBanner("Connection lost. Reconnecting…");
    });

    socket.on("welcome", (data) => {
      if (!data || typeof data.name !== "string") return;
      state.me = data.name;
      setText(ui.userName, data.name);
      if (!state.room) enterLobby();
      else ui.session.hidden = false;
      followInvite();
    });

    socket.on("online", (data, version) => {
      if (!isNews("online", version)) return;
      const count = data && Number.isFinite(data.players) ? data.players : 0;
      const text = `${count} online`;
      state.onlineText = text;
      if (state.connection === "online") {
        setText(ui.onlineText, text);
        setText(ui.lobbyOnline, text);
      }
    });

    socket.on("rooms", (list, version) => {
      if (!isNews("rooms", version)) return;
      const rooms = Array.isArray(list) ? list : [];
      renderRooms(rooms);
      // After a reconnection the server sends our room again if we are still in it; a room
      // missing from the list is gone, so do not stay on its stale board.
      const room = state.room;
      if (state.resyncing && room && !rooms.some((r) => r && r.code === room.code)) {
        enterLobby(`Room ${room.code} is no longer open.`);
      }
    });

    socket.on("room", (room, version) => {
      if (!isNews("room", version)) return;
      if (room && typeof room === "object" && typeof room.code === "string") applyRoom(room);
    });

    socket.on("room_closed", (data, version) => {
      if (!isNews("room", version)) return;
      const message = data && typeof data.message === "string" ? data.message : "The room was closed.";
      enterLobby(message);
    });

    socket.on("chat", (message) => {
      if (message && typeof message === "object") appendChat(message);
    });

    // The room's last messages, after a connect (a reload, a reconnect, another node), a join
    // or a watch. Merged by id with what came live meanwhile.
    socket.on("chat_log", (history) => {
      const room = state.room;
      if (!history || !room || history.code !== room.code || !Array.isArray(history.messages)) return;
      for (const message of history.messages) {
        if (message && typeof message === "object") appendChat(message);
      }
      ui.chatLog.scrollTop = ui.chatLog.scrollHeight;
    });
  }

  // ---------------------------------------------------------------- signing in and out

  /** @param {"login" | "register" | "guest"} mode */
  function setAuthMode(mode) {
    state.authMode = mode;
    const register = mode === "register";
    const guest = mode === "guest";
    ui.tabLogin.setAttribute("aria-pressed", String(mode === "login"));
    ui.tabRegister.setAttribute("aria-pressed", String(register));
    ui.tabGuest.setAttribute("aria-pressed", String(guest));
    setText(ui.authSubmit, register ? "Create account" : guest ? "Play as guest" : "Log in");
    setText(ui.authUsernameLabel, guest ? "Display name" : "User name");
    ui.authUsername.setAttribute("autocomplete", guest ? "nickname" : "username");
    ui.authGuestHint.hidden = !guest;
    ui.authPasswordField.hidden = guest;
    ui.authPassword.autocomplete = register ? "new-password" : "current-password";
    ui.authPasswordHint.hidden = !register;
    setText(ui.authError, "");
  }

  /** @param {SubmitEvent} event */
  async function submitAuth(event) {
    event.preventDefault();
    const username = ui.authUsername.value.trim();
    const password = ui.authPassword.value;
    if (state.authMode === "guest") {
      await submitGuest(username);
      return;
    }
    if (!username || !password) {
      setText(ui.authError, "Enter your user name and password.");
      (username ? ui.authPassword : ui.authUsername).focus();
      return;
    }
    await busy(ui.authSubmit, async () => {
      setText(ui.authError, "");
      const path = state.authMode === "register" ? "/api/register" : "/api/login";
      const result = await api("POST", path, { username, password });
      if ((result.status === 200 || result.status === 201) && result.data && result.data.name) {
        ui.authPassword.value = "";
        signedIn(result.data.name, result.data.guest === true);
      } else {
        setText(ui.authError, apiError(result));
        ui.authPassword.select();
        ui.authPassword.focus();
      }
    });
  }

  /**
   * @param {string} name
   * @param {boolean} guest
   */
  function signedIn(name, guest) {
    state.me = name;
    setGuest(guest);
    setText(ui.userName, name);
    setConnection("connecting");
    setText(ui.views.loading, "Connecting…");
    showView("loading");
    connectSocket();
  }

  /** @param {string} [message] */
  function signedOut(message) {
    state.me = null;
    setGuest(false);
    leaveRoomView();
    setWaitingForMatch(false);
    showView("auth");
    showInviteOnAuth();
    setText(ui.authError, message || "");
    ui.authUsername.focus();
  }

  async function logout() {
    if (state.guest) {
      const choice = await askGuestLogout();
      if (choice === "save") openUpgrade();
      if (choice !== "logout") return;
    }
    await busy(ui.logoutButton, async () => {
      // Disconnect first, so that the server closing our socket is not taken for a logout
      // from elsewhere. The API takes only JSON bodies, even an empty one.
      disconnectSocket();
      const result = await api("POST", "/api/logout", {});
      if (result.status === 204 || result.status === 401) {
        signedOut("");
      } else {
        showBanner(`Could not log out: ${apiError(result)}`);
        connectSocket();
      }
    });
  }

  // ---------------------------------------------------------------- guests

  /** @param {boolean} guest */
  function setGuest(guest) {
    state.guest = guest;
    ui.guestPill.hidden = !guest;
    ui.upgradeButton.hidden = !guest;
  }

  /** @param {string} name */
  async function submitGuest(name) {
    if (!name) {
      setText(ui.authError, "Choose a display name.");
      ui.authUsername.focus();
      return;
    }
    await busy(ui.authSubmit, async () => {
      setText(ui.authError, "");
      const result = await api("POST", "/api/guest", { name });
      if (result.status === 201 && result.data && typeof result.data.name === "string") {
        signedIn(result.data.name, true);
      } else {
        setText(ui.authError, apiError(result));
        ui.authUsername.select();
        ui.authUsername.focus();
      }
    });
  }

  function openUpgrade() {
    if (!state.me || !state.guest || typeof ui.upgradeDialog.showModal !== "function") return;
    setText(ui.upgradeName, state.me);
    ui.upgradeUsername.value = state.me; // for password managers
    ui.upgradePassword.value = "";
    setText(ui.upgradeError, "");
    ui.upgradeDialog.showModal();
    ui.upgradePassword.focus();
  }

  /** @param {SubmitEvent} event */
  async function submitUpgrade(event) {
    event.preventDefault();
    const password = ui.upgradePassword.value;
    if (!password) {
      setText(ui.upgradeError, "Choose a password.");
      ui.upgradePassword.focus();
      return;
    }
    await busy(ui.upgradeSubmit, async () => {
      setText(ui.upgradeError, "");
      const result = await api("POST", "/api/upgrade", { password });
      if (result.status === 200 && result.data && result.data.guest === false) {
        ui.upgradePassword.value = "";
        setGuest(false);
        ui.upgradeDialog.close();
        showBanner(`Account saved: from now on, log in as ${state.me} with your password.`);
      } else {
        setText(ui.upgradeError, apiError(result));
        ui.upgradePassword.select();
        ui.upgradePassword.focus();
      }
    });
  }

  /**
   * Asks a guest who logs out whether they mean it: the account cannot be entered again.
   * @returns {Promise<string>} "logout", "save" or "stay"
   */
  function askGuestLogout() {
    const dialog = ui.guestLogoutDialog;
    if (typeof dialog.showModal !== "function") return Promise.resolve("logout");
    return new Promise((resolve) => {
      dialog.returnValue = "";
      dialog.addEventListener("close", () => resolve(dialog.returnValue), { once: true });
      dialog.showModal();
    });
  }

  // ---------------------------------------------------------------- invite links

  // An invite link is the page's address with `#/r/CODE`: it opens that room for whoever
  // follows it, after signing in if needed. While in a room the address shows its link, so a
  // reload or a copied address lands in the same room.
  const INVITE_HASH = /^#\/r\/([^/]*)\/?$/;

  /** Reads the invite of the page's address into `state.invite` (or `state.badInvite`). */
  function readInvite() {
    const match = INVITE_HASH.exec(location.hash);
    state.invite = null;
    state.badInvite = false;
    if (!match) return;
    let code = "";
    try {
      code = decodeURIComponent(match[1]).trim().toUpperCase();
    } catch {
      code = "";
    }
    if (CODE_PATTERN.test(code)) state.invite = code;
    else state.badInvite = true;
  }

  const BAD_INVITE = "That invite link is broken: it should end in a room code of 4 letters or digits, like #/r/K7QX.";

  function showInviteOnAuth() {
    const code = state.invite;
    setText(ui.authInvite, state.badInvite ? BAD_INVITE
      : code ? `You are invited to room ${code}. Log in, create an account or play as a guest, and the room opens.` : "");
  }

  /** Opens the pending invite's room: a free seat, or a spectator's place when it is full. */
  async function followInvite() {
    if (state.badInvite) {
      state.badInvite = false;
      setText(state.room ? ui.gameError : ui.lobbyNotice, BAD_INVITE);
      return;
    }
    const code = state.invite;
    if (!code || !state.socket || !state.socket.connected) return;
    state.invite = null;
    setText(ui.authInvite, "");
    const room = state.room;
    if (room) {
      if (room.code !== code) {
        setText(ui.gameError, `You are still in room ${room.code}. Leave it to open the invite to room ${code}.`);
      }
      return;
    }
    const joined = await request("join_room", code);
    let error = joined.error;
    if (error && joined.full) error = (await request("watch_room", code)).error;
    if (error) {
      setRoomHash(null);
      setText(ui.lobbyNotice, `Could not open the invite to room ${code}: ${error}`);
    }
  }

  /**
   * Shows `code`'s invite link as the page's address, or takes a room's link away (an invite
   * still to follow keeps its own). History is replaced, not added to: Back leaves the game.
   * @param {string | null} code
   */
  function setRoomHash(code) {
    const wanted = code ? `#/r/${code}` : "";
    if (location.hash === wanted) return;
    if (!code && (!INVITE_HASH.test(location.hash) || state.invite)) return;
    history.replaceState(history.state, "", wanted || location.pathname + location.search);
  }

  /** @param {string} code */
  function inviteLink(code) {
    return `${location.origin}${location.pathname}#/r/${code}`;
  }

  async function copyInvite() {
    const code = state.room && state.room.code;
    if (!code) return;
    const link = inviteLink(code);
    let copied = false;
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(link);
        copied = true;
      } catch {
        copied = false;
      }
    }
    if (!copied) {
      // No clipboard (plain HTTP on another host): the link, selected, to copy by hand.
      window.prompt("Copy this invite link:", link);
      return;
    }
    setText(ui.copyInviteButton, "Link copied!");
    setTimeout(() => setText(ui.copyInviteButton, "Copy invite link"), 2000);
  }

  // ---------------------------------------------------------------- lobby

  /** @param {string} [notice] */
  function enterLobby(notice) {
    leaveRoomView();
    setRoomHash(null);
    showView("lobby");
    setText(ui.lobbyNotice, notice || "");
    refreshLeaderboard();
  }

  /**
   * @param {string} text
   * @param {string | null} [fullCode]
   */
  function setJoinError(text, fullCode) {
    setText(ui.joinErrorText, text);
    ui.joinError.classList.toggle("is-empty", !text);
    state.fullRoomCode = fullCode || null;
    ui.watchInsteadButton.hidden = !fullCode;
  }

  /** @type {Record<RoomSummary["status"], string>} */
  const STATUS_LABELS = { waiting: "Waiting", playing: "Playing", over: "Finished" };

  /** @param {RoomSummary[]} rooms */
  function renderRooms(rooms) {
    ui.roomList.replaceChildren();
    for (const room of rooms) {
      if (!room || typeof room.code !== "string") continue;
      const players = Array.isArray(room.players) ? room.players.filter((p) => typeof p === "string") : [];
      const status = STATUS_LABELS[room.status] ? room.status : "waiting";

      const item = el("li", "room-item");
      item.dataset.code = room.code;
      const code = el("span", "room-item__code", room.code);
      const body = el("span", "room-item__body");
      const who = el("span", "room-item__players");
      if (players.length >= 2) {
        who.append(el("span", "room-item__name", players[0]), el("span", "room-item__vs", " vs "),
          el("span", "room-item__name", players[1]));
      } else {
        who.append(el("span", "room-item__name", players[0] || room.host || "?"),
          el("span", "room-item__vs", " is waiting for a player"));
      }
      const meta = el("span", "room-item__meta");
      meta.append(el("span", `badge badge--${status}`, STATUS_LABELS[status]));
      const watching = Number.isFinite(room.spectators) ? room.spectators : 0;
      if (watching > 0) meta.append(el("span", "room-item__watching", `${watching} watching`));
      const seconds = Number(room.clock_seconds) || 0;
      if (seconds > 0) meta.append(el("span", "room-item__clock", `${clockLabel(seconds)} clock`));
      body.append(who, meta);

      const joinable = status === "waiting";
      const button = el("button", joinable ? "button button--small button--primary" : "button button--small",
        joinable ? "Join" : "Watch");
      button.type = "button";
      button.setAttribute("aria-label", `${joinable ? "Join" : "Watch"} room ${room.code}`);
      button.addEventListener("click", () =>
        busy(button, () => (joinable ? joinRoom(room.code) : watchRoom(room.code))));

      item.append(code, body, button);
      ui.roomList.append(item);
    }
    ui.roomListEmpty.hidden = ui.roomList.childElementCount > 0;
  }

  async function refreshLeaderboard() {
    const [players, guests] = await Promise.all([api("GET", "/api/leaderboard"), api("GET", "/api/leaderboard/guests")]);
    if (players.status === 200 && Array.isArray(players.data)) {
      renderLeaderboard(ui.leaderboardBody, players.data);
      ui.leaderboardEmpty.hidden = ui.leaderboardBody.childElementCount > 0;
    }
    // Guests are ranked apart, under the players, once there are any.
    if (guests.status === 200 && Array.isArray(guests.data)) {
      renderLeaderboard(ui.guestLeaderboardBody, guests.data);
      ui.guestLeaderboardPart.hidden = ui.guestLeaderboardBody.childElementCount === 0;
    }
  }

  /**
   * @param {HTMLElement} body
   * @param {unknown[]} rows
   */
  function renderLeaderboard(body, rows) {
    body.replaceChildren();
    rows.forEach((/** @type {any} */ row, /** @type {number} */ index) => {
      if (!row || typeof row.name !== "string") return;
      const tr = el("tr");
      if (row.name === state.me) tr.className = "is-me";
      tr.append(
        el("td", "leaderboard__rank", String(index + 1)),
        el("th", "leaderboard__name", row.name),
        el("td", "num", String(row.wins ?? 0)),
        el("td", "num", String(row.losses ?? 0)),
        el("td", "num", String(row.draws ?? 0)),
      );
      /** @type {HTMLTableCellElement} */ (tr.children[1]).scope = "row";
      body.append(tr);
    });
  }

  /**
   * "3 min" or "90 s".
   * @param {number} seconds
   */
  function clockLabel(seconds) {
    return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
  }

  /** The lobby's clock choice, as create_room and quick_match take it. */
  function roomOptions() {
    const seconds = Number(ui.clockChoice.value);
    /** @type {RoomOptions} */
    const options = {};
    if (Number.isInteger(seconds) && seconds > 0) options.clock_seconds = seconds;
    return options;
  }

  async function createRoom() {
    setText(ui.lobbyNotice, "");
    const reply = await request("create_room", roomOptions());
    // On success the `room` state that follows switches to the game.
    if (reply.error) setText(ui.lobbyNotice, reply.error);
  }

  /** @param {boolean} waiting */
  function setWaitingForMatch(waiting) {
    state.waitingForMatch = waiting;
    ui.matchWait.hidden = !waiting;
    ui.quickMatchButton.hidden = waiting;
    ui.createRoomButton.disabled = waiting;
    ui.clockChoice.disabled = waiting;
  }

  async function quickMatch() {
    setText(ui.lobbyNotice, "");
    const reply = await request("quick_match", roomOptions());
    if (reply.error) {
      setText(ui.lobbyNotice, reply.error);
      return;
    }
    // Paired at once: the `room` state that follows switches to the game. Else wait for it.
    if (reply.queued && currentView() === "lobby") setWaitingForMatch(true);
  }

  async function cancelMatch() {
    const reply = await request("cancel_match");
    setWaitingForMatch(false);
    // Too late (paired meanwhile): the `room` state is on its way.
    if (reply.error) setText(ui.lobbyNotice, reply.error);
  }

  /** @param {SubmitEvent} event */
  async function playComputer(event) {
    event.preventDefault();
    const chosen = new FormData(ui.computerForm).get("level");
    const level = chosen === "medium" || chosen === "hard" ? chosen : "easy";
    setText(ui.lobbyNotice, "");
    await busy(ui.computerButton, async () => {
      const reply = await request("play_computer", level);
      // On success the `room` state that follows switches to the game.
      if (reply.error) setText(ui.lobbyNotice, reply.error);
    });
  }

  /** @param {string} code */
  async function joinRoom(code) {
    setJoinError("");
    setText(ui.lobbyNotice, "");
    const reply = await request("join_room", code);
    if (reply.error) {
      setJoinError(reply.error, reply.full ? code : null);
    } else {
      ui.joinCode.value = "";
    }
  }

  /** @param {string} code */
  async function watchRoom(code) {
    setJoinError("");
    setText(ui.lobbyNotice, "");
    const reply = await request("watch_room", code);
    if (reply.error) setText(ui.lobbyNotice, reply.error);
  }

  /** @param {SubmitEvent} event */
  async function submitJoin(event) {
    event.preventDefault();
    const code = ui.joinCode.value.trim().toUpperCase();
    if (!code) {
      setJoinError("Enter the room code your friend gave you.");
      ui.joinCode.focus();
      return;
    }
    if (!CODE_PATTERN.test(code)) {
      setJoinError("Room codes are 4 letters or digits, like K7QX.");
      ui.joinCode.focus();
      return;
    }
    await busy(ui.joinButton, () => joinRoom(code));
  }

  // ---------------------------------------------------------------- game: state

  /**
   * @param {RoomState | null} room
   * @returns {PlayerColor | null}
   */
  function myColor(room = state.room) {
    if (!room || !state.me) return null;
    if (room.red === state.me) return "red";
    if (room.yellow === state.me) return "yellow";
    return null;
  }

  /** @param {RoomState | null} room */
  function isMyTurn(room = state.room) {
    const color = myColor(room);
    return !!room && room.status === "playing" && !!color && room.turn === color;
  }

  /**
   * @param {RoomState | null} room
   * @param {number} row
   * @param {number} column
   * @returns {"" | PlayerColor}
   */
  function cellAt(room, row, column) {
    const value = room && Array.isArray(room.board) && Array.isArray(room.board[row]) ? room.board[row][column] : "";
    return value === "red" || value === "yellow" ? value : "";
  }

  /** @param {RoomState} room */
  function applyRoom(room) {
    const previous = state.room && state.room.code === room.code ? state.room : null;
    if (!previous) {
      clearChat();
      ui.moveList.replaceChildren();
      setText(ui.gameError, "");
      state.selectedColumn = 3;
    }
    if (state.waitingForMatch) setWaitingForMatch(false);
    state.room = room;
    state.roomReceivedAt = performance.now();
    state.resyncing = false;
    setRoomHash(room.code);
    ui.copyInviteButton.title = inviteLink(room.code);
    if (currentView() !== "game") {
      showView("game");
      ui.board.focus({ preventScroll: true });
    }
    renderGame(room, previous);
    if (room.status === "over" && previous && previous.status !== "over") refreshLeaderboard();
    // For the page's other scripts: sound.js, outcome.js.
    document.dispatchEvent(new CustomEvent("corio:room", { detail: { room, previous, mine: myColor(room) } }));
  }

  /** Forgets the room on this page (the server side is handled by the caller). */
  function leaveRoomView() {
    document.dispatchEvent(new Event("corio:left"));
    state.room = null;
    state.moveInFlight = false;
    stopCountdown();
    stopClock();
    clearChat();
    ui.moveList.replaceChildren();
    setJoinError("");
    document.title = APP_TITLE;
  }

  // ---------------------------------------------------------------- game: rendering

  function buildBoard() {
    for (let row = 0; row < ROWS; row++) state.cells.push([]);
    for (let column = 0; column < COLUMNS; column++) {
      const col = el("div", "column");
      col.dataset.column = String(column);
      // Top row first: row 0 is the bottom of the board.
      for (let row = ROWS - 1; row >= 0; row--) {
        const cell = el("div", "cell");
        cell.dataset.column = String(column);
        cell.dataset.row = String(row);
        cell.dataset.disc = "";
        cell.append(el("span", "disc"));
        col.append(cell);
        state.cells[row][column] = cell;
      }
      col.addEventListener("click", () => {
        selectColumn(column);
        drop(column);
      });
      col.addEventListener("mouseenter", () => selectColumn(column));
      ui.board.append(col);

      const pointer = el("span", "pointer-disc");
      state.pointerDiscs.push(pointer);
      ui.boardPointer.append(pointer);
    }
  }

  /**
   * @param {RoomState} room
   * @param {RoomState | null} previous
   */
  function renderGame(room, previous) {
    const color = myColor(room);
    setText(ui.roomCode, room.code);
    ui.board.dataset.moves = String(room.moves ?? 0);
    ui.board.dataset.status = room.status;
    ui.board.classList.toggle("is-my-turn", isMyTurn(room));
    ui.board.classList.toggle("is-over", room.status === "over");
    ui.views.game.dataset.role = color || "spectator";
    ui.watchingPill.hidden = !!color;

    renderBoard(room, previous);
    renderStatus(room);
    renderPlayers(room);
    renderMoves(room);
    renderActions(room);
    renderPointer();
  }

  /**
   * @param {RoomState} room
   * @param {RoomState | null} previous
   */
  function renderBoard(room, previous) {
    const winning = new Set();
    for (const p of Array.isArray(room.line) ? room.line : []) {
      if (p && Number.isInteger(p.row) && Number.isInteger(p.column)) winning.add(`${p.row}:${p.column}`);
    }
    ui.board.classList.toggle("has-line", winning.size > 0);
    const last = room.last && Number.isInteger(room.last.row) ? room.last : null;
    for (let row = 0; row < ROWS; row++) {
      for (let column = 0; column < COLUMNS; column++) {
        const cell = state.cells[row][column];
        const disc = cellAt(room, row, column);
        cell.dataset.disc = disc;
        cell.classList.toggle("is-win", winning.has(`${row}:${column}`));
        cell.classList.toggle("is-last", !!last && last.row === row && last.column === column);
        // Only a disc that just appeared falls; a reload or a new room shows the board as is.
        const fell = disc && previous && !cellAt(previous, row, column);
        if (fell) {
          cell.classList.remove("is-dropping");
          cell.dataset.fall = String(ROWS - row);
          void cell.offsetWidth; // restart the animation
          cell.classList.add("is-dropping");
        }
      }
    }
    describeBoard();
  }

  /** @type {PlayerColor[]} */
  const COLORS = ["red", "yellow"];

  /** @type {Record<string, string>} */
  const END_PREFIX = { connect: "Four in a row", draw: "Board full", forfeit: "Forfeit", resign: "Resigned" };

  /** @param {RoomState} room */
  function renderStatus(room) {
    const mine = isMyTurn(room);
    const message = typeof room.message === "string" ? room.message : "";
    ui.status.replaceChildren();
    // The pill shows "Your turn"; screen readers hear it from the live region instead.
    if (mine) ui.status.append(el("span", "visually-hidden", "Your turn. "));
    appendMessage(ui.status, message, awayList(room)[0]);
    ui.yourTurn.hidden = !mine;
    const discColor = room.status === "over" ? room.winner : room.status === "playing" ? room.turn : "";
    ui.statusDisc.className = `status__disc disc-icon${discColor ? ` disc-icon--${discColor}` : " is-empty"}`;
    ui.statusDisc.title = room.status === "over" && room.ending ? END_PREFIX[room.ending] || "" : "";
    document.title = mine ? `Your turn · ${APP_TITLE}` : `Room ${room.code} · ${APP_TITLE}`;
  }

  /**
   * Appends the server's sentence. When it quotes an away player's seconds ("bob disconnected:
   * 27 s to come back"), those seconds count down on screen; screen readers keep the sentence
   * as it came, so the live region does not speak every second.
   */
  /**
   * @param {HTMLElement} target
   * @param {string} message
   * @param {AwayPlayer | undefined} away
   */
  function appendMessage(target, message, away) {
    const quoted = away ? `${away.seconds} s` : "";
    const at = quoted ? message.indexOf(quoted) : -1;
    if (!away || at < 0) {
      target.append(message);
      return;
    }
    const ticking = el("span", "countdown", quoted);
    ticking.dataset.color = away.color;
    ticking.setAttribute("aria-hidden", "true");
    target.append(message.slice(0, at), el("span", "visually-hidden", quoted), ticking,
      message.slice(at + quoted.length));
  }

  /** @param {RoomState} room */
  function renderPlayers(room) {
    const mine = myColor(room);
    for (const color of COLORS) {
      const view = ui.players[color];
      const name = typeof room[color] === "string" ? room[color] : "";
      view.name.replaceChildren();
      if (name) {
        view.name.append(el("span", "player__label", name));
        if (color === mine) view.name.append(el("span", "player__you", "you"));
      } else {
        view.name.append(el("span", "player__label player__label--empty", "Waiting for a player…"));
      }
      view.item.classList.toggle("is-turn", room.status === "playing" && room.turn === color);
      view.item.classList.toggle("is-winner", room.status === "over" && room.winner === color);
    }
    const spectators = Array.isArray(room.spectators) ? room.spectators.filter((s) => typeof s === "string") : [];
    setText(ui.spectators, spectators.length === 0 ? "No spectators"
      : `${spectators.length} watching: ${spectators.join(", ")}`);
    updatePlayerMeta();
    if (awayList(room).length > 0) startCountdown();
    else stopCountdown();
    renderClocks();
  }

  // ---------------------------------------------------------------- game: turn clock

  /**
   * "4:59", or "0:07.3" in the last ten seconds.
   * @param {number} ms
   */
  function clockText(ms) {
    const left = Math.max(0, ms);
    if (left < 10_000) return `0:0${(Math.floor(left / 100) / 10).toFixed(1)}`;
    const seconds = Math.floor(left / 1000);
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }

  /**
   * Each player's time left. The server's `room` state says what each had when it was sent;
   * the running one counts down from when it arrived. The server decides when a flag falls.
   */
  function renderClocks() {
    const clock = state.room && state.room.clock;
    for (const color of COLORS) {
      const view = ui.players[color].clock;
      view.hidden = !clock;
      if (!clock) continue;
      const running = clock.running === color;
      const base = Number(color === "red" ? clock.red_ms : clock.yellow_ms) || 0;
      const left = running ? base - (performance.now() - state.roomReceivedAt) : base;
      setText(view, clockText(left));
      view.classList.toggle("is-running", running);
      view.classList.toggle("is-low", left < Math.min(20_000, (Number(clock.seconds) || 0) * 200));
      view.setAttribute("aria-label", `${color === "red" ? "Red" : "Yellow"} time left: ${clockText(left)}`);
    }
    if (clock && clock.running) {
      if (!state.clockTimer) state.clockTimer = setInterval(renderClocks, 100);
    } else {
      stopClock();
    }
  }

  function stopClock() {
    clearInterval(state.clockTimer);
    state.clockTimer = 0;
  }

  /**
   * @param {RoomState | null} room
   * @returns {AwayPlayer[]}
   */
  function awayList(room) {
    return room && Array.isArray(room.away) ? room.away.filter((a) => a && (a.color === "red" || a.color === "yellow")) : [];
  }

  /** The line under each player's name: away countdown, whose turn, who won. */
  function updatePlayerMeta() {
    const room = state.room;
    if (!room) return;
    const elapsed = Math.floor((performance.now() - state.roomReceivedAt) / 1000);
    for (const color of COLORS) {
      const view = ui.players[color];
      const away = awayList(room).find((a) => a.color === color);
      let text = color === "red" ? "Red" : "Yellow";
      view.item.classList.toggle("is-away", !!away);
      if (away) {
        const left = Math.max(0, (Number(away.seconds) || 0) - elapsed);
        text = `Away: ${left} s to come back`;
        for (const ticking of ui.status.querySelectorAll(`.countdown[data-color="${color}"]`)) {
          ticking.textContent = `${left} s`;
        }
      } else if (room.status === "playing" && room.turn === color) {
        text += " · to play";
      } else if (room.status === "over" && room.winner === color) {
        text += " · winner";
      } else if (room.status === "over" && Array.isArray(room.rematch) && room.rematch.includes(color)) {
        text += " · wants a rematch";
      }
      setText(view.meta, text);
    }
  }

  function startCountdown() {
    if (!state.countdownTimer) state.countdownTimer = setInterval(updatePlayerMeta, 1000);
  }

  function stopCountdown() {
    clearInterval(state.countdownTimer);
    state.countdownTimer = 0;
  }

  /** @param {RoomState} room */
  function renderActions(room) {
    const color = myColor(room);
    // A rematch needs both seats taken: after a resignation the room waits for a new opponent.
    const showRematch = room.status === "over" && !!color && !!room.red && !!room.yellow;
    ui.rematchButton.hidden = !showRematch;
    if (showRematch) {
      const offers = Array.isArray(room.rematch) ? room.rematch : [];
      const offered = offers.includes(color);
      const asked = offers.some((c) => c !== color);
      setText(ui.rematchButton, offered ? "Rematch offered…" : asked ? "Accept rematch" : "Rematch");
      ui.rematchButton.disabled = offered;
    }
    setText(ui.leaveButton, color && room.status === "playing" ? "Resign and leave" : "Leave");
  }

  /**
   * The moves of the current game, "1. alice: column 4" (red plays first). The list is a log:
   * new moves are appended, so a screen reader announces each one once, the opponent's too.
   * @param {RoomState} room
   */
  function renderMoves(room) {
    const columns = Array.isArray(room.columns) ? room.columns.filter((c) => Number.isInteger(c)) : [];
    const list = ui.moveList;
    const shown = /** @type {HTMLElement[]} */ (Array.from(list.children));
    // Another game (a rematch, a new opponent): start over.
    const same = shown.length <= columns.length && shown.every((item, i) => item.dataset.column === String(columns[i]));
    if (!same) list.replaceChildren();
    for (let i = list.childElementCount; i < columns.length; i++) {
      /** @type {PlayerColor} */
      const color = i % 2 === 0 ? "red" : "yellow";
      const name = room[color] || (color === "red" ? "Red" : "Yellow");
      const item = el("li", "move");
      item.dataset.column = String(columns[i]);
      const disc = el("span", `disc-icon disc-icon--${color}`);
      disc.setAttribute("aria-hidden", "true");
      const text = el("span", "move__text");
      text.append(el("span", "move__who", `${i + 1}. ${name}`), el("span", "move__where", `: column ${columns[i] + 1}`));
      item.append(disc, text);
      list.append(item);
    }
    list.querySelectorAll(".move.is-last").forEach((item) => item.classList.remove("is-last"));
    if (list.lastElementChild) list.lastElementChild.classList.add("is-last");
    ui.moveListEmpty.hidden = columns.length > 0;
    list.scrollTop = list.scrollHeight;
  }

  /** @param {number} column */
  function selectColumn(column) {
    state.selectedColumn = Math.max(0, Math.min(COLUMNS - 1, column));
    renderPointer();
    describeBoard();
  }

  function renderPointer() {
    const color = myColor();
    ui.board.querySelectorAll(".column.is-selected").forEach((c) => c.classList.remove("is-selected"));
    ui.board.children[state.selectedColumn].classList.add("is-selected");
    state.pointerDiscs.forEach((disc, column) => {
      disc.className = "pointer-disc";
      if (column === state.selectedColumn && isMyTurn()) disc.classList.add(`pointer-disc--${color}`);
    });
  }

  /** The board's accessible name: the selected column and what is in it. */
  function describeBoard() {
    const room = state.room;
    if (!room) return;
    const column = state.selectedColumn;
    const discs = [];
    for (let row = 0; row < ROWS; row++) {
      const disc = cellAt(room, row, column);
      if (disc) discs.push(disc);
    }
    const content = discs.length === 0 ? "empty" : `${discs.join(", ")} from the bottom`;
    const full = discs.length === ROWS ? ", full" : "";
    ui.board.setAttribute("aria-label", `Board, column ${column + 1} selected: ${content}${full}`);
  }

  // ---------------------------------------------------------------- game: actions

  /** @param {number} column */
  async function drop(column) {
    const room = state.room;
    if (!room || state.moveInFlight) return;
    const color = myColor(room);
    let problem = "";
    if (!color) problem = "You are watching this game.";
    else if (room.status === "waiting") problem = "Wait for a second player to join.";
    else if (room.status === "over") problem = "The game is over.";
    else if (room.turn !== color) problem = "It is not your turn yet.";
    if (problem) {
      setText(ui.gameError, problem);
      return;
    }
    setText(ui.gameError, "");
    state.moveInFlight = true;
    try {
      const reply = await request("move", column);
      if (reply.error) setText(ui.gameError, reply.error);
    } finally {
      state.moveInFlight = false;
    }
  }

  /** @param {KeyboardEvent} event */
  function onBoardKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    if (key === "ArrowLeft") selectColumn(state.selectedColumn - 1);
    else if (key === "ArrowRight") selectColumn(state.selectedColumn + 1);
    else if (key === "Home") selectColumn(0);
    else if (key === "End") selectColumn(COLUMNS - 1);
    else if (key === "Enter" || key === " ") drop(state.selectedColumn);
    else if (/^[1-7]$/.test(key)) {
      selectColumn(Number(key) - 1);
      drop(state.selectedColumn);
    } else return;
    event.preventDefault();
  }

  async function rematch() {
    await busy(ui.rematchButton, async () => {
      const reply = await request("rematch");
      if (reply.error) setText(ui.gameError, reply.error);
    });
    if (state.room) renderActions(state.room);
  }

  function confirmLeave() {
    const dialog = ui.leaveDialog;
    if (typeof dialog.showModal !== "function") return Promise.resolve(true);
    return new Promise((resolve) => {
      dialog.returnValue = "";
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "leave"), { once: true });
      dialog.showModal();
    });
  }

  async function leave() {
    const room = state.room;
    if (!room) return;
    if (room.status === "playing" && myColor(room) && !(await confirmLeave())) return;
    await busy(ui.leaveButton, async () => {
      const reply = await request("leave_room");
      if (reply.error) {
        setText(ui.gameError, reply.error);
      } else {
        // A state of the room from before we left must not bring its board back.
        isNews("room", reply.version);
        enterLobby();
      }
    });
  }

  async function copyCode() {
    const code = state.room && state.room.code;
    if (!code) return;
    try {
      await navigator.clipboard.writeText(code);
      setText(ui.copyCodeButton, "Copied!");
    } catch {
      setText(ui.copyCodeButton, "Copy failed");
    }
    setTimeout(() => setText(ui.copyCodeButton, "Copy code"), 2000);
  }

  // ---------------------------------------------------------------- chat

  function clearChat() {
    ui.chatLog.replaceChildren();
    state.chatIds.clear();
    ui.chatEmpty.hidden = false;
    setText(ui.chatError, "");
  }

  /**
   * Shows a message once, in id order (a replay can bring older ones after newer live ones).
   * @param {ChatMessage} message
   */
  function appendChat(message) {
    const id = Number.isInteger(message.id) && message.id > 0 ? message.id : 0;
    if (id && state.chatIds.has(id)) return;
    if (id) state.chatIds.add(id);
    const from = typeof message.from === "string" ? message.from : "?";
    const text = typeof message.text === "string" ? message.text : "";
    const at = Number.isFinite(message.at) ? new Date(message.at) : new Date();

    const item = el("li", from === state.me ? "chat-msg chat-msg--mine" : "chat-msg");
    const head = el("span", "chat-msg__head");
    head.append(el("b", "chat-msg__from", from));
    const time = el("time", "chat-msg__time", at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
    time.dateTime = at.toISOString();
    head.append(time);
    item.append(head, el("span", "chat-msg__text", text));
    item.dataset.id = String(id);

    const log = ui.chatLog;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
    /** @type {Element | null} */
    let before = null;
    for (let node = log.lastElementChild; id && node; node = node.previousElementSibling) {
      if (Number(/** @type {HTMLElement} */ (node).dataset.id) <= id) break;
      before = node;
    }
    log.insertBefore(item, before);
    while (log.firstElementChild && log.childElementCount > CHAT_HISTORY_LIMIT) log.firstElementChild.remove();
    ui.chatEmpty.hidden = true;
    if (atBottom || from === state.me) log.scrollTop = log.scrollHeight;
  }

  /** @param {SubmitEvent} event */
  async function submitChat(event) {
    event.preventDefault();
    const text = ui.chatInput.value.trim();
    if (!text) return;
    await busy(ui.chatSend, async () => {
      setText(ui.chatError, "");
      const reply = await request("chat", text);
      if (reply.error) setText(ui.chatError, reply.error);
      else ui.chatInput.value = "";
    });
    ui.chatInput.focus();
  }

  // ---------------------------------------------------------------- start

  function wireUi() {
    ui.tabLogin.addEventListener("click", () => setAuthMode("login"));
    ui.tabRegister.addEventListener("click", () => setAuthMode("register"));
    ui.tabGuest.addEventListener("click", () => setAuthMode("guest"));
    ui.upgradeButton.addEventListener("click", openUpgrade);
    ui.upgradeForm.addEventListener("submit", submitUpgrade);
    ui.upgradeCancel.addEventListener("click", () => ui.upgradeDialog.close());
    ui.copyInviteButton.addEventListener("click", copyInvite);
    window.addEventListener("hashchange", () => {
      readInvite();
      if (state.me) followInvite();
      else showInviteOnAuth();
    });
    ui.authForm.addEventListener("submit", submitAuth);
    ui.logoutButton.addEventListener("click", logout);

    ui.createRoomButton.addEventListener("click", () => busy(ui.createRoomButton, createRoom));
    ui.quickMatchButton.addEventListener("click", () => busy(ui.quickMatchButton, quickMatch));
    ui.cancelMatchButton.addEventListener("click", () => busy(ui.cancelMatchButton, cancelMatch));
    ui.joinForm.addEventListener("submit", submitJoin);
    ui.computerForm.addEventListener("submit", playComputer);
    ui.joinCode.addEventListener("input", () => {
      const upper = ui.joinCode.value.toUpperCase();
      if (upper !== ui.joinCode.value) ui.joinCode.value = upper;
      if (ui.joinErrorText.textContent) setJoinError("");
    });
    ui.watchInsteadButton.addEventListener("click", () => {
      const code = state.fullRoomCode;
      if (code) busy(ui.watchInsteadButton, () => watchRoom(code));
    });
    ui.leaderboardRefresh.addEventListener("click", () => busy(ui.leaderboardRefresh, refreshLeaderboard));

    ui.board.addEventListener("keydown", onBoardKey);
    ui.rematchButton.addEventListener("click", rematch);
    ui.leaveButton.addEventListener("click", leave);
    ui.chatForm.addEventListener("submit", submitChat);
    if (navigator.clipboard && window.isSecureContext) {
      ui.copyCodeButton.addEventListener("click", copyCode);
    } else {
      ui.copyCodeButton.hidden = true;
    }
  }

  async function start() {
    buildBoard();
    wireUi();
    readInvite();
    // Someone following an invite most likely has no account here yet.
    setAuthMode(state.invite ? "guest" : "login");
    setJoinError("");
    if (typeof window.io !== "function") {
      setText(ui.views.loading, "The page could not load its Socket.IO client. Reload to try again.");
      return;
    }
    const me = await api("GET", "/api/me");
    if (me.status === 200 && me.data && typeof me.data.name === "string") {
      signedIn(me.data.name, me.data.guest === true);
    } else {
      signedOut(me.status === 401 ? "" : apiError(me));
    }
  }

  start();
})();
