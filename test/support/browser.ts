import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (.ci/run installs it): Playwright never downloads a browser of its own here. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * The flags keep chromium from calling home (updates, sync, field trials): this
 * machine reaches nothing but loopback, and a test must see only what the page
 * itself asks for. Playwright adds a fresh --user-data-dir, removed on close
 * (it refuses one passed here).
 */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type HeadlessBrowser = {
  /** A new page in a context of its own (no storage shared with other pages), recording every URL it requests. */
  open(): Promise<{ page: Page; requested: string[] }>;
  close(): Promise<void>;
};

export async function launchBrowser(): Promise<HeadlessBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (Debian's package)`);
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  return {
    async open() {
      const page = await (await browser.newContext()).newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      return { page, requested };
    },
    close: () => browser.close(),
  };
}
