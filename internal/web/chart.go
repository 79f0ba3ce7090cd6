package web

import (
	"context"
	"fmt"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// Chart geometry: 24 hourly bars.
const (
	chartHours  = 24
	chartWidth  = 240
	chartHeight = 40
	barWidth    = chartWidth / chartHours
)

// chart is a service's last 24 hours of deliveries, drawn as SVG on the
// server: one bar an hour, delivered (green) under failed (red).
type chart struct {
	Bars              []bar
	Delivered, Failed int
	Width, Height     int
	Label             string
}

type bar struct {
	X, DeliveredY, DeliveredH, FailedY, FailedH int
	Title                                       string
}

// projectCharts are the charts of a project's services.
type projectCharts map[string]*chart

func (c projectCharts) of(slug string) *chart {
	if ch := c[slug]; ch != nil {
		return ch
	}
	return buildChart(nil, time.Time{})
}

// charts reads the last 24 hours of a project's deliveries in one query.
func (h *Handler) charts(ctx context.Context, projectID int64) (projectCharts, error) {
	since := h.opt.Now().Truncate(time.Hour).Add(-(chartHours - 1) * time.Hour)
	buckets, err := h.st.DeliveryHistogram(ctx, projectID, since, time.Hour)
	if err != nil {
		return nil, err
	}
	bySlug := map[string][]store.DeliveryBucket{}
	for _, b := range buckets {
		bySlug[b.Service] = append(bySlug[b.Service], b)
	}
	out := projectCharts{}
	for slug, bs := range bySlug {
		out[slug] = buildChart(bs, since)
	}
	return out, nil
}

func buildChart(buckets []store.DeliveryBucket, since time.Time) *chart {
	var delivered, failed [chartHours]int
	for _, b := range buckets {
		if b.Bucket < 0 || b.Bucket >= chartHours {
			continue
		}
		switch b.Status {
		case store.DeliveryDelivered:
			delivered[b.Bucket] += b.Count
		case store.DeliveryFailed:
			failed[b.Bucket] += b.Count
		}
	}
	top := 1
	c := &chart{Width: chartWidth, Height: chartHeight}
	for i := range chartHours {
		top = max(top, delivered[i]+failed[i])
		c.Delivered += delivered[i]
		c.Failed += failed[i]
	}
	for i := range chartHours {
		dh := delivered[i] * chartHeight / top
		fh := failed[i] * chartHeight / top
		if delivered[i] > 0 && dh == 0 {
			dh = 1
		}
		if failed[i] > 0 && fh == 0 {
			fh = 1
		}
		title := fmt.Sprintf("%d delivered, %d failed", delivered[i], failed[i])
		if !since.IsZero() {
			title = since.Add(time.Duration(i)*time.Hour).UTC().Format("15:04 UTC") + ": " + title
		}
		c.Bars = append(c.Bars, bar{X: i * barWidth, DeliveredY: chartHeight - dh, DeliveredH: dh, FailedY: chartHeight - dh - fh, FailedH: fh, Title: title})
	}
	c.Label = fmt.Sprintf("Last 24 hours: %d delivered, %d failed", c.Delivered, c.Failed)
	return c
}
