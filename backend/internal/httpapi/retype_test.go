package httpapi_test

import (
	"context"
	"encoding/json"
	"forma.dev/backend/internal/apitest"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCreatesThatRaceARetypeAreServed: creates in flight while a field of their model
// changes type, back and forth, are answered 201 or 4xx, never 500 or 503, and each
// 201 shows the value written: a statement that Postgres refuses because its cached
// plan's result type changed ("cached plan must not change result type") runs again on
// a fresh statement, and a row written and returned in the new type is read back with
// the new model, not decoded with the old one nor written twice.
func TestCreatesThatRaceARetypeAreServed(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	// The writers send as fast as they can: more than the default requests per second.
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", s.AdminKey, `{"limits":{"requests_per_second":1000000}}`)
	const writers = 12
	var stop atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	created, bad, refused := 0, map[string]int{}, map[string]int{}
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				rec := s.Do("POST", "/api/v1/t/acme/data/event", acme.Write, `{"country":"PL","value":1}`)
				mu.Lock()
				switch {
				case rec.Code == http.StatusCreated:
					created++
					var got map[string]any
					if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got["value"] != 1.0 {
						bad["201 "+rec.Body.String()]++ // read with the wrong type
					}
				case rec.Code >= 500:
					bad[strconv.Itoa(rec.Code)+" "+rec.Body.String()]++
				default:
					refused[strconv.Itoa(rec.Code)+" "+rec.Body.String()]++
				}
				mu.Unlock()
			}
		}()
	}
	types := []string{"float", "integer"}
	for i := range 8 {
		s.MustJSON(t, 200, nil, "PATCH", "/api/v1/t/acme/models/event/fields/value?allow_data_loss=true", acme.Admin,
			`{"type":"`+types[i%2]+`"}`)
		time.Sleep(50 * time.Millisecond) // creates run with each version
	}
	stop.Store(true)
	wg.Wait()
	for answer, n := range bad {
		t.Errorf("%d creates during the retypes answered %s", n, answer)
	}
	var stored, notOne int
	if err := s.App.DB.QueryRowContext(context.Background(),
		`SELECT count(*), count(*) FILTER (WHERE value <> 1) FROM t1_acme.event`).Scan(&stored, &notOne); err != nil {
		t.Fatal(err)
	}
	if stored != created || notOne != 0 {
		t.Errorf("%d events stored (%d with a value other than 1), %d answered 201", stored, notOne, created)
	}
	t.Logf("%d creates answered 201, refused: %v", created, refused)
}

// A field retyped under statements already run: the next writes and reads of the model
// are served (the statements' shared descriptions are described again), never a 500.
func TestStatementsRunAgainAfterARetype(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/item", acme.Admin, `{"fields":[{"name":"code","type":"integer"}]}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/item", acme.Write, `{"code":7}`)
	s.MustJSON(t, 200, nil, "GET", "/api/v1/t/acme/data/item?code=7", acme.Read, "")
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/t/acme/models/item/fields/code", acme.Admin, `{"type":"text"}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/item", acme.Write, `{"code":"x8"}`)
	var page struct{ Data []map[string]any }
	s.MustJSON(t, 200, &page, "GET", "/api/v1/t/acme/data/item?code=x8", acme.Read, "")
	if len(page.Data) != 1 || page.Data[0]["code"] != "x8" {
		t.Fatalf("after the retype: %v", page.Data)
	}
}
