package arisim

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// mediaKind is how a media URI plays.
type mediaKind int

const (
	mediaOK      mediaKind = iota // plays for a known duration
	mediaFailed                   // missing file: PlaybackStarted then PlaybackFinished failed
	mediaForever                  // plays until stopped (tone: without a duration)
	mediaVanish                   // unknown scheme: PlaybackStarted, then nothing ever
)

// Per-item durations of Asterisk's say files (Debian core sounds, en), measured on the recordings.
const (
	digitDuration = 815 * time.Millisecond
	wordDuration  = 845 * time.Millisecond
	charDuration  = 800 * time.Millisecond
)

// defaultSounds are durations of common core sounds as measured on the
// recordings; they override coresounds.txt (which only decides what exists).
var defaultSounds = map[string]time.Duration{
	"hello-world":           1400 * time.Millisecond,
	"beep":                  420 * time.Millisecond,
	"queue-thankyou":        1590 * time.Millisecond,
	"auth-thankyou":         955 * time.Millisecond,
	"basic-pbx-ivr-main":    25 * time.Second,
	"you-entered":           970 * time.Millisecond,
	"vm-and":                670 * time.Millisecond,
	"vm-goodbye":            900 * time.Millisecond,
	"demo-congrats":         22 * time.Second,
	"queue-callswaiting":    1800 * time.Millisecond,
	"queue-holdtime":        1500 * time.Millisecond,
	"queue-minutes":         700 * time.Millisecond,
	"queue-thereare":        900 * time.Millisecond,
	"queue-youarenext":      1300 * time.Millisecond,
	"pbx-invalid":           1900 * time.Millisecond,
	"vm-intro":              4200 * time.Millisecond,
	"conf-now-recording":    1700 * time.Millisecond,
	"silence/1":             time.Second,
	"tt-monkeys":            7 * time.Second,
	"please-try-again":      1100 * time.Millisecond,
	"goodbye":               700 * time.Millisecond,
	"thank-you-for-calling": 1300 * time.Millisecond,
}

func init() {
	for i := 0; i <= 9; i++ {
		defaultSounds["digits/"+strconv.Itoa(i)] = 800 * time.Millisecond
	}
}

// mediaTable resolves sound durations from a sounds directory or the core
// sounds; any other name is missing.
type mediaTable struct {
	dir     string
	missing map[string]bool
	mu      sync.Mutex
	cache   map[string]soundInfo
}

type soundInfo struct {
	d       time.Duration
	exists  bool
	formats []soundFormat
}

type soundFormat struct {
	Language string `json:"language"`
	Format   string `json:"format"`
}

func newMediaTable(dir string, missing []string) *mediaTable {
	m := &mediaTable{dir: dir, missing: map[string]bool{}, cache: map[string]soundInfo{}}
	for _, n := range missing {
		m.missing[n] = true
	}
	return m
}

var soundExts = []string{"wav", "sln16", "sln", "ulaw", "alaw", "gsm", "g722"}

// sound returns what is known about a sound name in a language.
func (m *mediaTable) sound(lang, name string) soundInfo {
	key := lang + "/" + name
	m.mu.Lock()
	defer m.mu.Unlock()
	if si, ok := m.cache[key]; ok {
		return si
	}
	si := m.lookup(lang, name)
	m.cache[key] = si
	return si
}

func (m *mediaTable) lookup(lang, name string) soundInfo {
	if m.missing[name] || name == "" || strings.Contains(name, "..") || strings.ContainsAny(name, ",: ") {
		return soundInfo{}
	}
	if m.dir != "" {
		langs := []string{lang}
		if lang != "en" {
			langs = append(langs, "en")
		}
		// Asterisk then tries the name as given (sound:es/hotline/x finds
		// <sounds>/es/hotline/x whatever the channel's language).
		langs = append(langs, "")
		var si soundInfo
		for _, l := range langs {
			for _, ext := range soundExts {
				p := filepath.Join(m.dir, l, name+"."+ext)
				st, err := os.Stat(p)
				if err != nil || st.IsDir() {
					continue
				}
				d := fileDuration(p, ext, st.Size())
				if !si.exists {
					si = soundInfo{d: d, exists: true}
				}
				fl := l
				if fl == "" {
					fl, _, _ = strings.Cut(name, "/")
				}
				si.formats = append(si.formats, soundFormat{Language: fl, Format: formatName(ext)})
			}
			if si.exists {
				return si
			}
		}
	}
	d, ok := coreSound(lang, name)
	if !ok {
		// Not a core sound nor a file of the sounds directory: missing, as
		// on Asterisk (the play fails).
		return soundInfo{}
	}
	if dd, ok := defaultSounds[name]; ok {
		d = dd // measured on the recordings
	}
	return soundInfo{d: d, exists: true, formats: debianFormats()}
}

func debianFormats() []soundFormat {
	return []soundFormat{
		{"en_US_f_Allison", "gsm"}, {"en_US_f_Allison", "slin"},
		{"en_US", "gsm"}, {"en_US", "slin"}, {"en", "gsm"}, {"en", "slin"},
	}
}

func formatName(ext string) string {
	switch ext {
	case "sln":
		return "slin"
	case "sln16":
		return "slin16"
	}
	return ext
}

// fileDuration computes a sound file's playing time from its size (and WAV header).
func fileDuration(path, ext string, size int64) time.Duration {
	bytesPerSec := int64(0)
	switch ext {
	case "wav":
		if d, ok := wavDuration(path); ok {
			return d
		}
		bytesPerSec = 16000
		size -= 44
	case "sln16":
		bytesPerSec = 32000
	case "sln":
		bytesPerSec = 16000
	case "ulaw", "alaw":
		bytesPerSec = 8000
	case "g722":
		bytesPerSec = 8000
	case "gsm":
		// 33-byte frames of 20 ms
		return time.Duration(size/33) * 20 * time.Millisecond
	}
	if bytesPerSec == 0 || size <= 0 {
		return 0
	}
	return time.Duration(size * int64(time.Second) / bytesPerSec)
}

// wavDuration reads a RIFF/WAVE header: data size / byte rate.
func wavDuration(path string) (time.Duration, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	hdr := make([]byte, 12)
	if _, err := f.Read(hdr); err != nil || string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return 0, false
	}
	var byteRate uint32
	chunk := make([]byte, 8)
	for {
		if _, err := f.Read(chunk); err != nil {
			return 0, false
		}
		id, n := string(chunk[0:4]), binary.LittleEndian.Uint32(chunk[4:8])
		switch id {
		case "fmt ":
			b := make([]byte, n)
			if _, err := f.Read(b); err != nil || n < 16 {
				return 0, false
			}
			byteRate = binary.LittleEndian.Uint32(b[8:12])
		case "data":
			if byteRate == 0 {
				return 0, false
			}
			return time.Duration(int64(n) * int64(time.Second) / int64(byteRate)), true
		default:
			if _, err := f.Seek(int64(n+n%2), 1); err != nil {
				return 0, false
			}
		}
	}
}

// mediaItem is one resolved media URI of a playback.
type mediaItem struct {
	uri  string
	kind mediaKind
	d    time.Duration
	say  bool // digits:/number:/characters: (a DELETE during it is ignored)
}

// resolveLocked resolves a media URI's playing time.
func (s *Sim) resolveLocked(uri, lang string) mediaItem {
	it := mediaItem{uri: uri}
	scheme, rest, ok := strings.Cut(uri, ":")
	if !ok {
		it.kind = mediaVanish
		return it
	}
	switch scheme {
	case "sound":
		si := s.media.sound(lang, rest)
		if !si.exists {
			it.kind = mediaFailed
		} else {
			it.d = si.d
		}
	case "digits":
		it.say = true
		it.d = time.Duration(len(rest)) * digitDuration
	case "characters":
		it.say = true
		it.d = time.Duration(len([]rune(rest))) * charDuration
	case "number":
		it.say = true
		n, err := strconv.Atoi(strings.TrimSpace(rest))
		if err != nil {
			it.kind = mediaFailed
		} else {
			it.d = time.Duration(numberWords(n)) * wordDuration
		}
	case "tone":
		it.kind = mediaForever
		for _, opt := range strings.Split(rest, ";")[1:] {
			if k, v, ok := strings.Cut(opt, "="); ok && k == "duration" {
				if ms, err := strconv.Atoi(v); err == nil {
					it.kind, it.d = mediaOK, time.Duration(ms)*time.Millisecond
				}
			}
		}
	case "recording":
		if r := s.stored[rest]; r != nil {
			it.d = r.duration
		} else {
			it.kind = mediaFailed
		}
	default:
		it.kind = mediaVanish
	}
	return it
}

// numberWords is how many say files Asterisk's English number: plays for n.
func numberWords(n int) int {
	if n < 0 {
		return 1 + numberWords(-n)
	}
	if n < 20 {
		return 1
	}
	if n < 100 {
		if n%10 == 0 {
			return 1
		}
		return 2
	}
	if n < 1000 {
		w := 2 // "N hundred"
		if n%100 != 0 {
			w += numberWords(n % 100)
		}
		return w
	}
	if n < 1000000 {
		w := numberWords(n/1000) + 1
		if n%1000 != 0 {
			w += numberWords(n % 1000)
		}
		return w
	}
	w := numberWords(n/1000000) + 1
	if n%1000000 != 0 {
		w += numberWords(n % 1000000)
	}
	return w
}
