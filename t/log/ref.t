# One request, one ref: the ref a refusal shows is made when the module
# starts handling the request, and every line the module and its core
# write for that request carries it, the core's debug lines included.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use WCS::Test;

plan tests => REFUSAL_TESTS + 4 + LOGIN_TESTS + 1 + 2;

my $CN = 'webcast_saml_session';

# The module's lines (its tag) in log text.
sub module_lines { grep { /\] WCS\d*: / } split /\n/, shift }

# A replay: the refusal's ref is on the RelayState line (glue), on the
# signature line (core, debug) and on the refusal line, and on nothing
# else the request logged.
{
    my $saml = mkresponse();
    post_acs('default', $saml);
    my $off = log_offset();
    my $res = post_acs('default', $saml);
    my $ref = refusal_checks('replay', $res, $off, '4f', qr/already used/);
    my @lines = module_lines(log_since($off));
    my @with = grep { /\[ref \Q$ref\E\]/ } @lines;
    ok(@lines >= 3 && @with == @lines,
       'every line of the request carries the refusal\'s ref')
        or diag(join("\n", @lines));
    ok((grep { /WCS02002: \[ref \Q$ref\E\] RelayState/ } @lines) == 1,
       'the glue\'s RelayState line has it');
    ok((grep { /WCS: \[ref \Q$ref\E\] Assertion signature verified/ }
        @lines) == 1, 'the core\'s signature line has it');
    ok((grep { /WCS02001: \[ref \Q$ref\E\] refused/ } @lines) == 1,
       'the refusal line has it');
}

# A sign-in: the core's login line carries a ref of its own.
my $id;
{
    my $off = log_offset();
    $id = login_checks('sign-in', post_acs('default', mkresponse()));
    my @login = grep { /WCS: \[ref [0-9a-f]{12}\] login of / }
                module_lines(log_since($off));
    ok(@login == 1, 'the core\'s login line carries a ref')
        or diag(log_since($off));
}

# A protected request with a look-alike header: the scrub line (logged
# before authentication) carries the ref of that request.
{
    my $off = log_offset();
    my ($res) = app_get('default', '/webcast/app', $CN, $id,
                        'Webcast-Email' => 'forged@evil.test');
    is($res->code, 200, 'the protected page with a forged header: 200');
    my @scrub = grep { /WCS04001: \[ref [0-9a-f]{12}\] removed incoming header Webcast-Email/ }
                module_lines(log_since($off));
    ok(@scrub == 1, 'the scrub line carries a ref') or diag(log_since($off));
}
