package realasterisk

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// writeConfig copies the shipped .conf files into ConfDir, filling their
// placeholders and ports, links the prompts, and makes a self-signed
// certificate for the TLS (WSS) server.
func (a *Asterisk) writeConfig(opt Options) error {
	var err error
	if a.HTTPPort, err = freeTCP(); err != nil {
		return fmt.Errorf("realasterisk: port: %w", err)
	}
	for a.WSSPort == 0 || a.WSSPort == a.HTTPPort {
		if a.WSSPort, err = freeTCP(); err != nil {
			return fmt.Errorf("realasterisk: port: %w", err)
		}
	}
	if a.SIPPort, err = freeUDP(); err != nil {
		return fmt.Errorf("realasterisk: port: %w", err)
	}
	for a.ProviderPort == 0 || a.ProviderPort == a.SIPPort {
		if a.ProviderPort, err = freeUDP(); err != nil {
			return fmt.Errorf("realasterisk: port: %w", err)
		}
	}
	// An even RTP range of 200 ports somewhere in 20000-59999, not the shipped 10000-20000.
	n, _ := rand.Int(rand.Reader, big.NewInt(200))
	a.RTPStart = 20000 + int(n.Int64())*200
	a.RTPEnd = a.RTPStart + 199
	a.ARIURL = fmt.Sprintf("http://127.0.0.1:%d/ari", a.HTTPPort)
	a.ARIPassword = secret()
	a.ProviderUser = "hotline-trunk"
	provPass := secret()

	if err := os.MkdirAll(a.ConfDir, 0o755); err != nil {
		return fmt.Errorf("realasterisk: %w", err)
	}
	keys := filepath.Join(a.RunDir, "keys")
	if err := selfSigned(keys); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(opt.ConfigDir, "*.conf"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("realasterisk: no .conf files in %s", opt.ConfigDir)
	}
	desk := map[string]bool{}
	for _, id := range opt.DeskPhones {
		desk[id] = true
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("realasterisk: %w", err)
		}
		name := filepath.Base(f)
		text := string(b)
		var subs []sub
		switch name {
		case "ari.conf":
			subs = []sub{{`(?m)^password = CHANGE_ME_ARI_PASSWORD$`, "password = " + a.ARIPassword}}
		case "http.conf":
			subs = []sub{
				{`(?m)^bindaddr = .*$`, "bindaddr = 127.0.0.1"},
				{`(?m)^bindport = .*$`, fmt.Sprintf("bindport = %d", a.HTTPPort)},
				{`(?m)^tlsbindaddr = .*$`, fmt.Sprintf("tlsbindaddr = 127.0.0.1:%d", a.WSSPort)},
				{`(?m)^tlscertfile = .*$`, "tlscertfile = " + filepath.Join(keys, "asterisk.crt")},
				{`(?m)^tlsprivatekey = .*$`, "tlsprivatekey = " + filepath.Join(keys, "asterisk.key")},
			}
		case "rtp.conf":
			subs = []sub{
				{`(?m)^rtpstart = .*$`, fmt.Sprintf("rtpstart = %d", a.RTPStart)},
				{`(?m)^rtpend = .*$`, fmt.Sprintf("rtpend = %d", a.RTPEnd)},
			}
		case "pjsip.conf":
			subs = []sub{
				{`(?m)^bind = 0\.0\.0\.0:5060$`, fmt.Sprintf("bind = 127.0.0.1:%d", a.SIPPort)},
				{`PROVIDER_PASSWORD`, provPass},
				{`PROVIDER_USER`, a.ProviderUser},
			}
			if strings.Contains(text, "PROVIDER_PORT") {
				subs = append(subs, sub{`PROVIDER_PORT`, fmt.Sprint(a.ProviderPort)}, sub{`PROVIDER_HOST`, "127.0.0.1"})
			} else {
				subs = append(subs, sub{`PROVIDER_HOST`, fmt.Sprintf("127.0.0.1:%d", a.ProviderPort)})
			}
			for _, m := range regexp.MustCompile(`CHANGE_ME_([as]\d+)\b`).FindAllStringSubmatch(text, -1) {
				if _, ok := a.passwords[m[1]]; !ok {
					a.passwords[m[1]] = secret()
					subs = append(subs, sub{`CHANGE_ME_` + m[1] + `\b`, a.passwords[m[1]]})
				}
			}
			for id := range desk {
				subs = append(subs, sub{`(?m)^\[` + id + `\]\(agent-webrtc\)`, "[" + id + "](agent-deskphone)"})
			}
		case "extensions.conf":
			if opt.TestExtensions != "" {
				text += "\n; test-only include written by internal/realasterisk\n#include hotline-test.conf\n"
				if err := os.WriteFile(filepath.Join(a.ConfDir, "hotline-test.conf"), []byte(opt.TestExtensions), 0o644); err != nil {
					return fmt.Errorf("realasterisk: %w", err)
				}
			}
		}
		for _, s := range subs {
			re := regexp.MustCompile(s.re)
			if !re.MatchString(text) {
				return fmt.Errorf("realasterisk: %s: expected %s to fill in (has the shipped file changed?)", name, s.re)
			}
			text = re.ReplaceAllLiteralString(text, s.with)
		}
		if left := unfilled(text); left != "" {
			return fmt.Errorf("realasterisk: %s: placeholder left: %s", name, left)
		}
		if err := os.WriteFile(filepath.Join(a.ConfDir, name), []byte(text), 0o640); err != nil {
			return fmt.Errorf("realasterisk: %w", err)
		}
	}
	for _, d := range []string{"sounds", "moh"} {
		if _, err := os.Stat(filepath.Join(opt.ConfigDir, d)); err == nil {
			abs, _ := filepath.Abs(filepath.Join(opt.ConfigDir, d))
			if err := os.Symlink(abs, filepath.Join(a.ConfDir, d)); err != nil {
				return fmt.Errorf("realasterisk: %w", err)
			}
		}
	}
	return nil
}

type sub struct{ re, with string }

// unfilled returns the first placeholder left outside comments.
func unfilled(text string) string {
	for _, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		if m := regexp.MustCompile(`CHANGE_ME\w*|PROVIDER_[A-Z]+|PUBLIC_IP`).FindString(line); m != "" {
			return m
		}
	}
	return ""
}

func secret() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// selfSigned writes dir/asterisk.crt and dir/asterisk.key for 127.0.0.1 and localhost.
func selfSigned(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("realasterisk: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("realasterisk: key: %w", err)
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("realasterisk: certificate: %w", err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("realasterisk: key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "asterisk.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return fmt.Errorf("realasterisk: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "asterisk.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
}
