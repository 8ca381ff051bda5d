package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// SetupResult is what the setup case prints: how long creating the tenants took, and
// the mean time of each step per tenant (summed over the clients, so with -c clients a
// step's wall time is about its mean times n / c).
type SetupResult struct {
	Case          string  `json:"case"`
	Tenants       int     `json:"tenants"`
	RowsPerTenant int     `json:"rows_per_tenant"`
	Concurrency   int     `json:"concurrency"`
	Seconds       float64 `json:"seconds"`
	TenantsPerS   float64 `json:"tenants_per_s"`
	CreateMs      float64 `json:"create_tenant_ms"` // POST /api/v1/tenants
	ModelMs       float64 `json:"put_model_ms"`     // PUT .../models/{model}
	RowsMs        float64 `json:"rows_ms"`          // the bulk POSTs of the rows
}

// setup creates o.n tenants <prefix>0 ... through the API, o.concurrency at a time:
// each tenant, the model of o.definition applied with its admin key, then o.rows events
// in bulk POSTs of o.batch. It writes one "slug key" line per tenant to o.out (in slug
// order) and prints a SetupResult. It stops at the first failure.
func (l *loader) setup() error {
	def, err := os.ReadFile(l.o.definition)
	if err != nil {
		return err
	}
	if !json.Valid(def) {
		return fmt.Errorf("%s: not JSON", l.o.definition)
	}
	keys := make([]string, l.o.n)
	var steps [3]atomic.Int64 // nanoseconds in each step, over every tenant
	var failed atomic.Bool
	var firstErr error
	var errOnce sync.Once
	next := make(chan int)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range l.o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w)+1, 42))
			for i := range next {
				key, err := l.setupTenant(rng, l.o.prefix+strconv.Itoa(i), def, &steps)
				if err != nil {
					failed.Store(true)
					errOnce.Do(func() { firstErr = err })
					continue
				}
				keys[i] = key
			}
		}()
	}
	for i := 0; i < l.o.n && !failed.Load(); i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("setup: %w", firstErr)
	}
	took := time.Since(start)
	if err := writeTenants(l.o.out, l.o.prefix, keys); err != nil {
		return err
	}
	per := func(s *atomic.Int64) float64 { return float64(s.Load()) / 1e6 / float64(l.o.n) }
	out, _ := json.Marshal(SetupResult{
		Case: "setup", Tenants: l.o.n, RowsPerTenant: l.o.rows, Concurrency: l.o.concurrency,
		Seconds: took.Seconds(), TenantsPerS: float64(l.o.n) / took.Seconds(),
		CreateMs: per(&steps[0]), ModelMs: per(&steps[1]), RowsMs: per(&steps[2]),
	})
	fmt.Println(string(out))
	return nil
}

// setupTenant creates tenant slug, applies the model and loads the rows; it returns the
// tenant's admin key and adds the time of each step to steps.
func (l *loader) setupTenant(rng *rand.Rand, slug string, def []byte, steps *[3]atomic.Int64) (string, error) {
	t0 := time.Now()
	body, err := l.call(fasthttp.MethodPost, l.o.baseURL+"/api/v1/tenants", l.o.adminKey, []byte(`{"slug":"`+slug+`"}`))
	if err != nil {
		return "", err
	}
	var created struct {
		Key struct {
			Key string `json:"key"`
		} `json:"key"`
	}
	if err := json.Unmarshal(body, &created); err != nil || created.Key.Key == "" {
		return "", fmt.Errorf("tenant %s: no key in the answer %.200s", slug, body)
	}
	key := created.Key.Key
	t1 := time.Now()
	steps[0].Add(int64(t1.Sub(t0)))
	if _, err := l.call(fasthttp.MethodPut, l.o.baseURL+"/api/v1/t/"+slug+"/models/"+l.o.model, key, def); err != nil {
		return "", err
	}
	t2 := time.Now()
	steps[1].Add(int64(t2.Sub(t1)))
	data := newTarget(l.o.baseURL, slug, key, l.o.model, l.o.countries, "").data
	for done := 0; done < l.o.rows; done += l.o.batch {
		if _, err := l.call(fasthttp.MethodPost, data, key, l.eventArray(rng, min(l.o.batch, l.o.rows-done))); err != nil {
			return "", err
		}
	}
	steps[2].Add(int64(time.Since(t2)))
	return key, nil
}

// eventArray returns a JSON array of n random events, a bulk create's body.
func (l *loader) eventArray(rng *rand.Rand, n int) []byte {
	b := []byte{'['}
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		c, s, v := l.randomEvent(rng)
		b = append(b, eventJSON(l.o.countries[c], sources[s], v)...)
	}
	return append(b, ']')
}

// call sends one request with key and returns the answer's body; an answer other than
// 2xx is an error.
func (l *loader) call(method, url, key string, body []byte) ([]byte, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(method)
	req.SetRequestURI(url)
	req.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		req.Header.SetContentType("application/json")
		req.SetBodyRaw(body)
	}
	if err := l.client.Do(req, resp); err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	if code := resp.StatusCode(); code/100 != 2 {
		b := resp.Body()
		return nil, fmt.Errorf("%s %s -> %d %s", method, url, code, b[:min(len(b), 512)])
	}
	return append([]byte(nil), resp.Body()...), nil
}

// writeTenants writes a tenants file: "<prefix><i> <key>" for each key, in order.
func writeTenants(path, prefix string, keys []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for i, k := range keys {
		fmt.Fprintf(w, "%s%d %s\n", prefix, i, k)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
