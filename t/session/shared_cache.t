# Session records in a cache that several servers share are authenticated:
# whoever can write to the memcached behind them cannot mint or alter a
# session.  A second httpd of its own (the module, the test keys, a session
# key file) keeps its sessions in a real memcached on a free loopback
# port; the test writes forged records straight into memcached.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use Digest::SHA qw(sha256);
use File::Path qw(make_path rmtree);
use IO::Socket::INET;
use WCS::Test;

my $memcached = (grep { -x } map { "$_/memcached" }
                 split(/:/, $ENV{PATH} // ''), '/usr/bin')[0];
plan skip_all => 'memcached is not installed' unless $memcached;
plan tests => 2 + 3 + 2 + 4 * 2;

my $t     = Apache::Test::vars('serverroot');
my $top   = top_dir();
my $httpd = Apache::Test::vars('httpd');
my $keys  = keys_dir();
my $dir   = "$t/work/shared_cache";
rmtree($dir);
make_path($dir);

# memcached, as nobody when root (it refuses to run as root).
my ($mc_pid, $conf);
my $mc_port = free_port();
$mc_pid = fork() // die "fork: $!";
if (!$mc_pid) {
    exec($memcached, '-l', '127.0.0.1', '-p', $mc_port, '-U', '0',
         '-m', '16', ($> == 0 ? ('-u', 'nobody') : ()));
    die "cannot run $memcached: $!";
}

# A text-protocol client for what the attacker does.
sub mc {
    my $cmd = shift;
    my $s;
    for (1 .. 50) {
        $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                   PeerPort => $mc_port, Proto => 'tcp')
            and last;
        select(undef, undef, undef, 0.1);
    }
    die "memcached on $mc_port does not answer" unless $s;
    print $s $cmd;
    my $out = '';
    while (my $line = <$s>) {
        $out .= $line;
        last if $line =~ /^(?:END|STORED|NOT_STORED|ERROR|CLIENT_ERROR.*|SERVER_ERROR.*)\r\n$/;
    }
    close $s;
    return $out;
}

my $ht_port = free_port();
my $base = read_file("$t/work/base.conf");
my $user = Apache::Test::vars('user');
my $group = Apache::Test::vars('group');
my ($libexec) = $base =~ m{LoadModule \S+ "?(\S+)/mod_[a-z_]+\.so};
my $mcso = "$libexec/mod_socache_memcache.so";
$conf = "$dir/httpd.conf";
open(my $fh, '>', $conf) or die "$conf: $!";
print $fh <<CONF;
ServerRoot "$t"
ServerName 127.0.0.1:$ht_port
Listen 127.0.0.1:$ht_port
PidFile "$dir/httpd.pid"
ErrorLog "$dir/error_log"
LogLevel warn webcast_saml:debug
DefaultRuntimeDir "$dir"
TypesConfig "$t/conf/mime.types"
User $user
Group $group
$base
LoadModule socache_memcache_module "$mcso"
LoadModule webcast_saml_module "$top/.libs/mod_webcast_saml.so"
WebcastSAMLSessionCache memcache:127.0.0.1:$mc_port
# One process, which remembers a verified session for a second: what it
# remembers is never a record it has not verified, and once the second is
# over it reads memcached again.
WebcastSAMLSessionProcessCache 1
StartServers 1
ServerLimit 1
MinSpareThreads 1
MaxSpareThreads 25
ThreadsPerChild 25
MaxRequestWorkers 25
WebcastSAMLSessionKeyFile "$keys/session.key"
WebcastSAMLSPEntityID https://sp.example.test/
WebcastSAMLIdP https://idp.example.test/ "$keys/idp.pem"
WebcastSAMLDefaultTarget /webcast/
DocumentRoot "$t/htdocs"
ScriptSock "$dir/cgid.sock"
ScriptAlias /webcast/app "$t/cgi-bin/env.pl"
<Location /webcast>
    AuthType WebcastSAML
    Require valid-user
</Location>
CONF
close $fh;
system($httpd, '-d', $t, '-f', $conf, '-k', 'start') == 0
    or die "cannot start httpd: " . read_file("$dir/error_log");
for (1 .. 50) {
    last if IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ht_port, Proto => 'tcp');
    select(undef, undef, undef, 0.1);
}

my $CN = 'webcast_saml_session';
my $acs = "http://127.0.0.1:$ht_port/saml/acs";
my $page = "http://127.0.0.1:$ht_port/webcast/";

sub login {
    my $nameid = shift;
    my $b64 = mkresponse(acs => $acs, nameid => $nameid);
    return Apache::TestRequest::POST($acs, [SAMLResponse => $b64]);
}

sub page_with {
    my ($id, $path) = @_;
    my $url = $path ? "http://127.0.0.1:$ht_port$path" : $page;
    return Apache::TestRequest::GET($url, Cookie => "$CN=$id");
}

# The memcached key of session id, as mod_socache_memcache names it.
sub mc_key {
    my $id = shift;
    return 'webcast-saml:' . unpack('H*', sha256("wcs-session\0" . $id));
}

sub record_of {
    my $id = shift;
    my $out = mc('get ' . mc_key($id) . "\r\n");
    my ($len, $rest) = $out =~ /^VALUE \S+ \d+ (\d+)\r\n(.*)/s or return;
    return substr($rest, 0, $len);
}

sub put_record {
    my ($id, $rec) = @_;
    return mc(sprintf("set %s 0 600 %d\r\n%s\r\n", mc_key($id),
                      length($rec), $rec));
}

# name, session id: a 401 and one WCS04002 line matching re.
sub refused {
    my ($name, $id, $re) = @_;
    my $off = -s "$dir/error_log" // 0;
    my $res = page_with($id);
    is($res->code, 401, "$name: 401");
    my $log = substr(read_file("$dir/error_log"), $off);
    like($log, qr/WCS04002: \[ref [0-9a-f]{12}\] session [0-9a-f]{8}\.\.\. refused: .*$re/,
         "$name: the log says why");
}

sub session_of {
    my $res = shift;
    my ($id) = ($res->header('Set-Cookie') // '') =~ /^\Q$CN\E=([0-9a-f]{64});/;
    return $id;
}

my $res = login('alice@example.test');
is($res->code, 303, 'sign-in through memcached: 303')
    or diag($res->as_string, read_file("$dir/error_log"));
my $alice = session_of($res);
ok(defined $alice, '... with a session cookie');
my $bob = session_of(login('bob@example.test'));
is(page_with($alice)->code, 200, "alice's session works");
my $genuine = record_of($alice);
like($genuine, qr/\nmac=[0-9a-f]{16} [0-9a-f]{64}\n\z/,
     'the record in memcached ends with its MAC');

# The process remembers alice's verified session for a second
# (WebcastSAMLSessionProcessCache 1): until it forgets, the record in
# memcached is not read again.
sub forgotten { select(undef, undef, undef, 1.3) }

# An attacker with write access to memcached.
(my $altered = $genuine) =~ s/user=alice/user=admin/;
put_record($alice, $altered);
my $who = page_with($alice, '/webcast/app');
is($who->code, 200, 'within the second, the verified session is remembered');
like($who->content, qr/^REMOTE_USER=alice\@example\.test$/m,
     '... as alice: the altered record is not what it serves');
forgotten();
refused('a record altered in memcached', $alice, qr/does not verify/);
put_record($alice, $genuine);
is(page_with($alice)->code, 200, "alice's genuine record back: it works");
forgotten();

(my $forged = $genuine) =~ s/\nmac=.*\n\z/\n/s;
$forged =~ s/user=alice/user=mallory/;
put_record($alice, $forged);
refused('a record minted without the key', $alice, qr/no MAC/);

put_record($alice, record_of($bob) // '');
refused("bob's record under alice's ID", $alice, qr/does not verify/);

my $minted = 'ab' x 32;
put_record($minted, $forged);
refused('a session ID and record minted together', $minted, qr/no MAC/);

# Stop exactly the two servers this test started, also when it dies.
END {
    system($httpd, '-d', $t, '-f', $conf, '-k', 'stop')
        if $conf && -f "$dir/httpd.pid";
    if ($mc_pid) {
        kill 'TERM', $mc_pid;
        waitpid($mc_pid, 0);
    }
}
