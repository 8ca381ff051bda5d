// Command formaload drives a running `forma serve` with concurrent clients for a fixed
// time and reports throughput and latency as one JSON line. `scripts/bench-load.sh`
// (make bench-load) runs it against the talk's Event model, `scripts/bench-tenants.sh`
// (make bench-tenants) against that model in many tenants.
//
// Cases:
//
//	create  POST one event per request
//	get     GET one event by a random id in [-id-min, -id-max]
//	list    GET ?country=<random>&sort=-timestamp&limit=20, or ?<-query> with -query
//	seed    load -rows events in bulk POSTs of -batch (not timed as a case; for setup)
//	streams open -streams change streams over the tenants, create -rate records a second
//	        for -duration, and report each record's delivery to each stream (streams.go)
//	setup   create -n tenants through the API, each with the model of -definition and
//	        -rows events, -c at a time; write their "slug key" lines to -out (setup.go)
//
// With -tenants FILE (lines of "slug key") the create, get and list cases spread their
// requests over those tenants, each request to a tenant drawn at random and sent with
// that tenant's key; without it they go to the one tenant of -tenant and -key.
//
// Any non-2xx answer or transport error counts as an error; formaload prints the first
// few and exits with status 1 when there was any. With -allow-429 a 429 (a tenant limit
// refusing) is counted as rate_limited instead, neither an error nor a latency.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"forma.dev/backend/internal/cpuclock"
	"forma.dev/backend/internal/tenant"
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
	tenantsFile string  // -tenants: spread the requests over these tenants
	query       string  // -query: the list case's query string, instead of the countries'
	allow429    bool    // -allow-429: count 429s as rate_limited, not as errors
	streams     int     // -streams: change streams to open (streams)
	rate        float64 // -rate: creates a second while they are open (streams)

	// setup
	adminKey   string
	n          int
	prefix     string
	definition string
	out        string
}

// Result is what formaload prints: one JSON object per run.
type Result struct {
	Case        string  `json:"case"`
	Concurrency int     `json:"concurrency"`
	DurationS   float64 `json:"duration_s"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	RateLimited int64   `json:"rate_limited"` // 429s, with -allow-429
	RPS         float64 `json:"rps"`
	MeanMs      float64 `json:"mean_ms"`
	P50Ms       float64 `json:"p50_ms"`
	P90Ms       float64 `json:"p90_ms"`
	P99Ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	// CPUUs is formaload's own CPU time (user and system) per request in the measured
	// window, in microseconds: what the load generator takes from the machine it shares.
	CPUUs float64 `json:"cpu_us_per_req"`
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
	fs.StringVar(&o.tenantsFile, "tenants", "", `file of "slug key" lines: spread the requests over these tenants (instead of -tenant and -key)`)
	fs.StringVar(&o.adminKey, "admin-key", os.Getenv("FORMALOAD_ADMIN_KEY"), "platform key (setup; default $FORMALOAD_ADMIN_KEY)")
	fs.IntVar(&o.n, "n", 1000, "tenants to create (setup)")
	fs.StringVar(&o.prefix, "prefix", "bt", "slug prefix: tenants <prefix>0 ... <prefix><n-1> (setup)")
	fs.StringVar(&o.definition, "definition", "", "file with the model's JSON definition, PUT to each tenant (setup)")
	fs.StringVar(&o.out, "out", "", `file to write the tenants' "slug key" lines to (setup)`)
	fs.StringVar(&o.model, "model", "event", "model name")
	fs.StringVar(&o.kase, "case", "get", "create, get, list, streams, seed or setup")
	fs.DurationVar(&o.duration, "duration", 15*time.Second, "how long to measure")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "how long to run before measuring (not counted)")
	fs.IntVar(&o.concurrency, "c", 32, "concurrent clients")
	fs.Int64Var(&o.idMin, "id-min", 1, "smallest existing id (get)")
	fs.Int64Var(&o.idMax, "id-max", 100000, "largest existing id (get)")
	fs.StringVar(&countries, "countries", "PL,DE,US,GB", "comma-separated countries to write and filter by")
	fs.IntVar(&o.rows, "rows", 100000, "rows to load (seed; setup: per tenant)")
	fs.IntVar(&o.batch, "batch", 1000, "rows per bulk POST (seed, setup)")
	fs.StringVar(&o.query, "query", "", `the list case's query string, e.g. "source__icontains=zq" (default: by country, sorted by -timestamp, 20)`)
	fs.IntVar(&o.streams, "streams", 1000, "change streams to open, spread over the tenants (streams)")
	fs.Float64Var(&o.rate, "rate", 1000, "records created a second while the streams are open (streams)")
	fs.BoolVar(&o.allow429, "allow-429", false, "count 429 answers as rate_limited, not as errors")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.countries = strings.Split(countries, ",")
	o.baseURL = strings.TrimRight(o.baseURL, "/")
	switch {
	case o.kase == "setup" && (o.adminKey == "" || o.definition == "" || o.out == "" || o.n < 1):
		return o, errors.New("setup needs -admin-key, -definition, -out and -n of at least 1")
	case o.kase == "setup" && len(tenant.ValidateSlug(o.prefix+strconv.Itoa(o.n-1))) > 0:
		return o, fmt.Errorf("-prefix %q does not make tenant slugs", o.prefix)
	case o.kase != "setup" && o.key == "" && o.tenantsFile == "":
		return o, errors.New("-key or -tenants is required")
	case o.kase == "seed" && o.tenantsFile != "":
		return o, errors.New("seed loads one tenant: -tenant and -key, not -tenants")
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
	l, err := newLoader(o)
	if err != nil {
		return err
	}
	switch o.kase {
	case "seed":
		return l.seed()
	case "setup":
		return l.setup()
	case "streams":
		res, err := l.runStreams()
		if res != nil {
			out, _ := json.Marshal(res)
			fmt.Println(string(out))
		}
		return err
	}
	next, ok := map[string]func(*rand.Rand, *fasthttp.Request){
		"create": l.create, "get": l.get, "list": l.list,
	}[o.kase]
	if !ok {
		return fmt.Errorf("unknown case %q (create, get, list, seed, setup)", o.kase)
	}
	if o.kase == "create" {
		l.bodies = eventBodies(o.countries)
	}
	res, err := l.measure(next)
	if res != nil {
		out, _ := json.Marshal(res)
		fmt.Println(string(out))
	}
	return err
}

// loader builds the requests of a case and sends them. The client is fasthttp's: it
// shares the machine with the server and pgbench's C client is its yardstick, so it
// reuses each client's request and response and allocates nothing per request, where
// net/http's client costs several times the CPU. Everything requests share (URLs, the
// key, create bodies) is built once.
type loader struct {
	o       options
	client  *fasthttp.HostClient
	targets []target     // the tenants requests go to: -tenant, or the lines of -tenants
	bodies  [][][][]byte // create bodies by country, source and value

	errCount atomic.Int64
	limited  atomic.Int64 // 429s, with -allow-429
	errMu    sync.Mutex
	errShown int
}

func newLoader(o options) (*loader, error) {
	u, err := url.Parse(o.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("-url %q is not an http(s) URL", o.baseURL)
	}
	addr := u.Host
	if u.Port() == "" {
		addr += map[string]string{"http": ":80", "https": ":443"}[u.Scheme]
	}
	l := &loader{o: o,
		client: &fasthttp.HostClient{
			Addr: addr, IsTLS: u.Scheme == "https",
			MaxConns:            max(o.concurrency, 2),
			ReadBufferSize:      64 << 10, // a page of 20 records in one read, not two
			ReadTimeout:         30 * time.Second,
			WriteTimeout:        30 * time.Second,
			MaxIdleConnDuration: 90 * time.Second,
		}}
	if o.tenantsFile == "" {
		l.targets = []target{newTarget(o.baseURL, o.tenant, o.key, o.model, o.countries, o.query)}
		return l, nil
	}
	tks, err := readTenants(o.tenantsFile)
	if err != nil {
		return nil, err
	}
	for _, tk := range tks {
		l.targets = append(l.targets, newTarget(o.baseURL, tk.slug, tk.key, o.model, o.countries, o.query))
	}
	return l, nil
}

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

// prepare sets what every request of a client carries; the cases set the rest. With
// several tenants the key changes per request (pick).
func (l *loader) prepare(req *fasthttp.Request) {
	req.Header.Set("Authorization", l.targets[0].auth)
}

func (l *loader) create(rng *rand.Rand, req *fasthttp.Request) {
	t := l.pick(rng, req)
	c, s, v := l.randomEvent(rng)
	post(req, t.data, l.bodies[c][s][v])
}

// post makes req a POST of body (JSON) to url.
func post(req *fasthttp.Request, url string, body []byte) {
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.SetRequestURI(url)
	req.SetBodyRaw(body)
}

func (l *loader) get(rng *rand.Rand, req *fasthttp.Request) {
	t := l.pick(rng, req)
	id := l.o.idMin + rng.Int64N(l.o.idMax-l.o.idMin+1)
	req.Header.SetMethod(fasthttp.MethodGet)
	req.SetRequestURI(t.data + "/" + strconv.FormatInt(id, 10))
}

func (l *loader) list(rng *rand.Rand, req *fasthttp.Request) {
	t := l.pick(rng, req)
	req.Header.SetMethod(fasthttp.MethodGet)
	req.SetRequestURI(t.lists[rng.IntN(len(t.lists))])
}

// do sends one request and reads the whole answer; it records a non-2xx answer or a
// transport error as an error.
func (l *loader) do(req *fasthttp.Request, resp *fasthttp.Response) bool {
	if err := l.client.Do(req, resp); err != nil {
		l.recordError(req, 0, err.Error())
		return false
	}
	code := resp.StatusCode()
	if code == fasthttp.StatusTooManyRequests && l.o.allow429 {
		l.limited.Add(1)
		return false
	}
	if code/100 != 2 {
		body := resp.Body()
		l.recordError(req, code, string(body[:min(len(body), 512)]))
		return false
	}
	return true
}

func (l *loader) recordError(req *fasthttp.Request, status int, msg string) {
	l.errCount.Add(1)
	l.errMu.Lock()
	defer l.errMu.Unlock()
	if l.errShown < 5 {
		l.errShown++
		fmt.Fprintf(os.Stderr, "formaload: %s %s -> %d %s\n", req.Header.Method(), req.URI().RequestURI(), status, strings.TrimSpace(msg))
	}
}

// measure runs o.concurrency clients, each in a closed loop, for warmup plus duration,
// and keeps the latencies of the requests that started inside the measured window.
func (l *loader) measure(next func(*rand.Rand, *fasthttp.Request)) (*Result, error) {
	start := time.Now()
	from := start.Add(l.o.warmup)
	until := from.Add(l.o.duration)
	cpu := make(chan time.Duration, 1) // this process's CPU time within the window
	go func() {
		time.Sleep(time.Until(from))
		c0 := cpuclock.Used()
		time.Sleep(time.Until(until))
		cpu <- cpuclock.Used() - c0
	}()
	lat := make([][]time.Duration, l.o.concurrency)
	counted := make([]int64, l.o.concurrency)
	var wg sync.WaitGroup
	for w := range l.o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w)+1, uint64(start.UnixNano())))
			mine := make([]time.Duration, 0, 1<<14)
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			l.prepare(req)
			for {
				next(rng, req)
				t0 := time.Now()
				if !t0.Before(until) {
					break
				}
				ok := l.do(req, resp)
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
	used := <-cpu
	var all []time.Duration
	var n int64
	for w := range lat {
		all = append(all, lat[w]...)
		n += counted[w]
	}
	slices.Sort(all)
	res := &Result{
		Case: l.o.kase, Concurrency: l.o.concurrency, DurationS: l.o.duration.Seconds(),
		Requests: n, Errors: l.errCount.Load(), RateLimited: l.limited.Load(), RPS: float64(len(all)) / l.o.duration.Seconds(),
	}
	if len(all) > 0 {
		var sum time.Duration
		for _, d := range all {
			sum += d
		}
		res.MeanMs = ms(sum / time.Duration(len(all)))
		res.P50Ms, res.P90Ms, res.P99Ms = ms(quantile(all, 0.50)), ms(quantile(all, 0.90)), ms(quantile(all, 0.99))
		res.MaxMs = ms(all[len(all)-1])
		res.CPUUs = float64(used.Microseconds()) / float64(len(all))
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
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			l.prepare(req)
			for n := range batches {
				post(req, l.targets[0].data, l.eventArray(rng, n))
				l.do(req, resp)
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
