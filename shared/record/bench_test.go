package record_test

import (
	"testing"

	"forma.dev/shared/record"
)

// orderModel is a realistic 20-field model of mixed types.
const orderModel = `{
  "name": "order",
  "fields": [
    {"name": "number", "type": "text", "required": true, "options": {"max_length": 20, "pattern": "^ORD-[0-9]+$"}},
    {"name": "status", "type": "text", "required": true, "options": {"max_length": 10},
     "choices": ["new", "paid", "shipped", "done"], "default": "new"},
    {"name": "customer", "type": "relation", "related_model": "customer", "required": true},
    {"name": "email", "type": "email", "options": {"max_length": 254}},
    {"name": "website", "type": "url"},
    {"name": "quantity", "type": "integer", "options": {"min": 1, "max": 1000}},
    {"name": "priority", "type": "integer", "choices": [1, 2, 3]},
    {"name": "weight", "type": "float", "options": {"min": 0}},
    {"name": "total", "type": "decimal", "options": {"precision": 12, "scale": 2}},
    {"name": "tax", "type": "decimal", "options": {"precision": 10, "scale": 4}},
    {"name": "paid", "type": "boolean", "default": false},
    {"name": "gift", "type": "boolean"},
    {"name": "ship_on", "type": "date"},
    {"name": "deliver_at", "type": "datetime"},
    {"name": "window", "type": "time"},
    {"name": "tracking", "type": "uuid"},
    {"name": "meta", "type": "json"},
    {"name": "note", "type": "text"},
    {"name": "country", "type": "text", "options": {"max_length": 2}, "choices": ["PL", "DE", "US", "FR"]},
    {"name": "created", "type": "datetime", "options": {"auto_now_add": true}}
  ]
}`

const orderRecord = `{
  "number": "ORD-102938", "status": "paid", "customer": 4711, "email": "Ada@Example.com",
  "website": "https://example.com/shop", "quantity": 3, "priority": 2, "weight": 1.25,
  "total": "149.90", "tax": 28.04, "paid": true, "gift": false, "ship_on": "2024-05-02",
  "deliver_at": "2024-05-03T14:00:00+02:00", "window": "14:00", "tracking": "123E4567-E89B-12D3-A456-426614174000",
  "meta": {"channel": "web", "tags": ["a", "b"]}, "note": "leave at the door", "country": "PL"
}`

func BenchmarkValidateRecord(b *testing.B) {
	v := compile(b, orderModel)
	for _, useNumber := range []bool{false, true} {
		name := "float64"
		if useNumber {
			name = "UseNumber"
		}
		in := decodeRecord(b, orderRecord, useNumber)
		if _, list := v.Validate(in, record.Create); len(list) > 0 {
			b.Fatal(list)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v.Validate(in, record.Create)
			}
		})
	}
}

// FuzzValidateRecord checks that no record crashes the validator in any mode.
func FuzzValidateRecord(f *testing.F) {
	f.Add(orderRecord, uint8(0))
	f.Add(`{"id": 1, "created": null, "quantity": 1e300, "total": "1e-99999", "x": []}`, uint8(1))
	f.Add(`{"status": null, "meta": {"\u0000": 1}, "tracking": "{}", "window": "25:00"}`, uint8(2))
	v := compile(f, orderModel)
	f.Fuzz(func(t *testing.T, src string, mode uint8) {
		for _, useNumber := range []bool{false, true} {
			in, ok := tryDecode(src, useNumber)
			if !ok {
				return
			}
			out, list := v.Validate(in, record.Mode(mode%3))
			if (out == nil) == (len(list) == 0) {
				t.Fatalf("output %v with problems %v", out, list)
			}
			for i := 1; i < len(list); i++ {
				if list[i-1].Path > list[i].Path {
					t.Fatalf("problems out of order: %v", list)
				}
			}
		}
	})
}
