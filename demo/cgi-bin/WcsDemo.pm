# What the demo's two CGI pages share.
package WcsDemo;
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = qw(esc);

# HTML-escape a value for text or a quoted attribute; undef is ''.
sub esc {
    my ($s) = @_;
    $s = '' unless defined $s;
    $s =~ s/&/&amp;/g;
    $s =~ s/</&lt;/g;
    $s =~ s/>/&gt;/g;
    $s =~ s/"/&quot;/g;
    $s =~ s/'/&#39;/g;
    return $s;
}

1;
