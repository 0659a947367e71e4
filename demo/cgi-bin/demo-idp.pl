#!/usr/bin/perl
# The demo's test IdP: a PUBLIC page for a local demo only.  GET shows a
# form; POST has t/tools/wcs_mkresponse sign a SAML response with the demo
# IdP key and answers with the page every IdP answers with: a form that
# the browser POSTs to the SP's ACS (SAMLResponse + RelayState).
#
# Every input is checked against a pattern or a list; the tool is run with
# an argument list (no shell); everything printed is HTML-escaped.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use WcsDemo qw(esc);
use MIME::Base64 qw(decode_base64);

use constant MAX_BODY => 8192;

my %cfg;
for my $k (qw(TOOL KEY CERT IDP SP ACS COOKIE)) {
    $cfg{$k} = $ENV{"WCS_DEMO_$k"};
    fail(500, "WCS_DEMO_$k is not set in the server configuration")
        unless defined $cfg{$k} && length $cfg{$k};
}

my %scenarios = (
    valid    => 'Valid response',
    expired  => 'Expired assertion (code 4a)',
    audience => 'Wrong audience (code 4c)',
    unsigned => 'Unsigned (code 2a)',
    username => 'Username instead of email (code 2b)',
);
my @scenario_order = qw(valid expired audience unsigned username);

my %defaults = (
    email      => 'alice@example.test',
    first      => 'Alice',
    last       => 'Example',
    relaystate => '1234567-ab177c1f4e',
    scenario   => 'valid',
    preview    => '',
);

sub page {
    my ($status, $title, $body, @headers) = @_;
    print "Status: $status\r\n";
    print "$_\r\n" for @headers;
    print "Content-Type: text/html; charset=utf-8\r\n";
    print "Cache-Control: no-store\r\n";
    print "X-Content-Type-Options: nosniff\r\n\r\n";
    my $t = esc($title);
    print <<"HTML";
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>$t</title>
<style>
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; }
label { display: block; margin: .6em 0; }
input[type=text], input[type=email], select { width: 28em; }
pre { background: #f4f4f4; padding: 1em; overflow-x: auto; }
.error { color: #a00; }
</style></head>
<body>
<h1>$t</h1>
$body
<p><a href="/">Demo home</a> &middot; <a href="/webcast/">Webcast</a></p>
</body></html>
HTML
    exit 0;
}

sub fail {
    my ($status, $msg) = @_;
    print STDERR "demo-idp: $msg\n";
    page("$status Error", 'Demo IdP error', '<p class="error">'
         . esc($msg) . '</p>');
}

sub url_decode {
    my ($s) = @_;
    $s =~ tr/+/ /;
    $s =~ s/%([0-9A-Fa-f]{2})/chr(hex($1))/ge;
    return $s;
}

sub read_form {
    my $len = $ENV{CONTENT_LENGTH} || 0;
    my $type = $ENV{CONTENT_TYPE} || '';
    my ($body, %form) = ('');

    fail(415, 'the form must be posted as application/x-www-form-urlencoded')
        unless $type =~ m{^application/x-www-form-urlencoded\b}i;
    fail(413, 'the form is too large') if $len !~ /^\d+$/ || $len > MAX_BODY;
    while (length($body) < $len) {
        my $n = read(STDIN, $body, $len - length($body), length($body));
        last unless $n;
    }
    for my $pair (split /[&;]/, $body) {
        my ($k, $v) = split /=/, $pair, 2;
        next unless defined $k && length $k;
        $k = url_decode($k);
        next unless exists $defaults{$k};
        fail(400, "the field $k is given twice") if exists $form{$k};
        $form{$k} = url_decode(defined $v ? $v : '');
    }
    return \%form;
}

# Is s valid UTF-8 without control characters, at most max characters?
sub text_ok {
    my ($s, $max) = @_;
    my $copy = $s;
    return 0 unless utf8::decode($copy);
    return 0 if $copy =~ /[\x00-\x1f\x7f]/;
    return length($copy) <= $max;
}

# The values of the form, or a list of what is wrong with them.
sub validate {
    my ($f) = @_;
    my (%v, @errors);

    for my $k (qw(email first last relaystate)) {
        my $s = defined $f->{$k} ? $f->{$k} : '';
        $s =~ s/^\s+|\s+$//g;
        $v{$k} = $s;
    }
    # Any address the person types, even a wrong one: the module is what
    # decides whether it is an email.  Only what cannot be passed on is
    # refused here.
    push @errors, 'Email: 1 to 254 characters, no spaces or control '
        . 'characters' unless length $v{email} && text_ok($v{email}, 254)
        && $v{email} !~ /\s/;
    push @errors, 'First name: at most 64 characters, no control characters'
        unless text_ok($v{first}, 64);
    push @errors, 'Last name: at most 64 characters, no control characters'
        unless text_ok($v{last}, 64);
    push @errors, 'RelayState: at most 80 of A-Z a-z 0-9 . _ ~ -'
        unless $v{relaystate} =~ /^[A-Za-z0-9._~-]{0,80}$/;
    $v{scenario} = defined $f->{scenario} ? $f->{scenario} : '';
    push @errors, 'Response: choose one of the listed kinds'
        unless exists $scenarios{$v{scenario}};
    $v{preview} = defined $f->{preview} && $f->{preview} eq 'on' ? 'on' : '';
    return (\%v, \@errors);
}

sub form_page {
    my ($v, $errors, $status) = @_;
    my $err = '';
    if (@$errors) {
        $err = '<ul class="error">'
            . join('', map { '<li>' . esc($_) . '</li>' } @$errors)
            . "</ul>\n";
    }
    my $options = join "\n", map {
        sprintf '<option value="%s"%s>%s</option>', esc($_),
            $_ eq $v->{scenario} ? ' selected' : '', esc($scenarios{$_})
    } @scenario_order;
    my $checked = $v->{preview} ? ' checked' : '';
    page($status || '200 OK', 'Demo IdP', <<"HTML");
<p>This page plays an Identity Provider for the demo.  A real IdP (Entra
ID, Okta, SimpleSAMLphp) would sign you in first; this one signs whatever
you enter with the demo IdP key (<code>${\ esc($cfg{IDP})}</code>) and
sends the browser to the ACS <code>${\ esc($cfg{ACS})}</code> with a form
POST, exactly as an IdP-initiated sign-in does.</p>
$err<form method="post" action="/demo-idp/">
<label>Email (the NameID)<br>
<input type="text" name="email" value="${\ esc($v->{email})}"
 maxlength="254" required></label>
<label>First name (attribute <code>givenName</code>)<br>
<input type="text" name="first" value="${\ esc($v->{first})}"
 maxlength="64"></label>
<label>Last name (attribute <code>sn</code>)<br>
<input type="text" name="last" value="${\ esc($v->{last})}"
 maxlength="64"></label>
<label>RelayState (the webcast event: ID-KEY)<br>
<input type="text" name="relaystate" value="${\ esc($v->{relaystate})}"
 maxlength="80" pattern="[A-Za-z0-9._~-]*" list="events"></label>
<datalist id="events">
<option value="1234567-ab177c1f4e">event 1234567 with its key</option>
<option value="7654321">event 7654321 (no key; example.test only)</option>
<option value="admin">admin console: the default target</option>
<option value="1234567">event 1234567 without its key (3c)</option>
<option value="1234567-0000000000">a wrong key (3c)</option>
<option value="4242">an event that does not exist (3b)</option>
<option value="webcast">not an event ID (3a)</option>
<option value="">no RelayState (1a)</option>
</datalist>
<p>Events: <code>1234567-ab177c1f4e</code> (its key enforced) and
<code>7654321</code> (no key, <code>example.test</code> addresses only);
<code>admin</code> lands on the default target.  Anything else is refused
with its code: none <strong>1a</strong>, not a number <strong>3a</strong>,
unknown <strong>3b</strong>, a wrong or missing key or another domain
<strong>3c</strong>.</p>
<label>Response<br>
<select name="scenario">
$options
</select></label>
<label><input type="checkbox" name="preview" value="on"$checked>
Show the response before posting it (no automatic submit)</label>
<p><button type="submit">Sign in to the webcast</button></p>
</form>
<p>The response also carries <code>displayName</code> and two values of
<code>groups</code> (<code>attendees</code> and <code>emea;sales</code>),
which the SP maps to <code>WEBCAST_GROUPS</code> as
<code>attendees;emea\\;sales</code>.  A response is accepted once: post
the same one twice (tick "Show the response" and run the curl command it
shows twice) and the second is refused as a replay (code 4f).</p>
<p><a href="/demo-idp/?signout=1">Sign out</a> (demo only: deletes the
session cookie; the module has no logout yet).</p>
HTML
}

# The tool's arguments for the form values v; a list, never a shell line.
sub tool_args {
    my ($v) = @_;
    my @args = ('--key', $cfg{KEY}, '--cert', $cfg{CERT},
                '--issuer', $cfg{IDP}, '--audience', $cfg{SP},
                '--acs', $cfg{ACS});
    my $s = $v->{scenario};
    my $nameid = $v->{email};
    my $display = join ' ', grep { length } $v->{first}, $v->{last};

    if ($s eq 'username') {
        # A plain account name, as some directories send by default.
        ($nameid) = split /@/, $nameid, 2;
        $nameid = 'alice' unless defined $nameid && length $nameid;
        push @args, '--nameid-format',
            'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
    }
    push @args, "--nameid=$nameid";
    push @args, '--attr', "givenName=$v->{first}" if length $v->{first};
    push @args, '--attr', "sn=$v->{last}" if length $v->{last};
    push @args, '--attr', "displayName=$display" if length $display;
    push @args, '--attr', 'groups=attendees', '--attr', 'groups=emea;sales';
    if ($s eq 'expired') {
        # Issued 15 minutes ago, dead 10 minutes ago: past the clock skew.
        push @args, '--issue-instant', '-900', '--not-before', '-960',
            '--not-on-or-after', '-600';
    }
    elsif ($s eq 'audience') {
        push @args, '--audience', 'https://another-sp.example.test/';
    }
    elsif ($s eq 'unsigned') {
        push @args, '--sign', 'none';
    }
    return @args;
}

sub make_response {
    my ($v) = @_;
    my @args = tool_args($v);
    my $out = '';

    my $pid = open(my $fh, '-|');
    fail(500, "cannot fork: $!") unless defined $pid;
    if (!$pid) {
        no warnings 'exec';
        exec { $cfg{TOOL} } $cfg{TOOL}, @args;
        print STDERR "demo-idp: cannot run $cfg{TOOL}: $!\n";
        exit 127;
    }
    {
        local $/;
        $out = <$fh>;
    }
    close $fh;
    fail(500, "wcs_mkresponse failed (status $?): see the error log")
        if $? != 0 || !defined $out;
    $out =~ s/\s+//g;
    fail(500, 'wcs_mkresponse printed no base64')
        unless length $out && $out =~ m{^[A-Za-z0-9+/]+=*$};
    return $out;
}

sub post_page {
    my ($v, $b64) = @_;
    my $relay = length $v->{relaystate}
        ? '<input type="hidden" name="RelayState" value="'
          . esc($v->{relaystate}) . "\">\n" : '';
    my $xml = decode_base64($b64);
    my $submit = $v->{preview} ? ''
        : "<script>document.getElementById('acs').submit();</script>\n";
    page('200 OK', 'Demo IdP: posting the SAML response', <<"HTML");
<p>This is the page an IdP answers a sign-in with: a form with
<code>SAMLResponse</code> (the signed response, base64) and
<code>RelayState</code> that the browser POSTs to the SP's ACS
<code>${\ esc($cfg{ACS})}</code>.  It submits itself; without JavaScript,
press Continue.</p>
<p>Response: <strong>${\ esc($scenarios{$v->{scenario}})}</strong></p>
<form method="post" action="${\ esc($cfg{ACS})}" id="acs">
<input type="hidden" name="SAMLResponse" value="${\ esc($b64)}">
$relay<button type="submit">Continue</button>
</form>
<details${\ ($v->{preview} ? ' open' : '')}><summary>The response as
XML</summary>
<pre>${\ esc($xml)}</pre>
</details>
<p>The same by hand, with a fresh response (a response is accepted once):
</p>
<pre>${\ esc(by_hand($v))}</pre>
$submit
HTML
}

# Quote s for display as one shell word.
sub shell_word {
    my ($s) = @_;
    return $s if $s =~ m{^[A-Za-z0-9_./:=@+,-]+$};
    $s =~ s/'/'\\''/g;
    return "'$s'";
}

# The commands that do what this page does, for the reader to copy.
sub by_hand {
    my ($v) = @_;
    my @tool = ('t/tools/wcs_mkresponse', tool_args($v));
    my @curl = ('curl', '-si', '--data-urlencode', 'SAMLResponse@response.b64');
    push @curl, '--data-urlencode', "RelayState=$v->{relaystate}"
        if length $v->{relaystate};
    push @curl, $cfg{ACS};
    return join(' ', map { shell_word($_) } @tool) . " > response.b64\n"
        . join(' ', map { shell_word($_) } @curl) . "\n";
}

my $method = $ENV{REQUEST_METHOD} || 'GET';
if ($method eq 'GET' || $method eq 'HEAD') {
    if (($ENV{QUERY_STRING} || '') =~ /(?:^|&)signout=1(?:&|$)/) {
        # The cookie is HttpOnly: only a response from this host can drop
        # it.  The session itself stays in the cache until it expires.
        page('303 See Other', 'Signed out', '<p><a href="/">Continue</a></p>',
             "Set-Cookie: $cfg{COOKIE}=; Path=/; Max-Age=0; HttpOnly; "
             . 'SameSite=Lax', 'Location: /');
    }
    form_page({ %defaults }, []);
}
elsif ($method eq 'POST') {
    my ($v, $errors) = validate(read_form());
    form_page($v, $errors, '400 Bad Request') if @$errors;
    post_page($v, make_response($v));
}
else {
    page('405 Method Not Allowed', 'Demo IdP', '<p>GET or POST only.</p>',
         'Allow: GET, POST, HEAD');
}
