'use strict';
// The login form of SimpleSAMLphp 1.19 (exampleauth:UserPass, the old UI:
// modules/core/templates/loginuserpass.tpl.php) for t/e2e/flows.js.  Every
// IdP dir has a login.js with this interface.

const LOGIN_PATH = /\/simplesaml\/module\.php\/core\/loginuserpass\.php$/;

// True when the page is the IdP's username/password form.
async function isLoginPage(page) {
  let url;
  try {
    url = new URL(page.url());
  } catch (e) {
    return false;
  }
  if (!LOGIN_PATH.test(url.pathname)) return false;
  return (await page.locator('form input[name="password"]').count()) > 0
    && (await page.locator('form input[name="username"]').count()) > 0;
}

// Fill in and submit the form; returns when the POST's answer has started
// to load (the caller waits for where it leads).
async function fillLogin(page, user, password) {
  if (!(await isLoginPage(page))) {
    throw new Error(`not on the SimpleSAMLphp login page: ${page.url()}`);
  }
  await page.locator('input[name="username"]').fill(user);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'commit' }),
    page.locator('#submit_button').click(),
  ]);
}

// IdP-initiated SSO (SimpleSAMLphp 1.x; 2.x moved it to
// /simplesaml/module.php/saml/idp/singleSignOnService).
function idpInitiatedUrl(idpBase, spEntityId, relayState) {
  const u = new URL('/simplesaml/saml2/idp/SSOService.php', idpBase);
  u.searchParams.set('spentityid', spEntityId);
  if (relayState !== undefined && relayState !== null) {
    u.searchParams.set('RelayState', relayState);
  }
  return u.toString();
}

module.exports = { fillLogin, isLoginPage, idpInitiatedUrl };
