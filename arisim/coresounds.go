package arisim

import (
	_ "embed"
	"strconv"
	"strings"
	"time"
)

//go:generate go run gen_coresounds.go

// coreSoundsText is the list of Debian's core sounds (en, es) with their
// lengths, generated from the installed asterisk-core-sounds-en/-es files.
//
//go:embed coresounds.txt
var coreSoundsText string

// coreSounds[lang][name] is the length of a core sound. Only these, and the
// files of Options.SoundsDir, exist: any other name plays and fails as on
// Asterisk (PlaybackStarted, then PlaybackFinished "failed").
var coreSounds = parseCoreSounds(coreSoundsText)

func parseCoreSounds(text string) map[string]map[string]time.Duration {
	out := map[string]map[string]time.Duration{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || strings.HasPrefix(line, "#") {
			continue
		}
		ms, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		if out[f[0]] == nil {
			out[f[0]] = map[string]time.Duration{}
		}
		out[f[0]][f[1]] = time.Duration(ms) * time.Millisecond
	}
	return out
}

// coreSound finds name as Asterisk would for a channel in lang: in lang,
// then in en, then as given with a language prefix ("es/digits/1").
func coreSound(lang, name string) (time.Duration, bool) {
	for _, l := range []string{lang, "en"} {
		if d, ok := coreSounds[l][name]; ok {
			return d, true
		}
	}
	if l, rest, ok := strings.Cut(name, "/"); ok {
		if d, ok := coreSounds[l][rest]; ok {
			return d, true
		}
	}
	return 0, false
}
