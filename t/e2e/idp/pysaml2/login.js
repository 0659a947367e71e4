'use strict';
// The login form of the pysaml2 test IdP (t/e2e/idp/pysaml2/idp.py) for
// t/e2e/flows.js: the same interface as every IdP dir's login.js.

const FORM = 'form#pysaml2-login';

// True when the page is this IdP's username/password form (false while a
// navigation is in progress or on any other page).
async function isLoginPage(page) {
  try {
    return (await page.locator(FORM).count()) > 0
      && (await page.locator(`${FORM} input[name="password"]`).count()) > 0;
  } catch (e) {
    return false;
  }
}

// Fill in and submit the form; returns when the POST's answer has started
// to load (the auto-submitting form to the SP, or the login form again
// with #login-error after a wrong password): the caller waits for where
// it leads.
async function fillLogin(page, user, password) {
  if (!(await isLoginPage(page))) {
    throw new Error(`not on the pysaml2 IdP's login page: ${page.url()}`);
  }
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(password);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'commit' }),
    page.locator('#login-button').click(),
  ]);
}

// The URL of an IdP-initiated sign-in to the SP spEntityId, which gets
// relayState back unchanged (no RelayState when null or undefined).
function idpInitiatedUrl(idpBase, spEntityId, relayState) {
  const u = new URL('/idp/init', idpBase);
  u.searchParams.set('sp', spEntityId);
  if (relayState !== undefined && relayState !== null) {
    u.searchParams.set('RelayState', relayState);
  }
  return u.toString();
}

module.exports = { fillLogin, isLoginPage, idpInitiatedUrl };
