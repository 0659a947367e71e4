package WCS::Test;
# Shared helpers of the mod_webcast_saml Apache::Test suites: make a signed
# SAML Response with t/tools/wcs_mkresponse, POST it to an ACS, and check
# the answer: a login (303, cookie, redirect) or a refusal (code, ref, and
# exactly one "WCS02001: [ref REF] refused with code XX: REASON" line in
# t/logs/error_log).
use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use IO::Socket::INET ();
use POSIX ();
use Test::More ();
use Apache::Test ();
use Apache::TestRequest ();
use MIME::Base64 qw(encode_base64);

our @EXPORT = qw(all_codes 
    url_for acs_url hostport_of mkresponse post_acs post_form
    log_offset log_since refusal_of refusal_checks login_checks app_get
    app_checks status_of_code keys_dir top_dir graceful_restart
    write_file read_file free_port at_once
    REFUSAL_TESTS LOGIN_TESTS APP_TESTS
);

# Number of assertions each checker makes.
use constant REFUSAL_TESTS => 7;
use constant LOGIN_TESTS   => 6;
use constant APP_TESTS     => 3;    # plus one per expected variable

# The ACS path of each vhost of t/conf/extra.conf.in.
my %ACS_PATH = (
    default       => '/saml/acs',
    wcs_protected => '/sso/acs',
    wcs_proxied   => '/saml/acs',
    wcs_strict    => '/saml/acs',
    wcs_sibling   => '/saml/acs',
    wcs_glue      => '/saml/acs',
);

# HTTP status of the built-in error page per code, as src/wcs_result.c
# defines it (t/check_consistency.sh fails when they differ).
my %STATUS = (
    '0a' => 400, '1a' => 400, '1b' => 400, '1c' => 403, '2a' => 403,
    '2b' => 403, '3a' => 400, '3b' => 404, '3c' => 403, '4a' => 403,
    '4b' => 403, '4c' => 403, '4d' => 403, '4e' => 403, '4f' => 403,
    '4g' => 403, '4h' => 403, '4i' => 503, '4j' => 403,
    '4k' => 403, '4l' => 503, '4m' => 403, '4n' => 403, '4o' => 403,
    '5a' => 403, '5b' => 403, '5c' => 403, '5d' => 403, '5e' => 403,
    '5f' => 503,
);

sub status_of_code { $STATUS{ $_[0] } }

# Every code, sorted (src/wcs_result.c's, as t/check_consistency.sh keeps
# this table).
sub all_codes { sort keys %STATUS }

sub top_dir  { my $sr = Apache::Test::vars('serverroot'); "$sr/.." }
sub keys_dir { Apache::Test::vars('serverroot') . '/keys' }

# Never follow redirects: the 303s are what is tested.  No cookie jar:
# cookies are sent by hand.
Apache::TestRequest::user_agent(reset => 1, requests_redirectable => ['NONE']);

sub hostport_of {
    my $module = shift || 'default';
    local $Apache::TestRequest::Module = $module;
    return Apache::TestRequest::hostport();
}

# http://HOST:PORT/PATH of a vhost as Apache::Test named it.
sub url_for {
    my ($module, $path) = @_;
    return 'http://' . hostport_of($module) . $path;
}

# The ACS URL as the server derives it without WebcastSAMLACSURL: from
# its ServerName and port (Apache::Test names each vhost
# ServerName servername:port), never from the request's Host.
sub acs_url {
    my $module = shift || 'default';
    return url_for($module, $ACS_PATH{$module} || '/saml/acs');
}

# mkresponse(module => M, key => NAME, OPTION => VALUE, ...): the base64
# SAMLResponse.  key NAME signs with t/keys/NAME.key and puts NAME.pem in
# KeyInfo (unless keyinfo or cert is given); an array value repeats the
# option; undef value is a flag.  --acs defaults to the module's ACS URL.
sub mkresponse {
    my @args = @_;
    my (%seen, @cmd, $module, $key);
    my $tool = top_dir() . '/t/tools/wcs_mkresponse';
    my $keys = keys_dir();

    die "$tool is not built (make)\n" unless -x $tool;
    while (@args) {
        my ($name, $value) = splice @args, 0, 2;
        if ($name eq 'module') { $module = $value; next }
        if ($name eq 'key')    { $key = $value; next }
        $seen{$name} = 1;
        for my $v (ref $value eq 'ARRAY' ? @$value : ($value)) {
            push @cmd, "--$name", (defined $v ? ($v) : ());
        }
    }
    my $sign = '';
    for (my $i = 0; $i < @cmd; $i++) {
        $sign = $cmd[$i + 1] if $cmd[$i] eq '--sign';
    }
    $key = 'idp' if !defined $key && $sign ne 'none';
    if (defined $key) {
        unshift @cmd, '--key', "$keys/$key.key";
        if (!$seen{keyinfo} && !$seen{cert}) {
            unshift @cmd, '--cert', "$keys/$key.pem";
        }
    }
    if (!$seen{acs} && !$seen{destination} && !$seen{recipient}) {
        push @cmd, '--acs', acs_url($module);
    }
    open(my $fh, '-|', $tool, @cmd) or die "cannot run $tool: $!\n";
    local $/;
    my $out = <$fh>;
    close $fh or die "$tool @cmd failed: $? $!\n";
    $out =~ s/\s+\z// unless $seen{wrap};
    return $out;
}

# POST a form (a list of pairs, form-encoded) to url.
sub post_form {
    my ($url, $pairs, @headers) = @_;
    return Apache::TestRequest::POST($url, $pairs, @headers);
}

# POST SAMLResponse (and a RelayState) to the module's ACS.
sub post_acs {
    my ($module, $b64, %o) = @_;
    my $url = $o{url} || acs_url($module);
    my $relay = exists $o{relay_state} ? $o{relay_state}
                                       : '1234567-ab177c1f4e';
    return post_form($url, [SAMLResponse => $b64,
                            defined $relay ? (RelayState => $relay) : ()]);
}

sub error_log { Apache::Test::vars('serverroot') . '/logs/error_log' }

sub write_file {
    my ($path, $text) = @_;
    open(my $fh, '>', $path) or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
    return $path;
}

# The file's text; '' when it cannot be read.
sub read_file {
    my $path = shift;
    open(my $fh, '<', $path) or return '';
    local $/;
    my $text = <$fh>;
    return defined $text ? $text : '';
}

# Graceful restart of the test server (apachectl graceful, after a
# configuration change): SIGUSR1 to the parent, then wait up to wait
# seconds for the new generation ("resuming normal operations" is logged
# at notice, always).  True when it came; the log is shown when not.
sub graceful_restart {
    my $wait = shift || 30;
    my $off = log_offset();
    my $pidfile = Apache::Test::vars('t_pid_file');
    open(my $fh, '<', $pidfile) or die "$pidfile: $!";
    chomp(my $pid = <$fh>);
    close $fh;
    kill 'USR1', $pid or die "cannot signal httpd $pid: $!";
    for (1 .. $wait * 10) {
        if (log_since($off) =~ /SIGUSR1 received.*resuming normal operations/s) {
            # Give the old generation's children a moment to stop
            # accepting.
            sleep 1;
            return 1;
        }
        select(undef, undef, undef, 0.1);
    }
    Test::More::diag(log_since($off));
    return 0;
}

# A free TCP port on loopback, for a server a test starts itself.
sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, Proto => 'tcp')
        or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

# Run each code ref at the same time, each in a process of its own; what
# each returned (a string), in order.
sub at_once {
    my @subs = @_;
    my $dir = Apache::Test::vars('serverroot') . '/logs';
    my @kids;
    for my $i (0 .. $#subs) {
        my $pid = fork() // die "fork: $!";
        if (!$pid) {
            my $out = $subs[$i]->();
            open(my $fh, '>', "$dir/at_once.$$.$i") or POSIX::_exit(1);
            print $fh $out;
            close $fh;
            POSIX::_exit(0);
        }
        push @kids, $pid;
    }
    my @out;
    for my $i (0 .. $#kids) {
        waitpid($kids[$i], 0);
        my $f = "$dir/at_once.$kids[$i].$i";
        push @out, read_file($f);
        unlink $f;
    }
    return @out;
}

sub log_offset { my $s = -s error_log(); defined $s ? $s : 0 }

sub log_since {
    my $off = shift;
    open(my $fh, '<', error_log()) or return '';
    seek($fh, $off, 0);
    local $/;
    my $text = <$fh>;
    return defined $text ? $text : '';
}

# (code, ref) of a refusal: from the built-in page or the ErrorURL
# redirect's query; undef when none.
sub refusal_of {
    my $res = shift;
    my $loc = $res->header('Location');
    if ($res->code == 303 && defined $loc
        && $loc =~ /[?&]code=([0-9a-z]{2})&ref=([0-9a-f]+)(?:&|$)/) {
        return ($1, $2);
    }
    my $body = $res->content;
    my ($code) = $body =~ m{<strong id="code">([^<]*)</strong>};
    my ($ref)  = $body =~ m{<code id="ref">([^<]*)</code>};
    return ($code, $ref);
}

# For diagnostics: the response and the log line of its ref, if any.
sub last_refusal {
    my $res = shift;
    my (undef, $ref) = refusal_of($res);
    my @l = defined $ref ? grep { /\[ref \Q$ref\E\]/ }
                           refusal_lines(log_since(0)) : ();
    return $res->status_line . (@l ? "\n$l[-1]" : '');
}

# The WCS02001 lines of log text.
sub refusal_lines {
    my $text = shift;
    return grep { /WCS02001: / } split /\n/, $text;
}

# REFUSAL_TESTS assertions that res (a response to a request made when
# the log was off bytes long) is a refusal with code and a log reason
# matching reason_re.  o: error_url => the ErrorURL prefix when the vhost
# redirects to one.
sub refusal_checks {
    my ($name, $res, $off, $code, $reason_re, %o) = @_;
    my ($got_code, $ref) = refusal_of($res);

    if ($o{error_url}) {
        my $loc = $res->header('Location') || '';
        Test::More::is($res->code, 303, "$name: 303 to the ErrorURL");
        Test::More::like($loc, qr/^\Q$o{error_url}\E&code=[0-9a-z]{2}&ref=[0-9a-f]{12}$/,
                         "$name: Location is the ErrorURL with code and ref");
    }
    else {
        Test::More::is($res->code, status_of_code($code),
                       "$name: HTTP status " . status_of_code($code));
        Test::More::ok(defined $ref && $ref =~ /^[0-9a-f]{12}$/,
                       "$name: the page shows a ref");
    }
    Test::More::is($got_code, $code, "$name: code $code");
    Test::More::is($res->header('Cache-Control'), 'no-store',
                   "$name: Cache-Control no-store");
    Test::More::ok(!defined $res->header('Set-Cookie'),
                   "$name: no Set-Cookie");
    my @lines = refusal_lines(log_since($off));
    my @mine = grep { defined $ref && /\[ref \Q$ref\E\] refused with code \Q$code\E: / }
               @lines;
    Test::More::ok(@lines == 1 && @mine == 1,
                   "$name: exactly one WCS02001 line, with ref and code")
        or Test::More::diag("log lines:\n" . join("\n", @lines));
    my ($reason) = @mine ? $mine[0] =~ /refused with code ..: (.*)$/ : ('');
    Test::More::like($reason, $reason_re, "$name: log reason");
    return $ref;
}

# LOGIN_TESTS assertions that res is a login: 303 to target, a session
# cookie with the expected attributes, no-store.  Returns the session ID.
# o: module, target (path), cookie (name), samesite, secure.
sub login_checks {
    my ($name, $res, %o) = @_;
    my $module = $o{module} || 'default';
    my $target = $o{target} || '/webcast/app';
    my $cname = $o{cookie} || 'webcast_saml_session';
    my $samesite = $o{samesite} || 'Lax';
    my $cookie = $res->header('Set-Cookie') || '';

    Test::More::is($res->code, 303, "$name: 303")
        or Test::More::diag(last_refusal($res));
    Test::More::is($res->header('Location'), url_for($module, $target),
                   "$name: Location is the default target");
    my ($id) = $cookie =~ /^\Q$cname\E=([0-9a-f]+);/;
    Test::More::ok(defined $id, "$name: session cookie $cname")
        or Test::More::diag("Set-Cookie: $cookie");
    my %attr = map { my ($k, $v) = split /=/, $_, 2; (lc $k => $v // 1) }
               map { s/^\s+|\s+$//gr } split /;/, $cookie;
    Test::More::ok($attr{httponly} && ($attr{samesite} // '') eq $samesite,
                   "$name: cookie HttpOnly, SameSite=$samesite")
        or Test::More::diag("Set-Cookie: $cookie");
    Test::More::is($attr{secure} ? 1 : 0, $o{secure} ? 1 : 0,
                   "$name: cookie " . ($o{secure} ? '' : 'not ') . 'Secure');
    Test::More::is($res->header('Cache-Control'), 'no-store',
                   "$name: Cache-Control no-store");
    return $id;
}

# GET path on module with the session cookie (and another cookie that
# must reach the app); (response, env hash of the CGI's output).
sub app_get {
    my ($module, $path, $cname, $id, @headers) = @_;
    my @cookie = defined $id ? (Cookie => "other=keep; $cname=$id") : ();
    my $res = Apache::TestRequest::GET(url_for($module, $path), @cookie,
                                       @headers);
    my %env;
    for my $line (split /\n/, $res->content) {
        $env{$1} = $2 if $line =~ /^([A-Z_][A-Z0-9_]*)=(.*)$/;
    }
    return ($res, \%env);
}

# APP_TESTS + keys(%$expect) assertions: the protected CGI sees the
# session (AUTH_TYPE WebcastSAML, the expected variables) and not the
# session cookie, while other cookies pass.
sub app_checks {
    my ($name, $module, $path, $cname, $id, $expect) = @_;
    my ($res, $env) = app_get($module, $path, $cname, $id);

    Test::More::is($res->code, 200, "$name: app answers 200");
    Test::More::is($env->{AUTH_TYPE}, 'WebcastSAML', "$name: AUTH_TYPE");
    my $cookie = $env->{HTTP_COOKIE} // '';
    Test::More::ok($cookie =~ /other=keep/ && $cookie !~ /\Q$cname\E=/
                   && (!defined $id || index($cookie, $id) < 0),
                   "$name: session cookie hidden from the app")
        or Test::More::diag("HTTP_COOKIE=$cookie");
    for my $k (sort keys %$expect) {
        Test::More::is($env->{$k}, $expect->{$k}, "$name: $k");
    }
    return $env;
}

1;
