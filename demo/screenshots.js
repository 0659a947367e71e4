'use strict';
// Screenshots of the running demo for docs/: an SP-initiated sign-in with
// Debian's Chromium (headless, through playwright-core of t/e2e).
//
//   demo/run-demo.sh                  # in one terminal (WCS_DEMO_PORT=...)
//   node demo/screenshots.js [SP_BASE_URL] [OUT_DIR]
//
// SP_BASE_URL defaults to http://127.0.0.1:$WCS_DEMO_PORT (8080), OUT_DIR
// to docs/ of this tree.  It opens event 1234567's link without a session,
// follows the module to SimpleSAMLphp's login form (OUT_DIR/demo-idp-login.png),
// signs in as alice@example.test and waits for the webcast page
// (OUT_DIR/demo-webcast-page.png).  playwright-core comes from
// t/e2e/node_modules (cd t/e2e && npm ci, as t/e2e/run.sh does); the
// browser is CHROMIUM (default /usr/bin/chromium), never a downloaded one.

const fs = require('fs');
const path = require('path');

const top = path.resolve(__dirname, '..');
const { chromium } = require(require.resolve('playwright-core',
  { paths: [path.join(top, 't', 'e2e')] }));
const login = require(path.join(top, 't', 'e2e', 'idp', 'simplesamlphp', 'login.js'));

const spBase = (process.argv[2]
  || `http://127.0.0.1:${process.env.WCS_DEMO_PORT || 8080}`).replace(/\/+$/, '');
const outDir = process.argv[3] || path.join(top, 'docs');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const USER = { email: 'alice@example.test', password: 'alice-pass' };
const EVENT_LINK = '/webcast/1234567/?key=ab177c1f4e';
const EVENT_PAGE = '/webcast/1234567/';
const TIMEOUT = 20000;

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);

    // 1. The event link without a session: the module sends the browser
    // to the IdP with an AuthnRequest, and SimpleSAMLphp shows its form.
    await page.goto(spBase + EVENT_LINK);
    await page.waitForURL((u) => u.origin !== new URL(spBase).origin, { timeout: TIMEOUT });
    await page.waitForLoadState('load');
    if (!(await login.isLoginPage(page))) {
      throw new Error(`${spBase}${EVENT_LINK} led to ${page.url()}, not to the login form`);
    }
    await page.locator('input[name="username"]').fill(USER.email);
    const loginPng = path.join(outDir, 'demo-idp-login.png');
    await page.screenshot({ path: loginPng });
    console.log(`${loginPng}: ${page.url().replace(/\?.*/, '?...')}`);

    // 2. Sign in; the IdP posts to the ACS, which lands on the event page.
    await login.fillLogin(page, USER.email, USER.password);
    await page.waitForURL(spBase + EVENT_PAGE, { timeout: TIMEOUT });
    await page.waitForLoadState('load');
    const body = await page.locator('body').innerText();
    if (!body.includes(`Welcome, ${USER.email}`)) {
      throw new Error(`the webcast page does not greet ${USER.email}: ${body.slice(0, 200)}`);
    }
    const pagePng = path.join(outDir, 'demo-webcast-page.png');
    await page.screenshot({ path: pagePng });
    console.log(`${pagePng}: ${page.url()}`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(`screenshots.js: ${e.message}`);
  process.exit(1);
});
