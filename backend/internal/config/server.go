package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Defaults of the HTTP server's limits on slow and numerous clients.
const (
	DefaultReadTimeout  = 30 * time.Second
	DefaultReadMinRate  = 16 << 10 // bytes per second
	DefaultWriteTimeout = 60 * time.Second
	DefaultIdleTimeout  = 2 * time.Minute
	DefaultMaxConns     = 4096
)

// Server is how the HTTP server bounds what slow and numerous clients may hold.
type Server struct {
	// ReadTimeout (FORMA_READ_TIMEOUT) is how long a request body may take beyond what
	// ReadMinRate allows for its size; 0: no bound.
	ReadTimeout time.Duration
	// ReadMinRate (FORMA_READ_MIN_RATE) is the slowest a body may arrive, in bytes per
	// second: each byte received extends the body's deadline by 1/ReadMinRate s.
	ReadMinRate int
	// WriteTimeout (FORMA_WRITE_TIMEOUT) is how long one write of an answer may take; 0: no bound.
	WriteTimeout time.Duration
	// IdleTimeout (FORMA_IDLE_TIMEOUT) is how long a kept-alive connection may wait for its next request.
	IdleTimeout time.Duration
	// MaxConns (FORMA_MAX_CONNS) is how many connections are served at once; more wait to be accepted.
	MaxConns int
	// MaxConnsPerIP (FORMA_MAX_CONNS_PER_IP) is how many connections one client address
	// may hold at once; more are closed at once. 0: no bound.
	MaxConnsPerIP int
}

// loadServer reads the Server variables.
func (c *Config) loadServer(getenv func(string) string) error {
	s := Server{ReadTimeout: DefaultReadTimeout, ReadMinRate: DefaultReadMinRate, WriteTimeout: DefaultWriteTimeout,
		IdleTimeout: DefaultIdleTimeout, MaxConns: DefaultMaxConns}
	var err error
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{"FORMA_READ_TIMEOUT", &s.ReadTimeout}, {"FORMA_WRITE_TIMEOUT", &s.WriteTimeout}, {"FORMA_IDLE_TIMEOUT", &s.IdleTimeout}} {
		if *d.to, err = parseDuration(getenv, d.name, *d.to); err != nil {
			return err
		}
	}
	for _, n := range []struct {
		name string
		to   *int
		min  int
	}{{"FORMA_READ_MIN_RATE", &s.ReadMinRate, 1}, {"FORMA_MAX_CONNS", &s.MaxConns, 1}, {"FORMA_MAX_CONNS_PER_IP", &s.MaxConnsPerIP, 0}} {
		v := strings.TrimSpace(getenv(n.name))
		if v == "" {
			continue
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < n.min {
			return fmt.Errorf("%s must be a whole number, at least %d, not %q", n.name, n.min, v)
		}
		*n.to = i
	}
	c.Server = s
	return nil
}
