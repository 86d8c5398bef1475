// @ts-check
// Corio Connect Four: the banner at the end of a game. Each player sees their own result ("You
// win!", "You lose", "Draw") with how the game ended; a spectator sees who won. It listens to
// the `corio:room` events app.js dispatches after drawing each room state; closing it hides it
// until the next game ends. Text goes in with textContent only.
"use strict";

(() => {
  /** @param {string} id */
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const banner = $("result-banner");
  const title = $("result-title");
  const detail = $("result-detail");
  const again = /** @type {HTMLButtonElement} */ ($("result-rematch"));
  const close = /** @type {HTMLButtonElement} */ ($("result-close"));
  const rematch = /** @type {HTMLButtonElement} */ ($("rematch-button"));

  let shownFor = ""; // the game the banner is about
  let closedFor = ""; // the game whose banner was closed

  /**
   * @param {import("./types").RoomState} room
   * @param {import("./types").PlayerColor | null} mine
   * @returns {{ outcome: "win" | "lose" | "draw" | "over", title: string, detail: string }}
   */
  function describe(room, mine) {
    const winner = room.winner === "red" || room.winner === "yellow" ? room.winner : null;
    if (!winner) return { outcome: "draw", title: "Draw", detail: "The board is full: nobody connected four." };
    const loser = winner === "red" ? "yellow" : "red";
    const winnerName = room[winner] || "The winner";
    const loserName = room[loser] || "The other player";
    if (!mine) {
      return { outcome: "over", title: `${winnerName} wins`, detail: room.message || "" };
    }
    const won = winner === mine;
    /** @type {Record<string, [string, string]>} */
    const how = {
      connect: ["Four in a row.", `${winnerName} connected four.`],
      resign: [`${loserName} resigned.`, "You resigned."],
      forfeit: [`${loserName} did not come back in time.`, "You did not come back in time."],
      time: [`${loserName} ran out of time.`, "You ran out of time."],
    };
    const [ifWon, ifLost] = how[room.ending] || ["", ""];
    return won
      ? { outcome: "win", title: "You win!", detail: ifWon }
      : { outcome: "lose", title: "You lose", detail: ifLost };
  }

  function hide() {
    banner.hidden = true;
    shownFor = "";
  }

  document.addEventListener("corio:room", (event) => {
    const { room, mine } = event.detail;
    if (room.status !== "over" || !room.ending) {
      hide();
      return;
    }
    const game = `${room.code}:${room.moves}:${room.ending}:${room.winner}`;
    if (game === closedFor) return;
    const text = describe(room, mine);
    banner.dataset.outcome = text.outcome;
    title.textContent = text.title;
    detail.textContent = text.detail;
    detail.hidden = !text.detail;
    // The banner's Rematch is the game head's, whose state app.js has just drawn.
    again.hidden = rematch.hidden;
    again.disabled = rematch.disabled;
    again.textContent = rematch.textContent;
    if (shownFor !== game) {
      banner.hidden = false;
      shownFor = game;
    }
  });

  document.addEventListener("corio:left", hide);

  close.addEventListener("click", () => {
    closedFor = shownFor;
    hide();
  });
  again.addEventListener("click", () => rematch.click());
})();
