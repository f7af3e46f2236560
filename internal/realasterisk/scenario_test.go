package realasterisk

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
)

// Every scenario renders as well-formed XML for every behaviour, with the
// messages SIPp is to send.
func TestScenariosRender(t *testing.T) {
	type tc struct {
		name string
		vars map[string]any
		want []string
	}
	cases := []tc{
		{"register", map[string]any{"User": "a101", "Password": "pw", "Expires": 3600},
			[]string{"CSeq: 1 REGISTER", "CSeq: 2 REGISTER", "[authentication username=a101 password=pw]", "Expires: 3600", "<pause"}},
		{"register", map[string]any{"User": "a101", "Password": "pw", "Expires": 0}, []string{"Expires: 0"}},
		{"uas", Answer(time.Second, 3*time.Second).vars(), []string{"180 Ringing", `timeout="1000" ontimeout="answer"`, "200 OK", "o=sipp 53655765 2353687637", `timeout="3000" ontimeout="hangup"`, "BYE [$contact]"}},
		{"uas", Answer(0, 0).vars(), []string{"180 Ringing", "200 OK", "m=audio [media_port] RTP/AVP 0 101"}},
		{"uas", NeverAnswer().vars(), []string{"180 Ringing", `<recv request="CANCEL" next="cancel"/>`, "487 Request Terminated"}},
		{"uas", Busy().vars(), []string{"486 Busy Here"}},
	}
	for _, c := range cases {
		var b bytes.Buffer
		if err := scenarios.ExecuteTemplate(&b, c.name, c.vars); err != nil {
			t.Fatalf("%s %v: %v", c.name, c.vars, err)
		}
		d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
		d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s %v: not well-formed XML: %v\n%s", c.name, c.vars, err, b.String())
			}
		}
		for _, w := range c.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s %v lacks %q", c.name, c.vars, w)
			}
		}
		if strings.Contains(b.String(), "\n\n\n") || strings.Contains(b.String(), "<no value>") {
			t.Errorf("%s %v: empty header lines or missing values:\n%s", c.name, c.vars, b.String())
		}
	}
}
