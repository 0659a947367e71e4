# The event map is read again on a graceful restart, and a broken map is
# caught by configtest (which "apachectl graceful" runs first) with its
# file and line, while the running server keeps its events.  The map of
# the wcs_events vhost is put back as it was before the file ends.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use WCS::Test;

plan tests => 12;

my $M = 'wcs_events';
my %ev = (module => $M, audience => 'https://events.example.test/');
my $map = keys_dir() . '/events.map';
my $original = read_file($map);
my $key = sprintf('%08x', 10001 * 7919);
my $rs = "1010001-$key";
my $t = Apache::Test::vars('serverroot');
my $httpd = Apache::Test::vars('httpd');

sub sign_in { post_acs($M, mkresponse(%ev), relay_state => $rs) }

sub configtest {
    my $out = `"$httpd" -d "$t" -f "$t/conf/httpd.conf" -t 2>&1`;
    return ($? >> 8, $out);
}

END {
    # Whatever happened, the map is as the other files expect it.
    if (defined $original && read_file($map) ne $original) {
        write_file($map, $original);
        graceful_restart();
    }
}

my ($code) = refusal_of(sign_in());
is($code, '3b', 'event 1010001 is not in the map yet: 3b');

write_file($map, $original . "1010001 $key /webcast/map/new/app\n");
ok(graceful_restart(), 'graceful restart with the event added');
my $res = sign_in();
is($res->code, 303, 'after the restart it is: 303');
is($res->header('Location'), url_for($M, '/webcast/map/new/app'),
   '... to its target');

write_file($map, $original . "1010001 $key /webcast/map/new/app\n"
           . "1010002 nothex /x/\n1010001 beef /again/\n");
my ($rc, $out) = configtest();
isnt($rc, 0, 'a broken map fails configtest');
like($out, qr/WebcastSAMLEventMap: \Q$map\E:10003: event 1010002: key "nothex" is not 4 to 64 hex digits/,
     '... naming its file, line and reason');
like($out, qr/\Q$map\E:10004: event 1010001 is defined twice \(first at \Q$map\E:10002\)/,
     '... every bad line, a duplicate naming the first');
$res = sign_in();
is($res->code, 303, 'the running server keeps its events');

write_file($map, $original);
($rc, $out) = configtest();
is($rc, 0, 'the map put back passes configtest')
    or diag($out);
ok(graceful_restart(), 'graceful restart with the map as it was');
($code) = refusal_of(sign_in());
is($code, '3b', 'event 1010001 is gone again: 3b');
$res = post_acs($M, mkresponse(%ev),
                relay_state => '1000001-' . sprintf('%08x', 7919));
is($res->code, 303, 'the events of the map still sign in');
