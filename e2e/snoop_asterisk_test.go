package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline/internal/realasterisk"
)

// The listen/whisper/barge checks on the real Asterisk. The supervisor's
// phone is the supervisor page's own browser phone (JsSIP registering s201
// over WSS, answering the controller's call by itself); its fake microphone
// speaks all the time. The agent's browser microphone is silence; the
// caller is silent while the agent's and the caller's ears are measured,
// then speaks while the supervisor's browser's is (getStats inbound audio
// energy). So:
//
//	         supervisor hears caller   agent hears supervisor   caller hears supervisor
//	listen   yes                       no                       no
//	whisper  yes                       yes                      no
//	barge    yes                       yes                      yes

// audible is the RMS amplitude (0..1) above which a recording is speech
// rather than silence: the prompts are about 0.1, silence 0.
const audible = 0.005

type ariChannel struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	State string `json:"state"`
}

type ariBridge struct {
	ID       string   `json:"id"`
	Channels []string `json:"channels"`
}

// supPhone is the prefix of the supervisor's browser phone's channels.
const supPhone = "PJSIP/s201-"

// asteriskView is Asterisk's channels and then its bridges, each listed once.
type asteriskView struct {
	chs   []ariChannel
	bs    []ariBridge
	names map[string]string // channel names by id
	agent string            // a101's channel id ("" while it has none)
	// sup is the supervisor's browser phone's channel (originated by the
	// controller into its application, answered by the page); zero while none.
	sup ariChannel
}

func (r *panelRig) view(ctx context.Context) (asteriskView, error) {
	v := asteriskView{names: map[string]string{}}
	if err := r.ast.ARI(ctx, http.MethodGet, "/channels", nil, &v.chs); err != nil {
		return v, err
	}
	if err := r.ast.ARI(ctx, http.MethodGet, "/bridges", nil, &v.bs); err != nil {
		return v, err
	}
	for _, c := range v.chs {
		v.names[c.ID] = c.Name
		if strings.HasPrefix(c.Name, "PJSIP/a101-") {
			v.agent = c.ID
		}
		if strings.HasPrefix(c.Name, supPhone) && v.sup.ID == "" {
			v.sup = c
		}
	}
	return v, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// snoopStart waits until the supervisor's phone is connected the way mode
// wants (listen and whisper: bridged with a Snoop channel on the agent's
// leg; barge: in the call's own bridge), then records what the caller hears.
func (r *panelRig) snoopStart(ctx context.Context, t *testing.T, call *realasterisk.Call, mode string) (map[string]string, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := r.view(ctx)
		if err != nil {
			return nil, err
		}
		one := v.sup
		for _, b := range v.bs {
			if one.ID == "" || !contains(b.Channels, one.ID) {
				continue
			}
			var with []string
			for _, id := range b.Channels {
				if id != one.ID {
					with = append(with, v.names[id])
				}
			}
			connected := false
			switch mode {
			case "barge": // the caller, the agent and the supervisor in one bridge
				connected = contains(b.Channels, call.HotlineChannel) && len(b.Channels) == 3
			default: // the supervisor and a snoop channel on a101's leg (named after its id)
				connected = v.agent != "" && len(with) == 1 && strings.HasPrefix(with[0], "Snoop/"+v.agent+"-")
			}
			if connected {
				t.Logf("%s: the supervisor's phone %s is bridged with %v", mode, one.Name, with)
				return map[string]string{"supervisor": one.ID}, r.callerSilent(ctx, call, mode)
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: the supervisor's phone was never connected (channels %v, bridges %v)", mode, v.chs, v.bs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// callerSilent makes the caller send silence (as a real caller's phone
// does between words: Asterisk mixes a whisper into the audio going to the
// agent, so with no audio at all there is nothing to mix it into) and
// records what the caller hears: a snoop of the callers' application on the
// caller's half, spying on what the caller receives.
func (r *panelRig) callerSilent(ctx context.Context, call *realasterisk.Call, mode string) error {
	if err := r.ast.ARI(ctx, http.MethodPost, "/channels/"+call.Channel+"/play",
		map[string]string{"media": "sound:en/silence/10", "playbackId": "caller-silent-" + mode}, nil); err != nil {
		return fmt.Errorf("the caller's silence: %w", err)
	}
	ear := "caller-ear-" + mode
	if err := r.ast.ARI(ctx, http.MethodPost, "/channels/"+call.Channel+"/snoop",
		map[string]string{"spy": "in", "app": r.callers.App, "snoopId": ear}, nil); err != nil {
		return fmt.Errorf("the caller's ear: %w", err)
	}
	var err error
	for i := 0; i < 50; i++ { // the snoop channel enters the application just after the answer
		if err = r.ast.ARI(ctx, http.MethodPost, "/channels/"+ear+"/record", map[string]string{
			"name": "caller-heard-" + mode, "format": "wav", "ifExists": "overwrite", "terminateOn": "none"}, nil); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("record what the caller hears: %w", err)
}

// callerHeard stops the caller's silence and the recording of what the
// caller hears started by callerSilent.
func (r *panelRig) callerHeard(ctx context.Context, name string) error {
	if err := r.ast.ARI(ctx, http.MethodPost, "/recordings/live/caller-heard-"+name+"/stop", nil, nil); err != nil {
		return fmt.Errorf("stop the caller's recording: %w", err)
	}
	for _, del := range []string{"/channels/caller-ear-" + name, "/playbacks/caller-silent-" + name} {
		if err := r.ast.ARI(ctx, http.MethodDelete, del, nil, nil); err != nil && !strings.Contains(err.Error(), " 404 ") {
			return err
		}
	}
	return nil
}

// callerHeardRMS is the RMS amplitude of what the caller heard (callerSilent … callerHeard).
func (r *panelRig) callerHeardRMS(name string) (float64, error) {
	var rec string
	var err error
	for i := 0; i < 50; i++ { // the recording is finished just after its stop
		if rec, err = findFile(r.ast.RunDir, "caller-heard-"+name+".wav"); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return 0, err
	}
	return rms(rec)
}

// listenToCaller records what the caller hears for a few seconds (the
// caller sending silence) and returns its RMS amplitude.
func (r *panelRig) listenToCaller(ctx context.Context, call *realasterisk.Call, name string) (float64, error) {
	if err := r.callerSilent(ctx, call, name); err != nil {
		return 0, err
	}
	time.Sleep(3 * time.Second) // the length of the recording, not a timed assertion
	if err := r.callerHeard(ctx, name); err != nil {
		return 0, err
	}
	return r.callerHeardRMS(name)
}

// snoopSpeak stops the caller's recording and silence and lets the caller
// speak (while the page measures what the supervisor's browser receives)
// until snoopQuiet.
func (r *panelRig) snoopSpeak(ctx context.Context, call *realasterisk.Call, mode string) error {
	if err := r.callerHeard(ctx, mode); err != nil {
		return err
	}
	return r.ast.ARI(ctx, http.MethodPost, "/channels/"+call.Channel+"/play",
		map[string]string{"media": "sound:en/hotline/main_menu", "playbackId": "caller-speaks-" + mode}, nil)
}

func (r *panelRig) snoopQuiet(ctx context.Context, mode string) error {
	err := r.ast.ARI(ctx, http.MethodDelete, "/playbacks/caller-speaks-"+mode, nil, nil)
	if err != nil && strings.Contains(err.Error(), " 404 ") {
		err = nil
	}
	return err
}

// snoopEnd runs once the supervisor hung up their browser phone (supID its
// channel): it checks that the supervision left nothing behind, that the
// call is intact, and who heard whom: supEnergy is the supervisor's
// browser's totalAudioEnergy received in 4 s while the caller spoke,
// supQuiet in 4 s while the caller was silent (the caller's voice must add
// to it), agentEnergy the agent's while the caller was silent.
func (r *panelRig) snoopEnd(ctx context.Context, t *testing.T, call *realasterisk.Call, mode, supID string, agentEnergy, supEnergy, supQuiet float64) (map[string]any, error) {
	// Nothing of the supervision is left: no supervisor leg, no snoop channel, no bridge of the supervisor's.
	var left []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		v, err := r.view(ctx)
		if err != nil {
			return nil, err
		}
		left = nil
		for _, c := range v.chs {
			if strings.HasPrefix(c.Name, "Snoop/") || strings.HasPrefix(c.Name, supPhone) {
				left = append(left, c.Name)
			}
		}
		for _, b := range v.bs {
			if supID == "" || strings.HasPrefix(b.ID, supID) {
				left = append(left, "bridge "+b.ID)
			}
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: left after the supervisor hung up: %v", mode, left)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The call is intact: the caller and a101 still bridged together.
	v, err := r.view(ctx)
	if err != nil {
		return nil, err
	}
	intact := false
	for _, b := range v.bs {
		if contains(b.Channels, call.HotlineChannel) && v.agent != "" && contains(b.Channels, v.agent) {
			intact = true
		}
	}
	if !intact || call.Ended() {
		return nil, fmt.Errorf("%s: the call is not intact after the supervisor hung up (a101 channel %q, bridges %v)", mode, v.agent, v.bs)
	}

	callerHeard, err := r.callerHeardRMS(mode)
	if err != nil {
		return nil, err
	}
	res := map[string]any{"supervisor_heard_energy": supEnergy, "supervisor_quiet_energy": supQuiet, "caller_heard_rms": callerHeard, "agent_heard_energy": agentEnergy}
	t.Logf("%s: supervisor's browser heard energy %.5f with the caller speaking, %.5f with the caller silent; caller heard RMS %.4f, agent heard energy %.5f",
		mode, supEnergy, supQuiet, callerHeard, agentEnergy)
	var wrong []string
	if supEnergy <= supQuiet+agentAudible {
		wrong = append(wrong, "the supervisor did not hear the caller")
	}
	if agentHears := agentEnergy > agentAudible; agentHears != (mode != "listen") {
		wrong = append(wrong, fmt.Sprintf("the agent hearing the supervisor: %v", agentHears))
	}
	if callerHears := callerHeard >= audible; callerHears != (mode == "barge") {
		wrong = append(wrong, fmt.Sprintf("the caller hearing the supervisor: %v", callerHears))
	}
	if len(wrong) > 0 {
		return res, fmt.Errorf("%s: %s (%v)", mode, strings.Join(wrong, "; "), res)
	}
	return res, nil
}

// agentAudible is a browser's totalAudioEnergy (sum of level² × seconds)
// above which the agent (or the supervisor) heard something in the few seconds measured: a
// prompt at RMS 0.05 for 1 s gives 0.0025; silence 0.
const agentAudible = 0.0005

// rms is the RMS amplitude (0..1) of a 16-bit PCM WAV file as Asterisk
// writes them (0 for a file with no samples); the samples run from the
// "data" chunk to the end of the file (a header not yet finalised says 0).
func rms(path string) (float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	i := bytes.Index(b, []byte("data"))
	if len(b) < 12 || string(b[:4]) != "RIFF" || i < 0 || i+8 > len(b) {
		return 0, fmt.Errorf("%s: not a WAV file (%d bytes)", path, len(b))
	}
	pcm := b[i+8:]
	n := len(pcm) / 2
	if n == 0 {
		return 0, nil
	}
	var sum float64
	for k := 0; k < n; k++ {
		v := float64(int16(binary.LittleEndian.Uint16(pcm[2*k:]))) / 32768
		sum += v * v
	}
	return math.Sqrt(sum / float64(n)), nil
}

func findFile(root, name string) (string, error) {
	found := ""
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == name {
			found = p
		}
		return nil
	})
	if found == "" {
		return "", fmt.Errorf("%s not found under %s", name, root)
	}
	return found, nil
}
