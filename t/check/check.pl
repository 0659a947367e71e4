#!/usr/bin/perl
# webcast-saml-check on every refusal class of the ACS (t/check/cases.txt,
# the list the Apache::Test suites share), then what only the command
# does: --now, --in-response-to, the capture's forms, --json read by a
# real JSON parser, --sample, and its usage errors (exit 2).
use strict;
use warnings;
use File::Temp qw(tempdir);
use FindBin;
use JSON::PP ();
use MIME::Base64 qw(encode_base64);
use lib "$FindBin::Bin/../lib";
use WCS::Cases qw(read_cases expand_case);

my $src = $ENV{WCS_TOP_SRCDIR} || "$FindBin::Bin/../..";
my $build = $ENV{WCS_TOP_BUILDDIR} || $src;
my $cmd = "$build/tools/webcast-saml-check";
my $mk = "$build/t/tools/wcs_mkresponse";
my $dir = tempdir('wcs-check-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $keys = "$dir/keys";
my ($passed, $failed) = (0, 0);

sub ok {
    my ($good, $name, $why) = @_;
    if ($good) { $passed++; print "ok - $name\n" }
    else { $failed++; print "not ok - $name\n"; print "#   $why\n" if $why }
    return $good;
}

system("$src/t/make-fixtures.sh", $keys) == 0 or die "make-fixtures failed\n";

# The directives of the vhosts of t/conf/extra.conf.in that the cases
# name, with the ACS URL the command cannot derive.
my %ACS = (default => 'https://sp.example.test/saml/acs',
           wcs_events => 'https://events.example.test/saml/acs');
my %AUDIENCE = (default => 'https://sp.example.test/',
                wcs_events => 'https://events.example.test/');
my %CONF = (
    default => <<"C",
# the main test server
WebcastSAMLSPEntityID https://sp.example.test/
WebcastSAMLACSURL $ACS{default}
WebcastSAMLIdPMetadata "$keys/idp-metadata.xml" "$keys/ec-metadata.xml"
WebcastSAMLIdP https://rollover.example.test/ "$keys/old.pem" "$keys/new.pem"
WebcastSAMLIdP https://sha1.example.test/ "$keys/sha1.pem"
WebcastSAMLAllowSHA1 https://sha1.example.test/
WebcastSAMLAttribute department WEBCAST_DEPARTMENT
WebcastSAMLAttribute groups WEBCAST_GROUPS
WebcastSAMLDefaultTarget /webcast/app
WebcastSAMLSessionCache "shmcb:/nowhere(1024000)"
WebcastSAMLCookieName wcs
<Location /webcast>
    AuthType WebcastSAML
</Location>
C
    wcs_events => <<"C",
<VirtualHost wcs_events>
    WebcastSAMLSPEntityID https://events.example.test/
    WebcastSAMLACSURL $ACS{wcs_events}
    WebcastSAMLIdP https://idp.example.test/ "$keys/idp.pem"
    WebcastSAMLIdP https://other-idp.example.test/ "$keys/okta.pem"
    WebcastSAMLEvent 1234567 ab177c1f4e /webcast/1234567/app template=reg
    WebcastSAMLEvent 2000 - /webcast/2000/app domains=example.test
    WebcastSAMLEvent 4001 - /webcast/4001/app opens=2099-01-01T00:00:00Z "message=Doors open in 2099"
    WebcastSAMLTemplate reg department WEBCAST_DEPARTMENT
    WebcastSAMLTemplate reg http://schemas.example.test/claims/company WEBCAST_COMPANY
    WebcastSAMLRelayStateURL https://global.gotomeeting.com /webcast/meeting/app
    WebcastSAMLEventMap "$keys/events.map"
    WebcastSAMLDefaultRelayState admin-console
</VirtualHost>
C
);
for my $v (keys %CONF) {
    open(my $fh, '>', "$dir/$v.conf") or die "$dir/$v.conf: $!";
    print $fh $CONF{$v};
    close $fh;
}

# wcs_mkresponse with the pairs WCS::Test::mkresponse takes.
sub mkresponse {
    my ($acs, @words) = @_;
    my ($vhost) = grep { $ACS{$_} eq $acs } keys %ACS;
    my (%seen, @cmd, $key);
    while (@words) {
        my $name = shift @words;
        $name =~ s/^--//;
        my $value = @words && $words[0] !~ /^--/ ? shift @words : undef;
        if ($name eq 'key') { $key = $value; next }
        $seen{$name} = 1;
        push @cmd, "--$name", (defined $value ? ($value) : ());
    }
    push @cmd, '--audience', $AUDIENCE{$vhost} unless $seen{audience};
    my $sign = '';
    for my $i (0 .. $#cmd - 1) { $sign = $cmd[$i + 1] if $cmd[$i] eq '--sign' }
    $key = 'idp' if !defined $key && $sign ne 'none';
    if (defined $key) {
        unshift @cmd, '--key', "$keys/$key.key";
        unshift @cmd, '--cert', "$keys/$key.pem"
            unless $seen{keyinfo} || $seen{cert};
    }
    push @cmd, '--acs', $acs
        unless $seen{acs} || $seen{destination} || $seen{recipient};
    open(my $fh, '-|', $mk, @cmd) or die "$mk: $!";
    local $/;
    my $out = <$fh>;
    close $fh or die "$mk @cmd failed\n";
    $out =~ s/\s+\z//;
    return $out;
}

sub urlencode { my $s = shift; $s =~ s/([^A-Za-z0-9._~-])/sprintf('%%%02X', ord $1)/ge; $s }

# Run the command on capture; (exit status, stdout, stderr).
sub check {
    my ($capture, @args) = @_;
    my $in = "$dir/capture";
    open(my $fh, '>', $in) or die "$in: $!";
    print $fh $capture;
    close $fh;
    my $out = `"$cmd" @{[map { quotemeta } @args]} "$in" 2>"$dir/stderr"`;
    my $status = $? >> 8;
    open($fh, '<', "$dir/stderr") or die;
    local $/;
    my $err = <$fh>;
    return ($status, $out, $err);
}

# --- the shared cases ------------------------------------------------------

my %capture_of;
for my $c (read_cases("$FindBin::Bin/cases.txt")) {
    my ($name, $vhost, $code) = @$c{qw(name vhost code)};
    my $acs = $ACS{$vhost} or die "cases.txt: unknown vhost $vhost\n";
    my ($reason, $kind, $what) = expand_case($c, $acs, $keys);
    my $b64;
    if ($kind eq 'form') {
        ($b64 = $what) =~ s/\@RESPONSE\@/urlencode(mkresponse($acs))/ge;
    }
    else {
        $b64 = mkresponse($acs, @$what);
    }
    $capture_of{$name} = $b64;
    my @rs = defined $c->{relay_state} ? ('--relay-state', $c->{relay_state})
                                       : ();
    my ($st, $out) = check($b64, '--config', "$dir/$vhost.conf", @rs);
    if ($code eq 'ok') {
        ok($st == 0 && $out =~ /^accepted: login of /m, "$name: accepted",
           "exit $st: $out");
        next;
    }
    ok($st == 1, "$name: exit 1", "exit $st: $out");
    my ($got, $why) = $out =~ /^refused with code (\w\w): (.*)$/m;
    ok(defined $got && $got eq $code, "$name: code $code",
       "got " . ($got // 'none') . ": $out");
    ok(defined $why && (!defined $reason || $why =~ /$reason/),
       "$name: reason", "\"" . ($why // '') . "\" !~ /" . ($reason // '') . "/");
    ok($out =~ /^  FAIL     \S+$/m || $code eq '1b' && $out =~ /FAIL     response/,
       "$name: the failing check is named", $out);
}

# --- what only the command does ---------------------------------------------

my $def = "$dir/default.conf";
my $valid = $capture_of{'valid, signed twice'};
{
    my ($st, $out) = check($valid, '--config', $def);
    ok($out =~ /^  REMOTE_USER=alice\@example\.test$/m
       && $out =~ /^  WEBCAST_DEPARTMENT=Sales$/m
       && $out =~ /^  WEBCAST_FIRST_NAME=Alice$/m
       && $out =~ /both-signed/ && $out =~ /^lands on: \/webcast\/app$/m,
       'accepted: identity, variables, target', $out);
    ok($out =~ /^not sent: WEBCAST_GROUPS \(attribute "groups"\)$/m,
       'accepted: a mapped attribute not sent is named', $out);
    my @order = $out =~ /^  (?:pass|FAIL|n\/a|not run)\s+(\S+)$/mg;
    ok("@order" =~ /^relay-state response base64 xml ids root status assertion issuer signatures destination .* in-response-to .* replay account session$/,
       'every check, in the module\'s order', "@order");
}
{
    my ($st, $out) = check($capture_of{'event, its key'}, '--config',
                           "$dir/wcs_events.conf", '--relay-state',
                           '1234567-ab177c1f4e');
    ok($st == 0 && $out =~ /^  WEBCAST_EVENT_ID=1234567$/m
       && $out =~ /^  WEBCAST_DEPARTMENT=Sales$/m
       && $out =~ /^not sent: WEBCAST_COMPANY .*template reg\)$/m
       && $out =~ /^lands on: \/webcast\/1234567\/app$/m,
       'event: its ID, its template\'s fields, its target', $out);
}

# An old capture judged at its own time.
{
    my $then = 1795597082;    # 2026-11-25T08:58:02Z
    my $old = mkresponse($ACS{default}, '--now', $then);
    my ($st, $out) = check($old, '--config', $def);
    ok($st == 1 && $out =~ /^refused with code 4a: /m, 'old capture: 4a now',
       $out);
    ($st, $out) = check($old, '--config', $def, '--now',
                        '2026-11-25T08:58:32Z');
    ok($st == 0, 'old capture: accepted with --now', $out);
    ($st, undef, my $err) = check($old, '--config', $def, '--now', 'yesterday');
    ok($st == 2 && $err =~ /--now yesterday: not an xs:dateTime/,
       'a bad --now: exit 2', $err);
}

# SP-initiated: the request outstanding.
{
    my $irt = mkresponse($ACS{default}, '--in-response-to', '_req42');
    my ($st, $out) = check($irt, '--config', $def);
    ok($st == 1 && $out =~ /refused with code 4j: .*"_req42"/,
       'InResponseTo without --in-response-to: 4j', $out);
    ($st, $out) = check($irt, '--config', $def, '--in-response-to', '_req42');
    ok($st == 0 && $out =~ /answering _req42/,
       'InResponseTo with --in-response-to: accepted', $out);
    ($st, $out) = check($irt, '--config', $def, '--in-response-to', '_other');
    ok($st == 1 && $out =~ /code 4j/, 'another request outstanding: 4j',
       $out);
}

# The capture as tracers show it: a form, URL-encoded, XML, wrapped.
{
    my $xml = mkresponse($ACS{default}, '--xml');
    my ($st, $out) = check($xml, '--config', $def);
    ok($st == 0 && $out =~ /^xml capture/, 'raw XML: accepted', $out);
    ($st, $out) = check("SAMLResponse=" . urlencode($valid)
                        . "&RelayState=admin", '--config', $def);
    ok($st == 0 && $out =~ /^form capture, RelayState "admin"/,
       'form body: accepted, RelayState from it', $out);
    ($st, $out) = check(urlencode($valid), '--config', $def);
    ok($st == 0, 'URL-encoded value: accepted', $out);
    my $wrapped = encode_base64(MIME::Base64::decode_base64($valid));
    ($st, $out) = check($wrapped, '--config', $def);
    ok($st == 1 && $out =~ /code 4f|code 0a/ || $st == 0,
       'line-wrapped base64: judged', $out);
    ($st, $out) = check('', '--config', $def);
    ok($st == 1 && $out =~ /^refused with code 1b: the POST carries no SAMLResponse$/m,
       'empty input: 1b', $out);
    ($st, $out) = check("<foo/>", '--config', $def);
    ok($st == 1 && $out =~ /code 0a: root element is foo, not samlp:Response/,
       'XML of another root: 0a', $out);
    ($st, $out) = check("just text, no XML", '--config', $def);
    ok($st == 1 && $out =~ /code 0a: /, 'malformed input: 0a', $out);
}

# --json, read by a real parser.
{
    my ($st, $out) = check($valid, '--config', $def, '--json');
    my $j = eval { JSON::PP->new->decode($out) };
    ok($st == 0 && $j && $j->{verdict} eq 'accepted'
       && $j->{REMOTE_USER} eq 'alice@example.test'
       && $j->{variables}{WEBCAST_DEPARTMENT} eq 'Sales'
       && (grep { $_->{name} eq 'signatures' && $_->{result} eq 'pass' }
           @{ $j->{checks} }),
       '--json: accepted', $@ || $out);
    my $evil = mkresponse($ACS{default}, '--nameid',
                          "x\"\\\n\t\xc3\xa9y", '--nameid-format', 'none');
    ($st, $out) = check($evil, '--config', $def, '--json');
    $j = eval { JSON::PP->new->decode($out) };
    ok($st == 1 && $j && $j->{code} eq '2b' && $j->{http_status} == 403
       && $j->{reason} =~ /NameID/
       && (grep { $_->{result} eq 'fail' } @{ $j->{checks} }) == 1,
       '--json: refused, quotes and controls escaped', $@ || $out);
}

# Usage and configuration errors: exit 2.
{
    my ($st, $out, $err) = check($valid, '--config', "$dir/missing.conf");
    ok($st == 2 && $err =~ /missing\.conf/, 'missing config file: exit 2',
       $err);
    $st = system("\"$cmd\" --config \"$def\" \"$dir/no-such-capture\" "
                 . ">/dev/null 2>\"$dir/stderr\"") >> 8;
    ok($st == 2, 'missing capture file: exit 2');
    open(my $fh, '>', "$dir/bad.conf") or die;
    print $fh "# bad\nWebcastSAMLSPEntityID https://sp.example.test/\n"
        . "WebcastSAMLACSURL $ACS{default}\n"
        . "WebcastSAMLClockSkew 9000\n";
    close $fh;
    ($st, $out, $err) = check($valid, '--config', "$dir/bad.conf");
    ok($st == 2 && $err =~ /bad\.conf:4: WebcastSAMLClockSkew: "9000" is not a whole number from 0 to 600/,
       'bad config line: exit 2 naming file:line', $err);
    open($fh, '>', "$dir/typo.conf") or die;
    print $fh "WebcastSAMLSPEntityID https://sp.example.test/\n"
        . "  WebcastSAMLSingedParts both\n";
    close $fh;
    ($st, $out, $err) = check($valid, '--config', "$dir/typo.conf");
    ok($st == 2 && $err =~ /typo\.conf:2: Invalid command 'WebcastSAMLSingedParts'/,
       'misspelt directive: exit 2', $err);
    open($fh, '>', "$dir/event.conf") or die;
    print $fh "WebcastSAMLSPEntityID https://sp.example.test/\n"
        . "WebcastSAMLACSURL $ACS{default}\n"
        . "WebcastSAMLIdP https://idp.example.test/ \"$keys/idp.pem\"\n"
        . "WebcastSAMLEvent 12x - /w/\n";
    close $fh;
    ($st, $out, $err) = check($valid, '--config', "$dir/event.conf");
    ok($st == 2 && $err =~ /event\.conf:4: WebcastSAMLEvent: /,
       'bad event line: exit 2 naming file:line', $err);
    ($st, $out, $err) = check($valid, '--sp-entity-id',
                              'https://sp.example.test/', '--idp',
                              'https://idp.example.test/', "$keys/idp.pem");
    ok($st == 2 && $err =~ /WebcastSAMLACSURL is not set/,
       'no ACS URL: exit 2', $err);
    ($st, $out) = check($valid, '--sp-entity-id', 'https://sp.example.test/',
                        '--acs-url', $ACS{default}, '--idp',
                        'https://idp.example.test/', "$keys/idp.pem");
    ok($st == 0, 'options instead of a file: accepted', $out);
    ($st, $out) = check($valid, '--config', $def, '--acs-url',
                        'https://elsewhere.example.test/saml/acs');
    ok($st == 1 && $out =~ /code 4d/, 'an option wins over the file', $out);
    ($st, $out, $err) = check($valid, '--frobnicate');
    ok($st == 2 && $err =~ /unknown option --frobnicate/,
       'unknown option: exit 2', $err);
}

# --sample: unsigned, marked, and refused as such.
{
    my $out = `"$cmd" --config "$def" --sample --email bob\@example.com --issuer https://idp.example.test/ --attribute department=R\\&D 2>&1`;
    my $st = $? >> 8;
    ok($st == 0 && $out =~ /^<\?xml[^\n]*\n<!--\n  SAMPLE FOR READING ONLY - UNSIGNED\./
       && $out =~ /<saml:NameID [^>]*>bob\@example\.com</
       && $out =~ /Name="department".*\n.*>R&amp;D</
       && $out =~ /Name="groups"/,
       '--sample: marked, with the mapped attributes', $out);
    my ($st2, $judged) = check($out, '--config', $def);
    ok($st2 == 1 && $judged =~ /code 2a: the Assertion or the Response is not signed/,
       '--sample judged: refused 2a (unsigned)', $judged);
}

print "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
