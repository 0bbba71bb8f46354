// Shared set-up for the browser tests: launch Debian's Chromium headless with
// the flags this network-less machine needs, sign in, and save screenshots.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const BASE = process.env.MERIDIAN_URL || "http://127.0.0.1:8080";
export const PASSWORD = process.env.MERIDIAN_ADMIN_PASSWORD || "";
const ARTIFACTS = process.env.E2E_ARTIFACTS || join(dirname(fileURLToPath(import.meta.url)), "artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  return { browser, page };
}

export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export async function login(page) {
  if (!PASSWORD) throw new Error("set MERIDIAN_ADMIN_PASSWORD to the admin password of the server under test");
  await page.goto(`${BASE}/engagements`);
  await page.waitForURL(/\/login/);
  await shot(page, "01-login");
  await page.fill("#username", "admin");
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(/\/engagements/), page.click("button[type=submit]")]);
}

/** A fresh browser page signed in as `username`. */
export async function signedIn(browser, username, password) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  await page.goto(`${BASE}/login`);
  await page.fill("#username", username);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
  return page;
}

/** Take one workflow step on the engagement page that is open. */
export async function step(page, action, rationale = "") {
  await page.check(`#workflow-form input[name=action][value=${action}]`);
  if (rationale) await page.fill("#rationale", rationale);
  await Promise.all([page.waitForLoadState("load"), page.click("#workflow-form button[type=submit]")]);
}

export const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
