// Package e2e holds the browser tests: Go starts the whole stack (ARI
// simulator, controller, HTTP server) and runs a playwright-core script in
// Debian's headless Chromium against it.
package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/publicservice/hotline/internal/uitest"
)

// TestAgentAndSupervisorInBrowser: an agent signs in, goes available, a
// simulated call arrives with its context, the agent answers, holds,
// resumes, survives a network drop, hangs up and wraps up, then transfers a
// second call; the supervisor page sees each change live. Screenshots go to
// $HOTLINE_SCREENSHOTS (README's docs/screenshots) or a temporary directory.
func TestAgentAndSupervisorInBrowser(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the browser tests need node and chromium (CI has both)")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("chromium not found at %s (install Debian's chromium, or set CHROMIUM)", chromium)
	}
	if _, err := os.Stat("node_modules/playwright-core"); err != nil {
		out, err := exec.Command("npm", "ci", "--ignore-scripts").CombinedOutput()
		if err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}
	shots := os.Getenv("HOTLINE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if shots, err = filepath.Abs(shots); err != nil {
		t.Fatal(err)
	}
	s := uitest.Start(t)
	control := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/drop" {
			s.Server.CloseClientConnections() // a network drop, as the browser sees it
			return
		}
		http.NotFound(w, r)
	}))
	defer control.Close()
	cmd := exec.Command(node, "agent_flow.mjs", s.URL, "http://"+s.Rig.Addr, s.Config.Hotline.Numbers[0].DID, shots, control.URL)
	cmd.Env = append(os.Environ(), "HOTLINE_E2E_PASSWORD="+uitest.Password, "CHROMIUM="+chromium)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("browser flow failed: %v\n%s", err, stderr.String())
	}
	var seen struct {
		Steps     []string `json:"steps"`
		Latencies []int    `json:"latencies_ms"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &seen); err != nil {
		t.Fatalf("output %q: %v", stdout.String(), err)
	}
	if len(seen.Steps) != 15 {
		t.Fatalf("steps %v", seen.Steps)
	}
	t.Logf("steps: %v; change seen on both pages after (ms): %v", seen.Steps, seen.Latencies)
}
