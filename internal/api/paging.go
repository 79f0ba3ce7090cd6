package api

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/store"
)

// Pagination as GitLab's: page and per_page are integers (anything else is
// 400 "<name> is invalid"); page below 1 is 1; per_page below 1 is 20 and
// above 100 is 100. A page past the end is an empty list. Lists are paged
// in the database; counts stop at store.CountCap, beyond which X-Total,
// X-Total-Pages and the "last" link are left out, as GitLab does above
// 10,000 rows.
const (
	defaultPerPage = 20
	maxPerPage     = 100
	// maxPage bounds page so that (page-1)*per_page cannot overflow;
	// a larger page is past the end of any list anyway.
	maxPage = math.MaxInt64/maxPerPage + 1
)

// paging is one list request's page.
type paging struct {
	page, per int
}

func (p paging) storePage() store.Page {
	return store.Page{Offset: (p.page - 1) * p.per, Limit: p.per}
}

// pageParams reads page and per_page, answering 400 itself when one is not
// an integer.
func pageParams(w http.ResponseWriter, r *http.Request) (paging, bool) {
	q := r.URL.Query()
	page, ok := queryInt(q, "page", 1)
	if !ok {
		writeError(w, 400, "page is invalid")
		return paging{}, false
	}
	per, ok := queryInt(q, "per_page", defaultPerPage)
	if !ok {
		writeError(w, 400, "per_page is invalid")
		return paging{}, false
	}
	if per < 1 {
		per = defaultPerPage
	}
	return paging{page: min(max(page, 1), maxPage), per: min(per, maxPerPage)}, true
}

// queryInt reads an integer parameter as Grape's Integer does: optional
// sign and digits; absent or blank is def. A number too large for an int is
// clamped (Ruby's integers have no limit, so GitLab takes it as a number).
func queryInt(q url.Values, name string, def int) (int, bool) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return def, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		if v[0] == '-' {
			return math.MinInt64, true
		}
		return math.MaxInt64, true
	}
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// setPageHeaders sets GitLab's pagination headers: X-Total, X-Total-Pages,
// X-Per-Page, X-Page, X-Next-Page, X-Prev-Page and Link. total above
// store.CountCap means "more than that": the totals and the last link are
// left out, and a next page is announced when this one (of n rows) is full.
func (s *Server) setPageHeaders(w http.ResponseWriter, r *http.Request, p paging, total, n int) {
	counted := total <= store.CountCap
	pages := max((total+p.per-1)/p.per, 1)
	h := w.Header()
	if counted {
		h.Set("X-Total", strconv.Itoa(total))
		h.Set("X-Total-Pages", strconv.Itoa(pages))
	}
	h.Set("X-Per-Page", strconv.Itoa(p.per))
	h.Set("X-Page", strconv.Itoa(p.page))
	// Kaminari's next_page and prev_page: none out of range.
	inRange := p.page <= pages || !counted
	next, prev := "", ""
	if inRange && (p.page < pages || (!counted && n == p.per && p.page < maxPage)) {
		next = strconv.Itoa(p.page + 1)
	}
	if inRange && p.page > 1 {
		prev = strconv.Itoa(p.page - 1)
	}
	h.Set("X-Next-Page", next)
	h.Set("X-Prev-Page", prev)
	var links []string
	if prev != "" {
		links = append(links, s.pageLink(r, p.per, prev, "prev"))
	}
	if next != "" {
		links = append(links, s.pageLink(r, p.per, next, "next"))
	}
	links = append(links, s.pageLink(r, p.per, "1", "first"))
	if counted {
		links = append(links, s.pageLink(r, p.per, strconv.Itoa(pages), "last"))
	}
	h.Set("Link", strings.Join(links, ", "))
}

// pageLink is one entry of the Link header: the request's URL on the
// external base URL with page and per_page replaced, the query sorted as
// Rails' to_query sorts it. Tokens given in the query are not echoed.
func (s *Server) pageLink(r *http.Request, per int, page, rel string) string {
	q := r.URL.Query()
	q.Del("private_token")
	q.Del("access_token")
	q.Set("page", page)
	q.Set("per_page", strconv.Itoa(per))
	return "<" + s.opt.BaseURL + r.URL.EscapedPath() + "?" + q.Encode() + `>; rel="` + rel + `"`
}

// listPage runs one paged store list and answers it: the page's rows turned
// into entities, with the pagination headers.
func listPage[T, E any](s *Server, w http.ResponseWriter, r *http.Request, list func(store.Page) ([]T, int, error), entity func(*T) E) {
	p, ok := pageParams(w, r)
	if !ok {
		return
	}
	rows, total, err := list(p.storePage())
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	s.setPageHeaders(w, r, p, total, len(rows))
	out := make([]E, len(rows))
	for i := range rows {
		out[i] = entity(&rows[i])
	}
	writeJSON(w, 200, out)
}
