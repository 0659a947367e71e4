# shellcheck shell=bash disable=SC2034  # the variables are read by run.sh
# Debian's Shibboleth SP (libapache2-mod-shib and shibd, 3.4.x) as a
# comparison SP for bench/run.sh.  Sourced: it only sets variables and
# defines functions.
#   shib_install            install the package if missing (non-zero if not)
#   shib_conf WORK PORT     write its configuration, keys and metadata under
#                           WORK/shib and print the httpd config fragment
#   shib_start WORK CPU     start a shibd of its own on that configuration,
#                           pinned to CPU, and wait until it listens
#   shib_stop WORK          stop exactly that shibd and wait for its end
# The variables tell run.sh how to make the responses and judge answers.
#
# Notes on what Shibboleth does with an IdP-initiated response (3.4):
# - mod_shib only forwards the POST to shibd over a UNIX socket; shibd
#   decodes it, checks the signatures (Response and Assertion: the
#   XMLSigning rule), Destination and Recipient against the ACS URL of the
#   request, the Audience against the SP entityID, the times (clockSkew,
#   180 s) and the message ID against its replay cache, then extracts the
#   NameID and makes the session in its own storage; mod_shib sets the
#   cookie and redirects (302) to the RelayState.  A response it refuses
#   (a replay, a bad signature) gets its error page, with 500.
# - No InResponseTo is an unsolicited response: the "default" security
#   policy accepts it.  A RelayState that is not "ss:"/"cookie:" state is
#   taken as the target itself; a relative one is made absolute on this
#   host, which redirectLimit="exact" allows.
# - Both processes count: run.sh adds shibd's CPU to httpd's, and pins
#   shibd with httpd on the server's core.
# - Everything lives under WORK/shib: its socket, pid file, logs and
#   storage (in memory).  The system's shibd is never used, nor anything
#   of /etc/shibboleth but the logging mod_shib reads in httpd's children
#   before it reads ShibConfig (native.logger: warnings to syslog).

# shellcheck source=bench/sp/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

shib_AUDIENCE=https://shib.bench.example.test/
shib_ACS_PATH=/Shibboleth.sso/SAML2/POST
shib_RELAY=/prot/index.html
# The cookie is "_shibsession_" + the Sessions cookieName (by default a
# hash of the entityID and application): a fixed name here, which acs.lua
# matches as it is.
shib_COOKIE=_shibsession_bench
shib_OK_STATUS=302
# The default NameID format (emailAddress), an AuthnStatement and a bearer
# SubjectConfirmation suit Shibboleth as they are.
shib_MKRESPONSE_ARGS=""
# Its sessions live in shibd's in-memory storage (and a copy in each
# httpd child), which has no size to set: run.sh's shib_CACHE_SIZE is
# not used.

_shib_shibd() {
    command -v shibd 2>/dev/null \
        || PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v shibd
}

shib_install() {
    local lib sudo=""
    lib=$(${APXS:-apxs} -q LIBEXECDIR) || return 1
    [ -f "$lib/mod_shib.so" ] && _shib_shibd >/dev/null && return 0
    sp_apt_install shib libapache2-mod-shib || return 1
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    # The package starts the system's shibd where services may start:
    # the benchmark runs its own, so the one just installed is stopped and
    # left disabled (one that ran before is no business of ours).
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
        $sudo systemctl disable --now shibd >/dev/null 2>&1 || true
    elif $sudo service shibd status >/dev/null 2>&1; then
        $sudo service shibd stop >/dev/null 2>&1 || true
        $sudo update-rc.d shibd disable >/dev/null 2>&1 || true
    fi
    [ -f "$lib/mod_shib.so" ] || {
        echo "shib: installed, but no $lib/mod_shib.so" >&2
        return 1
    }
    _shib_shibd >/dev/null || {
        echo "shib: installed, but no shibd" >&2
        return 1
    }
}

# The SP: one application, its handler at /Shibboleth.sso (the SAML 2.0
# POST ACS at /SAML2/POST under it), plain HTTP (handlerSSL and secure
# cookies off: the benchmark is on loopback), REMOTE_USER from the NameID.
_shib_config() { # dir
    local dir=$1
    cat <<XML
<SPConfig xmlns="urn:mace:shibboleth:3.0:native:sp:config"
    xmlns:conf="urn:mace:shibboleth:3.0:native:sp:config"
    clockSkew="180">
  <OutOfProcess logger="$dir/shibd.logger"/>
  <InProcess logger="$dir/native.logger"/>
  <UnixListener address="$dir/shibd.sock"/>
  <ApplicationDefaults entityID="$shib_AUDIENCE" REMOTE_USER="email">
    <Sessions lifetime="28800" timeout="3600" relayState="ss:mem"
        checkAddress="false" consistentAddress="false" handlerSSL="false"
        cookieProps="http" cookieName="${shib_COOKIE#_shibsession_}"
        redirectLimit="exact">
      <SSO entityID="https://idp.example.test/">SAML2</SSO>
      <Logout>Local</Logout>
      <Handler type="Status" Location="/Status" acl="127.0.0.1 ::1"/>
      <Handler type="Session" Location="/Session"
          showAttributeValues="true"/>
    </Sessions>
    <Errors supportContact="root@localhost"
        session="$dir/sessionError.html" access="$dir/sessionError.html"
        ssl="$dir/sessionError.html" localLogout="$dir/sessionError.html"
        metadata="$dir/sessionError.html"/>
    <MetadataProvider type="XML" validate="true"
        path="$dir/idp-metadata.xml"/>
    <AttributeExtractor type="XML" validate="true" reloadChanges="false"
        path="$dir/attribute-map.xml"/>
    <CredentialResolver type="File" key="$dir/sp.key"
        certificate="$dir/sp.pem"/>
  </ApplicationDefaults>
  <SecurityPolicyProvider type="XML" validate="true"
      path="$dir/security-policy.xml"/>
  <ProtocolProvider type="XML" validate="true" reloadChanges="false"
      path="$dir/protocols.xml"/>
</SPConfig>
XML
}

# Debian's default policy, but for MessageFlow's expires: the responses
# are made before the run, with IssueInstant then, and the run of a few
# hundred may last longer than 60 s; 3600 s, as their NotOnOrAfter.
_shib_security_policy() {
    cat <<'XML'
<SecurityPolicies xmlns="urn:mace:shibboleth:3.0:native:sp:config">
  <Policy id="default" validate="false">
    <PolicyRule type="MessageFlow" checkReplay="true" expires="3600"/>
    <PolicyRule type="Conditions">
      <PolicyRule type="Audience"/>
    </PolicyRule>
    <PolicyRule type="ClientCertAuth" errorFatal="true"/>
    <PolicyRule type="XMLSigning" errorFatal="true"/>
    <PolicyRule type="SimpleSigning" errorFatal="true"/>
  </Policy>
  <ExcludedAlgorithms excludeDefaults="true"/>
</SecurityPolicies>
XML
}

_shib_protocols() {
    cat <<'XML'
<Protocols xmlns="urn:mace:shibboleth:2.0:native:sp:protocols">
  <Protocol id="SAML2">
    <Service id="SSO">
      <Initiator id="SAML2"/>
      <Binding id="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
          path="/SAML2/POST"/>
    </Service>
  </Protocol>
  <Protocol id="Local">
    <Service id="Logout">
      <Initiator id="Local"/>
    </Service>
  </Protocol>
</Protocols>
XML
}

# The NameID (format emailAddress) as the attribute "email", REMOTE_USER.
_shib_attribute_map() {
    cat <<'XML'
<Attributes xmlns="urn:mace:shibboleth:2.0:attribute-map"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Attribute name="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
      id="email"/>
</Attributes>
XML
}

_shib_logger() { # file
    cat <<LOG
log4j.rootCategory=WARN, file
log4j.category.Shibboleth-TRANSACTION=WARN
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.fileName=$1
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=%d{%Y-%m-%d %H:%M:%S} %p %c %x: %m%n
LOG
}

shib_conf() { # WORK PORT
    local work=$1 dir lib
    dir=$work/shib
    lib=$(${APXS:-apxs} -q LIBEXECDIR) || return 1
    sp_files "$dir" shib.bench.example.test "$work/keys/idp.pem" || return 1
    mkdir -p "$dir/log"
    _shib_config "$dir" > "$dir/shibboleth2.xml"
    _shib_security_policy > "$dir/security-policy.xml"
    _shib_protocols > "$dir/protocols.xml"
    _shib_attribute_map > "$dir/attribute-map.xml"
    echo "<html><body>shib: <shibmlp errorText/></body></html>" \
        > "$dir/sessionError.html"
    _shib_logger "$dir/log/shibd.log" > "$dir/shibd.logger"
    _shib_logger "$dir/log/native.log" > "$dir/native.logger"
    # mod_shib logs from httpd's children, which may run as another user.
    : > "$dir/log/native.log"
    chmod 666 "$dir/log/native.log"
    # ShibCompatValidUser Off: "Require shib-session" is mod_shib's own.
    cat <<CONF
LoadModule mod_shib $lib/mod_shib.so
ShibConfig $dir/shibboleth2.xml
ShibCompatValidUser Off
<Location /Shibboleth.sso>
    SetHandler shib
    Require all granted
</Location>
<Location /prot>
    AuthType shibboleth
    ShibRequestSetting requireSession 1
    Require shib-session
</Location>
CONF
}

shib_start() { # WORK CPU
    local dir=$1/shib cpu=$2 shibd pid
    shibd=$(_shib_shibd) || { echo "shib: no shibd" >&2; return 1; }
    shib_stop "$1"
    # -f: remove a stale socket; -w: the parent waits (up to 30 s) until
    # the daemon has loaded its configuration.  SHIBSP_LOGGING is the
    # logging it starts with, before it reads the configuration (else
    # the system's shibd.logger, into the system's log directory); the
    # directories it would resolve relative paths against are ours too.
    if ! SHIBSP_LOGGING=$dir/shibd.logger SHIBSP_RUNDIR=$dir \
            SHIBSP_CACHEDIR=$dir SHIBSP_LOGDIR=$dir/log \
            taskset -c "$cpu" "$shibd" -f -c "$dir/shibboleth2.xml" \
            -p "$dir/shibd.pid" -w 30 >"$dir/log/start.log" 2>&1; then
        echo "shib: shibd did not start:" >&2
        cat "$dir/log/start.log" >&2
        # Its configuration check says why on the console.
        "$shibd" -t -c "$dir/shibboleth2.xml" 2>&1 \
            | grep -E ' (ERROR|CRIT|FATAL) ' | tail -n 5 >&2
        shib_stop "$1"
        return 1
    fi
    for _ in $(seq 100); do
        pid=$(cat "$dir/shibd.pid" 2>/dev/null) || pid=
        if [ -n "$pid" ] && [ -S "$dir/shibd.sock" ] \
                && _shib_alive "$pid"; then
            return 0
        fi
        sleep 0.1
    done
    echo "shib: shibd is not listening on $dir/shibd.sock:" >&2
    tail -n 5 "$dir/log/shibd.log" >&2
    shib_stop "$1"
    return 1
}

# Whether pid is a shibd still running (not a pid since reused, nor a
# zombie its reaper has not yet collected).
_shib_alive() { # pid
    local stat
    [ "$(cat "/proc/$1/comm" 2>/dev/null)" = shibd ] || return 1
    stat=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
    [ "${stat%% *}" != Z ]
}

shib_stop() { # WORK
    local dir=$1/shib pid
    pid=$(cat "$dir/shibd.pid" 2>/dev/null) || return 0
    if [ -z "$pid" ] || ! _shib_alive "$pid" \
            || ! kill -TERM "$pid" 2>/dev/null; then
        rm -f "$dir/shibd.pid" "$dir/shibd.sock"
        return 0
    fi
    for _ in $(seq 100); do
        _shib_alive "$pid" || break
        sleep 0.1
    done
    if _shib_alive "$pid"; then
        echo "shib: shibd $pid did not stop in 10 s; killed" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/shibd.pid" "$dir/shibd.sock"
}
