package arisim

import (
	"time"

	"github.com/publicservice/hotline/clock"
)

// CallerID is a caller id as ARI shows it.
type CallerID struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

// dialplanJSON is a channel's dialplan location.
type dialplanJSON struct {
	Context  string `json:"context"`
	Exten    string `json:"exten"`
	Priority int    `json:"priority"`
	AppName  string `json:"app_name"`
	AppData  string `json:"app_data"`
}

// channelJSON is ARI's Channel model.
type channelJSON struct {
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	State        string       `json:"state"`
	ProtocolID   string       `json:"protocol_id"`
	Caller       CallerID     `json:"caller"`
	Connected    CallerID     `json:"connected"`
	Accountcode  string       `json:"accountcode"`
	Dialplan     dialplanJSON `json:"dialplan"`
	Creationtime string       `json:"creationtime"`
	Language     string       `json:"language"`
}

// bridgeJSON is ARI's Bridge model.
type bridgeJSON struct {
	ID           string   `json:"id"`
	Technology   string   `json:"technology"`
	BridgeType   string   `json:"bridge_type"`
	BridgeClass  string   `json:"bridge_class"`
	Creator      string   `json:"creator"`
	Name         string   `json:"name"`
	Channels     []string `json:"channels"`
	Creationtime string   `json:"creationtime"`
	VideoMode    string   `json:"video_mode"`
}

// playbackJSON is ARI's Playback model.
type playbackJSON struct {
	ID           string `json:"id"`
	MediaURI     string `json:"media_uri"`
	NextMediaURI string `json:"next_media_uri,omitempty"`
	TargetURI    string `json:"target_uri"`
	Language     string `json:"language"`
	State        string `json:"state"`
}

// recordingJSON is ARI's LiveRecording model.
type recordingJSON struct {
	Name      string `json:"name"`
	Format    string `json:"format"`
	State     string `json:"state"`
	TargetURI string `json:"target_uri"`
	Duration  *int   `json:"duration,omitempty"`
	Cause     string `json:"cause,omitempty"`
}

// chanKind tells how a channel came to be, which decides its events.
type chanKind int

const (
	kindInbound    chanKind = iota // entered Stasis from the dialplan: no ChannelDestroyed
	kindOriginated                 // originated with app=: Dial events, ChannelDestroyed
	kindLocalHalf                  // the dialplan (;2) half of an originated Local channel
	kindCallerHalf                 // the ;1 half of an inbound Local caller (not in Stasis)
	kindSnoop                      // a snoop channel
)

// channel is one simulated channel.
type channel struct {
	seq         int
	id, name    string
	state       string
	protocolID  string // a PJSIP channel's SIP Call-ID
	caller      CallerID
	connected   CallerID
	dp          dialplanJSON
	created     time.Time
	lang        string
	vars        map[string]string
	kind        chanKind
	subs        map[string]bool // applications receiving this channel's events
	stasisApp   string          // "" when not in Stasis
	bridge      *bridge
	plays       []*playback // head is playing
	moh         bool
	partner     *channel // the other half of a Local channel
	endpoint    string   // "PJSIP/agent1" for endpoint channel_ids
	behaviour   EndpointBehaviour
	dialstr     string
	ringing     bool     // originated, not yet answered
	ringApp     string   // originated: the app and args it enters when answered (AnswerFarEnd)
	ringArgs    []string //
	timers      []clock.Timer
	ringTimeout clock.Timer
	gone        bool
	call        *Call
	script      *Script
	rec         *liveRecording
	snoopOf     *channel
	snoopDirs   [2]string // spy, whisper of a snoop channel (Snoops)
	snoops      []*channel
	talked      bool // has been in a mixing bridge with another channel
	talkedHere  bool // ... in the bridge it is in now
	mohOnce     bool
	// postGen counts the conversation's holds: post-bridge behaviour scheduled
	// under an older value is void (the caller left the bridge for music on hold,
	// not because the conversation ended).
	postGen  int
	pressIdx int
	dtmfBusy time.Time // the far end's DTMF generator is busy until then
}

func (c *channel) json() channelJSON {
	return channelJSON{
		ID: c.id, Name: c.name, State: c.state, ProtocolID: c.protocolID, Caller: c.caller, Connected: c.connected,
		Dialplan: c.dp, Creationtime: clock.FormatARI(c.created), Language: c.lang,
	}
}

func (c *channel) addTimer(t clock.Timer) { c.timers = append(c.timers, t) }

func (c *channel) stopTimers() {
	for _, t := range c.timers {
		t.Stop()
	}
	c.timers = nil
}

// bridge is one simulated bridge.
type bridge struct {
	id, name, btype string
	created         time.Time
	channels        []*channel
	subs            map[string]bool
	moh             bool
	plays           []*playback
	gone            bool
}

func (b *bridge) json() bridgeJSON {
	ids := make([]string, 0, len(b.channels))
	for _, c := range b.channels {
		ids = append(ids, c.id)
	}
	tech := "simple_bridge"
	switch {
	case b.btype == "holding":
		tech = "holding_bridge"
	case len(b.channels) > 2:
		tech = "softmix"
	}
	return bridgeJSON{ID: b.id, Technology: tech, BridgeType: b.btype, BridgeClass: "stasis",
		Creator: "Stasis", Name: b.name, Channels: ids, Creationtime: clock.FormatARI(b.created), VideoMode: "talker"}
}

func (b *bridge) remove(c *channel) {
	for i, x := range b.channels {
		if x == c {
			b.channels = append(b.channels[:i:i], b.channels[i+1:]...)
			return
		}
	}
}

// causeText is Asterisk's text for a Q.850 cause.
func causeText(cause int) string {
	switch cause {
	case 0:
		return "Unknown"
	case 1:
		return "Unallocated (unassigned) number"
	case 3:
		return "No route to destination"
	case 16:
		return "Normal Clearing"
	case 17:
		return "User busy"
	case 18:
		return "No user responding"
	case 19:
		return "User alerting, no answer"
	case 21:
		return "Call Rejected"
	case 26:
		return "Answered elsewhere"
	case 27:
		return "Destination out of order"
	case 28:
		return "Invalid number format (addr incomplete)"
	case 31:
		return "Normal, unspecified"
	case 34:
		return "Circuit/channel congestion"
	case 38:
		return "Network out of order"
	case 58:
		return "Bearer capability not available"
	case 127:
		return "Interworking, unspecified"
	}
	return "Unknown"
}

// hangupReasons maps DELETE /channels/{id}?reason= to causes.
var hangupReasons = map[string]int{
	"normal": 16, "busy": 17, "congestion": 34, "no_answer": 19, "timeout": 19, "rejected": 21,
	"unallocated": 1, "normal_unspecified": 31, "number_incomplete": 28, "codec_mismatch": 58,
	"interworking": 127, "failure": 38, "answered_elsewhere": 26,
}
