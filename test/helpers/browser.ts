/** Headless Chromium for the web UI's browser tests (test/e2e): Debian's package, which .ci/run installs. */
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CONVEYOR_CHROMIUM ?? '/usr/bin/chromium';

/** A reason to skip the suite on a machine without the browser; CI must have it, so there it never skips. */
export const NO_BROWSER: string | false = !fs.existsSync(CHROMIUM) && !process.env.CI && `no browser at ${CHROMIUM}`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto('/users/sign_in');
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/users/sign_in'));
}

/** A browser context at `baseURL` (1280×900 unless told) whose cookies are a signed-in session of `login`. */
export async function signedInContext(browser: Browser, baseURL: string, login: string, password: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  await signIn(page, login, password);
  await page.close();
  return context;
}
