package replicatest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// versionHeader is the data API's schema version header (httpapi.SchemaVersionHeader).
const versionHeader = "Forma-Schema-Version"

// client is the HTTP client of every test request.
var client = &http.Client{Timeout: 30 * time.Second}

// answer is one HTTP answer, read whole.
type answer struct {
	method, path string
	status       int
	header       http.Header
	body         []byte
}

// version is the Forma-Schema-Version the answer was served with (0 when absent).
func (a answer) version() int64 {
	v, _ := strconv.ParseInt(a.header.Get(versionHeader), 10, 64)
	return v
}

func (a answer) String() string {
	return fmt.Sprintf("%s %s: %d %s", a.method, a.path, a.status, a.body)
}

// do sends one request to the replica; header is name, value pairs.
func (r *replica) do(t testing.TB, method, path, key, body string, header ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, r.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, r.name, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{method: method, path: path, status: res.StatusCode, header: res.Header, body: b}
}

// must sends a request, fails the test unless the status is want, and decodes the body
// into out (when not nil).
func (r *replica) must(t testing.TB, want int, out any, method, path, key, body string, header ...string) answer {
	t.Helper()
	a := r.do(t, method, path, key, body, header...)
	if a.status != want {
		t.Fatalf("on %s: %s (want %d)", r.name, a, want)
	}
	if out != nil {
		if err := json.Unmarshal(a.body, out); err != nil {
			t.Fatalf("on %s: %s: %v", r.name, a, err)
		}
	}
	return a
}

// newTenant creates tenant slug through r and returns its admin key.
func newTenant(t testing.TB, r *replica, slug string) string {
	t.Helper()
	var created struct {
		Key struct{ Key string } `json:"key"`
	}
	r.must(t, http.StatusCreated, &created, "POST", "/api/v1/tenants", adminKey, `{"slug":"`+slug+`"}`)
	return created.Key.Key
}

// change is the answer to a schema change.
type change struct {
	Version int64 `json:"version"`
}

// eventModel is the model every test starts from.
const eventModel = `{"name":"event","fields":[
 {"name":"country","type":"text","required":true,"options":{"max_length":3}},
 {"name":"value","type":"integer"}]}`

// putEvent applies eventModel plus text fields named extra through r; it returns the
// new schema version.
func putEvent(t testing.TB, r *replica, slug, key string, extra ...string) int64 {
	t.Helper()
	def := strings.TrimSuffix(eventModel, "]}")
	for _, f := range extra {
		def += `,{"name":"` + f + `","type":"text"}`
	}
	var ch change
	r.must(t, http.StatusOK, &ch, "PUT", "/api/v1/t/"+slug+"/models/event?allow_data_loss=true", key, def+"]}")
	return ch.Version
}

// addField adds text field name to the event model through r; it returns the new version.
func addField(t testing.TB, r *replica, slug, key, name string) int64 {
	t.Helper()
	var ch change
	r.must(t, http.StatusCreated, &ch, "POST", "/api/v1/t/"+slug+"/models/event/fields", key,
		`{"name":"`+name+`","type":"text"}`)
	return ch.Version
}

// dropField drops field name of the event model through r; it returns the new version.
func dropField(t testing.TB, r *replica, slug, key, name string) int64 {
	t.Helper()
	var ch change
	r.must(t, http.StatusOK, &ch, "DELETE", "/api/v1/t/"+slug+"/models/event/fields/"+name+"?allow_data_loss=true", key, "")
	return ch.Version
}

// record is a record as the data API answers it.
type record map[string]any

// id is the record's id.
func (r record) id() string { return fmt.Sprint(r["id"]) }
