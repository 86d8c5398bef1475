// Debian's Chromium driven by playwright-core (no browser download: the package is only the
// driver), and a watch on each page for the problems a test should fail on.

import { existsSync } from "node:fs";

import { chromium } from "playwright-core";

const CHROMIUM = process.env.CORIO_CHROMIUM || "/usr/bin/chromium";

// Headless, and nothing that would reach out to the internet from a test machine.
const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches Chromium, or throws saying how to get it. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium, or set CORIO_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Records a page's uncaught script errors and Content-Security-Policy violations (which Chromium
 * reports as console errors). Returns the list, which grows as the page runs.
 */
export function watchPage(page, label) {
  const problems = [];
  page.on("pageerror", (err) => problems.push(`${label}: uncaught ${err.message}`));
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" && /Content Security Policy|Refused to/i.test(text)) {
      problems.push(`${label}: ${text}`);
    }
  });
  return problems;
}
