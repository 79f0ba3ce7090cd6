package chatmsg

import (
	"regexp"
	"strings"
)

// The patterns of slack-notifier 1.5.1's LinkFormatter. Go's regexp picks
// the match a backtracking engine would (leftmost, lazy as written), and
// "." stops at line breaks as in Ruby without /m, so the matches are the
// gem's.
var (
	// An HTML anchor: <a ... href="url" ...>text</a>.
	htmlLink = regexp.MustCompile(`<a(?:.*?)href=['"](.+?)['"](?:.*?)>(.+?)</a>`)
	// A Markdown link whose URL is http(s) or mailto; the text may be
	// empty but holds no square bracket.
	markdownLink = regexp.MustCompile(`\[([^\[\]]*?)\]\(((https?://.*?)|(mailto:.*?))\)`)
)

// SlackLinks rewrites links into Slack's <url|text> form as slack-notifier
// 1.5.1's LinkFormatter does: HTML anchors first, then Markdown links, an
// empty text giving <url>. Invalid UTF-8 is replaced first, as the gem
// scrubs its input.
func SlackLinks(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = replaceAll(htmlLink, s, func(sub []string) string { return slackLink(sub[1], sub[2]) })
	return replaceAll(markdownLink, s, func(sub []string) string { return slackLink(sub[2], sub[1]) })
}

// replaceAll replaces every match of re in s by what repl makes of its
// submatches, as Ruby's gsub with a block.
func replaceAll(re *regexp.Regexp, s string, repl func(sub []string) string) string {
	var b strings.Builder
	last := 0
	for _, idx := range re.FindAllStringSubmatchIndex(s, -1) {
		sub := make([]string, len(idx)/2)
		for i := range sub {
			if idx[2*i] >= 0 {
				sub[i] = s[idx[2*i]:idx[2*i+1]]
			}
		}
		b.WriteString(s[last:idx[0]])
		b.WriteString(repl(sub))
		last = idx[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

func slackLink(url, text string) string {
	if text == "" {
		return "<" + url + ">"
	}
	return "<" + url + "|" + text + ">"
}
