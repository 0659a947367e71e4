# The status page (SetHandler webcast-saml-status): sign-ins and refusals
# per code counted in shared memory over all processes, the last refusals
# with their refs and reasons, the IdPs' certificates and the caches; as
# JSON (parsed with JSON::PP) and in the Prometheus text format (parsed
# with the Prometheus project's own Python parser, python3-prometheus-client).
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use JSON::PP qw(decode_json);
use WCS::Test;

my $python = '/usr/bin/python3';
my $has_parser = -x $python && system($python, '-c',
    'from prometheus_client.parser import text_string_to_metric_families')
    == 0;
plan skip_all => 'python3-prometheus-client is not installed'
    unless $has_parser;

my $url = url_for('default', '/wcs-status');
my $t = Apache::Test::vars('serverroot');

sub status_json {
    my $res = Apache::TestRequest::GET("$url?json");
    is($res->code, 200, 'JSON: 200');
    is($res->header('Content-Type'), 'application/json', 'JSON: its type');
    return decode_json($res->content);
}

# Every sample of the Prometheus page: name => { labels => value }.
sub prometheus {
    my $res = Apache::TestRequest::GET("$url?prometheus");
    is($res->code, 200, 'Prometheus: 200');
    like($res->header('Content-Type'), qr{^text/plain; version=0\.0\.4},
         'Prometheus: the text exposition format');
    my $file = write_file("$t/logs/status.prom", $res->content);
    my $json = `$python -c 'import json, sys
from prometheus_client.parser import text_string_to_metric_families as f
print(json.dumps([[s.name, s.labels, s.value] for m in f(open(sys.argv[1]).read()) for s in m.samples]))' $file`;
    is($?, 0, 'Prometheus: the parser reads it');
    my %m;
    for my $s (@{ decode_json($json || '[]') }) {
        my ($name, $labels, $value) = @$s;
        my $key = join(',', map { "$_=$labels->{$_}" } sort keys %$labels);
        $m{$name}{$key} = $value;
    }
    return \%m;
}

my $before = status_json();
ok($before->{uptime_seconds} >= 0 && $before->{started} =~ /^\d{4}-\d\d-\d\dT/,
   'start time and uptime');

# Four sign-ins at once from four client processes, then three refusals.
my @codes = at_once(map { my $i = $_; sub {
    post_acs('default', mkresponse(module => 'default',
                                   nameid => "status$i\@example.test"))->code
} } 1 .. 4);
is_deeply(\@codes, [303, 303, 303, 303], 'four sign-ins at once');
my @refs;
for my $i (1 .. 2) {
    my $res = post_acs('default', mkresponse(module => 'default',
                                             audience => 'https://other.example.test/'));
    my ($code, $ref) = refusal_of($res);
    is($code, '4c', "refusal $i: 4c");
    push @refs, $ref;
}
my $off = log_offset();
my $res = post_form(acs_url('default'), [RelayState => 'x']);
my ($code, $ref) = refusal_of($res);
is($code, '1b', 'refusal 3: 1b');
push @refs, $ref;
my ($logged) = log_since($off) =~ /\[ref \Q$ref\E\] refused with code 1b: (.*)$/m;

my $after = status_json();
is($after->{logins} - $before->{logins}, 4, 'four more sign-ins counted');
is($after->{refusals}{'4c'} - $before->{refusals}{'4c'}, 2, 'two more 4c');
is($after->{refusals}{'1b'} - $before->{refusals}{'1b'}, 1, 'one more 1b');
my $others = 0;
for my $c (keys %{ $after->{refusals} }) {
    next if $c eq '4c' || $c eq '1b';
    $others += $after->{refusals}{$c} - $before->{refusals}{$c};
}
is($others, 0, 'no other code counted');
is_deeply([sort keys %{ $after->{refusals} }], [all_codes()],
          'every code listed');
my @last = @{ $after->{last_refusals} };
is_deeply([map { $_->{ref} } @last[0 .. 2]], [reverse @refs],
          'the last refusals, newest first, with their refs');
is_deeply([map { $_->{code} } @last[0 .. 2]], ['1b', '4c', '4c'],
          '... and codes');
is($last[0]{reason}, $logged, '... and the reason the log gave');
like($last[0]{time}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, '... and the time');

# The IdPs and their certificates, per site.
my ($main) = grep { $_->{entity_id} eq 'https://sp.example.test/' }
             @{ $after->{sites} };
ok($main, 'the main server is listed');
my ($idp) = grep { $_->{entity_id} eq 'https://idp.example.test/' }
            @{ $main->{idps} || [] };
my ($fp) = `openssl x509 -in ${\ keys_dir()}/idp.pem -noout -fingerprint -sha256`
           =~ /=(\S+)/;
my ($cert) = grep { $_->{sha256} eq $fp } @{ $idp->{certificates} || [] };
ok($cert, 'its IdP, with the certificate\'s SHA-256') or diag("want $fp");
like($cert->{subject} // '', qr/idp\.example\.test/, '... its subject');
ok(($cert->{days_left} // 0) > 300, '... and its expiry (days left)');
like($after->{caches}{sessions}, qr/^shmcb:/, 'the session cache provider');
ok($after->{caches}{replay}{capacity} > 0
   && $after->{caches}{replay}{used} >= 4, 'the replay cache\'s fill')
    or diag(explain($after->{caches}));

# The same counts in the Prometheus format.
my $p = prometheus();
is($p->{webcast_saml_logins_total}{''}, $after->{logins},
   'Prometheus: the sign-ins');
is($p->{webcast_saml_refusals_total}{'code=4c'}, $after->{refusals}{'4c'},
   'Prometheus: the refusals by code');
is_deeply([sort map { s/^code=//r } keys %{ $p->{webcast_saml_refusals_total} }],
          [all_codes()], 'Prometheus: every code');
ok((grep { /idp=https:\/\/idp\.example\.test\// }
    keys %{ $p->{webcast_saml_idp_certificate_not_after_seconds} }),
   'Prometheus: the certificates\' expiry');

# The page itself.
$res = Apache::TestRequest::GET($url);
is($res->code, 200, 'HTML: 200');
like($res->content, qr/<h1>mod_webcast_saml status<\/h1>/, 'HTML: the page');
like($res->content, qr/\Q$ref\E/, 'HTML: the last refusal');
is($res->header('Cache-Control'), 'no-store', 'not cached');
is(Apache::TestRequest::POST($url, content => 'a=1')->code, 405,
   'POST: 405');

done_testing();
