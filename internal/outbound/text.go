package outbound

import (
	"bytes"
	"unicode/utf8"
)

// text makes the first bytes of a response body fit to be shown and
// stored as text: valid UTF-8 without NUL, which PostgreSQL's text columns
// refuse (the delivery log could then not record the attempt at all, and
// the call would be made again and again). cut says the body was cut at
// maxBody: a character the cut split is dropped rather than shown as
// garbage. Every other byte that is not part of valid UTF-8, and every
// NUL, becomes U+FFFD, as encoding/json shows them. The result is at most
// maxBody bytes long; a body that is already such text is returned as it
// is.
func text(b []byte, cut bool) []byte {
	if cut {
		b = dropSplitRune(b)
	}
	if utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 {
		return b
	}
	out := make([]byte, 0, min(len(b)+16, maxBody))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == 0 {
			r = utf8.RuneError
		}
		if len(out)+utf8.RuneLen(r) > maxBody {
			break
		}
		out = utf8.AppendRune(out, r)
		b = b[size:]
	}
	return out
}

// dropSplitRune drops the end of b if it is the start of a UTF-8 sequence
// that does not finish in b.
func dropSplitRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		if c := b[len(b)-i]; utf8.RuneStart(c) {
			if c >= utf8.RuneSelf && !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}
