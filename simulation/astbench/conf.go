package astbench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/publicservice/hotline/config"
)

// Prompts is the audio of the benchmark's call, as sound names
// ("en/hotline/greeting"): the controller's prompts for an English caller
// who chooses the general queue and answers the survey. The minimal
// application and the Queue() dialplan play exactly these.
type Prompts struct {
	Menus          [][]string // each followed by one key
	Hold           []string   // after the last menu key, before hold music
	Ringing        []string   // while the agent rings, instead of hold music (not in Queue(): it plays hold music)
	Survey, Thanks []string
}

// ControllerPrompts is what the controller plays on the benchmark's call
// with the shipped sample configuration (the JSON's audio_of_first_complete_call shows what each way played).
var ControllerPrompts = Prompts{
	Menus: [][]string{
		{"en/hotline/greeting", "en/hotline/language_menu"},
		{"en/hotline/main_menu"},
	},
	Ringing: []string{"en/hotline/connecting"},
	Survey:  []string{"en/hotline/survey_question"},
	Thanks:  []string{"en/hotline/survey_thanks"},
}

// SoundLists is SoundURIs of each list.
func SoundLists(lists [][]string) [][]string {
	out := make([][]string, len(lists))
	for i, l := range lists {
		out[i] = SoundURIs(l)
	}
	return out
}

// SoundURIs turns sound names into ARI media URIs (sound:<name>).
func SoundURIs(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "sound:" + n
	}
	return out
}

// The dialplan contexts the benchmark adds (a test-only include: the
// shipped files are not changed).
const (
	agentContext = "bench-agent"
	queueContext = "bench-queue"
	benchQueue   = "bench"
)

// agentEndpoint is the Local channel that stands for agent i: it answers at
// once and hangs up after the talk time.
func agentEndpoint(i int) string { return fmt.Sprintf("Local/%d@%s", 100+i, agentContext) }

// Dialplan is the benchmark's dialplan include: the agents, and the same
// call run by Asterisk's own Queue() application.
func Dialplan(p Prompts, talkSeconds float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]\n", agentContext)
	fmt.Fprintf(&b, "exten => _X.,1,Answer()\n same => n,Wait(%.2f)\n same => n,Hangup()\n\n", talkSeconds)
	fmt.Fprintf(&b, "[%s]\n", queueContext)
	b.WriteString("exten => _X.,1,Answer()\n same => n,Set(CHANNEL(language)=en)\n")
	// The caller presses 1 after the language menu, and 0 as the main menu
	// starts (Read plays it and stops it at the key, as the applications do).
	for i, m := range p.Menus {
		if i == 0 {
			fmt.Fprintf(&b, " same => n,Playback(%s)\n same => n,Read(LANG,,1,,,10)\n", strings.Join(m, "&"))
			continue
		}
		fmt.Fprintf(&b, " same => n,Read(DEPT,%s,1,,,10)\n", strings.Join(m, "&"))
	}
	if len(p.Hold) > 0 {
		fmt.Fprintf(&b, " same => n,Playback(%s)\n", strings.Join(p.Hold, "&"))
	}
	fmt.Fprintf(&b, " same => n,Queue(%s,c,,,60)\n", benchQueue)
	fmt.Fprintf(&b, " same => n,Playback(%s)\n same => n,Read(RATING,,1,,,10)\n", strings.Join(p.Survey, "&"))
	fmt.Fprintf(&b, " same => n,Playback(%s)\n same => n,Hangup()\n", strings.Join(p.Thanks, "&"))
	return b.String()
}

// queueConf is the benchmark's queue for Queue(): agents Local channels
// that answer at once, no wrap-up, no announcements.
func queueConf(agents int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n; added by hotline bench asterisk\n[%s]\nstrategy = rrmemory\nmusicclass = default\ntimeout = 15\nretry = 1\n", benchQueue)
	b.WriteString("wrapuptime = 0\nringinuse = no\njoinempty = yes\nleavewhenempty = no\nannounce-frequency = 0\nannounce-position = no\nannounce-holdtime = no\n")
	for i := 0; i < agents; i++ {
		fmt.Fprintf(&b, "member => %s\n", agentEndpoint(i))
	}
	return b.String()
}

// ConfigCopy copies the shipped asterisk-config (src) to dir with the
// benchmark's queue appended to queues.conf; the prompts are linked.
func ConfigCopy(src, dir string, agents int) error {
	files, err := filepath.Glob(filepath.Join(src, "*.conf"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("astbench: no .conf files in %s", src)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("astbench: %w", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("astbench: %w", err)
		}
		if filepath.Base(f) == "queues.conf" {
			b = append(b, queueConf(agents)...)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			return fmt.Errorf("astbench: %w", err)
		}
	}
	abs, err := filepath.Abs(filepath.Join(src, "sounds"))
	if err != nil {
		return fmt.Errorf("astbench: %w", err)
	}
	if err := os.Symlink(abs, filepath.Join(dir, "sounds")); err != nil {
		return fmt.Errorf("astbench: link sounds: %w", err)
	}
	return nil
}

// ControllerConfig is the shipped sample configuration with the benchmark's
// agents (reached as Local channels, serving every queue; the calls go to
// the general queue) and no
// wrap-up in the general queue, so that agents never limit the rate.
func ControllerConfig(agents int) ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(config.SampleYAML(), &doc); err != nil {
		return nil, fmt.Errorf("astbench: sample configuration: %w", err)
	}
	qs, _ := doc["queues"].([]any)
	var skills []string
	for _, q := range qs {
		if m, ok := q.(map[string]any); ok {
			skills = append(skills, fmt.Sprint(m["id"]))
			if m["id"] == "general" {
				m["wrap_up"] = "0s"
			}
		}
	}
	list := make([]any, agents)
	for i := range list {
		list[i] = map[string]any{"id": fmt.Sprintf("b%03d", i), "name": fmt.Sprintf("Bench agent %d", i),
			"skills": skills, "endpoint": agentEndpoint(i)}
	}
	doc["agents"] = list
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("astbench: %w", err)
	}
	if _, err := config.Parse(out, "bench"); err != nil {
		return nil, fmt.Errorf("astbench: benchmark configuration: %w", err)
	}
	return out, nil
}
