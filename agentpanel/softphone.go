package agentpanel

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/internal/jsonhttp"
)

// SIPConfig is what JsSIP needs to register an agent's browser.
type SIPConfig struct {
	// WebSocketURL of Asterisk's PJSIP WebSocket transport, e.g. wss://pbx.example:8089/ws.
	WebSocketURL string
	// Domain of the SIP URIs (sip:<agent id>@<domain>).
	Domain string
	// ICEServers are the STUN/TURN URLs the browser may use (none by
	// default: Asterisk answers connectivity checks on its own addresses).
	ICEServers []string
	// Passwords are the agents' SIP digest passwords (the a1xx-auth
	// sections of pjsip.conf), by agent id; handed only to the signed-in
	// agent's own panel.
	Passwords map[string]string
}

// Softphone is the answer of GET /api/v1/agent/softphone: the signed-in
// agent's own SIP account for the browser softphone.
type Softphone struct {
	Enabled    bool     `json:"enabled"`
	WebSocket  string   `json:"ws_url,omitempty"`
	URI        string   `json:"uri,omitempty"`
	Password   string   `json:"password,omitempty"`
	ICEServers []string `json:"ice_servers"`
}

// softphone serves the agent's SIP account (never cached).
func (p *Panel) softphone(w http.ResponseWriter, r *http.Request) {
	a, err := p.agentID(r)
	if err != nil {
		jsonhttp.Error(w, r, p.log(), err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	out, err := p.SIP.Account(a.ID)
	if err != nil {
		jsonhttp.Error(w, r, p.log(), err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, out)
}

// Account is the browser softphone account of endpoint id (an agent's a101,
// a supervisor's s201): disabled without a WebSocket URL, ENOTFOUND when
// the passwords file has no line for id.
func (c SIPConfig) Account(id string) (Softphone, error) {
	out := Softphone{ICEServers: append([]string{}, c.ICEServers...)}
	if c.WebSocketURL == "" {
		return out, nil
	}
	pw, ok := c.Passwords[id]
	if !ok || id == "" {
		return Softphone{}, hotline.Errorf(hotline.ENOTFOUND, "no SIP password configured for %q (HOTLINE_SIP_PASSWORDS_FILE)", id)
	}
	out.Enabled, out.WebSocket, out.Password = true, c.WebSocketURL, pw
	out.URI = "sip:" + id + "@" + c.Domain
	return out, nil
}

// ReadSIPPasswords reads a file of "<endpoint id> <password>" lines (blank
// lines and lines starting with # ignored): the same passwords as the
// agents' (a101 …) and supervisors' (s201 …) auth sections of Asterisk's pjsip.conf.
func ReadSIPPasswords(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sip passwords: %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, pw, ok := strings.Cut(line, " ")
		pw = strings.TrimSpace(pw)
		if !ok || pw == "" {
			return nil, fmt.Errorf("sip passwords: %s:%d: want \"<agent id> <password>\"", path, n)
		}
		out[id] = pw
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sip passwords: %s: %w", path, err)
	}
	return out, nil
}
