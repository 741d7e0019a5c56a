// Real headless Chromium (the Debian package, never a downloaded browser) driven by playwright-core, with a
// fresh profile per test file; and the web UI build, made here when it is missing or older than its sources so
// a test file run on its own still tests the current UI.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEB = path.join(ROOT, 'web');
const BUILT = path.join(ROOT, 'dist/web/index.html');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

export async function ensureWebBuild(): Promise<void> {
  if (fs.existsSync(BUILT) && fs.statSync(BUILT).mtimeMs >= newestSource(WEB)) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(WEB, 'vite.config.ts'), logLevel: 'warn' });
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface RunningBrowser {
  context: BrowserContext;
  page: Page;
  downloads: string;
  stop(): Promise<void>;
}

export async function startBrowser(): Promise<RunningBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-chromium-'));
  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-downloads-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    acceptDownloads: true,
    downloadsPath: downloads,
    viewport: { width: 1440, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    downloads,
    async stop() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
      fs.rmSync(downloads, { recursive: true, force: true });
    },
  };
}

export const SCREENSHOTS = path.join(ROOT, 'test-output/screenshots');

/** Screenshots of the current page at phone width and at 1440 px, named `<name>-<width>.png`. */
export async function screenshots(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: width < 800 ? 844 : 900 });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
}

const CONTROL_ROLES = new Set([
  'button',
  'link',
  'textbox',
  'searchbox',
  'combobox',
  'checkbox',
  'radio',
  'spinbutton',
  'listbox',
  'menuitem',
  'switch',
  'slider',
  'tab',
]);

/** Controls in Chromium's accessibility tree of the page that have no accessible name (empty when all do). */
export async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: Array<{ ignored: boolean; role?: { value: string }; name?: { value: string } }>;
    };
    const controls = nodes.filter((n) => !n.ignored && CONTROL_ROLES.has(n.role?.value ?? ''));
    if (controls.length === 0) return ['(no controls found: the tree was not read)'];
    return controls.filter((n) => !n.name?.value?.trim()).map((n) => n.role!.value);
  } finally {
    await cdp.detach();
  }
}

export async function signIn(page: Page, url: string, username: string, password: string) {
  await page.goto(url);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Tarsier' }).waitFor();
}

/** Presses Tab (and nothing else) until the focused control's accessible name is `name`. */
export async function tabTo(page: Page, name: string) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      // Runs in the page: the DOM's types are not in this (Node) project's compiler settings.
      const el = (globalThis as any).document.activeElement;
      if (!el) return '';
      const labelled = el.labels?.[0]?.textContent;
      return (el.getAttribute('aria-label') ?? labelled ?? el.textContent ?? '').trim();
    });
    if (focused === name) return;
  }
  throw new Error(`Tab never reached a control named '${name}'`);
}
