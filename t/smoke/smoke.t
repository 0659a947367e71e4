use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestRequest;
plan tests => 1;
my $res = GET '/index.html';
ok $res->code == 200;
