package tokens

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"math/bits"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Member is one name/value pair of a JSON object, in the order the token has it. Value is
// the member's raw JSON text, already checked to be strict JSON.
type Member struct {
	Name  string
	Value json.RawMessage
}

// Object is a JSON object as an ordered list of members with no duplicate names.
type Object []Member

// Get returns the raw value of the member called name.
func (o Object) Get(name string) (json.RawMessage, bool) {
	for i := range o {
		if o[i].Name == name {
			return o[i].Value, true
		}
	}
	return nil, false
}

// String returns the member called name when it is a JSON string.
func (o Object) String(name string) (string, bool) {
	v, ok := o.Get(name)
	if !ok || len(v) < 2 || v[0] != '"' {
		return "", false
	}
	if inner := v[1 : len(v)-1]; bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true // already checked strict: no escapes, no control characters
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

// Has reports whether the object has a member called name.
func (o Object) Has(name string) bool {
	_, ok := o.Get(name)
	return ok
}

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxJSONDepth = 64

// ParseObject parses data as one JSON object under the rules a JOSE header or a
// claims set must meet: valid UTF-8 without a byte order mark, RFC 8259 grammar with no
// extensions, no duplicate member names at any depth (compared after unescaping), no lone
// surrogates, nothing but whitespace after the object.
func ParseObject(data []byte) (Object, error) {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		return nil, fmt.Errorf("starts with a byte order mark")
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("is not valid UTF-8")
	}
	top := topPool.Get().(*topScratch)
	defer top.release()
	s := scanner{data: data, top: top}
	s.skipSpace()
	if s.pos >= len(data) || data[s.pos] != '{' {
		return nil, fmt.Errorf("is not a JSON object")
	}
	obj, err := s.object(0, true)
	if err != nil {
		return nil, err
	}
	s.skipSpace()
	if s.pos != len(data) {
		return nil, fmt.Errorf("has trailing data after the JSON object at byte %d", s.pos)
	}
	return obj, nil
}

type scanner struct {
	data []byte
	pos  int
	top  *topScratch // scratch for the top-level object, the one whose members are kept
}

// topScratch is reused from parse to parse for the top-level object: its members before
// they are copied out at their exact size, and its set of names when it is large. Reuse
// keeps a large claims set to one allocation for its members and none for the set.
type topScratch struct {
	members Object
	raws    [][]byte // the members' names as scanned, before they become strings
	slots   []int32  // the open-addressing table of firstDuplicate
}

var topPool = sync.Pool{New: func() any { return new(topScratch) }}

// release forgets what the parse left in t, so that the pool holds on to no token data,
// and returns t to the pool.
func (t *topScratch) release() {
	clear(t.members[:cap(t.members)])
	t.members = t.members[:0]
	clear(t.raws[:cap(t.raws)])
	t.raws = t.raws[:0]
	topPool.Put(t)
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("is not valid JSON at byte %d: %s", s.pos, fmt.Sprintf(format, args...))
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// smallObject is the member count up to which duplicate names are found by comparing
// with each earlier name; larger objects use a set.
const smallObject = 16

// object scans an object starting at '{'. When keep is set it returns the members; nested
// objects are only checked.
func (s *scanner) object(depth int, keep bool) (Object, error) {
	if depth >= maxJSONDepth {
		return nil, fmt.Errorf("nests deeper than %d levels", maxJSONDepth)
	}
	s.pos++ // '{'
	var (
		members Object
		raws    [][]byte
	)
	if keep {
		members, raws = s.top.members[:0], s.top.raws[:0]
	}
	var small [smallObject][]byte // names for the duplicate check, on the stack for small objects
	names := small[:0]
	var index map[string]struct{}
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return Object{}, nil
	}
	for {
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return nil, s.errorf("expected a member name")
		}
		raw, err := s.scanString(true)
		if err != nil {
			return nil, err
		}
		// Duplicate names are refused at every depth: parsers disagree on which one wins.
		switch {
		case index != nil:
			name := string(raw)
			if _, dup := index[name]; dup {
				return nil, fmt.Errorf("has a duplicate member %q", name)
			}
			index[name] = struct{}{}
		case len(names) < smallObject:
			for _, n := range names {
				if bytes.Equal(n, raw) {
					return nil, fmt.Errorf("has a duplicate member %q", raw)
				}
			}
			names = append(names, raw)
		case keep:
			// A large kept object is checked once its names are strings (keptMembers).
		default:
			index = make(map[string]struct{}, 4*smallObject)
			for _, n := range names {
				index[string(n)] = struct{}{}
			}
			name := string(raw)
			if _, dup := index[name]; dup {
				return nil, fmt.Errorf("has a duplicate member %q", name)
			}
			index[name] = struct{}{}
		}
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return nil, s.errorf("expected ':' after member name")
		}
		s.pos++
		s.skipSpace()
		start := s.pos
		if err := s.value(depth + 1); err != nil {
			return nil, err
		}
		if keep {
			members = append(members, Member{Value: json.RawMessage(s.data[start:s.pos:s.pos])})
			raws = append(raws, raw)
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return nil, s.errorf("unterminated object")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			if keep {
				s.top.members, s.top.raws = members, raws // keep grown slices for the next parse
				return s.keptMembers(members, raws)
			}
			return nil, nil
		default:
			return nil, s.errorf("expected ',' or '}'")
		}
	}
}

// keptMembers copies the top-level members out at their exact size and names them: names
// the catalogue knows are shared strings, all others are cut from one string. Objects too
// large for the one-by-one comparison get their duplicate check here.
func (s *scanner) keptMembers(members Object, raws [][]byte) (Object, error) {
	out := make(Object, len(members))
	copy(out, members)
	size := 0
	for i, r := range raws {
		if n, ok := knownName(r); ok {
			out[i].Name = n // never "": the catalogue has no empty name
		} else {
			size += len(r)
		}
	}
	var b strings.Builder
	b.Grow(size)
	for i, r := range raws {
		if out[i].Name == "" {
			b.Write(r)
		}
	}
	arena, off := b.String(), 0
	for i, r := range raws {
		if out[i].Name == "" {
			out[i].Name, off = arena[off:off+len(r)], off+len(r)
		}
	}
	if len(out) > smallObject {
		if dup, ok := s.top.firstDuplicate(out); ok {
			return nil, fmt.Errorf("has a duplicate member %q", dup)
		}
	}
	return out, nil
}

// nameSeed keys the hash of firstDuplicate, so that a token cannot choose names that
// collide.
var nameSeed = maphash.MakeSeed()

// firstDuplicate reports the first name in members that an earlier member already has. It
// is a set of member indexes in a reused open-addressing table at most half full: cheaper
// than a map, which would hash the same way but also allocate and copy on the way.
func (t *topScratch) firstDuplicate(members Object) (string, bool) {
	size := 1
	for size < 2*len(members) {
		size <<= 1
	}
	if cap(t.slots) < size {
		t.slots = make([]int32, size)
	}
	slots := t.slots[:size]
	for i := range slots {
		slots[i] = -1
	}
	mask := uint64(size - 1)
	for i, m := range members {
		for h := maphash.String(nameSeed, m.Name) & mask; ; h = (h + 1) & mask {
			j := slots[h]
			if j < 0 {
				slots[h] = int32(i)
				break
			}
			if members[j].Name == m.Name {
				return m.Name, true
			}
		}
	}
	return "", false
}

func (s *scanner) value(depth int) error {
	if s.pos >= len(s.data) {
		return s.errorf("unexpected end of input")
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		_, err := s.object(depth, false)
		return err
	case c == '[':
		return s.array(depth)
	case c == '"':
		return s.skipString()
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		return s.errorf("unexpected character %q", c)
	}
}

func (s *scanner) array(depth int) error {
	if depth >= maxJSONDepth {
		return fmt.Errorf("nests deeper than %d levels", maxJSONDepth)
	}
	s.pos++ // '['
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		s.skipSpace()
		if err := s.value(depth + 1); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.errorf("unterminated array")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.errorf("expected ',' or ']'")
		}
	}
}

func (s *scanner) literal(lit string) error {
	if len(s.data)-s.pos < len(lit) || string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return s.errorf("invalid literal")
	}
	s.pos += len(lit)
	return nil
}

func (s *scanner) number() error {
	d := s.data
	if d[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(d) && d[s.pos] == '0':
		s.pos++
	case s.pos < len(d) && d[s.pos] >= '1' && d[s.pos] <= '9':
		for s.pos < len(d) && d[s.pos] >= '0' && d[s.pos] <= '9' {
			s.pos++
		}
	default:
		return s.errorf("invalid number")
	}
	if s.pos < len(d) && d[s.pos] == '.' {
		s.pos++
		if s.pos >= len(d) || d[s.pos] < '0' || d[s.pos] > '9' {
			return s.errorf("invalid number")
		}
		for s.pos < len(d) && d[s.pos] >= '0' && d[s.pos] <= '9' {
			s.pos++
		}
	}
	if s.pos < len(d) && (d[s.pos] == 'e' || d[s.pos] == 'E') {
		s.pos++
		if s.pos < len(d) && (d[s.pos] == '+' || d[s.pos] == '-') {
			s.pos++
		}
		if s.pos >= len(d) || d[s.pos] < '0' || d[s.pos] > '9' {
			return s.errorf("invalid number")
		}
		for s.pos < len(d) && d[s.pos] >= '0' && d[s.pos] <= '9' {
			s.pos++
		}
	}
	return nil
}

// skipString checks a string value without building it.
func (s *scanner) skipString() error {
	_, err := s.scanString(false)
	return err
}

// scanString checks the string at pos. With build it also returns the unescaped text: a
// view into data when the string has no escapes (the common case, no allocation),
// otherwise a new slice.
func (s *scanner) scanString(build bool) ([]byte, error) {
	d := s.data
	start := s.pos + 1 // after the opening quote
	// Fast path: no escapes. Eight bytes at a time are tested for a quote, a backslash or a
	// control character; the first such byte ends the fast scan.
	i := start
	for len(d)-i >= 8 {
		if m := specialBytes(binary.LittleEndian.Uint64(d[i:])); m != 0 {
			i += bits.TrailingZeros64(m) / 8
			break
		}
		i += 8
	}
	for i < len(d) && !stringSpecial[d[i]] {
		i++
	}
	s.pos = i
	if i < len(d) {
		switch d[i] {
		case '"':
			s.pos++
			return d[start:i:i], nil
		case '\\':
		default:
			return nil, s.errorf("control character in string")
		}
	}
	var buf []byte
	if build {
		buf = append(make([]byte, 0, 2*(s.pos-start)+16), d[start:s.pos]...)
	}
	for s.pos < len(d) {
		c := d[s.pos]
		switch {
		case c == '"':
			s.pos++
			return buf, nil
		case c < 0x20:
			return nil, s.errorf("control character in string")
		case c != '\\':
			if build {
				buf = append(buf, c)
			}
			s.pos++
			continue
		}
		if s.pos+1 >= len(d) {
			return nil, s.errorf("unterminated escape")
		}
		e := d[s.pos+1]
		s.pos += 2
		switch e {
		case '"', '\\', '/':
			if build {
				buf = append(buf, e)
			}
		case 'b', 'f', 'n', 'r', 't':
			if build {
				buf = append(buf, shortEscapes[e])
			}
		case 'u':
			r, err := s.hex4()
			if err != nil {
				return nil, err
			}
			if utf16.IsSurrogate(r) {
				if r >= 0xDC00 || s.pos+1 >= len(d) || d[s.pos] != '\\' || d[s.pos+1] != 'u' {
					return nil, s.errorf("lone UTF-16 surrogate in string")
				}
				s.pos += 2
				r2, err := s.hex4()
				if err != nil {
					return nil, err
				}
				r = utf16.DecodeRune(r, r2)
				if r == utf8.RuneError {
					return nil, s.errorf("lone UTF-16 surrogate in string")
				}
			}
			if build {
				buf = utf8.AppendRune(buf, r)
			}
		default:
			if e > ' ' && e < 0x7f {
				return nil, s.errorf("invalid escape \\%c", e)
			}
			// Never put the raw byte in a reason: it may be a line break or ESC.
			return nil, s.errorf("invalid escape: backslash followed by byte 0x%02x", e)
		}
	}
	return nil, s.errorf("unterminated string")
}

// knownName returns the shared string for a name the catalogue knows.
func knownName(b []byte) (string, bool) {
	if len(b) > maxKnownName {
		return "", false
	}
	n, ok := knownNames[string(b)]
	return n, ok
}

// knownNames holds one string for each header parameter and claim in the catalogue;
// maxKnownName is the longest, so that long (namespaced) names are not even hashed.
var knownNames, maxKnownName = func() (map[string]string, int) {
	m := make(map[string]string, len(headerCatalogue)+len(claimCatalogue))
	longest := 0
	for _, c := range []map[string]entry{headerCatalogue, claimCatalogue} {
		for k := range c {
			m[k] = k
			longest = max(longest, len(k))
		}
	}
	return m, longest
}()

// stringSpecial marks the bytes that end the fast scan of a string: the closing quote, a
// backslash and the control characters JSON forbids inside strings.
var stringSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// specialBytes returns a mask with the top bit set in the byte lanes of w (eight bytes,
// little-endian) that hold a quote, a backslash or a control character. Lanes above the
// first such byte may be set spuriously by a borrow, so only the lowest set lane counts.
func specialBytes(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := w ^ '"'*ones
	backslash := w ^ '\\'*ones
	m := (quote - ones) &^ quote
	m |= (backslash - ones) &^ backslash
	m |= (w - 0x20*ones) &^ w
	return m & highs
}

// shortEscapes maps the letter of a two-character escape to the control character it stands for.
var shortEscapes = [256]byte{'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func (s *scanner) hex4() (rune, error) {
	if len(s.data)-s.pos < 4 {
		return 0, s.errorf("short \\u escape")
	}
	var r rune
	for _, c := range s.data[s.pos : s.pos+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, s.errorf("invalid \\u escape")
		}
		r = r<<4 | rune(c)
	}
	s.pos += 4
	return r, nil
}
