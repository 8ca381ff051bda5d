package httpapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// benchRecord is a 20-field record body, as single-record creates send.
func benchRecord(i int) string {
	var b strings.Builder
	b.WriteString("{")
	for f := 0; f < 20; f++ {
		if f > 0 {
			b.WriteString(",")
		}
		switch f % 4 {
		case 0:
			fmt.Fprintf(&b, `"text_%d":"value %d of record %d, with some words"`, f, f, i)
		case 1:
			fmt.Fprintf(&b, `"int_%d":%d`, f, i*f)
		case 2:
			fmt.Fprintf(&b, `"dec_%d":"%d.25"`, f, i)
		default:
			fmt.Fprintf(&b, `"flag_%d":%t`, f, i%2 == 0)
		}
	}
	b.WriteString("}")
	return b.String()
}

// benchBodies are the bodies the JSON benchmarks read: one record, and a bulk write of
// 10,000 records.
func benchBodies() []struct {
	name string
	body []byte
} {
	records := make([]string, 10000)
	for i := range records {
		records[i] = benchRecord(i)
	}
	return []struct {
		name string
		body []byte
	}{
		{"record20", []byte(benchRecord(1))},
		{"bulk10000", []byte("[" + strings.Join(records, ",") + "]")},
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	for _, bc := range benchBodies() {
		b.Run(bc.name, func(b *testing.B) {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			rd := bytes.NewReader(bc.body)
			c.Request = &http.Request{Method: "POST", ContentLength: int64(len(bc.body))}
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(bc.body)
				c.Request.Body = io.NopCloser(rd)
				if _, err := decodeJSON(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheckJSON(b *testing.B) {
	for _, bc := range benchBodies() {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				if f := checkJSON(bc.body); f != nil {
					b.Fatal(f.detail)
				}
			}
		})
	}
}
