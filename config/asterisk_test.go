package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestAsteriskConfigMatchesSample keeps asterisk-config in step with the
// sample: every agent endpoint is defined in pjsip.conf, the fallback queue's
// members are agents, every internal test number of the sample is routed by
// the dialplan, and every prompt the dialplan plays is a configured prompt.
func TestAsteriskConfigMatchesSample(t *testing.T) {
	c := Sample()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "asterisk-config", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	pjsip := read("pjsip.conf")
	for _, a := range c.Agents {
		id := strings.TrimPrefix(a.Endpoint, "PJSIP/")
		for _, tmpl := range []string{"(agent-auth)", "(agent-aor)"} {
			if !strings.Contains(pjsip, "\n["+id+"]"+tmpl) {
				t.Errorf("pjsip.conf lacks [%s]%s", id, tmpl)
			}
		}
		if !strings.Contains(pjsip, "\n["+id+"](agent-webrtc)") && !strings.Contains(pjsip, "\n["+id+"](agent-deskphone)") {
			t.Errorf("pjsip.conf lacks the endpoint of agent %s", id)
		}
	}
	members := regexp.MustCompile(`(?m)^member => PJSIP/(\w+),`).FindAllStringSubmatch(read("queues.conf"), -1)
	if len(members) == 0 {
		t.Error("queues.conf: the fallback queue has no members")
	}
	for _, m := range members {
		if c.Agent(m[1]) == nil {
			t.Errorf("queues.conf: member %s is not an agent of the sample", m[1])
		}
	}
	ext := read("extensions.conf")
	if !strings.Contains(ext, "Stasis(hotline,inbound,${EXTEN})") || !strings.Contains(ext, `"${STASISSTATUS}" = "FAILED"`) {
		t.Error("extensions.conf: no Stasis entry with a STASISSTATUS=FAILED fallback")
	}
	for _, n := range c.Hotline.Numbers {
		if strings.HasPrefix(n.DID, "700") && !strings.Contains(ext, "exten => _700X,") {
			t.Errorf("extensions.conf does not route test number %s", n.DID)
		}
	}
	for _, m := range regexp.MustCompile(`(\w+)/hotline/(\w+)`).FindAllStringSubmatch(ext, -1) {
		if _, ok := c.Prompts[m[1]][m[2]]; !ok {
			t.Errorf("extensions.conf plays %s, which is not a prompt of the sample", m[0])
		}
	}
}
