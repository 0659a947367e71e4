#!/usr/bin/perl
# The "webcast application" of the tests: prints what it was given.
print "Content-Type: text/plain\n\n";
for my $k (sort keys %ENV) {
    next unless $k =~ /^(REMOTE_USER|AUTH_TYPE|WEBCAST_|HTTP_WEBCAST|HTTP_COOKIE|HTTP_CONNECTION|HTTP_X_WCS_)/;
    print "$k=$ENV{$k}\n";
}
