package bench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	official "github.com/mailgun/mailgun-go/v4"
	"github.com/mgkit/mailgun"
)

// The small text message of BenchmarkSend.
const (
	sendFrom    = "Excited User <mailgun@bench.example.com>"
	sendTo      = "alice@example.org"
	sendSubject = "Hello"
	sendText    = "Testing some Mailgun awesomeness!"
)

func checkID(id string) error {
	if id != SendID {
		return fmt.Errorf("send answered id %q", id)
	}
	return nil
}

// BenchmarkSend sends a small text message (from, to, subject, text) and
// decodes the answer's id. The floor builds a multipart body with
// mime/multipart; this SDK sends a form (there is no file) with a
// generated Message-Id; the official SDK sends multipart.
func BenchmarkSend(b *testing.B) {
	e := getEnv(b)
	clients := []struct {
		name string
		send func() error
	}{
		{"baseline", func() error {
			id, err := e.baseline.SendMessage(bg, Domain, sendFrom, sendTo, sendSubject, sendText)
			if err != nil {
				return err
			}
			return checkID(id)
		}},
		{"sdk", func() error {
			res, err := e.sdk.Messages.Send(bg, Domain, &mailgun.Message{From: sendFrom, To: []string{sendTo}, Subject: sendSubject, Text: sendText})
			if err != nil {
				return err
			}
			return checkID(res.ID)
		}},
		{"official", func() error {
			_, id, err := e.official.Send(bg, official.NewMessage(sendFrom, sendSubject, sendText, sendTo))
			if err != nil {
				return err
			}
			return checkID(id)
		}},
	}
	// Warm the process first (heap, GC pacing, connections), so that the
	// first client measured does not pay for a cold start.
	for range 500 {
		for _, c := range clients {
			if err := c.send(); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, c := range clients {
		b.Run("client="+c.name, func(b *testing.B) { loop(b, c.send) })
	}
}

// attachmentSizes are the files of BenchmarkSendAttachment; the peak live
// heap of the larger send is compared with that of the smaller one.
var attachmentSizes = []struct {
	name string
	size int
}{{"1KiB", 1 << 10}, {"20MiB", 20 << 20}}

// writeAttachment writes a file of size bytes under dir.
func writeAttachment(b *testing.B, dir string, size int) string {
	b.Helper()
	path := filepath.Join(dir, fmt.Sprintf("attachment-%d.bin", size))
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	for left := size; left > 0; left -= len(chunk) {
		if _, err := f.Write(chunk[:min(left, len(chunk))]); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkSendAttachment sends a text message with one attachment read
// from a file, and reports the peak live heap (peak-live-B) of untimed
// sends made while the GC runs often. This SDK streams the file into the
// request (mailgun.FileAttachment); the official SDK (AddAttachment)
// reads it into its body buffer first. There is no floor.
func BenchmarkSendAttachment(b *testing.B) {
	e := getEnv(b)
	dir := b.TempDir()
	for _, s := range attachmentSizes {
		path := writeAttachment(b, dir, s.size)
		b.Run("size="+s.name, func(b *testing.B) {
			b.Run("client=sdk", func(b *testing.B) {
				sendHeap(b, s.size, func() error {
					res, err := e.sdk.Messages.Send(bg, Domain, &mailgun.Message{
						From: sendFrom, To: []string{sendTo}, Subject: sendSubject, Text: sendText,
						Attachments: []mailgun.Attachment{mailgun.FileAttachment(path)},
					})
					if err != nil {
						return err
					}
					return checkID(res.ID)
				})
			})
			b.Run("client=official", func(b *testing.B) {
				sendHeap(b, s.size, func() error {
					m := official.NewMessage(sendFrom, sendSubject, sendText, sendTo)
					m.AddAttachment(path)
					_, id, err := e.official.Send(bg, m)
					if err != nil {
						return err
					}
					return checkID(id)
				})
			})
		})
	}
}

// heapSendTime is how long the heap-measuring sends run (at least two
// sends), while a collection is forced every heapGCEvery: streaming
// allocates too little for the GC to run by itself, and each forced cycle
// records the live heap in the middle of a transfer.
const (
	heapSendTime = 100 * time.Millisecond
	heapGCEvery  = 500 * time.Microsecond
)

// sendHeap times send, then measures the peak live heap of more sends
// outside the timed loop.
func sendHeap(b *testing.B, size int, send func() error) {
	b.Helper()
	getEnv(b).hc.CloseIdleConnections()
	b.SetBytes(int64(size))
	loop(b, send)

	runtime.GC()
	sampler := StartHeapSampler(100 * time.Microsecond)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(heapGCEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.GC()
			}
		}
	}()
	start := time.Now()
	for n := 0; n < 2 || time.Since(start) < heapSendTime; n++ {
		if err := send(); err != nil {
			b.Fatal(err)
		}
	}
	close(stop)
	<-done
	peak, cycles := sampler.Stop()
	b.ReportMetric(float64(peak), "peak-live-B")
	b.ReportMetric(float64(cycles), "gc-cycles")
}
