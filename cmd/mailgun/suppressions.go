package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/timefmt"
)

// suppressionList is what the export, import and delete commands need to
// know about one list: its columns, how to walk it, how to add a batch of
// records, and how to delete one entry.
type suppressionList struct {
	name   string   // "bounces"
	header []string // CSV columns of an export, in order; import reads the same
	keys   []string // the columns an import file needs one of
	// walk yields the list's entries as CSV rows and as values for JSON.
	walk func(ctx context.Context, c *mailgun.Client, domain string) iter.Seq2[entry, error]
	// importRecords adds the records that next yields, reporting each
	// stored batch to progress; it returns how many were stored (for an
	// async list, uploaded).
	importRecords func(ctx context.Context, e *env, c *mailgun.Client, domain string, next func() (record, error)) (int, error)
	remove        func(ctx context.Context, c *mailgun.Client, domain, address string) error
	// async marks a list whose import the API processes after answering.
	async bool
}

// entry is one exported item: its CSV row and the value JSON lines encode.
type entry struct {
	row   []string
	value any
}

// suppressionGroup is the command group of one list: export, import, delete.
func suppressionGroup(name string, l *suppressionList) *Command {
	var format string
	formatFlag := func(fs *flag.FlagSet, _ *env) {
		fs.StringVar(&format, "format", "", "csv or jsonl (default: csv, or from the file's extension on import)")
	}
	return &Command{
		Name:  name,
		Short: "export, import or delete a domain's " + name,
		Long:  "Export, import and delete the " + name + " of a domain.",
		Commands: []*Command{
			{
				Name:      "export",
				UsageLine: name + " export DOMAIN [--format csv|jsonl]",
				Short:     "write every entry to stdout as CSV or JSON lines",
				Long: "Export writes the domain's " + name + " to stdout as they are fetched, one page at a time,\n" +
					"as CSV with a header row (" + strings.Join(l.header, ",") + ") or as JSON lines.\n" +
					"The CSV is what import reads back. Ctrl-C stops after the page in flight.",
				Flags: formatFlag,
				Run: func(ctx context.Context, e *env, args []string) error {
					domain, err := oneArg(args, "DOMAIN")
					if err != nil {
						return err
					}
					return exportList(ctx, e, l, domain, format)
				},
			},
			{
				Name:      "import",
				UsageLine: name + " import DOMAIN FILE [--format csv|jsonl]",
				Short:     "add every entry of a CSV or JSON lines file (- for stdin)",
				Long: "Import reads FILE (or stdin for -) as it goes and adds its entries in batches the API\n" +
					"accepts. CSV needs a header row naming the columns (" + strings.Join(l.header, ",") + "; only\n" +
					strings.Join(l.keys, " or ") + " is required); JSON lines use the same names. Ctrl-C stops\n" +
					"after the batch in flight.",
				Flags: formatFlag,
				Run: func(ctx context.Context, e *env, args []string) error {
					if len(args) != 2 {
						return usagef("want DOMAIN and FILE")
					}
					return importList(ctx, e, l, args[0], args[1], format)
				},
			},
			{
				Name:      "delete",
				UsageLine: name + " delete DOMAIN ADDRESS",
				Short:     "remove one entry",
				Long:      "Delete removes ADDRESS from the domain's " + name + ".",
				Run: func(ctx context.Context, e *env, args []string) error {
					if len(args) != 2 {
						return usagef("want DOMAIN and ADDRESS")
					}
					c, err := e.client()
					if err != nil {
						return err
					}
					if err := l.remove(ctx, c, args[0], args[1]); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "deleted %s from the %s of %s\n", args[1], name, args[0])
					return nil
				},
			},
		},
	}
}

func oneArg(args []string, name string) (string, error) {
	if len(args) != 1 {
		return "", usagef("want %s", name)
	}
	return args[0], nil
}

func checkFormat(format string) error {
	if format != "" && format != "csv" && format != "jsonl" {
		return usagef("--format %q is not csv or jsonl", format)
	}
	return nil
}

func exportList(ctx context.Context, e *env, l *suppressionList, domain, format string) error {
	if err := checkFormat(format); err != nil {
		return err
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	out := bufio.NewWriter(e.stdout)
	var w func(entry) error
	if format == "jsonl" {
		enc := json.NewEncoder(out)
		w = func(en entry) error {
			if err := enc.Encode(en.value); err != nil {
				return err
			}
			return out.Flush()
		}
	} else {
		cw := csv.NewWriter(out)
		if err := cw.Write(l.header); err != nil {
			return err
		}
		w = func(en entry) error { cw.Write(en.row); cw.Flush(); return cw.Error() }
	}
	n := 0
	for en, err := range l.walk(ctx, c, domain) {
		if err != nil {
			_ = out.Flush()
			return fmt.Errorf("after %d %s: %w", n, l.name, err)
		}
		if err := w(en); err != nil {
			return err
		}
		n++
		e.progress.add(l.name+" exported", 1)
		if e.stopped() {
			// Finish cleanly at an item boundary: the rest of the page
			// is dropped and no further page is fetched.
			_ = out.Flush()
			return fmt.Errorf("%w after %d %s", errInterrupted, n, l.name)
		}
	}
	return out.Flush()
}

func importList(ctx context.Context, e *env, l *suppressionList, domain, file, format string) error {
	if err := checkFormat(format); err != nil {
		return err
	}
	var in io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
		if format == "" && strings.HasSuffix(strings.ToLower(file), ".jsonl") {
			format = "jsonl"
		}
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	next := recordReader(bufio.NewReader(in), format, l.keys...)
	if file == "-" {
		// stdin may wait for input for ever: Ctrl-C must not wait for it.
		var stop func()
		next, stop = interruptible(e.stop, next)
		defer stop()
	}
	n, err := l.importRecords(ctx, e, c, domain, next)
	switch {
	case err != nil && n > 0:
		return fmt.Errorf("after %d %s stored: %w", n, l.name, err)
	case err != nil:
		return err
	case l.async:
		fmt.Fprintf(e.stdout, "uploaded %d %s entries to %s; Mailgun adds them shortly\n", n, l.name, domain)
	default:
		fmt.Fprintf(e.stdout, "imported %d %s into %s\n", n, l.name, domain)
	}
	return nil
}

// record is one entry of an import file: its columns by name. A JSON
// array (unsubscribe tags) keeps its elements.
type record struct {
	fields map[string]string
	lists  map[string][]string
}

func (r record) get(column string) string { return r.fields[column] }

// list returns a list column: a JSON array as it is, or a CSV cell split
// on commas (so a tag may hold spaces, but in CSV no comma).
func (r record) list(column string) []string {
	if l, ok := r.lists[column]; ok {
		return l
	}
	var out []string
	for _, v := range strings.Split(r.fields[column], ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// recordReader returns a function that yields the file's records one at a
// time and io.EOF at the end. CSV needs a header row that names one of the
// key columns; it is read with the first record.
func recordReader(r io.Reader, format string, keys ...string) func() (record, error) {
	if format == "jsonl" {
		dec := json.NewDecoder(r)
		line := 0
		return func() (record, error) {
			line++
			var raw map[string]any
			if err := dec.Decode(&raw); err != nil {
				if errors.Is(err, io.EOF) {
					return record{}, io.EOF
				}
				return record{}, fmt.Errorf("record %d: %w", line, err)
			}
			rec := record{fields: make(map[string]string, len(raw)), lists: map[string][]string{}}
			for k, v := range raw {
				switch v := v.(type) {
				case string:
					rec.fields[k] = v
				case nil:
				case []any:
					for _, p := range v {
						rec.lists[k] = append(rec.lists[k], fmt.Sprint(p))
					}
				default:
					rec.fields[k] = fmt.Sprint(v)
				}
			}
			return rec, nil
		}
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var header []string
	return func() (record, error) {
		if header == nil {
			h, err := cr.Read()
			if err != nil {
				return record{}, fmt.Errorf("reading the CSV header: %w", err)
			}
			for i := range h {
				h[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h[i], "\ufeff")))
			}
			if !slices.ContainsFunc(keys, func(k string) bool { return slices.Contains(h, k) }) {
				return record{}, fmt.Errorf("the CSV header %q has no %s column", strings.Join(h, ","), strings.Join(keys, " or "))
			}
			header = h
		}
		row, err := cr.Read()
		if err != nil {
			return record{}, err
		}
		rec := record{fields: make(map[string]string, len(header))}
		for i, v := range row {
			if i < len(header) {
				rec.fields[header[i]] = strings.TrimSpace(v)
			}
		}
		return rec, nil
	}
}

// interruptible reads next on a goroutine of its own, so that a read
// waiting for input (stdin) ends at once, with errInterrupted, when stop
// ends. The returned function ends the reading: a read waiting for a record
// returns an error, and the goroutine goes once its read returns.
func interruptible(stop context.Context, next func() (record, error)) (func() (record, error), func()) {
	type result struct {
		rec record
		err error
	}
	results, done := make(chan result), make(chan struct{})
	go func() {
		for {
			rec, err := next()
			select {
			case results <- result{rec, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return func() (record, error) {
		select {
		case r := <-results:
			return r.rec, r.err
		case <-stop.Done():
			return record{}, errInterrupted
		case <-done:
			return record{}, errors.New("import ended")
		}
	}, func() { close(done) }
}

// addInBatches reads records, converts each with conv and sends them size
// at a time with add, so memory holds one batch however long the file. It
// stops after the batch in flight when the user asks to stop; a read that
// was interrupted (stdin) stores what it had read first.
func addInBatches[In any](ctx context.Context, e *env, name string, size int, next func() (record, error),
	conv func(record) (In, error), add func(context.Context, []In) error) (int, error) {
	stored, line := 0, 0
	batch := make([]In, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := add(ctx, batch); err != nil {
			return err
		}
		stored += len(batch)
		e.progress.add(name+" imported", len(batch))
		batch = batch[:0]
		return nil
	}
	for {
		rec, err := next()
		switch {
		case errors.Is(err, io.EOF):
			return stored, flush()
		case errors.Is(err, errInterrupted):
			if err := flush(); err != nil {
				return stored, err
			}
			return stored, errInterrupted
		case err != nil:
			return stored, err
		}
		line++
		in, err := conv(rec)
		if err != nil {
			return stored, fmt.Errorf("record %d: %w", line, err)
		}
		batch = append(batch, in)
		if len(batch) == size {
			if err := flush(); err != nil {
				return stored, err
			}
			if e.stopped() {
				return stored, errInterrupted
			}
		}
	}
}

// parseTime reads a created_at column: RFC 3339 or RFC 2822 ("" is zero).
func parseTime(v string) (time.Time, error) {
	t, err := timefmt.Parse(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("created_at %q is not an RFC 3339 or RFC 2822 time", v)
	}
	return t, nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// entries turns a list walk into export entries.
func entries[T any](seq iter.Seq2[T, error], row func(T) []string) iter.Seq2[entry, error] {
	return func(yield func(entry, error) bool) {
		for v, err := range seq {
			if err != nil {
				yield(entry{}, err)
				return
			}
			if !yield(entry{row: row(v), value: v}, nil) {
				return
			}
		}
	}
}

// batchedService is what a list with a JSON batch add offers (bounces,
// unsubscribes, complaints).
type batchedService[T, In any] interface {
	List(ctx context.Context, domain string, opts *mailgun.ListOptions) iter.Seq2[T, error]
	AddMany(ctx context.Context, domain string, records []In) error
	Delete(ctx context.Context, domain, address string) error
}

// batchedList describes a list whose import sends batches of size records
// with AddMany; row writes an entry's CSV columns (header), conv reads a
// record of an import file.
func batchedList[T, In any](name string, header []string, size int, svc func(*mailgun.Client) batchedService[T, In],
	row func(T) []string, conv func(record) (In, error)) *suppressionList {
	return &suppressionList{
		name:   name,
		header: header,
		keys:   []string{"address"},
		walk: func(ctx context.Context, c *mailgun.Client, domain string) iter.Seq2[entry, error] {
			return entries(svc(c).List(ctx, domain, &mailgun.ListOptions{Limit: 1000}), row)
		},
		importRecords: func(ctx context.Context, e *env, c *mailgun.Client, domain string, next func() (record, error)) (int, error) {
			add := func(ctx context.Context, batch []In) error { return svc(c).AddMany(ctx, domain, batch) }
			return addInBatches(ctx, e, name, size, next, conv, add)
		},
		remove: func(ctx context.Context, c *mailgun.Client, domain, address string) error {
			return svc(c).Delete(ctx, domain, address)
		},
	}
}

var bouncesList = batchedList("bounces", []string{"address", "code", "error", "created_at"}, mailgun.BounceBatchSize,
	func(c *mailgun.Client) batchedService[mailgun.Bounce, mailgun.BounceInput] { return c.Bounces },
	func(b mailgun.Bounce) []string { return []string{b.Address, b.Code, b.Error, formatTime(b.CreatedAt)} },
	func(r record) (mailgun.BounceInput, error) {
		t, err := parseTime(r.get("created_at"))
		return mailgun.BounceInput{Address: r.get("address"), Code: r.get("code"), Error: r.get("error"), CreatedAt: t}, err
	})

var unsubscribesList = batchedList("unsubscribes", []string{"address", "tags", "created_at"}, mailgun.UnsubscribeBatchSize,
	func(c *mailgun.Client) batchedService[mailgun.Unsubscribe, mailgun.UnsubscribeInput] {
		return c.Unsubscribes
	},
	func(u mailgun.Unsubscribe) []string {
		return []string{u.Address, strings.Join(u.Tags, ","), formatTime(u.CreatedAt)}
	},
	func(r record) (mailgun.UnsubscribeInput, error) {
		t, err := parseTime(r.get("created_at"))
		return mailgun.UnsubscribeInput{Address: r.get("address"), Tags: r.list("tags"), CreatedAt: t}, err
	})

var complaintsList = batchedList("complaints", []string{"address", "created_at"}, mailgun.ComplaintBatchSize,
	func(c *mailgun.Client) batchedService[mailgun.Complaint, mailgun.ComplaintInput] { return c.Complaints },
	func(x mailgun.Complaint) []string { return []string{x.Address, formatTime(x.CreatedAt)} },
	func(r record) (mailgun.ComplaintInput, error) {
		t, err := parseTime(r.get("created_at"))
		return mailgun.ComplaintInput{Address: r.get("address"), CreatedAt: t}, err
	})

// allowlistRow turns an import record into the API's "address,domain" row.
func allowlistRow(r record) []string {
	v := r.get("value")
	switch {
	case v == "":
		return []string{r.get("address"), r.get("domain")}
	case r.get("type") == string(mailgun.AllowlistDomain) || (r.get("type") == "" && !strings.Contains(v, "@")):
		return []string{"", v}
	default:
		return []string{v, ""}
	}
}

var allowlistList = &suppressionList{
	name:   "allowlist",
	header: []string{"value", "type", "reason", "created_at"},
	keys:   []string{"value", "address", "domain"},
	walk: func(ctx context.Context, c *mailgun.Client, domain string) iter.Seq2[entry, error] {
		return entries(c.Allowlist.List(ctx, domain, &mailgun.ListOptions{Limit: 1000}), func(a mailgun.AllowlistEntry) []string {
			return []string{a.Value, string(a.Type), a.Reason, formatTime(a.CreatedAt)}
		})
	},
	// The allowlist has no batch add: the records are converted to the
	// API's "address,domain" CSV as they are read and streamed to its
	// import endpoint in one upload, which the API processes later.
	async: true,
	importRecords: func(ctx context.Context, e *env, c *mailgun.Client, domain string, next func() (record, error)) (int, error) {
		pr, pw := io.Pipe()
		var rows atomic.Int64
		done := make(chan struct{})
		go func() {
			defer close(done)
			cw := csv.NewWriter(pw)
			err := cw.Write([]string{"address", "domain"})
			for err == nil {
				var rec record
				if rec, err = next(); err != nil {
					break
				}
				if err = cw.Write(allowlistRow(rec)); err == nil {
					rows.Add(1)
					e.progress.add("allowlist entries read", 1)
				}
			}
			if errors.Is(err, io.EOF) {
				cw.Flush()
				err = cw.Error()
			}
			pw.CloseWithError(err) // nil: the end of the upload
		}()
		err := c.Allowlist.Import(ctx, domain, pr)
		// A failed upload stops the reader at its next write; it is not
		// waited for, as it may be waiting for input (stdin).
		_ = pr.CloseWithError(errors.New("upload ended"))
		if err != nil {
			return 0, err
		}
		<-done
		return int(rows.Load()), nil
	},
	remove: func(ctx context.Context, c *mailgun.Client, domain, value string) error {
		return c.Allowlist.Delete(ctx, domain, value)
	},
}
