package asterisktest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// checkFor polls cond until it holds or limit passes.
func checkFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func rnd() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func getJSON(url string, out any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// recordingPath is where the Asterisk of runDir writes recording name
// (without the format's extension).
func recordingPath(runDir, name string) string {
	return filepath.Join(runDir, "var", "spool", "asterisk", "recording", name)
}

// unwritableRecording makes the wav recording name impossible for the
// Asterisk of runDir to write and returns the file it put in the way: a
// symbolic link into a path whose parent is a plain file. It does not exist
// (the name is free: 201), and Asterisk cannot create it when it starts
// writing (ENOTDIR, even as root).
func unwritableRecording(t *testing.T, runDir, name string) string {
	t.Helper()
	link := recordingPath(runDir, name) + ".wav"
	blocker := filepath.Join(runDir, "not-a-directory")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(blocker, name+".wav"), link); err != nil {
		t.Fatal(err)
	}
	return link
}
