package doer

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// recordHandler keeps every log record, for assertions.
type recordHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordHandler) logger() *slog.Logger                     { return slog.New(h) }
func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordHandler) WithGroup(string) slog.Handler            { return h }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}

// attrs returns the attributes of every record, in order.
func (h *recordHandler) attrs() []map[string]slog.Value {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]slog.Value
	for _, r := range h.records {
		m := map[string]slog.Value{"msg": slog.StringValue(r.Message)}
		r.Attrs(func(a slog.Attr) bool {
			m[a.Key] = a.Value
			return true
		})
		out = append(out, m)
	}
	return out
}

// waits returns the waits before retries, in order.
func (h *recordHandler) waits() []time.Duration {
	var out []time.Duration
	for _, a := range h.attrs() {
		if w, ok := a["wait"]; ok {
			out = append(out, w.Duration())
		}
	}
	return out
}
