package httpapi

import (
	"bytes"
	"hash/maphash"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"forma.dev/shared/problem"
)

// maxJSONDepth bounds how deeply a body may nest arrays and objects: far beyond any
// record or definition, far below what would make decoding (or Postgres' jsonb) costly.
const maxJSONDepth = 1000

// smallObject is how many member names an object may have before its duplicate check
// moves from a linear scan to a map of their hashes.
const smallObject = 32

var nameSeed = maphash.MakeSeed()

// jsonFault is what checkJSON found wrong in a body.
type jsonFault struct {
	code   string // problem.Duplicate, problem.InvalidFormat, or "depth"
	path   string // where: slug, fields[2].name; "" for the body itself
	name   string // the member named twice
	offset int    // the byte where the fault is
	detail string
}

// checkJSON finds what encoding/json lets through without a word: a member name twice
// in one object (it keeps the last), and strings that are not UTF-8 or hold half a
// UTF-16 surrogate pair (it writes U+FFFD for them). It also refuses nesting deeper
// than maxJSONDepth. Other syntax is left to encoding/json, which decodes the body
// next: a string or escape cut short ends the scan without a fault, so that the
// decoder's own error is the one shown.
func checkJSON(b []byte) *jsonFault {
	s := scanners.Get().(*jsonScanner)
	f := s.run(b)
	s.reset()
	scanners.Put(s)
	return f
}

var scanners = sync.Pool{New: func() any { return &jsonScanner{} }}

// frame is one open array or object.
type frame struct {
	object bool
	first  int            // object: index in keys of its first member's name
	cur    int            // object: index in keys of the current member's name, -1 before one
	index  int            // array: index of the current element
	set    map[uint64]int // object with more than smallObject names: hash to index in keys
}

// jsonScanner holds the buffers of one scan, reused through scanners.
type jsonScanner struct {
	b     []byte
	stack []frame
	keys  []key  // the open objects' member names
	names []byte // those names, decoded, back to back
}

func (s *jsonScanner) reset() {
	s.b, s.stack, s.keys, s.names = nil, s.stack[:0], s.keys[:0], s.names[:0]
}

func (s *jsonScanner) run(b []byte) *jsonFault {
	s.b = b
	expectKey := false
	for i := 0; i < len(b); {
		switch b[i] {
		case '"':
			top := len(s.stack) - 1
			if expectKey && top >= 0 && s.stack[top].object {
				end, f, ok := s.key(i)
				if f != nil || !ok {
					return f
				}
				if f := s.member(top); f != nil {
					f.offset = i
					return f
				}
				i, expectKey = end, false
				continue
			}
			end, bad, ok := scanString(b, i, nil)
			if !ok {
				return nil
			}
			if bad >= 0 {
				return s.badString(bad, s.path())
			}
			i = end
		case '{', '[':
			if len(s.stack) == maxJSONDepth {
				return &jsonFault{code: "depth", offset: i, detail: "the body nests arrays and objects deeper than " + strconv.Itoa(maxJSONDepth)}
			}
			s.stack = append(s.stack, frame{object: b[i] == '{', first: len(s.keys), cur: -1})
			expectKey = b[i] == '{'
			i++
		case '}', ']':
			if len(s.stack) == 0 {
				return nil
			}
			f := s.stack[len(s.stack)-1]
			s.stack = s.stack[:len(s.stack)-1]
			if f.object {
				if f.first > 0 {
					s.names = s.names[:s.keys[f.first-1].end]
				} else {
					s.names = s.names[:0]
				}
				s.keys = s.keys[:f.first]
			}
			expectKey = false
			i++
		case ',':
			if top := len(s.stack) - 1; top >= 0 {
				if s.stack[top].object {
					expectKey = true
				} else {
					s.stack[top].index++
				}
			}
			i++
		default:
			for i++; i < len(b) && !structural[b[i]]; i++ {
			}
		}
	}
	return nil
}

// structural marks the bytes run acts on; it skips the others in one loop.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true, ',': true}

// stringStop marks the bytes a string's scan must look at: its end, escapes, and
// bytes outside ASCII.
var stringStop = func() (t [256]bool) {
	t['"'], t['\\'] = true, true
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = true
	}
	return t
}()

// key reads the member name that starts at b[i] into names; ok is false on input
// encoding/json will refuse anyway.
func (s *jsonScanner) key(i int) (end int, f *jsonFault, ok bool) {
	end, bad, ok := scanString(s.b, i, &s.names)
	if !ok {
		return 0, nil, false
	}
	if bad >= 0 {
		return 0, s.badString(bad, s.path()), true
	}
	start := 0
	if n := len(s.keys); n > 0 {
		start = s.keys[n-1].end
	}
	s.keys = append(s.keys, key{end: len(s.names), print: fingerprint(s.names[start:])})
	return end, nil, true
}

// key is one member name of an open object: where it ends in names, and a
// fingerprint that tells most different names apart without comparing them.
type key struct {
	end   int
	print uint64
}

func fingerprint(name []byte) uint64 {
	n := len(name)
	if n == 0 {
		return 0
	}
	return uint64(n) | uint64(name[0])<<32 | uint64(name[n/2])<<40 | uint64(name[n-1])<<48
}

// member checks the name just read against the other names of the object at top.
func (s *jsonScanner) member(top int) *jsonFault {
	fr := &s.stack[top]
	last := len(s.keys) - 1
	name := s.name(last)
	dup := false
	switch n := last - fr.first; {
	case n < smallObject:
		p := s.keys[last].print
		for k := fr.first; k < last && !dup; k++ {
			dup = s.keys[k].print == p && bytes.Equal(s.name(k), name)
		}
	default:
		if fr.set == nil {
			fr.set = make(map[uint64]int, 2*n)
			for k := fr.first; k < last; k++ {
				fr.set[maphash.Bytes(nameSeed, s.name(k))] = k
			}
		}
		h := maphash.Bytes(nameSeed, name)
		if k, ok := fr.set[h]; ok {
			dup = bytes.Equal(s.name(k), name)
			for k := fr.first; k < last && !dup; k++ { // a collision of two names' hashes
				dup = bytes.Equal(s.name(k), name)
			}
		}
		fr.set[h] = last
	}
	fr.cur = last
	if dup {
		return &jsonFault{code: problem.Duplicate, path: s.path(), name: string(name),
			detail: "the body names a member twice in one object"}
	}
	return nil
}

// name returns the k-th name in names.
func (s *jsonScanner) name(k int) []byte {
	start := 0
	if k > 0 {
		start = s.keys[k-1].end
	}
	return s.names[start:s.keys[k].end]
}

// path names the value being read: its members' names and array indexes.
func (s *jsonScanner) path() string {
	p := ""
	for _, f := range s.stack {
		switch {
		case !f.object:
			p += "[" + strconv.Itoa(f.index) + "]"
		case f.cur >= 0:
			p = problem.Join(p, string(s.name(f.cur)))
		}
	}
	return p
}

func (s *jsonScanner) badString(at int, path string) *jsonFault {
	what := "text that is not UTF-8"
	if s.b[at] == '\\' {
		what = "half of a UTF-16 surrogate pair (" + string(s.b[at:at+6]) + ")"
	}
	return &jsonFault{code: problem.InvalidFormat, path: path, offset: at,
		detail: "the body holds " + what + " at byte " + strconv.Itoa(at)}
}

// scanString reads the string that starts with the quote at b[i]: end is just past its
// closing quote, bad the offset of its first byte that is not UTF-8 or of a \u escape
// of a lone surrogate (-1: none). When to is not nil, the decoded string is appended to
// it. ok is false when the string is malformed in a way encoding/json refuses.
func scanString(b []byte, i int, to *[]byte) (end, bad int, ok bool) {
	start := i + 1
	for j := start; j < len(b); {
		c := b[j]
		switch {
		case c == '"':
			if to != nil {
				*to = append(*to, b[start:j]...)
			}
			return j + 1, -1, true
		case c == '\\':
			if to != nil {
				*to = append(*to, b[start:j]...)
			}
			n, bad, ok := escape(b, j, to)
			if !ok || bad >= 0 {
				return 0, bad, ok
			}
			j += n
			start = j
		case c < utf8.RuneSelf:
			for j++; j < len(b) && !stringStop[b[j]]; j++ {
			}
		default:
			r, size := utf8.DecodeRune(b[j:])
			if r == utf8.RuneError && size == 1 {
				return 0, j, true
			}
			j += size
		}
	}
	return 0, -1, false
}

// escape reads the escape at b[j] (a backslash), appending what it stands for to to
// when not nil, and returns its length.
func escape(b []byte, j int, to *[]byte) (n, bad int, ok bool) {
	if j+1 >= len(b) {
		return 0, -1, false
	}
	if b[j+1] != 'u' {
		r, known := simpleEscapes[b[j+1]]
		if to != nil && known {
			*to = append(*to, r)
		}
		return 2, -1, known
	}
	r, ok := hex4(b, j+2)
	if !ok {
		return 0, -1, false
	}
	n = 6
	if utf16.IsSurrogate(r) {
		if j+12 > len(b) && bytes.HasPrefix([]byte(`\\u`), b[j+6:min(j+8, len(b))]) {
			return 0, -1, false // cut short
		}
		lo, ok := rune(0), false
		if b[j+6] == '\\' && b[j+7] == 'u' {
			lo, ok = hex4(b, j+8)
		}
		if r >= 0xDC00 || !ok || lo < 0xDC00 || lo > 0xDFFF {
			return 0, j, true
		}
		r, n = utf16.DecodeRune(r, lo), 12
	}
	if to != nil {
		*to = utf8.AppendRune(*to, r)
	}
	return n, -1, true
}

var simpleEscapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
