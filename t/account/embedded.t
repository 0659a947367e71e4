# The embedded user directory needs nothing but the module: an httpd of
# its own without mod_dbd (which otherwise initialises APR's DBD), an
# SQLite file that does not exist yet, WebcastSAMLDirectory ...
# schema=create: the first sign-in makes the file, the table and the
# account.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use File::Path qw(make_path rmtree);
use IO::Socket::INET ();
use WCS::Test;

my $sqlite = (grep { -x } map { "$_/sqlite3" }
              split(/:/, $ENV{PATH} // ''), '/usr/bin')[0];
plan skip_all => 'sqlite3 is not installed (apt-get install sqlite3)'
    unless $sqlite;
plan tests => 4;

my $t     = Apache::Test::vars('serverroot');
my $top   = top_dir();
my $httpd = Apache::Test::vars('httpd');
my $keys  = keys_dir();
my $dir   = "$t/work/embedded";
rmtree($dir);
make_path("$dir/db");
chmod 01777, "$dir/db";
my $db = "$dir/db/accounts.db";

my $port = free_port();
(my $base = read_file("$t/work/base.conf")) =~ s/^LoadModule dbd_module .*\n//m;
my $conf = write_file("$dir/httpd.conf", <<CONF);
ServerRoot "$t"
ServerName 127.0.0.1:$port
Listen 127.0.0.1:$port
PidFile "$dir/httpd.pid"
ErrorLog "@{[ WCS::Test::error_log() ]}"
LogLevel warn webcast_saml:info
DefaultRuntimeDir "$dir"
TypesConfig "$t/conf/mime.types"
User @{[ Apache::Test::vars('user') ]}
Group @{[ Apache::Test::vars('group') ]}
$base
LoadModule webcast_saml_module "$top/.libs/mod_webcast_saml.so"
WebcastSAMLSessionCache "shmcb:$dir/sessions(512000)"
WebcastSAMLReplayCache "shmcb:$dir/replay(512000)"
WebcastSAMLSessionKeyFile "$keys/session.key"
WebcastSAMLSPEntityID https://embedded.example.test/
WebcastSAMLIdP https://idp.example.test/ "$keys/idp.pem"
WebcastSAMLDirectory sqlite3:$db schema=create
CONF
unlike($base, qr/dbd_module/, 'the server loads no mod_dbd');
system($httpd, '-d', $t, '-f', $conf, '-k', 'start') == 0
    or die "cannot start httpd: " . read_file(WCS::Test::error_log());
for (1 .. 50) {
    last if IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp');
    select(undef, undef, undef, 0.1);
}

my $acs = "http://127.0.0.1:$port/saml/acs";
ok(!-e $db, 'no directory file before the first sign-in');
my $res = post_acs(undef, mkresponse(acs => $acs,
                                     audience => 'https://embedded.example.test/',
                                     nameid => 'first@example.test'),
                   url => $acs);
is($res->code, 303, 'the first sign-in: 303');
open(my $fh, '-|', $sqlite, $db,
     "SELECT email || ' ' || role FROM webcast_accounts") or die "sqlite3: $!";
my $rows = do { local $/; <$fh> } // '';
close $fh;
is($rows =~ s/\s+\z//r, 'first@example.test attendee',
   '... made the file, the table and the account');

END {
    system($httpd, '-d', $t, '-f', $conf, '-k', 'stop')
        if $conf && -f "$dir/httpd.pid";
}
