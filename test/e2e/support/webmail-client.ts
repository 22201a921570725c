/**
 * A user in a real browser: Debian's chromium, driven by playwright-core (which never
 * downloads a browser of its own), inside a lab namespace:
 * `ip netns exec NS node --import tsx webmail-client.ts '<json>'`. It logs in to SOGo's
 * web interface, looks for a message, optionally writes one, and prints what it saw as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

export interface WebmailRequest {
  /** Where SOGo's pages are, e.g. https://mail.example.com (the path /SOGo/ is added). */
  base: string;
  user: string;
  pass: string;
  /** A subject that must show up in the inbox. */
  expectSubject?: string;
  /** A message to write and send from the web interface. */
  send?: { to: string; subject: string; body: string };
  /** Where to save a screenshot of the last page. */
  screenshot?: string;
}

export interface WebmailResult {
  /** The status of SOGo's login call (POST /SOGo/connect). */
  loginStatus?: number;
  loggedIn: boolean;
  url?: string;
  sawSubject?: boolean;
  /** The browser's cookies for the site after login, by name. */
  cookies?: Record<string, { secure: boolean; httpOnly: boolean; sameSite: string }>;
  sent?: boolean;
  error?: string;
}

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function login(page: Page, req: WebmailRequest, result: WebmailResult): Promise<void> {
  await page.goto(`${req.base}/SOGo/`, { timeout: 60_000 });
  await page.locator('input[ng-model="app.creds.username"]').fill(req.user, { timeout: 60_000 });
  await page.locator('#passwordField').fill(req.pass);
  const connect = page.waitForResponse((r) => r.url().endsWith('/SOGo/connect'), {
    timeout: 60_000,
  });
  await page.locator('md-button[type="submit"], button[type="submit"]').first().click();
  const response = await connect;
  result.loginStatus = response.status();
  if (response.ok()) {
    await page.waitForURL(/\/SOGo\/so\/.+\/Mail/, { timeout: 60_000 });
    result.loggedIn = true;
  } else {
    // The page must stay on the login form, without a session.
    await page.waitForTimeout(1000);
    result.loggedIn = /\/SOGo\/so\//.test(page.url());
  }
  result.url = page.url();
}

async function send(page: Page, msg: NonNullable<WebmailRequest['send']>): Promise<boolean> {
  // The pencil button opens a speed dial: "write here" and "write in a new window".
  await page.locator('md-fab-trigger button').first().click();
  await page.locator('[ng-click="mailbox.newMessage($event)"]').first().click();
  const to = page.locator('md-chips[ng-model="editor.message.editable.to"] input');
  await to.fill(msg.to, { timeout: 30_000 });
  await to.press('Enter');
  await page.locator('input[name="subject"]').fill(msg.subject);
  // The HTML editor (CKEditor) by default, a textarea when the user prefers plain text.
  const html = page.locator('.ck-editor__editable');
  if (await html.count()) await html.first().fill(msg.body);
  else await page.locator('textarea[name="content"]').fill(msg.body);
  const sent = page.waitForResponse((r) => /\/send$/.test(new URL(r.url()).pathname), {
    timeout: 60_000,
  });
  await page.locator('[ng-click="editor.send()"]').click();
  const response = await sent;
  return response.ok() && (await response.json().catch(() => ({}))).status === 'success';
}

export async function webmail(req: WebmailRequest): Promise<WebmailResult> {
  const result: WebmailResult = { loggedIn: false };
  const profile = mkdtempSync(join(tmpdir(), 'mailctl-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    // The lab's certificate is self-signed until ACME issues one; what is tested here is
    // SOGo, and the TLS tests check the certificate.
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  try {
    await login(page, req, result);
    result.cookies = Object.fromEntries(
      (await context.cookies()).map((c) => [
        c.name,
        { secure: c.secure, httpOnly: c.httpOnly, sameSite: c.sameSite },
      ]),
    );
    if (result.loggedIn && req.expectSubject) {
      const subject = page.getByText(req.expectSubject).first();
      result.sawSubject = await subject
        .waitFor({ timeout: 60_000 })
        .then(() => true)
        .catch(() => false);
      if (req.screenshot)
        await page.screenshot({ path: req.screenshot.replace(/\.png$/, '-inbox.png') });
    }
    if (result.loggedIn && req.send) result.sent = await send(page, req.send);
  } catch (e) {
    result.error = (e as Error).message;
  } finally {
    if (req.screenshot) await page.screenshot({ path: req.screenshot }).catch(() => undefined);
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return result;
}

if (process.argv[2]) {
  webmail(JSON.parse(process.argv[2]) as WebmailRequest).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: Error) => {
      process.stderr.write(`${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
