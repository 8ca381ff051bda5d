package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"forma.dev/backend/internal/cpuclock"
)

// The streams case measures live changes: it opens -streams change streams
// (GET …/data/{model}/changes, Server-Sent Events) spread over the tenants, then creates
// -rate records a second spread over the same tenants for -duration, and reports how
// long each record took from its transaction (the record's created_at, Postgres's clock
// on this machine) to each stream of its tenant, and whether every stream got every
// record of its tenant. With -rate 0 it only holds the streams open for -duration (and
// counts what they receive), while something else writes.

// StreamsResult is what the streams case prints.
type StreamsResult struct {
	Case      string  `json:"case"`
	Streams   int     `json:"streams"`
	Tenants   int     `json:"tenants"`
	DurationS float64 `json:"duration_s"`
	// Creates are the records written in the measured window (answered 201), at RateWanted
	// a second asked; Deliveries the record.created events the streams received of them,
	// Expected how many they should have (each create × the streams of its tenant).
	Creates    int64   `json:"creates"`
	RateWanted float64 `json:"rate_wanted"`
	Deliveries int64   `json:"deliveries"`
	Expected   int64   `json:"expected"`
	Errors     int64   `json:"errors"`
	// Delivery latency, from the record's created_at to its arrival, over every delivery.
	P50Ms float64 `json:"delivery_p50_ms"`
	P99Ms float64 `json:"delivery_p99_ms"`
	MaxMs float64 `json:"delivery_max_ms"`
	// CreateP50Ms and CreateP99Ms are the creates' own latencies.
	CreateP50Ms float64 `json:"create_p50_ms"`
	CreateP99Ms float64 `json:"create_p99_ms"`
	OpenS       float64 `json:"open_s"` // how long opening every stream took
	CPUUs       float64 `json:"cpu_us_per_delivery"`
}

// stream is one open change stream: the records it received, by id, and when.
type stream struct {
	tenant int
	mu     sync.Mutex
	ids    []int64         // the records that arrived, in order
	lat    []time.Duration // and for each, its created_at to its arrival
}

// runStreams is the streams case.
func (l *loader) runStreams() (*StreamsResult, error) {
	if l.o.streams < 1 || l.o.rate < 0 {
		return nil, errors.New("streams needs -streams of at least 1 and -rate of at least 0")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: -1, DisableCompression: true,
		DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
	}}
	streams := make([]*stream, l.o.streams)
	opened := make(chan error, l.o.streams)
	start := time.Now()
	for i := range streams {
		s := &stream{tenant: i % len(l.targets)}
		streams[i] = s
		go l.follow(ctx, client, s, opened)
	}
	for range streams {
		if err := <-opened; err != nil {
			return nil, fmt.Errorf("opening the streams: %w", err)
		}
	}
	openS := time.Since(start).Seconds()
	fmt.Fprintf(os.Stderr, "formaload: %d streams open in %.1f s\n", l.o.streams, openS)
	if l.o.rate == 0 {
		time.Sleep(l.o.duration)
		res := &StreamsResult{Case: "streams", Streams: l.o.streams, Tenants: len(l.targets), DurationS: l.o.duration.Seconds(), OpenS: openS}
		for _, s := range streams {
			s.mu.Lock()
			res.Deliveries += int64(len(s.ids))
			s.mu.Unlock()
		}
		return res, nil
	}
	time.Sleep(l.o.warmup) // let the server settle with every stream open

	c0 := cpuclock.Used()
	created, createLat, err := l.createAtRate(ctx)
	if err != nil {
		return nil, err
	}
	time.Sleep(2 * time.Second) // the last records' deliveries
	used := cpuclock.Used() - c0
	cancel()

	perTenant := make([]int64, len(l.targets))
	ids := make([]map[int64]bool, len(l.targets))
	for i := range ids {
		ids[i] = map[int64]bool{}
	}
	for _, c := range created {
		perTenant[c.tenant]++
		ids[c.tenant][c.id] = true
	}
	res := &StreamsResult{Case: "streams", Streams: l.o.streams, Tenants: len(l.targets), DurationS: l.o.duration.Seconds(),
		Creates: int64(len(created)), RateWanted: l.o.rate, Errors: l.errCount.Load(), OpenS: openS}
	var lat []time.Duration
	for _, s := range streams {
		res.Expected += perTenant[s.tenant]
		s.mu.Lock()
		for i, id := range s.ids {
			if ids[s.tenant][id] {
				res.Deliveries++
				lat = append(lat, s.lat[i])
			}
		}
		s.mu.Unlock()
	}
	slices.Sort(lat)
	slices.Sort(createLat)
	if len(lat) > 0 {
		res.P50Ms, res.P99Ms, res.MaxMs = ms(quantile(lat, 0.5)), ms(quantile(lat, 0.99)), ms(lat[len(lat)-1])
		res.CPUUs = float64(used.Microseconds()) / float64(len(lat))
	}
	if len(createLat) > 0 {
		res.CreateP50Ms, res.CreateP99Ms = ms(quantile(createLat, 0.5)), ms(quantile(createLat, 0.99))
	}
	if res.Deliveries < res.Expected {
		return res, fmt.Errorf("the streams missed %d of %d deliveries", res.Expected-res.Deliveries, res.Expected)
	}
	return res, nil
}

// follow opens s's stream and records every record.created event until ctx ends; it
// sends on opened once the stream is ready (its first event, "ready": every change
// after it is delivered), or failed to open.
func (l *loader) follow(ctx context.Context, client *http.Client, s *stream, opened chan<- error) {
	t := l.targets[s.tenant]
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, t.data+"/changes", nil)
	req.Header.Set("Authorization", t.auth)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := client.Do(req)
	if err == nil && resp.StatusCode != http.StatusOK {
		body := make([]byte, 512)
		n, _ := resp.Body.Read(body)
		resp.Body.Close()
		err = fmt.Errorf("%s: %d %s", req.URL.Path, resp.StatusCode, strings.TrimSpace(string(body[:n])))
	}
	if err != nil {
		opened <- err
		return
	}
	defer resp.Body.Close()
	ready := false
	r := bufio.NewReaderSize(resp.Body, 4096)
	var event string
	var data []byte
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			if !ready {
				opened <- fmt.Errorf("%s: the stream ended before it was ready: %w", req.URL.Path, err)
			}
			return
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0: // the end of an event
			switch {
			case event == "ready" && !ready:
				ready = true
				opened <- nil
			case event == "record.created":
				s.record(data)
			}
			event, data = "", data[:0]
		case bytes.HasPrefix(line, []byte("event:")):
			event = string(bytes.TrimSpace(line[len("event:"):]))
		case bytes.HasPrefix(line, []byte("data:")):
			data = append(data, bytes.TrimPrefix(line[len("data:"):], []byte(" "))...)
		}
	}
}

// record notes the arrival of a record.created event's record: its id and how long
// after its created_at it came. The record is the event's data, or its "record".
func (s *stream) record(data []byte) {
	now := time.Now()
	var ev struct {
		ID        int64     `json:"id"`
		CreatedAt time.Time `json:"created_at"`
		Record    *struct {
			ID        int64     `json:"id"`
			CreatedAt time.Time `json:"created_at"`
		} `json:"record"`
	}
	if json.Unmarshal(data, &ev) != nil {
		return
	}
	if ev.Record != nil {
		ev.ID, ev.CreatedAt = ev.Record.ID, ev.Record.CreatedAt
	}
	s.mu.Lock()
	s.ids, s.lat = append(s.ids, ev.ID), append(s.lat, now.Sub(ev.CreatedAt))
	s.mu.Unlock()
}

// createdRecord is one record the streams case wrote.
type createdRecord struct {
	tenant int
	id     int64
}

// createAtRate writes records at o.rate a second (open loop: a create is started on
// schedule whether or not the ones before it answered, by up to o.concurrency writers)
// over o.duration, each to a tenant drawn at random, and returns them and their latencies.
func (l *loader) createAtRate(ctx context.Context) ([]createdRecord, []time.Duration, error) {
	l.bodies = eventBodies(l.o.countries)
	every := time.Duration(float64(time.Second) / l.o.rate)
	start := time.Now()
	until := start.Add(l.o.duration)
	ticks := make(chan int)
	go func() {
		defer close(ticks)
		rng := rand.New(rand.NewPCG(7, uint64(start.UnixNano())))
		for next := start; next.Before(until); next = next.Add(every) {
			time.Sleep(time.Until(next))
			select {
			case ticks <- rng.IntN(len(l.targets)):
			case <-ctx.Done():
				return
			}
		}
	}()
	var mu sync.Mutex
	var out []createdRecord
	var lat []time.Duration
	var wg sync.WaitGroup
	for w := range l.o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w)+1, 99))
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			var answer struct {
				ID int64 `json:"id"`
			}
			for ti := range ticks {
				t := l.targets[ti]
				c, s, v := l.randomEvent(rng)
				post(req, t.data, l.bodies[c][s][v])
				req.Header.Set("Authorization", t.auth)
				t0 := time.Now()
				if !l.do(req, resp) || json.Unmarshal(resp.Body(), &answer) != nil {
					continue
				}
				d := time.Since(t0)
				mu.Lock()
				out = append(out, createdRecord{tenant: ti, id: answer.ID})
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if n := l.errCount.Load(); n > 0 {
		return out, lat, fmt.Errorf("%d creates failed", n)
	}
	return out, lat, nil
}
