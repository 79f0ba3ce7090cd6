package pipelinesemail

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/integration/mailtext"
)

// line is one "<label>: <text> ( <url> )" line of the text part, and a
// table row of the HTML part.
type line struct{ label, text, url string }

func (m *message) lines() []line {
	pe := m.pe
	out := []line{
		{"Project", m.project.Name, m.project.WebURL},
		{"Branch", m.sourceRef(), m.refURL()},
	}
	if mr := pe.MergeRequest; mr != nil {
		out = append(out, line{"Merge Request", "!" + strconv.FormatInt(mr.IID, 10), mr.URL})
	}
	out = append(out,
		line{"Commit", mailtext.ShortSHA(pe.ObjectAttributes.SHA), m.commitURL()},
		line{"Commit Message", truncate(strings.TrimSpace(pe.Commit.Message), commitMessageMax), ""},
		line{"Commit Author", pe.Commit.Author.Name, m.authorURL()},
	)
	return out
}

func (m *message) statusText() string {
	if m.failed {
		return "Your pipeline has failed."
	}
	return "Your pipeline has passed."
}

// triggeredBy is "triggered by <user>" and its link; the API when the
// payload names no user.
func (m *message) triggeredBy() (string, string) {
	if u := m.pe.User; u != nil && u.Username != "" {
		return u.Name, m.userURL(u)
	}
	return "API", ""
}

func (m *message) summary() string {
	if m.failed {
		return "had " + plural(len(m.failedJobs()), "failed build", "failed builds") + "."
	}
	return "successfully completed " + plural(len(m.pe.Builds), "job", "jobs") + " in " + plural(m.stages(), "stage", "stages") + "."
}

func withURL(text, url string) string {
	if url == "" {
		return text
	}
	return text + " ( " + url + " )"
}

// text is the text part (pipeline_success_email.text, pipeline_failed_email.text).
func (m *message) text() string {
	var b strings.Builder
	b.WriteString(m.statusText() + "\n\n")
	for _, l := range m.lines() {
		b.WriteString(l.label + ": " + withURL(l.text, l.url) + "\n")
	}
	by, byURL := m.triggeredBy()
	fmt.Fprintf(&b, "\nPipeline #%d ( %s ) triggered by %s\n%s\n", m.pe.ObjectAttributes.ID, m.pipelineURL(), withURL(by, byURL), m.summary())
	for _, j := range m.failedJobs() {
		fmt.Fprintf(&b, "\nJob #%d ( %s )\n\nStage: %s\nName: %s\n", j.ID, m.jobURL(j), j.Stage, j.Name)
	}
	return b.String()
}

func link(text, url string) string {
	if url == "" {
		return mailtext.Escape(text)
	}
	return mailtext.Link(url, text)
}

// html is the HTML part.
func (m *message) html() string {
	var b strings.Builder
	class := "success"
	if m.failed {
		class = "failed"
	}
	fmt.Fprintf(&b, "<table class=\"%s\">\n<tr>\n<td class=\"status\">%s</td>\n</tr>\n</table>\n<table class=\"info\">\n", class, mailtext.Escape(m.statusText()))
	for _, l := range m.lines() {
		fmt.Fprintf(&b, "<tr>\n<td>%s</td>\n<td>%s</td>\n</tr>\n", mailtext.Escape(l.label), link(l.text, l.url))
	}
	by, byURL := m.triggeredBy()
	fmt.Fprintf(&b, "</table>\n<p>\nPipeline %s triggered by %s\n</p>\n<p>\n%s\n</p>\n",
		mailtext.Link(m.pipelineURL(), "#"+strconv.FormatInt(m.pe.ObjectAttributes.ID, 10)), link(by, byURL), mailtext.Escape(m.summary()))
	if jobs := m.failedJobs(); len(jobs) > 0 {
		b.WriteString("<table class=\"builds\">\n")
		for _, j := range jobs {
			fmt.Fprintf(&b, "<tr>\n<td>%s</td>\n<td>%s</td>\n<td>%s</td>\n</tr>\n", mailtext.Escape(j.Stage),
				mailtext.Link(m.jobURL(j), j.Name), mailtext.Escape("Job #"+strconv.FormatInt(j.ID, 10)))
		}
		b.WriteString("</table>\n")
	}
	return mailtext.Page(m.subject(), b.String())
}
