package telephony

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// scanFrame fills f from an event frame in one pass over the bytes, reading
// only the fields fastFrame has and skipping every other value unread:
// encoding/json's reflection over each channel snapshot's dozen fields was
// most of the reader's CPU. It reports false for anything it is not sure of
// (a value of another JSON type than the field's, a number with a fraction,
// malformed JSON): the frame then goes through encoding/json
// (TestScanFrameMatchesEncodingJSON holds the two equal on every recorded
// frame and its re-indented and compacted forms).
func scanFrame(data []byte, f *fastFrame) bool {
	s := scanner{d: data}
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "type":
			return s.str(&f.Type)
		case "timestamp":
			return s.strPtr(&f.Timestamp)
		case "channel":
			return s.channel(&f.Channel)
		case "peer":
			return s.channel(&f.Peer)
		case "args":
			return s.strings(&f.Args)
		case "digit":
			return s.str(&f.Digit)
		case "duration_ms":
			return s.int(&f.DurationMs)
		case "cause":
			return s.int(&f.Cause)
		case "cause_txt":
			return s.str(&f.CauseTxt)
		case "soft":
			return s.bool(&f.Soft)
		case "dialstatus":
			return s.str(&f.Dialstatus)
		case "bridge":
			v := &struct {
				ID string `json:"id"`
			}{}
			present, ok := s.only("id", &v.ID)
			f.Bridge = nil
			if present {
				f.Bridge = v
			}
			return ok
		case "playback":
			return s.target(&f.Playback)
		case "recording":
			return s.target(&f.Recording)
		}
		return s.skip()
	})
	if !ok {
		return false
	}
	s.ws()
	return s.i == len(s.d)
}

type scanner struct {
	d []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.d) {
		switch s.d[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte (0 at the end).
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.d) {
		return s.d[s.i]
	}
	return 0
}

// null consumes a null if one is next.
func (s *scanner) null() bool {
	if s.peek() == 'n' && bytes.HasPrefix(s.d[s.i:], []byte("null")) {
		s.i += 4
		return true
	}
	return false
}

// object calls field for each key of the object that is next, with the
// scanner at the key's value; field must consume the value. A null is an
// object with no keys.
func (s *scanner) object(field func(key []byte) bool) bool {
	if s.null() {
		return true
	}
	if s.peek() != '{' {
		return false
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return true
	}
	for {
		if s.peek() != '"' {
			return false
		}
		key, ok := s.rawString()
		if !ok || bytes.IndexByte(key, '\\') >= 0 {
			return false
		}
		if s.peek() != ':' {
			return false
		}
		s.i++
		if !field(key[1 : len(key)-1]) {
			return false
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// rawString returns the next string with its quotes, escapes left as they
// are.
func (s *scanner) rawString() ([]byte, bool) {
	if s.peek() != '"' {
		return nil, false
	}
	start := s.i
	for s.i++; s.i < len(s.d); s.i++ {
		switch c := s.d[s.i]; {
		case c == '\\':
			s.i++
		case c == '"':
			s.i++
			return s.d[start:s.i], true
		case c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// str reads a string (a null leaves *dst as it is, as encoding/json does).
func (s *scanner) str(dst *string) bool {
	if s.null() {
		return true
	}
	raw, ok := s.rawString()
	if !ok {
		return false
	}
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		*dst = string(raw[1 : len(raw)-1])
		return true
	}
	return json.Unmarshal(raw, dst) == nil
}

func (s *scanner) strPtr(dst **string) bool {
	if s.null() {
		*dst = nil
		return true
	}
	v := new(string)
	if !s.str(v) {
		return false
	}
	*dst = v
	return true
}

func (s *scanner) strings(dst *[]string) bool {
	if s.null() {
		*dst = nil
		return true
	}
	if s.peek() != '[' {
		return false
	}
	s.i++
	out := []string{}
	if s.peek() == ']' {
		s.i++
		*dst = out
		return true
	}
	for {
		var v string
		if s.peek() != '"' || !s.str(&v) {
			return false
		}
		out = append(out, v)
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			*dst = out
			return true
		default:
			return false
		}
	}
}

// int reads an integer (no fraction or exponent: those go to encoding/json).
func (s *scanner) int(dst *int) bool {
	if s.null() {
		return true
	}
	s.ws()
	start := s.i
	if s.i < len(s.d) && s.d[s.i] == '-' {
		s.i++
	}
	for s.i < len(s.d) && s.d[s.i] >= '0' && s.d[s.i] <= '9' {
		s.i++
	}
	if s.i < len(s.d) && (s.d[s.i] == '.' || s.d[s.i] == 'e' || s.d[s.i] == 'E') {
		return false
	}
	n, err := strconv.Atoi(string(s.d[start:s.i]))
	if err != nil {
		return false
	}
	*dst = n
	return true
}

func (s *scanner) bool(dst *bool) bool {
	if s.null() {
		return true
	}
	switch {
	case bytes.HasPrefix(s.d[s.i:], []byte("true")):
		*dst = true
		s.i += 4
	case bytes.HasPrefix(s.d[s.i:], []byte("false")):
		*dst = false
		s.i += 5
	default:
		return false
	}
	return true
}

// skip consumes any one value.
func (s *scanner) skip() bool {
	switch c := s.peek(); {
	case c == '"':
		_, ok := s.rawString()
		return ok
	case c == '{':
		return s.object(func([]byte) bool { return s.skip() })
	case c == '[':
		s.i++
		if s.peek() == ']' {
			s.i++
			return true
		}
		for {
			if !s.skip() {
				return false
			}
			switch s.peek() {
			case ',':
				s.i++
			case ']':
				s.i++
				return true
			default:
				return false
			}
		}
	case c == 't' || c == 'f':
		var b bool
		return s.bool(&b)
	case c == 'n':
		return s.null()
	case c == '-' || (c >= '0' && c <= '9'):
		start := s.i
		for s.i < len(s.d) && strings.IndexByte("+-.eE0123456789", s.d[s.i]) >= 0 {
			s.i++
		}
		return json.Valid(s.d[start:s.i])
	}
	return false
}

// only reads an object of which one string field, key, matters into *dst;
// present is false for a null. (Callers pass a field of the struct they
// keep: a local variable behind dst would cost an allocation an event.)
func (s *scanner) only(key string, dst *string) (present, ok bool) {
	if s.null() {
		return false, true
	}
	return true, s.object(func(k []byte) bool {
		if string(k) == key {
			return s.str(dst)
		}
		return s.skip()
	})
}

func (s *scanner) channel(dst **fastChannel) bool {
	if s.null() {
		*dst = nil
		return true
	}
	c := &fastChannel{}
	*dst = c
	return s.object(func(k []byte) bool {
		switch string(k) {
		case "id":
			return s.str(&c.ID)
		case "name":
			return s.str(&c.Name)
		case "state":
			return s.str(&c.State)
		case "language":
			return s.str(&c.Language)
		case "creationtime":
			return s.strPtr(&c.Creationtime)
		case "caller":
			v := &struct {
				Number string `json:"number"`
			}{}
			present, ok := s.only("number", &v.Number)
			c.Caller = nil
			if present {
				c.Caller = v
			}
			return ok
		case "dialplan":
			v := &struct {
				Exten string `json:"exten"`
			}{}
			present, ok := s.only("exten", &v.Exten)
			c.Dialplan = nil
			if present {
				c.Dialplan = v
			}
			return ok
		}
		return s.skip()
	})
}

func (s *scanner) target(dst **fastTarget) bool {
	if s.null() {
		*dst = nil
		return true
	}
	t := &fastTarget{}
	*dst = t
	return s.object(func(k []byte) bool {
		switch string(k) {
		case "id":
			return s.str(&t.ID)
		case "name":
			return s.str(&t.Name)
		case "state":
			return s.str(&t.State)
		case "target_uri":
			return s.str(&t.TargetURI)
		case "duration":
			return s.int(&t.Duration)
		}
		return s.skip()
	})
}
