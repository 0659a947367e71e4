# The user directory on real SQLite files: the platform's account rules
# (5a-5e) on an attendee site (accounts made just in time under its
# licence) and an admin console (existing accounts of its licence, no
# guests); one account from concurrent first logins; a missing, read-only
# and locked file refused with 5f and one clear log line, and recovery
# without a restart; the same rules through mod_dbd.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use IO::Handle;
use WCS::Test;

my $sqlite = (grep { -x } map { "$_/sqlite3" }
              split(/:/, $ENV{PATH} // ''), '/usr/bin')[0];
plan skip_all => 'sqlite3 is not installed (apt-get install sqlite3)'
    unless $sqlite;

my $t = Apache::Test::vars('serverroot');
my $db = "$t/work/accounts/accounts.db";
my $dbd_db = "$t/work/accounts/dbd.db";
my $schema = top_dir() . '/conf/schema-sqlite.sql';

sub sql {
    my ($file, $q) = @_;
    open(my $fh, '-|', $sqlite, $file, $q) or die "sqlite3: $!";
    local $/;
    my $out = <$fh>;
    close $fh or die "sqlite3 $file \"$q\" failed";
    $out //= '';
    $out =~ s/\s+\z//;
    return $out;
}

sub add_account {
    my ($file, $email, $role, $license, $active) = @_;
    sql($file, sprintf("INSERT INTO webcast_accounts (email, role, license, "
                       . "active, created) VALUES ('%s', '%s', %s, %d, "
                       . "'2026-01-01T00:00:00Z')", $email, $role,
                       defined $license ? "'$license'" : 'NULL', $active));
}

unlink $db, map { "$db-$_" } qw(journal wal shm);
sql($db, '.read ' . ($schema =~ s/'/''/gr));
chmod 0666, $db;
add_account($db, 'boss@example.test', 'guest_admin', 'LIC-A', 1);
add_account($db, 'Boss@Example.test ', 'admin', 'LIC-A', 1);
add_account($db, 'twice@example.test', 'attendee', 'LIC-A', 1);
add_account($db, 'twice@example.test', 'guest', 'LIC-A', 1);
add_account($db, 'gone@example.test', 'attendee', 'LIC-A', 0);
add_account($db, 'guest@example.test', 'guest', 'LIC-A', 1);
add_account($db, 'other@example.test', 'attendee', 'LIC-B', 1);
add_account($dbd_db, 'twice@example.test', 'attendee', undef, 1);
add_account($dbd_db, 'twice@example.test', 'admin', undef, 1);
add_account($dbd_db, 'guest@example.test', 'guest', undef, 1);

my %mk = (
    wcs_event_accounts => 'https://event-accounts.example.test/',
    wcs_attendees => 'https://attendees.example.test/',
    wcs_admins    => 'https://admins.example.test/',
    wcs_dbd       => 'https://dbd.example.test/',
);
sub sign_in {
    my ($module, $nameid, $relay) = @_;
    return post_acs($module, mkresponse(module => $module,
                                        audience => $mk{$module},
                                        nameid => $nameid,
                                        attr => 'displayName=Some One'),
                    defined $relay ? (relay_state => $relay) : ());
}

my $DIR = qr/user directory sqlite3:\S+accounts\.db/;
# name, module, email, code, reason
my @refused = (
    ['several accounts', 'wcs_attendees', 'twice@example.test', '5b',
     qr/^2 accounts share the email twice\@example\.test \(attendee #3,guest #4\): an email must identify one account$/],
    ['inactive account', 'wcs_attendees', 'gone@example.test', '5d',
     qr/^the attendee account #5 of gone\@example\.test is inactive$/],
    ['another licence', 'wcs_attendees', 'other@example.test', '5c',
     qr/^the attendee account #7 of other\@example\.test is under licence "LIC-B", not LIC-A as this site requires$/],
    ['no account, no provisioning', 'wcs_admins', 'stranger@example.test',
     '5a', qr/^no account for stranger\@example\.test in sqlite3:\S+accounts\.db, and attendees are not provisioned here$/],
    ['a guest where no guests are admitted', 'wcs_admins',
     'guest@example.test', '5e',
     qr/^account #6 of guest\@example\.test is a guest account, and this site admits no guests$/],
    ['mod_dbd: several accounts', 'wcs_dbd', 'twice@example.test', '5b',
     qr/^2 accounts share the email twice\@example\.test \(attendee #1,admin #2\)/],
    ['mod_dbd: a guest', 'wcs_dbd', 'guest@example.test', '5e',
     qr/is a guest account/],
);

# name, module, email, role, licence
my @accepted = (
    ['a new attendee, made just in time', 'wcs_attendees', 'new@example.test',
     'attendee', 'LIC-A'],
    ['the Admin beside a Guest Admin', 'wcs_attendees', 'BOSS@example.test',
     'admin', 'LIC-A'],
    ['a guest where guests are admitted', 'wcs_attendees',
     'guest@example.test', 'guest', 'LIC-A'],
    ['the Admin on the admin console', 'wcs_admins', 'boss@example.test',
     'admin', 'LIC-A'],
    ['mod_dbd: a new attendee', 'wcs_dbd', 'fresh@example.test', 'attendee',
     undef],
);

plan tests => (@refused + 5) * REFUSAL_TESTS + 2 + @accepted * (LOGIN_TESTS + 3)
    + 2 + 2 + 1 + 3 + 3 + 3;

for my $c (@refused) {
    my ($name, $module, $email, $code, $re) = @$c;
    my $off = log_offset();
    refusal_checks($name, sign_in($module, $email), $off, $code, $re);
}

my %sid;
for my $c (@accepted) {
    my ($name, $module, $email, $role, $license) = @$c;
    my $id = login_checks($name, sign_in($module, $email), module => $module);
    $sid{"$module $role"} = $id;
    my (undef, $env) = app_get($module, '/webcast/app',
                               'webcast_saml_session', $id);
    is($env->{REMOTE_USER}, lc $email, "$name: REMOTE_USER");
    is($env->{WEBCAST_ROLE}, $role, "$name: WEBCAST_ROLE $role");
    is($env->{WEBCAST_LICENSE}, $license, "$name: WEBCAST_LICENSE");
}

is(sql($db, "SELECT role || ' ' || license || ' ' || display_name || ' ' "
            . "|| active || ' ' || fields FROM webcast_accounts WHERE email "
            . "= 'new\@example.test'"),
   'attendee LIC-A Some One 1 WEBCAST_DISPLAY_NAME=Some+One',
   'the account made just in time, with its registration fields');
like(sql($db, "SELECT last_login FROM webcast_accounts WHERE id = 2"),
     qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, "the Admin's login is recorded");
is(sql($dbd_db, "SELECT count(*) FROM webcast_accounts WHERE email = "
                . "'fresh\@example.test'"), '1',
   'mod_dbd: the account made just in time');
is(sql($db, "SELECT count(*) FROM webcast_accounts WHERE email = "
            . "'stranger\@example.test'"), '0',
   'a refusal makes no account');

# An event's own licence and provisioning (wcs_event_accounts: the site
# requires LIC-A and provisions; event 100 requires LIC-B, event 200 does
# not provision, event 300 is as the site).
{
    my $M = 'wcs_event_accounts';
    is(sign_in($M, 'other@example.test', '100')->code, 303,
       "event 100's licence admits the LIC-B account");
    my $off = log_offset();
    refusal_checks("the site's licence refuses it for event 300",
                   sign_in($M, 'other@example.test', '300'), $off, '5c',
                   qr/under licence "LIC-B", not LIC-A/);
    $off = log_offset();
    refusal_checks('event 200 provisions no attendees',
                   sign_in($M, 'late@example.test', '200'), $off, '5a',
                   qr/^no account for late\@example\.test in /);
    is(sign_in($M, 'late@example.test', '300')->code, 303,
       'event 300 does, as the site');
}

# Require webcast-role: the admin console of the attendee site.
{
    my ($res) = app_get('wcs_attendees', '/webcast/console/app',
                        'webcast_saml_session', $sid{'wcs_attendees admin'});
    is($res->code, 200, 'Require webcast-role admin: the Admin gets in');
    my $off = log_offset();
    ($res) = app_get('wcs_attendees', '/webcast/console/app',
                     'webcast_saml_session', $sid{'wcs_attendees attendee'});
    is($res->code, 401, '... an attendee does not');
    like(log_since($off),
         qr/WCS05002: \[ref [0-9a-f]{12}\] new\@example\.test \(role attendee\) may not open \/webcast\/console\/app: Require webcast-role admin guest_admin/,
         '... and the log names the role');
}

# Eight first logins of one person at once: one account.
{
    my @bodies = map { mkresponse(module => 'wcs_attendees',
                                  audience => $mk{wcs_attendees},
                                  nameid => 'rush@example.test') } 1 .. 8;
    my @codes = at_once(map { my $b = $_;
                              sub { post_acs('wcs_attendees', $b)->code } }
                        @bodies);
    is(join(' ', @codes), join(' ', ('303') x 8),
       'eight concurrent first logins all sign in');
    is(sql($db, "SELECT count(*) FROM webcast_accounts WHERE email = "
                . "'rush\@example.test'"), '1', '... with one account');
    is(sql($db, "SELECT role FROM webcast_accounts WHERE email = "
                . "'rush\@example.test'"), 'attendee', '... an attendee');
}

# The file missing: 5f, and back without a restart.
{
    rename $db, "$db.away" or die "rename: $!";
    my $off = log_offset();
    refusal_checks('the directory file missing',
                   sign_in('wcs_attendees', 'new@example.test'), $off, '5f',
                   qr/^$DIR failed to look up an account: \S+accounts\.db does not exist \(create it with conf\/schema-sqlite\.sql, or add schema=create\)$/);
    rename "$db.away", $db or die "rename: $!";
    is(sign_in('wcs_attendees', 'new@example.test')->code, 303,
       '... and the file back: signed in again, no restart');
}

# Read-only: an account cannot be made, a login not recorded.
{
    chmod 0444, $db;
    my $off = log_offset();
    refusal_checks('the directory file read-only',
                   sign_in('wcs_attendees', 'newer@example.test'), $off,
                   '5f', qr/^$DIR failed to create an account: .*read-?only/i);
    chmod 0666, $db;
    is(sign_in('wcs_attendees', 'newer@example.test')->code, 303,
       '... and writable again: signed in');
    is(sql($db, "SELECT count(*) FROM webcast_accounts WHERE email = "
                . "'newer\@example.test'"), '1', '... with one account');
}

# Locked by another writer for longer than the driver waits: 5f; then
# the lock goes and sign-ins work.
{
    open(my $lock, '|-', $sqlite, $db) or die "sqlite3: $!";
    $lock->autoflush(1);
    print $lock "BEGIN EXCLUSIVE;\nINSERT INTO webcast_accounts (email, role, "
        . "created) VALUES ('lock\@example.test', 'guest', 'x');\n";
    select(undef, undef, undef, 0.5);
    my $off = log_offset();
    my $res = sign_in('wcs_attendees', 'boss@example.test');
    print $lock "ROLLBACK;\n";
    close $lock;
    refusal_checks('the directory file locked', $res, $off, '5f',
                   qr/^$DIR failed to (?:look up an account|record the login): .*locked/i);
    is(sign_in('wcs_attendees', 'boss@example.test')->code, 303,
       '... and unlocked: signed in');
}
