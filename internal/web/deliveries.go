package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/store"
)

// perPage is the delivery log's page size.
const perPage = 20

// statuses are the filter's choices, in GitLab-like order.
var statuses = []string{store.DeliveryPending, store.DeliveryDelivered, store.DeliveryFailed, store.DeliverySkipped}

type deliveryRow struct {
	store.Delivery
	Duration time.Duration
}

type deliveriesData struct {
	Service    *catalog.Service
	Rows       []deliveryRow
	Status     string
	Statuses   []string
	Page       int
	Total      string // "1,234", or "more than 10,000" past the count's cap
	PrevURL    string
	NextURL    string
	Chart      *chart
	Circuit    CircuitState
	Notice     string
	Base       string // the service's settings path
	FirstShown int
	LastShown  int
}

// deliveries is the delivery log of one service: newest first, 20 a page,
// filtered by status.
func (h *Handler) deliveries(w http.ResponseWriter, r *http.Request) {
	pc := projectOf(r)
	svc, ok := h.pathService(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	d := deliveriesData{Service: svc, Statuses: statuses, Notice: notice(r), Base: pc.Path() + "/-/settings/integrations/" + svc.Slug}
	for _, s := range statuses {
		if q.Get("status") == s {
			d.Status = s
		}
	}
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Page = max(d.Page, 1)
	list, total, err := h.st.DeliveryPage(r.Context(), pc.project.ID, svc.Slug, d.Status, (d.Page-1)*perPage, perPage)
	if err != nil {
		h.failed(w, r, pc.viewer, err)
		return
	}
	d.Total = countText(total)
	for _, dl := range list {
		row := deliveryRow{Delivery: dl}
		if dl.Status != store.DeliveryPending {
			row.Duration = dl.UpdatedAt.Sub(dl.CreatedAt)
		}
		d.Rows = append(d.Rows, row)
	}
	if len(list) > 0 {
		d.FirstShown, d.LastShown = (d.Page-1)*perPage+1, (d.Page-1)*perPage+len(list)
	}
	pageURL := func(n int) string {
		v := url.Values{"page": {strconv.Itoa(n)}}
		if d.Status != "" {
			v.Set("status", d.Status)
		}
		return d.Base + "/deliveries?" + v.Encode()
	}
	if d.Page > 1 {
		d.PrevURL = pageURL(d.Page - 1)
	}
	if d.Page*perPage < total || total > store.CountCap && len(list) == perPage {
		d.NextURL = pageURL(d.Page + 1)
	}
	charts, err := h.charts(r.Context(), pc.project.ID)
	if err == nil {
		d.Chart = charts.of(svc.Slug)
		d.Circuit, err = h.circuit(r, pc.project.ID, svc.Slug)
	}
	if err != nil {
		h.failed(w, r, pc.viewer, err)
		return
	}
	h.render(w, r, http.StatusOK, "deliveries", pc.viewer, d)
}

type deliveryData struct {
	Service  *catalog.Service
	Delivery *store.Delivery
	Event    *store.Event
	Payload  string
	Attempts []store.Attempt
	Base     string
	Notice   string
}

// pathDelivery finds the delivery of the path within the project and
// service of the path.
func (h *Handler) pathDelivery(w http.ResponseWriter, r *http.Request) (*store.Delivery, *catalog.Service, bool) {
	pc := projectOf(r)
	svc, ok := h.pathService(w, r)
	if !ok {
		return nil, nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var d *store.Delivery
	if err == nil {
		d, err = h.st.Delivery(r.Context(), id)
	}
	if err == nil && (d.ProjectID != pc.project.ID || d.Service != svc.Slug) {
		err = store.ErrNotFound
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.failed(w, r, pc.viewer, err)
		return nil, nil, false
	}
	if err != nil {
		h.notFound(w, r, pc.viewer)
		return nil, nil, false
	}
	return d, svc, true
}

// showDelivery is one delivery: the event as received and every attempt.
func (h *Handler) showDelivery(w http.ResponseWriter, r *http.Request) {
	pc := projectOf(r)
	d, svc, ok := h.pathDelivery(w, r)
	if !ok {
		return
	}
	data := deliveryData{Service: svc, Delivery: d, Notice: notice(r), Base: pc.Path() + "/-/settings/integrations/" + svc.Slug}
	ev, err := h.st.Event(r.Context(), d.EventID)
	if err == nil {
		data.Event = ev
		var b bytes.Buffer
		if json.Indent(&b, ev.Payload, "", "  ") == nil {
			data.Payload = b.String()
		} else {
			data.Payload = string(ev.Payload)
		}
		data.Attempts, err = h.st.Attempts(r.Context(), d.ID)
	}
	if err != nil {
		h.failed(w, r, pc.viewer, err)
		return
	}
	for i := range data.Attempts {
		if b := data.Attempts[i].ResponseBody; len(b) > maxShownBody {
			data.Attempts[i].ResponseBody = b[:maxShownBody]
		}
	}
	h.render(w, r, http.StatusOK, "delivery", pc.viewer, data)
}

// retryDelivery queues a finished delivery again, with the pipeline's
// Retry (the API's POST .../retry).
func (h *Handler) retryDelivery(w http.ResponseWriter, r *http.Request) {
	pc := projectOf(r)
	d, svc, ok := h.pathDelivery(w, r)
	if !ok {
		return
	}
	if h.opt.Events == nil {
		h.render(w, r, http.StatusServiceUnavailable, "error", pc.viewer, errorPage{Code: 503, Title: "Service Unavailable", Message: "Deliveries are not running on this node."})
		return
	}
	key := "retried"
	if err := h.opt.Events.Retry(r.Context(), d.ID); errors.Is(err, delivery.ErrPending) {
		key = "pending"
	} else if err != nil {
		h.failed(w, r, pc.viewer, err)
		return
	}
	http.Redirect(w, r, pc.Path()+"/-/settings/integrations/"+svc.Slug+"/deliveries/"+strconv.FormatInt(d.ID, 10)+"?notice="+key, http.StatusSeeOther)
}

// countText writes a list's total for the page: counts stop past
// store.CountCap, as the API's X-Total does.
func countText(total int) string {
	if total > store.CountCap {
		return "more than " + thousands(store.CountCap)
	}
	return thousands(total)
}

// thousands writes n with a comma every three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
