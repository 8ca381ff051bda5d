// Command formaload drives a running `forma serve` with concurrent clients for a fixed
// time and reports throughput and latency as one JSON line. `scripts/bench-load.sh`
// (make bench-load) runs it against the talk's Event model.
//
// Cases:
//
//	create  POST one event per request
//	get     GET one event by a random id in [-id-min, -id-max]
//	list    GET ?country=<random>&sort=-timestamp&limit=20
//	seed    load -rows events in bulk POSTs of -batch (not timed as a case; for setup)
//
// Any non-2xx answer or transport error counts as an error; formaload prints the first
// few and exits with status 1 when there was any.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type options struct {
	baseURL     string
	key         string
	tenant      string
	model       string
	kase        string
	duration    time.Duration
	warmup      time.Duration
	concurrency int
	idMin       int64
	idMax       int64
	countries   []string
	rows        int
	batch       int
}

// Result is what formaload prints: one JSON object per run.
type Result struct {
	Case        string  `json:"case"`
	Concurrency int     `json:"concurrency"`
	DurationS   float64 `json:"duration_s"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	RPS         float64 `json:"rps"`
	MeanMs      float64 `json:"mean_ms"`
	P50Ms       float64 `json:"p50_ms"`
	P90Ms       float64 `json:"p90_ms"`
	P99Ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "formaload:", err)
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "formaload:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	var countries string
	fs := flag.NewFlagSet("formaload", flag.ContinueOnError)
	fs.StringVar(&o.baseURL, "url", "http://127.0.0.1:8080", "Forma's base URL")
	fs.StringVar(&o.key, "key", os.Getenv("FORMALOAD_KEY"), "tenant key with read and write (default $FORMALOAD_KEY)")
	fs.StringVar(&o.tenant, "tenant", "bench", "tenant slug")
	fs.StringVar(&o.model, "model", "event", "model name")
	fs.StringVar(&o.kase, "case", "get", "create, get, list or seed")
	fs.DurationVar(&o.duration, "duration", 15*time.Second, "how long to measure")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "how long to run before measuring (not counted)")
	fs.IntVar(&o.concurrency, "c", 32, "concurrent clients")
	fs.Int64Var(&o.idMin, "id-min", 1, "smallest existing id (get)")
	fs.Int64Var(&o.idMax, "id-max", 100000, "largest existing id (get)")
	fs.StringVar(&countries, "countries", "PL,DE,US,GB", "comma-separated countries to write and filter by")
	fs.IntVar(&o.rows, "rows", 100000, "rows to load (seed)")
	fs.IntVar(&o.batch, "batch", 1000, "rows per bulk POST (seed)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.countries = strings.Split(countries, ",")
	o.baseURL = strings.TrimRight(o.baseURL, "/")
	switch {
	case o.key == "":
		return o, errors.New("-key is required")
	case o.concurrency < 1:
		return o, errors.New("-c must be at least 1")
	case o.idMin < 1 || o.idMax < o.idMin:
		return o, errors.New("-id-min and -id-max must be 1 <= min <= max")
	case o.batch < 1 || o.rows < 0:
		return o, errors.New("-batch must be at least 1 and -rows not negative")
	}
	return o, nil
}

func run(o options) error {
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        2 * o.concurrency,
			MaxIdleConnsPerHost: 2 * o.concurrency,
			MaxConnsPerHost:     0,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
	l, err := newLoader(o, client)
	if err != nil {
		return err
	}
	if o.kase == "seed" {
		return l.seed()
	}
	req, ok := map[string]func(*rand.Rand) *http.Request{
		"create": l.create, "get": l.get, "list": l.list,
	}[o.kase]
	if !ok {
		return fmt.Errorf("unknown case %q (create, get, list, seed)", o.kase)
	}
	if o.kase == "create" {
		l.bodies = eventBodies(o.countries)
	}
	res, err := l.measure(req)
	if res != nil {
		out, _ := json.Marshal(res)
		fmt.Println(string(out))
	}
	return err
}

// loader builds the requests of a case and sends them. Everything a request shares with
// the others (URLs, headers, create bodies) is built once, so the client spends its CPU
// on HTTP rather than on building requests: it shares the machine with the server.
type loader struct {
	o      options
	client *http.Client
	data   *url.URL     // .../data/{model}
	lists  []*url.URL   // the list case's URL per country
	header http.Header  // Authorization; read-only, shared by every request
	posts  http.Header  // Authorization and Content-Type, for requests with a body
	bodies [][][][]byte // create bodies by country, source and value

	errCount atomic.Int64
	errMu    sync.Mutex
	errShown int
}

func newLoader(o options, client *http.Client) (*loader, error) {
	data, err := url.Parse(o.baseURL + "/api/v1/t/" + o.tenant + "/data/" + o.model)
	if err != nil {
		return nil, err
	}
	l := &loader{o: o, client: client, data: data,
		header: http.Header{"Authorization": {"Bearer " + o.key}},
		posts:  http.Header{"Authorization": {"Bearer " + o.key}, "Content-Type": {"application/json"}},
	}
	for _, c := range o.countries {
		u := *data
		u.RawQuery = "country=" + c + "&sort=-timestamp&limit=20"
		l.lists = append(l.lists, &u)
	}
	return l, nil
}

// request returns a request to a copy of u (the client must not share a URL between
// requests in flight) with the shared headers and, when body is not nil, that body.
func (l *loader) request(method string, u url.URL, body []byte) *http.Request {
	req := &http.Request{Method: method, URL: &u, Host: u.Host, Header: l.header,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	if body != nil {
		req.Header = l.posts
		req.Body = &requestBody{Reader: *bytes.NewReader(body)}
		req.ContentLength = int64(len(body))
	}
	return req
}

// requestBody reads one request's body from bytes shared with other requests.
type requestBody struct{ bytes.Reader }

func (*requestBody) Close() error { return nil }

var sources = []string{"web", "ios", "android", "api", "email"}

const maxValue = 1000 // values are random in [0, maxValue)

func eventJSON(country, source string, value int) []byte {
	b := append([]byte(`{"country":"`), country...)
	b = append(append(b, `","source":"`...), source...)
	b = strconv.AppendInt(append(b, `","value":`...), int64(value), 10)
	return append(b, '}')
}

// eventBodies builds every create body once: countries × sources × values.
func eventBodies(countries []string) [][][][]byte {
	out := make([][][][]byte, len(countries))
	for c, country := range countries {
		out[c] = make([][][]byte, len(sources))
		for s, source := range sources {
			out[c][s] = make([][]byte, maxValue)
			for v := range maxValue {
				out[c][s][v] = eventJSON(country, source, v)
			}
		}
	}
	return out
}

// randomEvent draws an event's country, source and value, in that order.
func (l *loader) randomEvent(rng *rand.Rand) (c, s, v int) {
	return rng.IntN(len(l.o.countries)), rng.IntN(len(sources)), rng.IntN(maxValue)
}

func (l *loader) create(rng *rand.Rand) *http.Request {
	c, s, v := l.randomEvent(rng)
	return l.request("POST", *l.data, l.bodies[c][s][v])
}

func (l *loader) get(rng *rand.Rand) *http.Request {
	id := l.o.idMin + rng.Int64N(l.o.idMax-l.o.idMin+1)
	u := *l.data
	u.Path += "/" + strconv.FormatInt(id, 10)
	return l.request("GET", u, nil)
}

func (l *loader) list(rng *rand.Rand) *http.Request {
	return l.request("GET", *l.lists[rng.IntN(len(l.lists))], nil)
}

// do sends one request and reads the whole answer into buf (so the connection is
// reused); it records a non-2xx answer or a transport error as an error.
func (l *loader) do(req *http.Request, buf []byte) bool {
	resp, err := l.client.Do(req)
	if err != nil {
		l.recordError(req, 0, err.Error())
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		if _, err := io.CopyBuffer(discard, resp.Body, buf); err != nil {
			l.recordError(req, resp.StatusCode, "reading the body: "+err.Error())
			return false
		}
		return true
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	l.recordError(req, resp.StatusCode, string(body))
	return false
}

// discard is io.Discard without its ReadFrom, so io.CopyBuffer reads into the caller's
// buffer instead of taking one from io.Discard's pool.
var discard = struct{ io.Writer }{io.Discard}

func (l *loader) recordError(req *http.Request, status int, msg string) {
	l.errCount.Add(1)
	l.errMu.Lock()
	defer l.errMu.Unlock()
	if l.errShown < 5 {
		l.errShown++
		fmt.Fprintf(os.Stderr, "formaload: %s %s -> %d %s\n", req.Method, req.URL.RequestURI(), status, strings.TrimSpace(msg))
	}
}

// measure runs o.concurrency clients, each in a closed loop, for warmup plus duration,
// and keeps the latencies of the requests that started inside the measured window.
func (l *loader) measure(next func(*rand.Rand) *http.Request) (*Result, error) {
	start := time.Now()
	from := start.Add(l.o.warmup)
	until := from.Add(l.o.duration)
	lat := make([][]time.Duration, l.o.concurrency)
	counted := make([]int64, l.o.concurrency)
	var wg sync.WaitGroup
	for w := range l.o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w)+1, uint64(start.UnixNano())))
			mine := make([]time.Duration, 0, 1<<14)
			buf := make([]byte, 32<<10)
			for {
				req := next(rng)
				t0 := time.Now()
				if !t0.Before(until) {
					break
				}
				ok := l.do(req, buf)
				d := time.Since(t0)
				if t0.Before(from) {
					continue
				}
				counted[w]++
				if ok {
					mine = append(mine, d)
				}
			}
			lat[w] = mine
		}()
	}
	wg.Wait()
	var all []time.Duration
	var n int64
	for w := range lat {
		all = append(all, lat[w]...)
		n += counted[w]
	}
	slices.Sort(all)
	res := &Result{
		Case: l.o.kase, Concurrency: l.o.concurrency, DurationS: l.o.duration.Seconds(),
		Requests: n, Errors: l.errCount.Load(), RPS: float64(len(all)) / l.o.duration.Seconds(),
	}
	if len(all) > 0 {
		var sum time.Duration
		for _, d := range all {
			sum += d
		}
		res.MeanMs = ms(sum / time.Duration(len(all)))
		res.P50Ms, res.P90Ms, res.P99Ms = ms(quantile(all, 0.50)), ms(quantile(all, 0.90)), ms(quantile(all, 0.99))
		res.MaxMs = ms(all[len(all)-1])
	}
	if res.Errors > 0 {
		return res, fmt.Errorf("%d of the requests failed (non-2xx or transport error)", res.Errors)
	}
	if len(all) == 0 {
		return res, errors.New("no request completed in the measured window")
	}
	return res, nil
}

// quantile returns the q-quantile of sorted durations (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted)) + 0.5)
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// seed loads o.rows events in bulk POSTs of o.batch rows, two at a time.
func (l *loader) seed() error {
	const workers = 2
	batches := make(chan int)
	go func() {
		defer close(batches)
		for done := 0; done < l.o.rows; done += l.o.batch {
			batches <- min(l.o.batch, l.o.rows-done)
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w)+1, 42))
			buf := make([]byte, 32<<10)
			for n := range batches {
				b := []byte{'['}
				for i := range n {
					if i > 0 {
						b = append(b, ',')
					}
					c, s, v := l.randomEvent(rng)
					b = append(b, eventJSON(l.o.countries[c], sources[s], v)...)
				}
				l.do(l.request("POST", *l.data, append(b, ']')), buf)
			}
		}()
	}
	wg.Wait()
	if n := l.errCount.Load(); n > 0 {
		return fmt.Errorf("seed: %d bulk writes failed", n)
	}
	fmt.Fprintf(os.Stderr, "formaload: seeded %d rows in %s\n", l.o.rows, time.Since(start).Round(time.Millisecond))
	return nil
}
