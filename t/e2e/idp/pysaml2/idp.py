#!/usr/bin/python3
"""A small SAML 2.0 IdP for the browser end-to-end tests, on pysaml2.

Run by start.sh (python3 idp.py STATE_DIR IDP_BASE_URL SP_METADATA_FILE):
it listens on 127.0.0.1 at IDP_BASE_URL's port, answers any Host header
and builds every URL of its own from IDP_BASE_URL.  STATE_DIR must hold
idp.key and idp.crt (made by start.sh); idp-metadata.xml and entity-id are
written there before the server listens.

Endpoints (under IDP_BASE_URL):
  /idp/metadata      the IdP's metadata (also its entity ID)
  /idp/sso/redirect  SingleSignOnService, HTTP-Redirect binding
  /idp/sso/post      SingleSignOnService, HTTP-POST binding
  /idp/login         the login form's target (POST)
  /idp/init?sp=ENTITY_ID&RelayState=...   IdP-initiated sign-in
  /idp/logout        forgets the IdP session of this browser

Only the Python standard library and Debian's python3-pysaml2 (signing
through the xmlsec1 binary) are used.
"""

import base64
import html
import http.cookies
import logging
import os
import secrets
import shutil
import socketserver
import sys
import tempfile
import threading
import time
import urllib.parse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

import saml2
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml, samlp
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS
from saml2.server import Server
from saml2.sigver import pem_format
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

PASSWORD_PROTECTED_TRANSPORT = (
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")

USERS = {
    "alice@example.test": {
        "password": "alice-pass",
        "attrs": {"mail": ["alice@example.test"], "givenName": ["Alice"],
                  "sn": ["Example"]},
    },
    "bob@example.test": {
        "password": "bob-pass",
        "attrs": {"mail": ["bob@example.test"], "givenName": ["Bob"],
                  "sn": ["Example"]},
    },
}

COOKIE = "pysaml2_idp_session"
PENDING_TTL = 3600          # a login form stays usable this long (s)
SESSION_TTL = 8 * 3600      # the IdP session of a browser (s)
ASSERTION_MINUTES = 5       # Conditions and SubjectConfirmationData

# Redirect-binding signature algorithms (query string SigAlg).
SIGALGS = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": ("rsa", hashes.SHA1),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": ("rsa", hashes.SHA256),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": ("rsa", hashes.SHA384),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": ("rsa", hashes.SHA512),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": ("ec", hashes.SHA256),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384": ("ec", hashes.SHA384),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512": ("ec", hashes.SHA512),
}

log = logging.getLogger("pysaml2-idp")


class BadRequest(Exception):
    """Refused: an error page is shown, nothing is sent to the SP."""


class IdP:
    def __init__(self, state_dir, base_url, sp_metadata):
        self.state_dir = state_dir
        self.base = base_url.rstrip("/")
        self.sp_metadata = sp_metadata
        self.entity_id = self.base + "/idp/metadata"
        self.sso_redirect = self.base + "/idp/sso/redirect"
        self.sso_post = self.base + "/idp/sso/post"
        self.key_file = os.path.join(state_dir, "idp.key")
        self.cert_file = os.path.join(state_dir, "idp.crt")
        self.lock = threading.RLock()
        self.pending = {}    # form token -> pending sign-in
        self.sessions = {}   # cookie value -> IdP session
        self.server = None
        self.sp_mtime = None
        self.load()

    # --- pysaml2 -----------------------------------------------------------

    def config(self):
        xmlsec = shutil.which("xmlsec1")
        if not xmlsec:
            raise SystemExit("xmlsec1 is not installed (apt-get install xmlsec1)")
        conf = {
            "entityid": self.entity_id,
            "xmlsec_binary": xmlsec,
            "crypto_backend": "xmlsec1",
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "metadata": {"local": [self.sp_metadata]},
            "accepted_time_diff": 60,
            "service": {
                "idp": {
                    "name": "pysaml2 test IdP",
                    "endpoints": {
                        "single_sign_on_service": [
                            (self.sso_redirect, BINDING_HTTP_REDIRECT),
                            (self.sso_post, BINDING_HTTP_POST),
                        ],
                    },
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    # The redirect binding's query-string signature is
                    # checked here (see verify_redirect); pysaml2 would
                    # look for an XML signature inside the request.
                    "want_authn_requests_signed": False,
                    "sign_response": True,
                    "sign_assertion": True,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": ASSERTION_MINUTES},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        },
                    },
                },
            },
        }
        cfg = IdPConfig()
        cfg.load(conf)
        return cfg

    def load(self):
        """(Re)load pysaml2 with the SP metadata file as it is now."""
        mtime = os.stat(self.sp_metadata).st_mtime_ns
        if self.server is not None and mtime == self.sp_mtime:
            return
        cfg = self.config()
        server = Server(config=cfg)
        sps = [eid for eid, ent in server.metadata.items()
               if "spsso_descriptor" in ent]
        if not sps:
            raise SystemExit("no SPSSODescriptor in " + self.sp_metadata)
        self.server, self.sp_mtime, self.cfg = server, mtime, cfg
        log.info("SP metadata loaded: %s", ", ".join(sps))

    def write_metadata(self):
        ed = entity_descriptor(self.cfg)
        # pysaml2 lists every algorithm xmlsec1 knows (md5 included) in an
        # alg:DigestMethod/SigningMethod extension: leave it out.
        ed.extensions = None
        xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + str(ed) + "\n"
        path = os.path.join(self.state_dir, "idp-metadata.xml")
        with open(path + ".tmp", "w") as f:
            f.write(xml)
        os.replace(path + ".tmp", path)
        with open(os.path.join(self.state_dir, "entity-id"), "w") as f:
            f.write(self.entity_id + "\n")
        self.metadata_xml = xml

    # --- the SP --------------------------------------------------------------

    def sp_descriptor(self, sp):
        try:
            return self.server.metadata[sp]["spsso_descriptor"][0]
        except (KeyError, IndexError):
            raise BadRequest("unknown SP %r (not in the SP metadata)" % sp)

    def acs_url(self, sp, asked=None):
        acs = self.server.metadata.assertion_consumer_service(
            sp, BINDING_HTTP_POST)
        urls = [a["location"] for a in acs]
        if not urls:
            raise BadRequest("SP %r has no HTTP-POST AssertionConsumerService"
                             % sp)
        if asked:
            if asked not in urls:
                raise BadRequest("AssertionConsumerServiceURL %r is not in "
                                 "the SP's metadata" % asked)
            return asked
        default = [a["location"] for a in acs
                   if str(a.get("is_default", "")).lower() == "true"]
        return (default or urls)[0]

    def sp_wants_signed_requests(self, sp):
        v = self.sp_descriptor(sp).get("authn_requests_signed")
        return str(v).lower() in ("true", "1")

    def sp_certs(self, sp):
        # base64 DER strings, possibly with white space inside
        return [pem_format("".join(c.split())).decode()
                for c in self.server.metadata.certs(sp, "spsso", "signing")]

    def verify_redirect(self, raw_query, sp):
        """Check the query-string signature of the HTTP-Redirect binding
        over the parameters exactly as received (SAML bindings 3.4.4.1).
        Returns False if unsigned, True if verified, raises if wrong."""
        parts = {}
        for piece in raw_query.split("&"):
            name, _, value = piece.partition("=")
            if name in ("SAMLRequest", "RelayState", "SigAlg", "Signature"):
                if name in parts:
                    raise BadRequest("%s given twice" % name)
                parts[name] = value
        if "Signature" not in parts:
            return False
        sigalg = urllib.parse.unquote_plus(parts.get("SigAlg", ""))
        if sigalg not in SIGALGS:
            raise BadRequest("unsupported SigAlg %r" % sigalg)
        signed = "&".join("%s=%s" % (n, parts[n])
                          for n in ("SAMLRequest", "RelayState", "SigAlg")
                          if n in parts).encode("ascii")
        signature = base64.b64decode(urllib.parse.unquote_plus(
            parts["Signature"]))
        kind, hash_cls = SIGALGS[sigalg]
        certs = self.sp_certs(sp)
        if not certs:
            raise BadRequest("the request is signed but the SP metadata has "
                             "no signing certificate")
        for pem in certs:
            key = x509.load_pem_x509_certificate(pem.encode()).public_key()
            try:
                if kind == "rsa" and isinstance(key, rsa.RSAPublicKey):
                    key.verify(signature, signed, padding.PKCS1v15(),
                               hash_cls())
                elif kind == "ec" and isinstance(key, ec.EllipticCurvePublicKey):
                    key.verify(signature, signed, ec.ECDSA(hash_cls()))
                else:
                    continue
                return True
            except InvalidSignature:
                continue
        raise BadRequest("the AuthnRequest's signature does not verify with "
                         "the SP's certificate")

    # --- requests ------------------------------------------------------------

    def parse_authn_request(self, saml_request, binding, raw_query=None):
        try:
            req = self.server.parse_authn_request(saml_request, binding)
        except Exception as exc:   # pysaml2 raises many kinds
            raise BadRequest("cannot parse the AuthnRequest: %s: %s"
                             % (type(exc).__name__, exc))
        if req is None:
            raise BadRequest("the AuthnRequest does not verify")
        msg = req.message
        sp = msg.issuer.text.strip() if msg.issuer is not None and \
            msg.issuer.text else None
        if not sp:
            raise BadRequest("the AuthnRequest has no Issuer")
        self.sp_descriptor(sp)
        if binding == BINDING_HTTP_REDIRECT:
            signed = self.verify_redirect(raw_query, sp)
        else:
            # pysaml2 verified an enveloped signature against the SP's
            # metadata certificate if there was one.
            signed = msg.signature is not None
        if self.sp_wants_signed_requests(sp) and not signed:
            raise BadRequest("the SP's metadata says AuthnRequestsSigned but "
                             "the AuthnRequest is not signed")
        if msg.protocol_binding and msg.protocol_binding != BINDING_HTTP_POST:
            raise BadRequest("ProtocolBinding %r is not supported"
                             % msg.protocol_binding)
        acs = self.acs_url(sp, msg.assertion_consumer_service_url)
        return {
            "sp": sp,
            "acs": acs,
            "id": msg.id,
            "force": str(msg.force_authn).lower() in ("true", "1"),
            "passive": str(msg.is_passive).lower() in ("true", "1"),
            "signed": signed,
        }

    def build_response(self, pend, user, session):
        ident = USERS[user]["attrs"]
        name_id = saml.NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=user)
        resp = self.server.create_authn_response(
            identity=dict(ident),
            in_response_to=pend["id"],
            destination=pend["acs"],
            sp_entity_id=pend["sp"],
            name_id=name_id,
            authn={"class_ref": PASSWORD_PROTECTED_TRANSPORT,
                   "authn_instant": session["instant"]},
            sign_response=True,
            sign_assertion=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        return str(resp)

    def build_error(self, pend, code, text):
        resp = self.server.create_error_response(
            pend["id"], pend["acs"], (code, text), sign=True,
            sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
        return str(resp)

    # --- state ---------------------------------------------------------------

    def expire(self):
        now = time.time()
        for d, ttl in ((self.pending, PENDING_TTL),
                       (self.sessions, SESSION_TTL)):
            for k in [k for k, v in d.items() if now - v["at"] > ttl]:
                del d[k]

    def session_of(self, environ):
        cookie = http.cookies.SimpleCookie()
        try:
            cookie.load(environ.get("HTTP_COOKIE", ""))
        except http.cookies.CookieError:
            return None
        if COOKIE not in cookie:
            return None
        return self.sessions.get(cookie[COOKIE].value)


# --- HTML ------------------------------------------------------------------------

def page(title, body):
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>%s</title></head><body>\n%s\n</body></html>\n"
            % (html.escape(title), body)).encode()


def login_page(token, pend, error=None, user=""):
    err = ('<p id="login-error" class="error" role="alert">%s</p>\n'
           % html.escape(error)) if error else ""
    return page("pysaml2 IdP: sign in", (
        '<h1>pysaml2 test IdP</h1>\n'
        '<p>Sign in to <span id="sp-entity-id">%s</span></p>\n%s'
        '<form id="pysaml2-login" method="post" action="/idp/login">\n'
        '<input type="hidden" name="token" value="%s">\n'
        '<label for="username">Email</label> '
        '<input type="text" id="username" name="username" value="%s" '
        'autocomplete="username" autofocus>\n'
        '<label for="password">Password</label> '
        '<input type="password" id="password" name="password" '
        'autocomplete="current-password">\n'
        '<button type="submit" id="login-button">Sign in</button>\n'
        '</form>') % (html.escape(pend["sp"]), err, html.escape(token),
                      html.escape(user)))


def post_page(acs, saml_response, relay_state):
    b64 = base64.b64encode(saml_response.encode()).decode()
    rs = ('<input type="hidden" name="RelayState" value="%s">\n'
          % html.escape(relay_state)) if relay_state is not None else ""
    return page("pysaml2 IdP: continue", (
        '<form id="saml-post" method="post" action="%s">\n'
        '<input type="hidden" name="SAMLResponse" value="%s">\n%s'
        '<noscript><button type="submit">Continue</button></noscript>\n'
        '</form>\n'
        '<script>document.getElementById("saml-post").submit();</script>')
        % (html.escape(acs), b64, rs))


# --- WSGI ------------------------------------------------------------------------

class App:
    def __init__(self, idp):
        self.idp = idp

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        # start.sh knows it is talking to this very process by the pid.
        headers = [("Cache-Control", "no-store"),
                   ("X-Pysaml2-IdP-Pid", str(os.getpid()))]
        try:
            with self.idp.lock:
                status, ctype, body, extra = self.route(environ, path, method)
        except BadRequest as exc:
            log.warning("refused %s %s: %s", method, path, exc)
            status, ctype, extra = "400 Bad Request", "text/html", []
            body = page("pysaml2 IdP: error",
                        '<h1>Error</h1>\n<p id="idp-error">%s</p>'
                        % html.escape(str(exc)))
        except Exception:
            log.exception("failed %s %s", method, path)
            status, ctype, extra = "500 Internal Server Error", "text/plain", []
            body = b"internal error, see the IdP's log\n"
        headers += [("Content-Type", ctype + "; charset=utf-8"),
                    ("Content-Length", str(len(body)))] + extra
        start_response(status, headers)
        return [body]

    def form(self, environ):
        if environ.get("REQUEST_METHOD") != "POST":
            return {}
        try:
            n = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            n = 0
        if n > 1 << 20:
            raise BadRequest("request body too large")
        data = environ["wsgi.input"].read(n).decode("utf-8", "replace")
        return {k: v[0] for k, v in urllib.parse.parse_qs(
            data, keep_blank_values=True).items()}

    def route(self, environ, path, method):
        idp = self.idp
        idp.expire()
        if path in ("/idp/metadata", "/idp/metadata/"):
            return ("200 OK", "application/samlmetadata+xml",
                    idp.metadata_xml.encode(), [])
        if path in ("", "/", "/idp", "/idp/"):
            return ("200 OK", "text/html",
                    page("pysaml2 IdP", "<p>pysaml2 test IdP: %s</p>"
                         % html.escape(idp.entity_id)), [])
        if path == "/idp/sso/redirect":
            raw = environ.get("QUERY_STRING", "")
            q = {k: v[0] for k, v in urllib.parse.parse_qs(
                raw, keep_blank_values=True).items()}
            if "SAMLRequest" not in q:
                raise BadRequest("no SAMLRequest")
            idp.load()
            pend = idp.parse_authn_request(q["SAMLRequest"],
                                           BINDING_HTTP_REDIRECT, raw)
            pend["relay_state"] = q.get("RelayState")
            return self.sso(environ, pend)
        if path == "/idp/sso/post":
            f = self.form(environ)
            if "SAMLRequest" not in f:
                raise BadRequest("no SAMLRequest")
            idp.load()
            pend = idp.parse_authn_request(f["SAMLRequest"], BINDING_HTTP_POST)
            pend["relay_state"] = f.get("RelayState")
            return self.sso(environ, pend)
        if path == "/idp/init":
            q = {k: v[0] for k, v in urllib.parse.parse_qs(
                environ.get("QUERY_STRING", ""),
                keep_blank_values=True).items()}
            if not q.get("sp"):
                raise BadRequest("no sp parameter (the SP's entity ID)")
            idp.load()
            idp.sp_descriptor(q["sp"])
            pend = {"sp": q["sp"], "acs": idp.acs_url(q["sp"]), "id": None,
                    "force": q.get("force") in ("1", "true"),
                    "passive": False, "signed": False,
                    "relay_state": q.get("RelayState")}
            return self.sso(environ, pend)
        if path == "/idp/login" and method == "POST":
            return self.login(environ)
        if path == "/idp/logout":
            sess_cookie = ("%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
                           % COOKIE)
            s = idp.session_of(environ)
            if s:
                idp.sessions.pop(s["key"], None)
            return ("200 OK", "text/html",
                    page("pysaml2 IdP: signed out",
                         '<p id="signed-out">Signed out of the IdP.</p>'),
                    [("Set-Cookie", sess_cookie)])
        return ("404 Not Found", "text/plain", b"not found\n", [])

    def sso(self, environ, pend):
        idp = self.idp
        log.info("sign-in for %s (request %s, ACS %s)", pend["sp"],
                 pend["id"], pend["acs"])
        sess = idp.session_of(environ)
        if sess and not pend["force"]:
            log.info("IdP session of %s reused", sess["user"])
            return self.answer(pend, sess)
        if pend["passive"]:
            xml = idp.build_error(pend, samlp.STATUS_NO_PASSIVE,
                                  "no IdP session")
            return ("200 OK", "text/html",
                    post_page(pend["acs"], xml, pend["relay_state"]), [])
        token = secrets.token_urlsafe(24)
        pend["at"] = time.time()
        idp.pending[token] = pend
        return ("200 OK", "text/html", login_page(token, pend), [])

    def login(self, environ):
        idp = self.idp
        f = self.form(environ)
        token = f.get("token", "")
        pend = idp.pending.get(token)
        if pend is None:
            raise BadRequest("this sign-in form has expired or was used "
                             "already; start again from the application")
        user = f.get("username", "").strip().lower()
        password = f.get("password", "")
        u = USERS.get(user)
        if u is None or not secrets.compare_digest(
                u["password"].encode(), password.encode()):
            log.info("wrong username or password for %r", user)
            return ("200 OK", "text/html",
                    login_page(token, pend, "Wrong email or password.",
                               f.get("username", "")), [])
        del idp.pending[token]
        key = secrets.token_urlsafe(32)
        sess = {"key": key, "user": user, "instant": int(time.time()),
                "at": time.time()}
        idp.sessions[key] = sess
        log.info("%s signed in", user)
        status, ctype, body, extra = self.answer(pend, sess)
        extra.append(("Set-Cookie", "%s=%s; Path=/; HttpOnly; SameSite=Lax"
                      % (COOKIE, key)))
        return status, ctype, body, extra

    def answer(self, pend, sess):
        xml = self.idp.build_response(pend, sess["user"], sess)
        log.info("SAMLResponse for %s to %s (InResponseTo %s)", sess["user"],
                 pend["acs"], pend["id"])
        return ("200 OK", "text/html",
                post_page(pend["acs"], xml, pend["relay_state"]), [])


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class Handler(WSGIRequestHandler):
    def log_message(self, fmt, *args):
        log.info("%s %s", self.address_string(), fmt % args)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: idp.py STATE_DIR IDP_BASE_URL "
                         "SP_METADATA_FILE\n")
        return 2
    state_dir, base_url, sp_metadata = argv[1:]
    state_dir = os.path.abspath(state_dir)
    sp_metadata = os.path.abspath(sp_metadata)
    logging.basicConfig(
        filename=os.path.join(state_dir, "idp.log"), level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("saml2").setLevel(logging.WARNING)
    u = urllib.parse.urlsplit(base_url)
    if u.scheme != "http" or not u.port:
        sys.stderr.write("IDP_BASE_URL must be http://HOST:PORT, not %r\n"
                         % base_url)
        return 2
    # pysaml2 hands xmlsec1 temporary files: keep them in the state dir.
    tmp = os.path.join(state_dir, "tmp")
    os.makedirs(tmp, exist_ok=True)
    os.environ["TMPDIR"] = tmp
    tempfile.tempdir = tmp

    idp = IdP(state_dir, base_url, sp_metadata)
    try:
        httpd = make_server("127.0.0.1", u.port, App(idp),
                            server_class=ThreadingServer,
                            handler_class=Handler)
    except OSError as exc:
        sys.stderr.write("cannot listen on 127.0.0.1:%d: %s\n" % (u.port, exc))
        return 1
    # Written once the port is ours, read by the SP and run.sh.
    idp.write_metadata()
    log.info("IdP %s (pysaml2 in %s) listening on 127.0.0.1:%d",
             idp.entity_id, os.path.dirname(saml2.__file__), u.port)
    httpd.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
