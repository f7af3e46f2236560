package realasterisk

import (
	"fmt"
	"text/template"
)

// scenarios holds the SIPp scenarios: "register" (a REGISTER with digest
// auth; Expires 0 unregisters) and "uas" (answers OPTIONS and REGISTER and
// treats INVITEs by Mode). Every SIP message in them comes from the one
// template "msg", with parameters (see msg).
var scenarios = template.Must(template.New("sipp").Funcs(template.FuncMap{"msg": msg, "register": register}).Parse(scenarioText))

// sipMsg is one SIP message of a scenario.
type sipMsg struct {
	Retrans bool   // send with retransmissions every 500 ms
	Start   string // the request or status line, e.g. "SIP/2.0 200 OK"
	// A response copies Via, From, To, Call-ID and CSeq from the request;
	// Tag (e.g. "01") adds a To tag; CSeqInvite answers the INVITE's CSeq.
	Response   bool
	Tag        string
	CSeqInvite bool
	Headers    []string // further headers, in order
	SDPVersion string   // a PCMU/telephone-event SDP body with this session version; "" for none
}

// msg builds a sipMsg from pairs of name and value: "retrans" (bool),
// "start", "response" (bool), "tag", "cseq_invite" (bool), "header" (one per
// pair, in order), "sdp" (the session version).
func msg(kv ...any) (sipMsg, error) {
	var m sipMsg
	if len(kv)%2 != 0 {
		return m, fmt.Errorf("msg: odd number of arguments")
	}
	for i := 0; i < len(kv); i += 2 {
		v := kv[i+1]
		switch kv[i] {
		case "retrans":
			m.Retrans = v.(bool)
		case "start":
			m.Start = v.(string)
		case "response":
			m.Response = v.(bool)
		case "tag":
			m.Tag = v.(string)
		case "cseq_invite":
			m.CSeqInvite = v.(bool)
		case "header":
			m.Headers = append(m.Headers, v.(string))
		case "sdp":
			m.SDPVersion = v.(string)
		default:
			return m, fmt.Errorf("msg: unknown parameter %v", kv[i])
		}
	}
	return m, nil
}

// register is the REGISTER of user (CSeq cseq; the second carries the
// digest answer to the 401).
func register(user, password string, expires, cseq int) sipMsg {
	h := []string{"Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]",
		fmt.Sprintf("From: <sip:%s@[remote_ip]:[remote_port]>;tag=[pid]SIPpTag00[call_number]", user),
		fmt.Sprintf("To: <sip:%s@[remote_ip]:[remote_port]>", user),
		"Call-ID: [call_id]",
		fmt.Sprintf("CSeq: %d REGISTER", cseq),
		fmt.Sprintf("Contact: <sip:%s@[local_ip]:[local_port]>", user)}
	if cseq > 1 {
		h = append(h, fmt.Sprintf("[authentication username=%s password=%s]", user, password))
	}
	h = append(h, "Max-Forwards: 70", fmt.Sprintf("Expires: %d", expires), "User-Agent: hotline-test-sipp")
	return sipMsg{Retrans: true, Start: "REGISTER sip:[remote_ip]:[remote_port] SIP/2.0", Headers: h}
}

const scenarioText = `
{{- define "msg"}}
  <send{{if .Retrans}} retrans="500"{{end}}><![CDATA[
{{.Start}}
{{- if .Response}}
[last_Via:]
[last_From:]
[last_To:]{{if .Tag}};tag=[pid]SIPpTag{{.Tag}}[call_number]{{end}}
[last_Call-ID:]
{{if .CSeqInvite}}CSeq: [last_cseq_number] INVITE{{else}}[last_CSeq:]{{end}}
{{- end}}
{{- range .Headers}}
{{.}}
{{- end}}
{{- if .SDPVersion}}
Content-Type: application/sdp
Content-Length: [len]

v=0
o=sipp 53655765 {{.SDPVersion}} IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
{{- else}}
Content-Length: 0
{{- end}}

]]></send>
{{- end}}

{{- define "register"}}<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register">
{{- template "msg" register .User .Password .Expires 1}}
  <recv response="401" auth="true"/>
{{- template "msg" register .User .Password .Expires 2}}
  <recv response="200"/>
{{- if gt .Expires 0}}
  <pause milliseconds="36000000"/>
{{- end}}
</scenario>
{{end}}

{{- define "uas"}}<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uas">
  <recv request="OPTIONS" optional="true" next="options"/>
  <recv request="REGISTER" optional="true" next="register"/>
{{- if eq .Mode "answer"}}
  <recv request="INVITE">
    <action>
      <ereg regexp="sip:[^>]*" search_in="hdr" header="Contact:" assign_to="contact"/>
    </action>
  </recv>
{{- else}}
  <recv request="INVITE"/>
{{- end}}
{{- template "msg" msg "start" "SIP/2.0 100 Trying" "response" true}}
{{- $contact := "Contact: <sip:[local_ip]:[local_port];transport=[transport]>"}}
{{- if eq .Mode "busy"}}
{{- template "msg" msg "start" "SIP/2.0 486 Busy Here" "response" true "tag" "01"}}
  <recv request="ACK" next="end"/>
{{- else}}
{{- template "msg" msg "start" "SIP/2.0 180 Ringing" "response" true "tag" "01" "header" $contact}}
{{- if eq .Mode "never"}}
  <recv request="CANCEL" next="cancel"/>
{{- else}}
{{- if gt .After 0}}
  <recv request="CANCEL" timeout="{{.After}}" ontimeout="answer" next="cancel"/>
{{- end}}
  <label id="answer"/>
{{- template "msg" msg "retrans" true "start" "SIP/2.0 200 OK" "response" true "tag" "01" "cseq_invite" true "header" $contact "sdp" "2353687637"}}
  <recv request="ACK">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="local"/>
    </action>
  </recv>
  <label id="talking"/>
{{- if gt .Talk 0}}
  <recv request="INVITE" optional="true" next="reinvite" timeout="{{.Talk}}" ontimeout="hangup"/>
{{- else}}
  <recv request="INVITE" optional="true" next="reinvite"/>
{{- end}}
  <recv request="UPDATE" optional="true" next="update"/>
  <recv request="BYE" next="bye"/>
  <label id="hangup"/>
{{- template "msg" msg "retrans" true "start" "BYE [$contact] SIP/2.0"
	"header" "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]"
	"header" "From: [$local]" "header" "To: [$remote]" "header" "Call-ID: [call_id]"
	"header" "CSeq: 1 BYE" "header" "Max-Forwards: 70"}}
  <recv response="200" next="end"/>
  <label id="reinvite"/>
{{- template "msg" msg "start" "SIP/2.0 200 OK" "response" true "header" $contact "sdp" "2353687638"}}
  <recv request="ACK" next="talking"/>
  <label id="update"/>
{{- template "msg" msg "start" "SIP/2.0 200 OK" "response" true "header" $contact}}
  <nop next="talking"/>
{{- end}}
{{- end}}
  <label id="bye"/>
{{- template "msg" msg "start" "SIP/2.0 200 OK" "response" true}}
  <nop next="end"/>
  <label id="cancel"/>
{{- template "msg" msg "start" "SIP/2.0 200 OK" "response" true}}
{{- template "msg" msg "start" "SIP/2.0 487 Request Terminated" "response" true "tag" "01" "cseq_invite" true}}
  <recv request="ACK" next="end"/>
  <label id="register"/>
{{- template "msg" msg "start" "SIP/2.0 200 OK" "response" true "tag" "02" "header" "[last_Contact:];expires=3600"}}
  <nop next="end"/>
  <label id="options"/>
{{- template "msg" msg "start" "SIP/2.0 200 OK" "response" true "tag" "02"}}
  <label id="end"/>
</scenario>
{{end}}
`
