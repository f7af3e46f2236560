package telephony

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/CyCoreSystems/ari/v5"

	"github.com/publicservice/hotline/clock"
)

func benchFrames(b *testing.B) [][]byte {
	var out [][]byte
	for _, name := range []string{"ivr_dtmf.jsonl", "queue_bridge.jsonl", "agent_noanswer.jsonl"} {
		for _, f := range traceFrames(b, name) {
			out = append(out, []byte(f))
		}
	}
	return out
}

// BenchmarkDecodeConvert: ari.DecodeEvent + conversion of recorded frames.
func BenchmarkDecodeConvert(b *testing.B) {
	frames := benchFrames(b)
	a, err := NewARI(ARIOptions{Application: "hotline"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.decode(frames[i%len(frames)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReaderThroughput: frames written to a loopback WebSocket, read,
// decoded, queued and taken from Events() (with Done) by a consumer.
func BenchmarkReaderThroughput(b *testing.B) {
	frames := benchFrames(b)
	quit := make(chan struct{})
	n := b.N
	srv := newWSServer(b, clock.Real(), func(conn int, send func(string) error) {
		if conn == 1 {
			for i := 0; i < n; i++ {
				if send(string(frames[i%len(frames)])) != nil {
					return
				}
			}
		}
		<-quit
	})
	b.Cleanup(func() { close(quit) })
	a := newTestARI(b, srv.URL, clock.Real())
	b.ReportAllocs()
	b.ResetTimer()
	runARI(b, a)
	got := 0
	for ev := range a.Events() {
		ev.Done()
		if ev.Type == Connected {
			continue
		}
		got++
		if got == n {
			break
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRESTRoundTrip: one Answer (ari/v5 call in its goroutine, context
// deadline, error transport) against a loopback server answering 204.
func BenchmarkRESTRoundTrip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)
	a := newTestARI(b, srv.URL, clock.Real())
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := a.Answer(ctx, "c1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlayListRoundTrip: a 3-item prompt as one direct request.
func BenchmarkPlayListRoundTrip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"p","state":"queued"}`))
	}))
	b.Cleanup(srv.Close)
	a := newTestARI(b, srv.URL, clock.Real())
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := a.Play(ctx, "c1", "p", "sound:a", "digits:12", "sound:b"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeLibrary: the same frames through ari.DecodeEvent + convert
// only (what decode did before the one-pass fast path).
func BenchmarkDecodeLibrary(b *testing.B) {
	frames := benchFrames(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, err := ari.DecodeEvent(frames[i%len(frames)])
		if err != nil {
			b.Fatal(err)
		}
		_ = convert(e)
	}
}
