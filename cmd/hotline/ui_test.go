package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The softphone's environment: off without HOTLINE_SIP_WS; the domain
// defaults to the WSS URL's host; a bad URL or passwords file is an error.
func TestSIPFromEnv(t *testing.T) {
	t.Setenv("HOTLINE_SIP_WS", "")
	if sip, err := sipFromEnv(); err != nil || sip.WebSocketURL != "" {
		t.Fatalf("off: %+v %v", sip, err)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("a101 secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOTLINE_SIP_WS", "wss://pbx.example:8089/ws")
	t.Setenv("HOTLINE_SIP_PASSWORDS_FILE", pw)
	t.Setenv("HOTLINE_SIP_ICE", "stun:a.example:3478, turn:b.example")
	sip, err := sipFromEnv()
	if err != nil || sip.Domain != "pbx.example" || sip.Passwords["a101"] != "secret" || len(sip.ICEServers) != 2 || sip.ICEServers[1] != "turn:b.example" {
		t.Fatalf("on: %+v %v", sip, err)
	}
	t.Setenv("HOTLINE_SIP_DOMAIN", "sip.example")
	if sip, _ := sipFromEnv(); sip.Domain != "sip.example" {
		t.Fatalf("HOTLINE_SIP_DOMAIN: %q", sip.Domain)
	}
	t.Setenv("HOTLINE_SIP_WS", "https://pbx.example/ws")
	if _, err := sipFromEnv(); err == nil || !strings.Contains(err.Error(), "HOTLINE_SIP_WS") {
		t.Fatalf("https URL: %v", err)
	}
	t.Setenv("HOTLINE_SIP_WS", "wss://pbx.example:8089/ws")
	t.Setenv("HOTLINE_SIP_PASSWORDS_FILE", pw+".missing")
	if _, err := sipFromEnv(); err == nil {
		t.Fatal("a missing passwords file is not an error")
	}
}
