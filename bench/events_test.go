package bench

//lint:file-ignore SA1019 the Events API is deprecated upstream; it is the one with a 300-event page to compare.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	jsoniter "github.com/json-iterator/go"
	official "github.com/mailgun/mailgun-go/v4"
	"github.com/mailgun/mailgun-go/v4/events"
	"github.com/mgkit/mailgun"
)

// sdkEventsPage decodes a page with encoding/json and Event.UnmarshalJSON,
// as a user decoding stored pages would. EventsService decodes its pages in
// one pass instead (see BenchmarkFetchEvents).
type sdkEventsPage struct {
	Items  []mailgun.Event `json:"items"`
	Paging struct {
		Next string `json:"next"`
	} `json:"paging"`
}

// officialParse is what the official EventIterator does with a page body:
// jsoniter into events.Response, then ParseEvents on the raw items.
func officialParse(body []byte) ([]official.Event, error) {
	var resp events.Response
	if err := jsoniter.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	return official.ParseEvents(resp.Items)
}

func checkEvents(n int, first, last string) error {
	if n != EventsPageSize || !strings.HasPrefix(first, "bench-000000-") || !strings.HasPrefix(last, "bench-000299-") {
		return fmt.Errorf("decoded %d events, first %q, last %q", n, first, last)
	}
	return nil
}

// BenchmarkDecodeEvents decodes a 300-event page from memory: the decoder
// alone, without HTTP, so that the difference between the decoders is not
// diluted by the request (see BenchmarkFetchEvents for both).
func BenchmarkDecodeEvents(b *testing.B) {
	e := getEnv(b)
	body := e.srv.eventsPage
	b.Run("client=baseline", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		loop(b, func() error {
			var p BaselineEventsPage
			if err := json.Unmarshal(body, &p); err != nil {
				return err
			}
			return checkEvents(len(p.Items), p.Items[0].ID, p.Items[len(p.Items)-1].ID)
		})
	})
	b.Run("client=sdk", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		loop(b, func() error {
			var p sdkEventsPage
			if err := json.Unmarshal(body, &p); err != nil {
				return err
			}
			return checkEvents(len(p.Items), p.Items[0].ID, p.Items[len(p.Items)-1].ID)
		})
	})
	b.Run("client=official", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		loop(b, func() error {
			evs, err := officialParse(body)
			if err != nil {
				return err
			}
			return checkEvents(len(evs), evs[0].GetID(), evs[len(evs)-1].GetID())
		})
	})
}

// BenchmarkFetchEvents fetches and decodes one 300-event page: what a
// caller of each client pays per page.
func BenchmarkFetchEvents(b *testing.B) {
	e := getEnv(b)
	b.Run("client=baseline", func(b *testing.B) {
		b.SetBytes(int64(len(e.srv.eventsPage)))
		loop(b, func() error {
			items, err := e.baseline.EventsPage(bg, Domain, EventsPageSize)
			if err != nil {
				return err
			}
			return checkEvents(len(items), items[0].ID, items[len(items)-1].ID)
		})
	})
	b.Run("client=sdk", func(b *testing.B) {
		b.SetBytes(int64(len(e.srv.eventsPage)))
		loop(b, func() error {
			p, err := e.sdk.Events.ListPage(bg, Domain, &mailgun.EventsQuery{Limit: EventsPageSize})
			if err != nil {
				return err
			}
			return checkEvents(len(p.Items), p.Items[0].ID, p.Items[len(p.Items)-1].ID)
		})
	})
	b.Run("client=official", func(b *testing.B) {
		b.SetBytes(int64(len(e.srv.eventsPage)))
		loop(b, func() error {
			it := e.official.ListEvents(&official.ListEventOptions{Limit: EventsPageSize})
			var evs []official.Event
			if !it.Next(bg, &evs) {
				return fmt.Errorf("no page: %v", it.Err())
			}
			return checkEvents(len(evs), evs[0].GetID(), evs[len(evs)-1].GetID())
		})
	})
}
