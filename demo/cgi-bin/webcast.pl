#!/usr/bin/perl
# The demo's "webcast application": a CGI behind AuthType WebcastSAML.  It
# never sees SAML, only what the module hands over: REMOTE_USER, AUTH_TYPE,
# WEBCAST_* variables and (WebcastSAMLExportHeaders On) Webcast-* headers.
use strict;
use warnings;

# HTML-escape a value for text or a quoted attribute; undef is ''.
sub esc {
    my ($s) = @_;
    $s = '' unless defined $s;
    $s =~ s/&/&amp;/g;
    $s =~ s/</&lt;/g;
    $s =~ s/>/&gt;/g;
    $s =~ s/"/&quot;/g;
    $s =~ s/'/&#39;/g;
    return $s;
}

sub row {
    my ($name, $value) = @_;
    return '<tr><th>' . esc($name) . '</th><td><code>'
        . (defined $value ? esc($value) : '<em>(not set)</em>')
        . "</code></td></tr>\n";
}

my $email = $ENV{REMOTE_USER};
my $vars = join '', map { row($_, $ENV{$_}) }
    'REMOTE_USER', 'AUTH_TYPE', sort grep { /^WEBCAST_/ } keys %ENV;
my $headers = join '', map { row($_, $ENV{$_}) }
    sort grep { /^HTTP_WEBCAST_/ } keys %ENV;
my $cookie = row('HTTP_COOKIE', $ENV{HTTP_COOKIE});

print "Content-Type: text/html; charset=utf-8\r\n";
print "Cache-Control: no-store\r\n";
print "X-Content-Type-Options: nosniff\r\n\r\n";
print <<"HTML";
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Sample webcast</title>
<style>
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; }
th { background: #f4f4f4; }
</style></head>
<body>
<h1>Sample webcast page</h1>
<p><strong>Welcome, ${\ esc($email)}</strong></p>
<p>This page is a CGI under <code>AuthType WebcastSAML</code>.  It was
reached with a session cookie set by the ACS after a valid SAML response;
without one, a browser is sent to the IdP to sign in (SP-initiated).</p>

<h2>Variables for the application</h2>
<table>
$vars</table>

<h2>Request headers (WebcastSAMLExportHeaders On)</h2>
<p>Incoming headers that look like these (any case, <code>-</code> or
<code>_</code>) are removed before the module sets its own.</p>
<table>
$headers</table>

<h2>Cookies the application sees</h2>
<p>The session cookie is removed from the request before the application
runs, so the application can never leak it.</p>
<table>
$cookie</table>

<p><a href="/">Demo home</a></p>
</body></html>
HTML
