# The user directory on PostgreSQL through mod_dbd: a PostgreSQL server of
# its own (Debian's postgresql: initdb, pg_ctl, a free loopback port, a
# temporary directory, stopped at the end) and a second httpd of its own
# with DBDriver pgsql.  The platform's rules with their codes and log
# lines, one account from concurrent first logins, the database down (5f)
# and back without a restart.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use File::Path qw(make_path rmtree);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX qw(_exit);
use WCS::Test;

my ($pgbin) = reverse sort glob('/usr/lib/postgresql/*/bin');
my ($driver) = glob('/usr/lib/*/apr-util-1/apr_dbd_pgsql*.so');
plan skip_all => 'PostgreSQL is not installed (apt-get install postgresql)'
    unless $pgbin && -x "$pgbin/initdb";
plan skip_all => "APR's pgsql DBD driver is not installed "
    . '(apt-get install libaprutil1-dbd-pgsql)' unless $driver;

my $t     = Apache::Test::vars('serverroot');
my $top   = top_dir();
my $httpd = Apache::Test::vars('httpd');
my $keys  = keys_dir();
my $dir   = "$t/work/pgsql";
rmtree($dir);
make_path($dir);
my $schema = "$top/conf/schema-postgresql.sql";

# PostgreSQL refuses to run as root: as root it runs as the postgres
# user of Debian's package, in a directory of its own under /tmp.
my $as = $> == 0 ? ['runuser', '-u', 'postgres', '--'] : [];
my $pgdir = tempdir('wcs-pgsql-XXXXXX', TMPDIR => 1, CLEANUP => 0);
if ($> == 0) {
    my (undef, undef, $uid, $gid) = getpwnam('postgres')
        or die 'no postgres user: is postgresql installed?';
    chown $uid, $gid, $pgdir or die "chown $pgdir: $!";
}
my $data = "$pgdir/data";
my $pg_port = free_port();
my ($pg_started, $conf);

# (exit status, output and errors) of a command run without a shell.
sub run_pg {
    my @cmd = (@$as, @_);
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open(STDERR, '>&', \*STDOUT) or _exit(127);
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        _exit(127);
    }
    local $/;
    my $out = <$fh>;
    close $fh;
    return ($? >> 8, $out // '');
}

sub pg_ctl {
    my $what = shift;
    return run_pg("$pgbin/pg_ctl", '-D', $data, '-l', "$pgdir/log", '-w',
                  '-o', "-p $pg_port -k $pgdir -c listen_addresses=127.0.0.1"
                        . ' -c fsync=off', $what);
}

sub psql {
    my ($db, $sql) = @_;
    my ($rc, $out) = run_pg("$pgbin/psql", '-X', '-q', '-A', '-t', '-v',
                            'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p',
                            $pg_port, '-U', 'webcast', '-d', $db, '-c',
                            $sql);
    die "psql: $out" if $rc;
    $out =~ s/\s+\z//;
    return $out;
}

my ($rc, $out) = run_pg("$pgbin/initdb", '-D', $data, '-U', 'webcast',
                        '-A', 'trust', '-E', 'UTF8', '--no-sync');
die "initdb failed: $out" if $rc;
($rc, $out) = pg_ctl('start');
die "pg_ctl start failed: $out" . read_file("$pgdir/log") if $rc;
$pg_started = 1;
psql('postgres', 'CREATE DATABASE webcast');
psql('webcast', read_file($schema));

sub add_account {
    my ($email, $role, $license, $active) = @_;
    psql('webcast', sprintf("INSERT INTO webcast_accounts (email, role, "
                            . "license, active, created) VALUES ('%s', "
                            . "'%s', %s, %d, '2026-01-01T00:00:00Z')",
                            $email, $role,
                            defined $license ? "'$license'" : 'NULL',
                            $active));
}
add_account('boss@example.test', 'guest_admin', 'LIC-A', 1);
add_account(' BOSS@example.test', 'admin', 'LIC-A', 1);
add_account('twice@example.test', 'attendee', 'LIC-A', 1);
add_account('twice@example.test', 'guest', 'LIC-A', 1);
add_account('gone@example.test', 'attendee', 'LIC-A', 0);
add_account('guest@example.test', 'guest', 'LIC-A', 1);
add_account('other@example.test', 'attendee', 'LIC-B', 1);

# The httpd of this file writes to the test server's error log, where the
# checks of WCS::Test read refusals.
my $ht_port = free_port();
my $base = read_file("$t/work/base.conf");
my $user = Apache::Test::vars('user');
my $group = Apache::Test::vars('group');
$conf = "$dir/httpd.conf";
write_file($conf, <<CONF);
ServerRoot "$t"
ServerName 127.0.0.1:$ht_port
Listen 127.0.0.1:$ht_port
PidFile "$dir/httpd.pid"
ErrorLog "@{[ WCS::Test::error_log() ]}"
LogLevel warn webcast_saml:info dbd:crit
DefaultRuntimeDir "$dir"
TypesConfig "$t/conf/mime.types"
ScriptSock "$dir/cgid.sock"
User $user
Group $group
$base
LoadModule webcast_saml_module "$top/.libs/mod_webcast_saml.so"
WebcastSAMLSessionCache "shmcb:$dir/sessions(512000)"
WebcastSAMLReplayCache "shmcb:$dir/replay(512000)"
WebcastSAMLSessionKeyFile "$keys/session.key"
WebcastSAMLSPEntityID https://pg.example.test/
WebcastSAMLIdP https://idp.example.test/ "$keys/idp.pem"
DBDriver pgsql
DBDParams "host=127.0.0.1 port=$pg_port dbname=webcast user=webcast"
WebcastSAMLDirectory dbd
WebcastSAMLLicense LIC-A
WebcastSAMLGuests Off
WebcastSAMLDefaultTarget /webcast/app
ScriptAlias /webcast/app "$t/cgi-bin/env.pl"
<Location /webcast>
    AuthType WebcastSAML
    Require valid-user
</Location>
CONF
system($httpd, '-d', $t, '-f', $conf, '-k', 'start') == 0
    or die "cannot start httpd: " . read_file(WCS::Test::error_log());
for (1 .. 50) {
    last if IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ht_port, Proto => 'tcp');
    select(undef, undef, undef, 0.1);
}

my $acs = "http://127.0.0.1:$ht_port/saml/acs";
sub sign_in {
    my $nameid = shift;
    return post_acs(undef, mkresponse(acs => $acs,
                                      audience => 'https://pg.example.test/',
                                      nameid => $nameid,
                                      attr => 'displayName=Some One'),
                    url => $acs);
}
sub app {
    my $id = shift;
    my $res = Apache::TestRequest::GET("http://127.0.0.1:$ht_port/webcast/app",
                                       Cookie => "webcast_saml_session=$id");
    my %env = map { /^([A-Z_]+)=(.*)$/ ? ($1 => $2) : () }
              split /\n/, $res->content;
    return \%env;
}
sub session_of {
    my ($id) = (shift->header('Set-Cookie') // '')
        =~ /^webcast_saml_session=([0-9a-f]{64});/;
    return $id;
}

my @refused = (
    ['PostgreSQL: several accounts', 'twice@example.test', '5b',
     qr/^2 accounts share the email twice\@example\.test \(attendee #3,guest #4\)/],
    ['PostgreSQL: inactive', 'gone@example.test', '5d',
     qr/^the attendee account #5 of gone\@example\.test is inactive$/],
    ['PostgreSQL: a guest', 'guest@example.test', '5e',
     qr/^account #6 of guest\@example\.test is a guest account/],
    ['PostgreSQL: another licence', 'other@example.test', '5c',
     qr/under licence "LIC-B", not LIC-A/],
);

plan tests => (@refused + 1) * REFUSAL_TESTS + 3 + 3 + 3 + 1;

for my $c (@refused) {
    my ($name, $email, $code, $re) = @$c;
    my $off = log_offset();
    refusal_checks($name, sign_in($email), $off, $code, $re);
}

{
    my $res = sign_in('new@example.test');
    is($res->code, 303, 'PostgreSQL: a new attendee, made just in time: 303');
    my $env = app(session_of($res));
    is("$env->{WEBCAST_ROLE} $env->{WEBCAST_LICENSE}", 'attendee LIC-A',
       '... WEBCAST_ROLE and WEBCAST_LICENSE');
    is(psql('webcast', "SELECT role || ' ' || license || ' ' || display_name"
                       . " FROM webcast_accounts WHERE email = "
                       . "'new\@example.test'"), 'attendee LIC-A Some One',
       '... one row in PostgreSQL');
}
{
    my $res = sign_in('Boss@Example.test');
    is($res->code, 303, 'PostgreSQL: the Admin beside a Guest Admin: 303');
    is(app(session_of($res))->{WEBCAST_ROLE}, 'admin', '... as the Admin');
    like(psql('webcast', 'SELECT last_login FROM webcast_accounts WHERE '
                         . 'id = 2'), qr/^\d{4}-\d\d-\d\dT/,
         '... the login recorded');
}

# Eight first logins of one person at once: one account.
{
    my @bodies = map { mkresponse(acs => $acs,
                                  audience => 'https://pg.example.test/',
                                  nameid => 'rush@example.test') } 1 .. 8;
    my @codes = at_once(map { my $b = $_;
                              sub { post_acs(undef, $b, url => $acs)->code } }
                        @bodies);
    is(join(' ', @codes), join(' ', ('303') x 8),
       'PostgreSQL: eight concurrent first logins all sign in');
    is(psql('webcast', "SELECT count(*) FROM webcast_accounts WHERE email = "
                       . "'rush\@example.test'"), '1', '... with one account');
    is(psql('webcast', "SELECT count(*) FROM webcast_accounts"), '9',
       '... and no other row');
}

# The database down: 5f, and back without restarting httpd.
{
    my ($rc, $out) = pg_ctl('stop');
    die "pg_ctl stop failed: $out" if $rc;
    my $off = log_offset();
    refusal_checks('PostgreSQL down', sign_in('boss@example.test'), $off,
                   '5f', qr/^user directory dbd failed to look up an account: (?:mod_dbd has no connection|.*(?:terminating connection|server closed the connection|could not connect|no connection to the server))/);
    ($rc, $out) = pg_ctl('start');
    die "pg_ctl start failed: $out" if $rc;
    my $ok = 0;
    # mod_dbd may hand out a connection of before the restart once.
    for (1 .. 5) {
        last if ($ok = sign_in('boss@example.test')->code == 303);
        select(undef, undef, undef, 0.2);
    }
    ok($ok, 'PostgreSQL back: signed in again, no httpd restart');
}

END {
    system($httpd, '-d', $t, '-f', $conf, '-k', 'stop')
        if $conf && -f "$dir/httpd.pid";
    pg_ctl('stop') if $pg_started;
    rmtree($pgdir) if $pgdir;
}
