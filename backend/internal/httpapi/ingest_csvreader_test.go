package httpapi

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// readAllCSV reads every record with csvReader, the fields copied.
func readAllCSV(in string) ([][]string, [][]bool, error) {
	r := newCSVReader(bufio.NewReaderSize(strings.NewReader(in), 16), 1<<20)
	var recs [][]string
	var quoted [][]bool
	for {
		f, q, err := r.Read()
		if err == io.EOF {
			return recs, quoted, nil
		}
		if err != nil {
			return recs, quoted, err
		}
		recs = append(recs, append([]string(nil), f...))
		quoted = append(quoted, append([]bool(nil), q...))
	}
}

func TestCSVReaderTellsQuotedEmptyFromEmpty(t *testing.T) {
	recs, quoted, err := readAllCSV("a,b,c\r\n\"\",,\"x\"\"y\"\n\n\"multi\r\nline\",2,\n")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a", "b", "c"}, {"", "", `x"y`}, {"multi\nline", "2", ""}}
	if !reflect.DeepEqual(recs, want) || !reflect.DeepEqual(quoted[1], []bool{true, false, true}) || !reflect.DeepEqual(quoted[2], []bool{true, false, false}) {
		t.Fatalf("%q %v", recs, quoted)
	}
	for _, bad := range []string{"a,b\"c\n", "\"a\"b\n", "\"open\nstill"} {
		var se *csvSyntaxError
		if _, _, err := readAllCSV(bad); !errors.As(err, &se) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// FuzzCSVReader: csvReader reads what encoding/csv reads, field for field, and refuses
// what it refuses.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\"\",,\n", "\"a\r\nb\",c\r\n", "a\"b\n", "\"a\"b", "\n\n x ,\"y\"\"\"\r", "a,\"b\n", ",\r\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cr := csv.NewReader(strings.NewReader(in))
		cr.FieldsPerRecord = -1
		want, werr := cr.ReadAll()
		got, _, gerr := readAllCSV(in)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("%q: encoding/csv %v, csvReader %v", in, werr, gerr)
		}
		if werr == nil && !(len(want) == 0 && len(got) == 0) && !reflect.DeepEqual(want, got) {
			t.Fatalf("%q: encoding/csv %q, csvReader %q", in, want, got)
		}
	})
}

// TestCSVReaderAgreesWithEncodingCSV: short inputs over the characters that matter,
// read by both readers.
func TestCSVReaderAgreesWithEncodingCSV(t *testing.T) {
	const alphabet = "a,\"\r\n "
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50_000 {
		b := make([]byte, rng.IntN(14))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		in := string(b)
		cr := csv.NewReader(strings.NewReader(in))
		cr.FieldsPerRecord = -1
		want, werr := cr.ReadAll()
		got, _, gerr := readAllCSV(in)
		if (werr != nil) != (gerr != nil) || werr == nil && !(len(want) == 0 && len(got) == 0) && !reflect.DeepEqual(want, got) {
			t.Fatalf("%q: encoding/csv %q %v, csvReader %q %v", in, want, werr, got, gerr)
		}
	}
}
