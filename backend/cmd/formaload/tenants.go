package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/valyala/fasthttp"

	"forma.dev/backend/internal/tenant"
)

// tenantKey is one line of a tenants file: a tenant's slug and a key of it with read and
// write rights.
type tenantKey struct {
	slug, key string
}

// target is what the requests to one tenant share, built once: its data URL, the list
// URLs (by country, or the one of -query) and its Authorization header.
type target struct {
	data  string   // .../t/{slug}/data/{model}
	lists []string // the list case's URL per country
	auth  string   // "Bearer <key>"
}

// readTenants reads a tenants file (see parseTenants).
func readTenants(path string) ([]tenantKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tk, err := parseTenants(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tk, nil
}

// parseTenants reads lines of "slug key", separated by spaces or tabs; blank lines and
// lines starting with # are skipped. A slug twice, a line without both fields or with
// more, a slug Forma would refuse or an empty file is an error.
func parseTenants(r io.Reader) ([]tenantKey, error) {
	var out []tenantKey
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		switch {
		case len(f) != 2:
			return nil, fmt.Errorf("line %d: want \"slug key\", got %d fields", n, len(f))
		case len(tenant.ValidateSlug(f[0])) > 0:
			return nil, fmt.Errorf("line %d: %q is not a tenant slug", n, f[0])
		case seen[f[0]]:
			return nil, fmt.Errorf("line %d: tenant %q twice", n, f[0])
		}
		seen[f[0]] = true
		out = append(out, tenantKey{slug: f[0], key: f[1]})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no tenants")
	}
	return out, nil
}

// newTarget builds the shared parts of the requests to one tenant's model. A query
// string, when given, is the one list the list case sends.
func newTarget(baseURL, slug, key, model string, countries []string, query string) target {
	t := target{data: baseURL + "/api/v1/t/" + slug + "/data/" + model, auth: "Bearer " + key}
	if query != "" {
		t.lists = []string{t.data + "?" + query}
		return t
	}
	for _, c := range countries {
		t.lists = append(t.lists, t.data+"?country="+c+"&sort=-timestamp&limit=20")
	}
	return t
}

// pick returns the tenant of the next request. With one tenant it is that one, the key
// set once per client by prepare and no random number drawn; with several, one drawn
// uniformly at random, its key set on req.
func (l *loader) pick(rng *rand.Rand, req *fasthttp.Request) *target {
	if len(l.targets) == 1 {
		return &l.targets[0]
	}
	t := &l.targets[rng.IntN(len(l.targets))]
	req.Header.Set("Authorization", t.auth)
	return t
}
