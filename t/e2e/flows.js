'use strict';
// The browser flows of the end-to-end tests, run by t/e2e/run.sh:
//
//   node flows.js TARGETS.jsonl
//
// TARGETS.jsonl has one JSON object a line, one for each IdP and scheme
// whose servers run: {idp, scheme, dir, idpDir, spBase, spEntityId, idpBase,
// idpEntityId, slow}.  idpDir holds the IdP's login.js (fillLogin,
// isLoginPage, idpInitiatedUrl).  All flows run in one headless Chromium
// (Debian's, never a downloaded one), each in a fresh context; sp.test and
// idp.test both map to 127.0.0.1, so the IdP's POST to the ACS is really
// cross-site.
//
// Output, for run.sh to number: "RESULT plan K" first, then one
// "RESULT ok IDP SCHEME FLOW" or "RESULT fail IDP SCHEME FLOW :: reason" a
// flow; anything else is a diagnostic.  Exit status 1 if any flow failed.
//
// Environment: CHROMIUM (default /usr/bin/chromium), WCS_E2E_WAIT (seconds
// flow f waits on the login form, default 180), WCS_E2E_FLOWS (default
// "a b c d e f").

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const COOKIE = 'webcast_saml_session';
const ALICE = { email: 'alice@example.test', password: 'alice-pass' };
const BOB = { email: 'bob@example.test', password: 'bob-pass' };
const EVENT_RELAY = '1234567-ab177c1f4e';
const EVENT_PATH = '/webcast/1234567/';
const EVENT_KEYLESS_PATH = '/webcast/7654321/';
const SP_START_PATH = '/webcast/1234567/?key=ab177c1f4e';
const NAV_TIMEOUT = 20000;
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const WAIT = Number(process.env.WCS_E2E_WAIT || 180);
const FLOWS = (process.env.WCS_E2E_FLOWS || 'a b c d e f')
  .split(/[\s,]+/).filter(Boolean);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

class FlowError extends Error {}
function fail(msg) {
  throw new FlowError(msg);
}

function hostOf(u) {
  try {
    return new URL(u).host;
  } catch (e) {
    return '';
  }
}

function oneLine(s, max = 160) {
  const t = String(s).replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}...` : t;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// Poll fn until it returns a truthy value or the time is up (then null).
async function waitFor(fn, timeout) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      // a navigation in progress: try again
    }
    if (Date.now() >= end) return null;
    await sleep(100);
  }
}

// A page that records its requests and the status of its last document.
async function openPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(NAV_TIMEOUT);
  page.setDefaultNavigationTimeout(NAV_TIMEOUT);
  const rec = { requests: [], lastStatus: null };
  page.on('request', (r) => rec.requests.push(r));
  page.on('response', (r) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) {
      rec.lastStatus = r.status();
    }
  });
  page.rec = rec;
  return page;
}

async function describe(page) {
  let text = '';
  try {
    text = await page.locator('body').innerText({ timeout: 2000 });
  } catch (e) {
    text = '(no text)';
  }
  return `${page.url()} (HTTP ${page.rec.lastStatus}: "${oneLine(text, 120)}")`;
}

async function spCookie(context, t) {
  return (await context.cookies(t.spBase)).find((c) => c.name === COOKIE);
}

// The webcast page of the SP, for this person, with the session cookie.
async function expectWebcastPage(page, context, t, okUrls, email) {
  await waitFor(async () => okUrls.includes(page.url()), NAV_TIMEOUT);
  if (!okUrls.includes(page.url())) {
    fail(`ended on ${await describe(page)}, not ${okUrls.join(' or ')}`);
  }
  await page.waitForLoadState('load');
  if (page.rec.lastStatus !== 200) fail(`${await describe(page)}: not 200`);
  const text = await page.locator('#env').innerText();
  const m = /^REMOTE_USER=(.*)$/m.exec(text);
  if (!m) fail(`no REMOTE_USER on ${await describe(page)}`);
  if (m[1].trim() !== email) fail(`REMOTE_USER is "${m[1].trim()}", not ${email}`);
  const c = await spCookie(context, t);
  if (!c) fail(`no ${COOKIE} cookie for ${t.spBase} after the sign-in`);
  if (!c.httpOnly) fail(`${COOKIE} is not HttpOnly`);
  if (c.secure !== (t.scheme === 'https')) {
    fail(`${COOKIE} has Secure=${c.secure} on ${t.scheme}`);
  }
  if (c.sameSite !== 'Lax') fail(`${COOKIE} has SameSite=${c.sameSite}, not Lax`);
}

// The IdP POSTed the response to the ACS, cross-site.
async function expectCrossSitePost(page, t) {
  const acs = `${t.spBase}/saml/acs`;
  const post = page.rec.requests.find((r) => r.method() === 'POST' && r.url() === acs);
  if (!post) fail(`no POST to ${acs}`);
  const h = await post.allHeaders();
  const body = post.postData() || '';
  if (!/(^|&)SAMLResponse=/.test(body)) fail('the POST to the ACS carries no SAMLResponse');
  if (h['sec-fetch-site'] && h['sec-fetch-site'] !== 'cross-site') {
    fail(`the POST to the ACS was ${h['sec-fetch-site']}, not cross-site`);
  }
  if (h.origin && h.origin !== new URL(t.idpBase).origin) {
    fail(`the POST to the ACS came from ${h.origin}, not ${t.idpBase}`);
  }
  const b64 = new URLSearchParams(body).get('SAMLResponse');
  const xml = Buffer.from(b64, 'base64').toString('utf8');
  const nameId = /<(?:\w+:)?NameID\b([^>]*)>([^<]*)</.exec(xml);
  if (!nameId) fail('the SAMLResponse has no NameID');
  if (!/Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"/.test(nameId[1])) {
    fail(`the NameID is not of format emailAddress: ${oneLine(nameId[0])}`);
  }
  const sigs = (xml.match(/<(?:\w+:)?Signature[\s>]/g) || []).length;
  const algs = [...new Set([...xml.matchAll(/SignatureMethod Algorithm="([^"]+)"/g)]
    .map((m) => m[1].replace(/^.*#/, '')))];
  return { nameId: nameId[2], signatures: sigs, algorithms: algs };
}

function idpRequests(page, t) {
  const idpHost = hostOf(t.idpBase);
  return page.rec.requests.filter((r) => hostOf(r.url()) === idpHost);
}

// The AuthnRequest: a GET to the IdP whose URL has SAMLRequest.
function authnRequest(page, t) {
  return idpRequests(page, t).find((r) => {
    const u = new URL(r.url());
    return r.method() === 'GET' && u.searchParams.has('SAMLRequest');
  });
}

async function idpInitiatedLogin(context, t, login, user) {
  const page = await openPage(context);
  await page.goto(login.idpInitiatedUrl(t.idpBase, t.spEntityId, EVENT_RELAY));
  if (!(await login.isLoginPage(page))) {
    fail(`IdP-initiated SSO shows no login form: ${await describe(page)}`);
  }
  if (await spCookie(context, t)) fail(`${COOKIE} set before the sign-in`);
  await login.fillLogin(page, user.email, user.password);
  await expectWebcastPage(page, context, t, [t.spBase + EVENT_PATH], user.email);
  const r = await expectCrossSitePost(page, t);
  if (r.nameId !== user.email) fail(`the NameID is ${r.nameId}, not ${user.email}`);
  page.samlInfo = r;
  return page;
}

// SP-initiated: open the event's page without a session; the SP must send
// the browser to the IdP with an AuthnRequest (HTTP-Redirect).  form:
// 'required' (the login form must be shown), 'optional' (an IdP session
// may sign in without it).  waitSeconds: time on the form before submitting.
async function spInitiatedLogin(context, t, login, user, form, waitSeconds = 0) {
  const page = await openPage(context);
  const start = t.spBase + SP_START_PATH;
  const okUrls = [t.spBase + EVENT_PATH, start];
  try {
    await page.goto(start);
  } catch (e) {
    fail(`opening ${start}: ${oneLine(e.message)}`);
  }
  // Straight away when the SP has answered with an error page of its own.
  const quick = hostOf(page.url()) === hostOf(t.spBase) && page.rec.lastStatus >= 400;
  if (!(await waitFor(async () => authnRequest(page, t), quick ? 0 : 5000))) {
    if (hostOf(page.url()) === hostOf(t.spBase)) {
      fail(`the SP answered ${page.rec.lastStatus} to the anonymous request `
        + `and sent no AuthnRequest to the IdP: ${await describe(page)}`);
    }
    fail(`no AuthnRequest over HTTP-Redirect (no GET to ${t.idpBase} with SAMLRequest); `
      + `now on ${await describe(page)}`);
  }
  const where = await waitFor(async () => {
    if (await login.isLoginPage(page)) return 'form';
    if (okUrls.includes(page.url())) return 'done';
    return null;
  }, NAV_TIMEOUT);
  if (!where) fail(`neither the login form nor the page: ${await describe(page)}`);
  if (where === 'form') {
    if (waitSeconds > 0) {
      console.log(`${t.idp} ${t.scheme}: waiting ${waitSeconds} s on the login form`);
      await sleep(waitSeconds * 1000);
    }
    await login.fillLogin(page, user.email, user.password);
  } else if (form === 'required') {
    fail(`the IdP signed in without its login form: ${await describe(page)}`);
  }
  await expectWebcastPage(page, context, t, okUrls, user.email);
  const r = await expectCrossSitePost(page, t);
  if (r.nameId !== user.email) fail(`the NameID is ${r.nameId}, not ${user.email}`);
  await expectLoginCookieCarried(page, t);
  // Over https the SP signs its requests (WebcastSAMLSigningKey), and the
  // IdP, told so by the SP's metadata, accepted the signature.
  const q = new URL(authnRequest(page, t).url()).searchParams;
  const signed = q.has('Signature') && q.get('SigAlg') === RSA_SHA256;
  if (signed !== (t.scheme === 'https')) {
    fail(`the AuthnRequest is ${signed ? '' : 'not '}signed over ${t.scheme}`);
  }
  return { page, form: where === 'form' };
}

// The sign-in cookie reached the ACS: over https (SameSite=None; Secure)
// with the IdP's cross-site POST itself; over http (SameSite=Lax) not with
// that one, but with the POST that the SP's own page made of it.
async function expectLoginCookieCarried(page, t) {
  const acs = `${t.spBase}/saml/acs`;
  const posts = page.rec.requests.filter((r) => r.method() === 'POST' && r.url() === acs);
  const carried = [];
  for (const p of posts) {
    const h = await p.allHeaders();
    // Sec-Fetch-Site is only sent to https origins: Origin tells too.
    carried.push({
      from: h.origin === new URL(t.spBase).origin ? 'sp' : h.origin || '?',
      cookie: new RegExp(`(^|;\\s*)${COOKIE}_login=[0-9a-f]{32}`).test(h.cookie || ''),
    });
  }
  const seen = JSON.stringify(carried);
  if (t.scheme === 'https') {
    if (posts.length !== 1 || !carried[0].cookie) {
      fail(`over https the IdP's POST alone must carry the sign-in cookie: ${seen}`);
    }
  } else if (posts.length !== 2 || carried[0].cookie || carried[0].from === 'sp'
             || !carried[1].cookie || carried[1].from !== 'sp') {
    fail(`over http the cross-site POST comes without the sign-in cookie and the SP's `
      + `own POST with it: ${seen}`);
  }
}

const FLOW_DEFS = {
  a: {
    name: 'a-idp-initiated-login',
    async run(context, t, login) {
      const page = await idpInitiatedLogin(context, t, login, ALICE);
      const r = page.samlInfo;
      console.log(`${t.idp} ${t.scheme}: the response has ${r.signatures} signature(s), `
        + `${r.algorithms.join(', ') || 'no SignatureMethod'}; NameID emailAddress ${r.nameId}`);
    },
  },
  b: {
    name: 'b-wrong-password-stays-at-idp',
    async run(context, t, login) {
      const page = await openPage(context);
      await page.goto(login.idpInitiatedUrl(t.idpBase, t.spEntityId, EVENT_RELAY));
      if (!(await login.isLoginPage(page))) {
        fail(`IdP-initiated SSO shows no login form: ${await describe(page)}`);
      }
      await login.fillLogin(page, ALICE.email, 'wrong-pass');
      await page.waitForLoadState('load');
      await sleep(500);
      if (hostOf(page.url()) !== hostOf(t.idpBase)) {
        fail(`a wrong password left the IdP: ${await describe(page)}`);
      }
      if (!(await login.isLoginPage(page))) {
        fail(`no login form after a wrong password: ${await describe(page)}`);
      }
      const toSp = page.rec.requests.filter((r) => hostOf(r.url()) === hostOf(t.spBase));
      if (toSp.length) fail(`the browser went to the SP: ${toSp[0].method()} ${toSp[0].url()}`);
      if (await spCookie(context, t)) fail(`the SP set ${COOKIE}`);
    },
  },
  c: {
    name: 'c-second-url-from-session',
    async run(context, t, login) {
      const page = await idpInitiatedLogin(context, t, login, BOB);
      page.rec.requests.length = 0;
      await page.goto(t.spBase + EVENT_KEYLESS_PATH);
      await expectWebcastPage(page, context, t, [t.spBase + EVENT_KEYLESS_PATH], BOB.email);
      const toIdp = idpRequests(page, t);
      if (toIdp.length) fail(`a request went to the IdP: ${toIdp[0].method()} ${toIdp[0].url()}`);
      const toSp = page.rec.requests.filter((r) => hostOf(r.url()) === hostOf(t.spBase));
      if (toSp.length !== 1) {
        fail(`expected one request to the SP, saw ${toSp.map((r) => r.url()).join(', ')}`);
      }
    },
  },
  d: {
    name: 'd-sp-initiated-login',
    async run(context, t, login) {
      await spInitiatedLogin(context, t, login, ALICE, 'required');
    },
  },
  e: {
    name: 'e-sp-initiated-again-after-sp-cookie-cleared',
    async run(context, t, login) {
      const first = await spInitiatedLogin(context, t, login, ALICE, 'required');
      await first.page.close();
      await context.clearCookies({ domain: hostOf(t.spBase).replace(/:\d+$/, '') });
      if (await spCookie(context, t)) fail(`${COOKIE} still there after clearCookies`);
      if (!(await context.cookies(t.idpBase)).length) {
        fail('clearing the SP\'s cookies removed the IdP\'s too');
      }
      const again = await spInitiatedLogin(context, t, login, ALICE, 'optional');
      console.log(`${t.idp} ${t.scheme}: second sign-in ${again.form ? 'showed' : 'skipped'} the login form`);
    },
  },
  f: {
    name: 'f-sp-initiated-slow-login',
    slowOnly: true,
    async run(context, t, login) {
      await spInitiatedLogin(context, t, login, ALICE, 'required', WAIT);
    },
    timeout: () => WAIT * 1000 + 120000,
  },
};

function emit(line) {
  process.stdout.write(`${line}\n`);
}

async function runFlow(browser, t, login, key) {
  const def = FLOW_DEFS[key];
  const label = `${t.idp} ${t.scheme} ${def.name}`;
  let context;
  try {
    context = await browser.newContext({ ignoreHTTPSErrors: true });
    const limit = def.timeout ? def.timeout() : 90000;
    let timer;
    await Promise.race([
      def.run(context, t, login),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new FlowError(`did not finish in ${limit / 1000} s`)), limit);
      }),
    ]).finally(() => clearTimeout(timer));
    return { label, ok: true };
  } catch (e) {
    const why = e instanceof FlowError ? e.message : `${e.name}: ${e.message}`;
    return { label, ok: false, why: oneLine(why, 600) };
  } finally {
    if (context) await context.close().catch(() => {});
  }
}

function report(r) {
  if (r.ok) emit(`RESULT ok ${r.label}`);
  else emit(`RESULT fail ${r.label} :: ${r.why}`);
  return r.ok;
}

async function main() {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node flows.js TARGETS.jsonl');
  const targets = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l));
  for (const k of FLOWS) {
    if (!FLOW_DEFS[k]) throw new Error(`unknown flow "${k}" (have ${Object.keys(FLOW_DEFS).join(' ')})`);
  }
  const jobs = [];
  for (const t of targets) {
    for (const k of FLOWS) {
      if (FLOW_DEFS[k].slowOnly && !t.slow) continue;
      jobs.push({ t, k });
    }
  }
  emit(`RESULT plan ${jobs.length}`);

  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--host-resolver-rules=MAP sp.test 127.0.0.1, MAP idp.test 127.0.0.1',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-dev-shm-usage',
      ],
    });
  } catch (e) {
    for (const j of jobs) {
      report({ label: `${j.t.idp} ${j.t.scheme} ${FLOW_DEFS[j.k].name}`, ok: false,
        why: `Chromium did not start: ${oneLine(e.message, 300)}` });
    }
    return false;
  }
  console.log(`Chromium ${browser.version()} from ${CHROMIUM}`);

  let allOk = true;
  try {
    // The slow flow (f) waits on the IdP; it runs alongside the others.
    const slow = [];
    for (const j of jobs) {
      if (FLOW_DEFS[j.k].slowOnly) {
        const login = require(path.join(j.t.idpDir, 'login.js'));
        slow.push(runFlow(browser, j.t, login, j.k));
      }
    }
    for (const j of jobs) {
      if (FLOW_DEFS[j.k].slowOnly) continue;
      const login = require(path.join(j.t.idpDir, 'login.js'));
      allOk = report(await runFlow(browser, j.t, login, j.k)) && allOk;
    }
    for (const r of await Promise.all(slow)) allOk = report(r) && allOk;
  } finally {
    await browser.close().catch(() => {});
  }
  return allOk;
}

main().then((ok) => process.exit(ok ? 0 : 1), (e) => {
  console.error(`flows.js: ${e.stack || e}`);
  process.exit(2);
});
