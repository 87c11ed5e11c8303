// Command ratios reads the output of the benchmarks in this module (go test
// -bench, any -count) and writes, as Markdown, the median of every figure,
// its ratio to the floor of its benchmark, and whether each target of the
// benchmark plan is met.
//
//	go test -run '^$' -bench . -benchmem -count 10 ./... > raw.txt
//	go run ./cmd/ratios raw.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchmath"
)

// result is every run of one benchmark: unit → values.
type result map[string][]float64

// median returns the median of unit, or 0 and false when there is none.
func (r result) median(unit string) (float64, bool) {
	v := slices.Clone(r[unit])
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2], true
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2, true
}

// max returns the largest value of unit.
func (r result) max(unit string) (float64, bool) {
	if len(r[unit]) == 0 {
		return 0, false
	}
	return slices.Max(r[unit]), true
}

type data struct {
	order   []string // groups in order of first appearance
	clients map[string][]string
	byName  map[string]result // group + "/" + client
	header  []string
}

var procSuffix = regexp.MustCompile(`-\d+$`)

func parse(in io.Reader) (*data, error) {
	d := &data{clients: map[string][]string{}, byName: map[string]result{}}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, p := range []string{"goos:", "goarch:", "cpu:"} {
			if strings.HasPrefix(line, p) && !slices.Contains(d.header, line) {
				d.header = append(d.header, line)
			}
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		group, client, ok := strings.Cut(name, "/client=")
		if !ok {
			continue
		}
		key := group + "/" + client
		r, seen := d.byName[key]
		if !seen {
			r = result{}
			d.byName[key] = r
			if _, known := d.clients[group]; !known {
				d.order = append(d.order, group)
			}
			d.clients[group] = append(d.clients[group], client)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: value %q: %v", f[0], f[i], err)
			}
			r[f[i+1]] = append(r[f[i+1]], v)
		}
	}
	return d, sc.Err()
}

func (d *data) get(group, client string) result { return d.byName[group+"/"+client] }

func floorOf(clients []string) string {
	for _, c := range []string{"baseline", "hmac"} {
		if slices.Contains(clients, c) {
			return c
		}
	}
	return clients[0]
}

// extraUnits are the custom metrics shown in the table, in this order.
var extraUnits = []string{"MB/s", "bounces/s", "peak-live-B", "gc-cycles", "sdk-lock-stacks", "sdk-pool-stacks", "sdk-frame-stacks", "contentions/op", "mutex-wait-ns/op"}

func num(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

func (d *data) table(w io.Writer) {
	fmt.Fprintln(w, "| benchmark | client | ns/op | × floor | allocs/op | Δ allocs | B/op | other (median) |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---|")
	for _, g := range d.order {
		floor := d.get(g, floorOf(d.clients[g]))
		fns, _ := floor.median("ns/op")
		fallocs, _ := floor.median("allocs/op")
		for _, c := range d.clients[g] {
			r := d.get(g, c)
			ns, _ := r.median("ns/op")
			allocs, _ := r.median("allocs/op")
			bytes, _ := r.median("B/op")
			var extra []string
			for _, u := range extraUnits {
				agg := r.median
				if strings.HasSuffix(u, "-stacks") {
					agg = r.max // any run with one counts
				}
				if v, ok := agg(u); ok {
					extra = append(extra, num(v)+" "+u)
				}
			}
			fmt.Fprintf(w, "| %s | %s | %s | %.2f× | %s | %+.0f | %s | %s |\n",
				g, c, num(ns), ns/fns, num(allocs), allocs-fallocs, num(bytes), strings.Join(extra, ", "))
		}
	}
}

type check struct {
	target, measured string
	ok, known        bool
}

func (d *data) med(group, client, unit string) (float64, bool) {
	r := d.get(group, client)
	if r == nil {
		return 0, false
	}
	return r.median(unit)
}

func (d *data) checks() []check {
	var cs []check
	add := func(target string, ok bool, known bool, format string, args ...any) {
		cs = append(cs, check{target: target, measured: fmt.Sprintf(format, args...), ok: ok, known: known})
	}

	// 1. Get one bounce.
	bns, ok1 := d.med("GetBounce", "baseline", "ns/op")
	sns, ok2 := d.med("GetBounce", "sdk", "ns/op")
	ons, ok3 := d.med("GetBounce", "official", "ns/op")
	ba, _ := d.med("GetBounce", "baseline", "allocs/op")
	sa, _ := d.med("GetBounce", "sdk", "allocs/op")
	oa, _ := d.med("GetBounce", "official", "allocs/op")
	known := ok1 && ok2 && ok3
	add("1. GetBounce: SDK ≤ 1.10× floor ns/op", sns <= 1.10*bns, known, "%.2f×", sns/bns)
	add("1. GetBounce: SDK ≤ floor + 12 allocs/op", sa <= ba+12, known, "%+.0f allocs (%.0f vs %.0f)", sa-ba, sa, ba)
	add("1. GetBounce: SDK faster than official", sns < ons, known, "%.2f× official", sns/ons)
	add("1. GetBounce: SDK fewer allocs than official", sa < oa, known, "%.0f vs %.0f", sa, oa)

	// 2. Walk 100,000 bounces.
	big, small := "WalkBounces/n=100000", "WalkBounces/n=10000"
	st, ok1 := d.med(big, "sdk", "bounces/s")
	ot, ok2 := d.med(big, "official", "bounces/s")
	add("2. Walk 100,000: SDK throughput ≥ official", st >= ot, ok1 && ok2, "%.0f vs %.0f bounces/s (%.2f×)", st, ot, st/ot)
	for _, c := range d.clients[big] {
		pb, ok1 := d.med(big, c, "peak-live-B")
		ps, ok2 := d.med(small, c, "peak-live-B")
		target := "2. Walk: peak live heap 100,000 ≤ 1.10× 10,000 (" + c + ")"
		if c != "sdk" {
			target += " [reference]"
		}
		add(target, pb <= 1.10*ps, ok1 && ok2, "%.0f vs %.0f B (%.2f×)", pb, ps, pb/ps)
	}

	// 3. Decode a 300-event page.
	for _, g := range []string{"DecodeEvents", "FetchEvents"} {
		sns, ok1 := d.med(g, "sdk", "ns/op")
		ons, ok2 := d.med(g, "official", "ns/op")
		sa, _ := d.med(g, "sdk", "allocs/op")
		oa, _ := d.med(g, "official", "allocs/op")
		add("3. "+g+": SDK at least as fast as official", sns <= ons, ok1 && ok2, "%.2f× official (allocs %.0f vs %.0f)", sns/ons, sa, oa)
	}

	// 4. Verify an alert X-Sign.
	var allocs, bytes []float64
	for _, size := range []string{"1KiB", "64KiB"} {
		g := "VerifyAlertSignature/body=" + size
		s, ok1 := d.med(g, "sdk", "MB/s")
		h, ok2 := d.med(g, "hmac", "MB/s")
		add("4. Verify "+size+": SDK ≥ 0.95× bare hmac throughput", s >= 0.95*h, ok1 && ok2, "%.2f× (%.0f vs %.0f MB/s)", s/h, s, h)
		if r, ok := d.med(g, "hmac-reuse", "MB/s"); ok {
			add("4. Verify "+size+": SDK vs a reused MAC [reference]", s >= 0.95*r, ok1, "%.2f× (%.0f vs %.0f MB/s)", s/r, s, r)
		}
		a, _ := d.med(g, "sdk", "allocs/op")
		b, _ := d.med(g, "sdk", "B/op")
		allocs, bytes = append(allocs, a), append(bytes, b)
	}
	if len(allocs) == 2 {
		add("4. Verify: no allocation that grows with the body", allocs[0] == allocs[1] && bytes[0] == bytes[1], true,
			"%.0f allocs / %.0f B at 1 KiB, %.0f / %.0f at 64 KiB", allocs[0], bytes[0], allocs[1], bytes[1])
	}

	// 5. 64 goroutines.
	if r := d.get("ParallelGetBounce", "sdk"); r != nil {
		locks, ok := r.max("sdk-lock-stacks")
		add("5. 64 goroutines: no SDK lock in the mutex profile", locks == 0, ok, "%.0f contended SDK lock stacks (max over runs)", locks)
	}

	// 6. Retry overhead.
	dns, ok1 := d.med("RetryOverhead", "sdk-default", "ns/op")
	nns, ok2 := d.med("RetryOverhead", "sdk-noretry", "ns/op")
	da, _ := d.med("RetryOverhead", "sdk-default", "allocs/op")
	na, _ := d.med("RetryOverhead", "sdk-noretry", "allocs/op")
	// "Within noise": benchstat's test (Mann-Whitney U) finds no
	// difference at α = 0.05, or the medians are within 5 %.
	p := samePolicyP(d.get("RetryOverhead", "sdk-default")["ns/op"], d.get("RetryOverhead", "sdk-noretry")["ns/op"])
	add("6. Retry policy costs nothing on success (no significant difference or ≤ 1.05×, same allocs)",
		(p >= 0.05 || dns <= 1.05*nns) && da == na, ok1 && ok2,
		"%.3f× ns/op (p=%.2f), allocs %.0f vs %.0f", dns/nns, p, da, na)

	// 7. Send a small text message.
	bns, ok1 = d.med("Send", "baseline", "ns/op")
	sns, ok2 = d.med("Send", "sdk", "ns/op")
	ons, ok3 = d.med("Send", "official", "ns/op")
	add("7. Send: SDK ≤ 1.10× floor ns/op", sns <= 1.10*bns, ok1 && ok2, "%.2f×", sns/bns)
	add("7. Send: SDK faster than official", sns < ons, ok2 && ok3, "%.2f× official", sns/ons)

	// 8. Send a 20 MiB attachment from a file.
	for _, c := range d.clients["SendAttachment/size=20MiB"] {
		big, ok1 := d.med("SendAttachment/size=20MiB", c, "peak-live-B")
		small, ok2 := d.med("SendAttachment/size=1KiB", c, "peak-live-B")
		target := "8. 20 MiB attachment: peak live heap ≤ 1 KiB send's + 1 MiB (" + c + ")"
		if c != "sdk" {
			target += " [reference]"
		}
		add(target, big <= small+1<<20, ok1 && ok2, "%.2f vs %.2f MiB (%+.2f MiB)", big/(1<<20), small/(1<<20), (big-small)/(1<<20))
	}
	return cs
}

func main() {
	in := io.Reader(os.Stdin)
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		in = f
	}
	d, err := parse(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(d.order) == 0 {
		fmt.Fprintln(os.Stderr, "no benchmark results with a /client= name in the input")
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for _, h := range d.header {
		fmt.Fprintf(w, "    %s\n", h)
	}
	if len(d.header) > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "Medians over all runs; × floor and Δ allocs compare each client with the first row of its benchmark (the hand-written baseline, or the bare crypto/hmac loop).")
	fmt.Fprintln(w)
	d.table(w)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | measured | met |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, c := range d.checks() {
		met := "no"
		switch {
		case !c.known:
			met, c.measured = "not measured", "—"
		case c.ok:
			met = "yes"
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", c.target, c.measured, met)
	}
}

// samePolicyP is the p-value of benchstat's test that a and b come from
// the same distribution; 1 when either is empty.
func samePolicyP(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 1
	}
	t := &benchmath.DefaultThresholds
	return benchmath.AssumeNothing.Compare(benchmath.NewSample(a, t), benchmath.NewSample(b, t)).P
}
