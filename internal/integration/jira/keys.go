package jira

import (
	"regexp"
	"slices"
	"strings"
)

// What GitLab 12.5 reads as a Jira issue key, and when it reads one as
// closed. GitLab finds keys with its Markdown pipeline (Banzai): the text
// is HTML-escaped, URLs become links, and then JiraService.reference_pattern
// is matched in every text node that is not inside a link, code or pre
// element. The functions below do the same on plain text, with RE2
// equivalents of GitLab's Ruby patterns.

// keyPattern is JiraService.reference_pattern of 12.5:
// /(?<issue>\b#{Gitlab::Regex.jira_issue_key_regex})/ with
// jira_issue_key_regex = /[A-Z][A-Z_0-9]+-\d+/ (the CVE exclusion came in
// later versions). Go's \b and \d are ASCII, as Ruby's \d is; Ruby's \b
// may count non-ASCII letters as word characters, so a key glued to one
// ("éPROJ-1") may differ: unconfirmed, and rare.
var keyPattern = regexp.MustCompile(`\b[A-Z][A-Z_0-9]+-[0-9]+`)

// wholeKey is a whole string that is a key, for keys read from answers.
var wholeKey = regexp.MustCompile(`^[A-Z][A-Z_0-9]+-[0-9]+$`)

// linkPattern is Banzai::Filter::AutolinkFilter::LINK_PATTERN of 12.x,
// %r{([a-z][a-z0-9\+\.-]+://[^\s>]+)(?<!\?|!|\.|,|:)}: RE2 has no look
// behind, so "the longest run not ending in ? ! . , :" is written as a run
// and one last character outside that set, which matches the same text.
// Ruby's \s is written out (it has \v, Go's \s has not).
const linkPattern = `[a-z][a-z0-9+.-]+://[^ \t\r\n\f\v>]*[^ \t\r\n\f\v>?!.,:]`

var linkRe = regexp.MustCompile(linkPattern)

// closingPattern is GitLab's default gitlab.issue_closing_pattern with
// %{issue_ref} replaced as Gitlab::ClosingIssueExtractor does, by
// "(?:(?:<link pattern>)|(?:<Issue.reference_pattern>))".
//
// The 12.5 default, as far as we could tell (spec §13 calls it
// unconfirmed): the Implement keywords are in (a ~11.0 1_settings.rb has
// them), the leading \b is not (it appears only next to 13.x settings such
// as graphql_timeout and domain_allowlist), and the separator is
// " *,? +and +| *, *" (the ~11.0 form; a later form is " *,? +and +| *,? *").
// The separator only matters between GitLab issue references.
//
// The Jira alternative has no separator of its own: "Closes PROJ-1, PROJ-2"
// closes PROJ-1 only (PROJ-2 is then mentioned), as in GitLab. With no \b,
// "prefix PROJ-1" closes PROJ-1 ("fix"), as in GitLab 12.5.
//
// Issue.reference_pattern is approximated: an optional
// namespace/project path, "#", digits; its leading look-behind cannot
// matter here, as a reference follows spaces or a separator.
var closingPattern = regexp.MustCompile(
	`(?:[Cc]los(?:e[sd]?|ing)|[Ff]ix(?:e[sd]|ing)?|[Rr]esolv(?:e[sd]?|ing)|[Ii]mplement(?:s|ed|ing)?)(:?) +` +
		`(?:(?:issues? +)?(?:(?:` + linkPattern + `)|(?:(?:[a-zA-Z0-9_.][a-zA-Z0-9_.-]*/)*(?:[a-zA-Z0-9_.][a-zA-Z0-9_.-]*)?#[0-9]+))` +
		`(?:(?: *,? +and +| *, *)?)|[A-Z][A-Z0-9_]+-[0-9]+)+`)

// Keys returns the issue keys GitLab finds in a single-line-pipeline text
// (a commit message, a merge request title): each once, in order of first
// appearance, leaving out those inside URLs (GitLab links them, and a key
// inside a link is no reference).
func Keys(text string) []string {
	return keysIn(text, false)
}

// MarkdownKeys is Keys for a Markdown text (a merge request description):
// keys in code spans, fenced code blocks and inline links are left out
// too. Indented code blocks and raw HTML are not recognised (see the
// package doc).
func MarkdownKeys(text string) []string {
	return keysIn(text, true)
}

func keysIn(text string, markdown bool) []string {
	if markdown {
		text = maskMarkdown(text)
	}
	// GitLab escapes the text before linking URLs, so a URL runs on over
	// what were <, >, " and ' (they become entities); keys themselves are
	// unchanged by escaping, and so is whether a word boundary precedes
	// them.
	text = maskLinks(htmlEscape(text))
	var keys []string
	for _, k := range keyPattern.FindAllString(text, -1) {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// ClosingKeys returns the keys a text closes: those in the text's closing
// statements (what the closing pattern matches), each once, in order.
// GitLab joins the statements with a space and reads their references
// like any other text.
func ClosingKeys(text string) []string {
	statements := closingPattern.FindAllString(text, -1)
	if len(statements) == 0 {
		return nil
	}
	return Keys(strings.Join(statements, " "))
}

// htmlEscape is ERB::Util.html_escape, which Banzai's HtmlEntityFilter
// applies first.
var htmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;").Replace

// maskLinks blanks the URLs GitLab turns into links. A blank is no word
// character, as the start of the text node that follows a link is no
// word character for \b.
func maskLinks(s string) string {
	return linkRe.ReplaceAllStringFunc(s, blank)
}

func blank(s string) string { return strings.Repeat(" ", len(s)) }

// markdownLink is an inline link or image, [text](target): its text ends
// up inside <a> (or as an alt attribute), never in a text node.
var markdownLink = regexp.MustCompile(`\[[^\]\n]*\]\([^)\n]*\)`)

// maskMarkdown blanks what GitLab's Markdown renderer puts in code or link
// elements: fenced code blocks (``` or ~~~, closed by a fence of the same
// character at least as long, or by the end), code spans (a run of n
// backticks up to the next run of exactly n), and inline links.
func maskMarkdown(s string) string {
	lines := strings.SplitAfter(s, "\n")
	var fence string // the opening fence while inside a block
	var out strings.Builder
	var para strings.Builder // text outside blocks, for the inline rules
	flush := func() {
		out.WriteString(maskInline(para.String()))
		para.Reset()
	}
	for _, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		if fence != "" {
			if indent < 4 && strings.HasPrefix(trimmed, fence) && strings.Trim(strings.TrimRight(trimmed, " \t\r\n"), fence[:1]) == "" {
				fence = ""
			}
			out.WriteString(blankLine(line))
			continue
		}
		if f := openingFence(trimmed); f != "" && indent < 4 {
			flush()
			fence = f
			out.WriteString(blankLine(line))
			continue
		}
		para.WriteString(line)
	}
	flush()
	return out.String()
}

// openingFence is the fence a line opens (three or more backticks or
// tildes), or "".
func openingFence(line string) string {
	for _, c := range []string{"`", "~"} {
		n := len(line) - len(strings.TrimLeft(line, c))
		if n >= 3 {
			// A backtick fence's info string may hold no backtick.
			if c == "`" && strings.Contains(line[n:], "`") {
				return ""
			}
			return strings.Repeat(c, n)
		}
	}
	return ""
}

// blankLine blanks a line but its line break.
func blankLine(line string) string {
	body := strings.TrimRight(line, "\n")
	return blank(body) + line[len(body):]
}

// maskInline blanks code spans, then inline links.
func maskInline(s string) string {
	b := []byte(s)
	for i := 0; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		n := run(b, i)
		end := -1
		for j := i + n; j < len(b); {
			if b[j] != '`' {
				j++
				continue
			}
			m := run(b, j)
			if m == n {
				end = j + m
				break
			}
			j += m
		}
		if end < 0 {
			i += n // no closing run: the backticks are text
			continue
		}
		for k := i; k < end; k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
		i = end
	}
	return markdownLink.ReplaceAllStringFunc(string(b), blank)
}

// run is the length of the run of backticks at b[i].
func run(b []byte, i int) int {
	n := 0
	for i+n < len(b) && b[i+n] == '`' {
		n++
	}
	return n
}
