# Webcast events (vhost wcs_events): RelayState routes a sign-in to its
# event, or refuses it with 1a, 3a, 3b or 3c (each cause of 3c with its
# own log reason); the event's target, WEBCAST_EVENT_ID, its own error page
# and message; the default RelayState of an admin console; 10,000 events
# from a map file; and sessions scoped to events by Require webcast-event.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use WCS::Test;

my $M = 'wcs_events';
my $OTHER = 'https://other-idp.example.test/';
my %ev = (module => $M, audience => 'https://events.example.test/');
my $CN = 'webcast_saml_session';

sub post { my ($rs, %o) = @_; post_acs($M, mkresponse(%ev, %o), relay_state => $rs) }

# name, RelayState, code, reason pattern, mkresponse options
my @refused = (
    ['no RelayState', undef, '1a',
     qr/^the POST carries no RelayState, so no event ID \(10008 events are configured, and the default RelayState was not sent\)$/],
    ['empty RelayState', '', '1a', qr/no RelayState/],
    ['event ID not a number', 'webcast-ab177c1f4e', '3a',
     qr/^the event ID of RelayState "webcast-ab177c1f4e" is not a number/],
    ['CR/LF in the event ID', "1234567\r\nSet-Cookie: x=1", '3a',
     qr/^the event ID of RelayState "1234567\\\\r\\\\nSet-Cookie: x=1" is not a number/],
    ['an application URL not configured',
     'https://global.gotomeeting.com.evil.example', '3b',
     qr/^RelayState "https:\/\/global\.gotomeeting\.com\.evil\.example" names no configured application URL \(WebcastSAMLRelayStateURL\)$/],
    ['an application URL with a trailing dot', 'https://global.gotomeeting.com.',
     '3b', qr/names no configured application URL/],
    ['an application URL with a path added',
     'https://global.gotomeeting.com/join', '3b',
     qr/names no configured application URL/],
    ['an application URL over http', 'http://global.gotomeeting.com', '3b',
     qr/names no configured application URL/],
    ['an application URL with a backslash',
     'https://global.gotomeeting.com\\@evil.example', '3b',
     qr/names no configured application URL/],
    ['a scheme-relative URL', '//global.gotomeeting.com', '3a',
     qr/is not a number/],
    ['19 digits', '1234567890123456789', '3a', qr/is not a number/],
    ['unknown event', '7654321-ab177c1f4e', '3b',
     qr/^event 7654321 \(RelayState\) is not configured$/],
    ['missing key', '1234567', '3c',
     qr/^RelayState carries no key for event 1234567, which enforces its key \(.*extra\.conf:\d+\)$/],
    ['wrong key', '1234567-ab177c1f4f', '3c',
     qr/^RelayState carries a wrong key for event 1234567 \(10 characters; /],
    ['key one digit longer', '1234567-ab177c1f4e0', '3c', qr/wrong key/],
    ['empty key', '1234567-', '3c', qr/wrong key/],
    ['CR/LF in the key', "1234567-ab\r\nX: y", '3c', qr/wrong key/],
    ['a key for an event without one', '2000-beef', '3c',
     qr/^RelayState carries a key for event 2000, which has none/],
    ['email domain the event does not admit', '2000', '3c',
     qr/^event 2000 does not admit bob\@other\.example: domain "other\.example" is not in domains=example\.test/,
     [nameid => 'bob@other.example']],
    ['IdP the event does not admit', '3000-beef', '3c',
     qr/^event 3000 does not admit IdP \Q$OTHER\E \(idps=https:\/\/idp\.example\.test\//,
     [key => 'okta', issuer => $OTHER]],
    ['IdP the event does not admit (the other way)', '6000', '3c',
     qr/^event 6000 does not admit IdP https:\/\/idp\.example\.test\//],
    ['closed event', '4000', '3c',
     qr/^event 4000 closed at 2001-01-01T00:00:00Z, it is /],
    ['event not open yet', '4001', '3c',
     qr/^event 4001 opens at 2099-01-01T00:00:00Z, it is /],
    ['wrong key of a mapped event', '1000001-00000000', '3c',
     qr/wrong key for event 1000001 .*events\.map:2\)/],
    ['RelayState over 1 KB', '1' x 2048, '0a',
     qr/^RelayState is 2048 bytes, over 1024$/],
);

# name, RelayState, target, WEBCAST_EVENT_ID (undef: none), mkresponse
# options
my @accepted = (
    ['event and key', '1234567-ab177c1f4e', '/webcast/1234567/app', '1234567'],
    ['key in upper case', '1234567-AB177C1F4E', '/webcast/1234567/app',
     '1234567'],
    ['leading zeros', '0001234567-ab177c1f4e', '/webcast/1234567/app',
     '1234567'],
    ['event without a key', '2000', '/webcast/2000/app', '2000'],
    ['optional key left out', '3000', '/webcast/3000/app', '3000'],
    ['optional key given', '3000-beef', '/webcast/3000/app', '3000'],
    ['an event of the 10,000 in the map', '1009999-' . sprintf('%08x', 9999 * 7919),
     '/webcast/map/9999/app', '1009999'],
    ['the default RelayState', 'admin-console', '/webcast/admin/app', undef],
    ['an application URL', 'https://global.gotomeeting.com',
     '/webcast/meeting/app', undef],
    ['an application URL in upper case, with its port',
     'HTTPS://GLOBAL.GoToMeeting.com:443/', '/webcast/meeting/app', undef],
);

plan tests => @refused * REFUSAL_TESTS + @accepted * (LOGIN_TESTS + 2)
    + 2 + 4 + 3 + 8 + 5 + 2 + 6;

for my $c (@refused) {
    my ($name, $rs, $code, $re, $opts) = @$c;
    my $off = log_offset();
    refusal_checks($name, post($rs, @{ $opts || [] }), $off, $code, $re);
}

my %session;
for my $c (@accepted) {
    my ($name, $rs, $target, $event, $opts) = @$c;
    my $id = login_checks($name, post($rs, @{ $opts || [] }), module => $M,
                          target => $target);
    $session{$rs} = $id;
    my ($res, $env) = app_get($M, $target, $CN, $id);
    is($res->code, 200, "$name: its target opens");
    is($env->{WEBCAST_EVENT_ID}, $event, "$name: WEBCAST_EVENT_ID");
}

# An event's own invalid-request page takes every refusal of a sign-in to
# it, even one about the response.
{
    my $res = post('5000', sign => 'none');
    is($res->code, 303, "event 5000's refusal: 303");
    like($res->header('Location') // '',
         qr{^http://[^/]+/event-error\?code=2a&ref=[0-9a-f]{12}$},
         "... to the event's own error page");
}

# An event's own message on the built-in page (3c).
{
    my $res = post('4001');
    my ($code) = refusal_of($res);
    is($code, '3c', "event 4001: 3c");
    like($res->content, qr/<p>Doors open in 2099<\/p>/,
         '... with its own message');
    unlike(post('4000')->content, qr/Doors open/,
           "... which another event's page does not show");
    like(post('4000')->content, qr/not available/,
         '... which shows the code\'s own text');
}

# A target that is an absolute URL: the Location is exactly it.
{
    my $res = post('6000', key => 'okta', issuer => $OTHER);
    is($res->code, 303, 'event 6000 through the IdP it admits: 303');
    is($res->header('Location'), 'https://live.example.test/6000',
       '... to its absolute target');
    like($res->header('Set-Cookie') // '', qr/^\Q$CN\E=[0-9a-f]{64};/,
         '... with a session');
}

# Sessions scoped to events: a session of event 1234567 may open event
# 2000's location (no key, and its domain admits alice): the session is
# extended to it; a session of event 2000 may not open event 1234567's
# (it enforces its key).
{
    my $s1 = $session{'1234567-ab177c1f4e'};
    my $s2 = $session{'2000'};
    my $off = log_offset();
    my ($res, $env) = app_get($M, '/webcast/2000/app', $CN, $s1);
    is($res->code, 200, 'session of 1234567 on event 2000: extended, 200');
    is($env->{WEBCAST_EVENT_ID}, '2000', '... as event 2000');
    like(log_since($off),
         qr/WCS05001: \[ref [0-9a-f]{12}\] session of alice\@example\.test extended to event 2000/,
         '... and the log says so');
    ($res, $env) = app_get($M, '/webcast/1234567/app', $CN, $s1);
    is($env->{WEBCAST_EVENT_ID}, '1234567',
       '... and it still opens its own event');

    $off = log_offset();
    $res = Apache::TestRequest::GET(url_for($M, '/webcast/1234567/app'),
                                    Cookie => "$CN=$s2");
    is($res->code, 401, 'session of 2000 on event 1234567: 401');
    my ($code, $ref) = refusal_of($res);
    is($code, '3c', '... with code 3c on the page');
    like(log_since($off),
         qr/WCS02001: \[ref \Q$ref\E\] refused with code 3c: session of alice\@example\.test \(events: 2000\) may not open \/webcast\/1234567\/app: event 1234567 enforces its key/,
         '... and one log line saying why');
    ($res, $env) = app_get($M, '/webcast/either/app', $CN, $s2);
    is($env->{WEBCAST_EVENT_ID}, '2000',
       'a location of two events opens with either');
}

# A session of a closed event cannot be extended to it either; one of no
# event (the admin console's) cannot open an event's location whose rules
# refuse it.
{
    my $admin = $session{'admin-console'};
    my ($res) = app_get($M, '/webcast/3000/app', $CN, $admin);
    is($res->code, 200,
       'the default RelayState session opens event 3000 (key optional)');
    my $bob = post('3000', nameid => 'bob@other.example');
    my ($bid) = ($bob->header('Set-Cookie') // '') =~ /^\Q$CN\E=([0-9a-f]+);/;
    ($res) = app_get($M, '/webcast/2000/app', $CN, $bid);
    is($res->code, 401, "bob (other.example) cannot open event 2000");
    ($res) = app_get($M, '/webcast/either/app', $CN, $bid);
    is($res->code, 401, '... nor a location of 2000 and the closed 4000');
    # Where another Require admits him, the event's refusal is no refusal:
    # no log line.
    my $off = log_offset();
    ($res) = app_get($M, '/webcast/any/app', $CN, $bid);
    is($res->code, 200, 'RequireAny: event 2000 refuses bob, "Require user" admits him');
    unlike(log_since($off), qr/WCS02001/, '... and no refusal is logged');
}

# An application URL whose target is another site: exactly that target.
{
    my $res = post('https://global.gotowebinar.com');
    is($res->code, 303, 'the webinar application URL: 303');
    is($res->header('Location'), 'https://webinar.example.test/',
       '... to its configured target');
}

# A registration template: event 7000's attendees bring its fields to the
# application; another event's do not.
{
    my @attrs = (attr => ['department=Sales',
                          'http://schemas.example.test/claims/company=Example Ltd']);
    my $res = post('7000', @attrs);
    is($res->code, 303, 'event 7000 (template reg): 303');
    my ($id) = ($res->header('Set-Cookie') // '') =~ /^\Q$CN\E=([0-9a-f]+);/;
    my (undef, $env) = app_get($M, '/webcast/7000/app', $CN, $id);
    is($env->{WEBCAST_DEPARTMENT}, 'Sales', '... WEBCAST_DEPARTMENT from its template');
    is($env->{WEBCAST_COMPANY}, 'Example Ltd', '... WEBCAST_COMPANY from its template');
    $res = post('2000', @attrs);
    ($id) = ($res->header('Set-Cookie') // '') =~ /^\Q$CN\E=([0-9a-f]+);/;
    (undef, $env) = app_get($M, '/webcast/2000/app', $CN, $id);
    is($res->code, 303, 'event 2000 (no template) with the same attributes: 303');
    # (WEBCAST_DEPARTMENT is mapped for the whole server, by the main
    # server's WebcastSAMLAttribute.)
    ok(!exists $env->{WEBCAST_COMPANY},
       '... and not the field only the template maps');
    is($env->{WEBCAST_EVENT_ID}, '2000', '... WEBCAST_EVENT_ID 2000');
}
