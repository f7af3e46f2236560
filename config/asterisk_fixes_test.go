package config

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// The fallback's .txt (whom to call back) must be created by its first
// write: on Asterisk 22.10.1 FILE(...,,,al) on a file that does not exist
// fails ("Cannot open ...: No such file or directory", "not in line
// format"), while FILE(...,,,l,u) creates it; later lines append with a.
// And the provider is identified by address and port, or agents'
// phones registering from the provider's address are taken for the trunk
// (both checked by hand on ../shared/asterisk, see asterisk-config/README.md).
func TestAsteriskConfigFallbackFileAndProviderPort(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "asterisk-config", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	writes := regexp.MustCompile(`Set\(FILE\(\$\{MSG\}\.txt,,,(\w*)(?:,(\w))?\)=`).FindAllStringSubmatch(read("extensions.conf"), -1)
	if len(writes) < 3 {
		t.Fatalf("extensions.conf: %d writes of the caller file, want caller, dialled, time", len(writes))
	}
	if first := writes[0]; first[1] != "l" || first[2] == "" {
		t.Errorf("extensions.conf: the first write of the caller file is FILE(...,,,%s,%s): want l with a line format (l,u) so that it creates the file", first[1], first[2])
	}
	for _, w := range writes[1:] {
		if w[1] != "al" {
			t.Errorf("extensions.conf: a later write of the caller file is FILE(...,,,%s): want al (append a line)", w[1])
		}
	}
	if !regexp.MustCompile(`(?m)^match = PROVIDER_HOST:PROVIDER_PORT$`).MatchString(read("pjsip.conf")) {
		t.Error("pjsip.conf: the provider's identify must match its address and port (match = PROVIDER_HOST:PROVIDER_PORT)")
	}
}
