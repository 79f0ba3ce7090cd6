package chatmsg_test

import (
	"testing"

	"github.com/glint-dev/glint/internal/chatmsg"
)

func TestSlackLinks(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"no links", "no links"},
		{"[a](http://x)", "<http://x|a>"},
		{"[a b](https://x/y?z=1#f)", "<https://x/y?z=1#f|a b>"},
		{"[](http://x)", "<http://x>"},
		{"[mail me](mailto:j@example.com)", "<mailto:j@example.com|mail me>"},
		{"[a](ftp://x)", "[a](ftp://x)"},
		{"[a](/relative/path)", "[a](/relative/path)"},
		{"[a](HTTP://x)", "[a](HTTP://x)"},
		{"[a](http://1) and [b](http://2)", "<http://1|a> and <http://2|b>"},
		{"[[x](http://a)](http://b)", "[<http://a|x>](http://b)"},
		{"[a](http://x(1))", "<http://x(1|a>)"},
		{"[a](http://x) (b)", "<http://x|a> (b)"},
		{"[a\nb](http://x)", "<http://x|a\nb>"},
		{"[a](http://x\ny)", "[a](http://x\ny)"},
		{"[a]b](http://x)", "[a]b](http://x)"},
		{`<a href="http://x">t</a>`, "<http://x|t>"},
		{`<a class="c" href='http://x' target="_blank">t</a>`, "<http://x|t>"},
		{`<a href="ftp://x">t</a>`, "<ftp://x|t>"},
		{`<a href="http://x"></a>`, `<a href="http://x"></a>`},
		{`<a href="http://x">unclosed`, `<a href="http://x">unclosed`},
		{`<a href="http://a">A</a> and [B](http://b)`, "<http://a|A> and <http://b|B>"},
		{"[see <a href=\"http://a\">A</a>](http://b)", "<http://b|see <http://a|A>>"},
		{"bad \xff byte [a](http://x)", "bad \uFFFD byte <http://x|a>"},
	} {
		if got := chatmsg.SlackLinks(tt.in); got != tt.want {
			t.Errorf("SlackLinks(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
