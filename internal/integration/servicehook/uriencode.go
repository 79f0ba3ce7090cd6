package servicehook

import "strings"

// URIEncode is Ruby's URI.encode (URI::DEFAULT_PARSER.escape), which
// GitLab 12.x uses on URLs it builds from a ref or a project name: every
// byte but letters, digits and -_.!~*'();/?:@&=+$,[] percent-encoded,
// in upper-case hex.
func URIEncode(s string) string {
	const keep = "-_.!~*'();/?:@&=+$,[]"
	const digits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(digits[c>>4])
		b.WriteByte(digits[c&15])
	}
	return b.String()
}
