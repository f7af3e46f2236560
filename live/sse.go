package live

import (
	"bytes"
	"fmt"
	"net/http"
	"time"
)

// Stream serves Server-Sent Events: for every frame, render returns the
// page's JSON (nil: nothing to send); it is sent as a "state" event when it
// differs from the previous one. A comment every 15 s keeps proxies from
// closing an idle stream. "retry: 1000" makes browsers reconnect one second
// after a drop.
func (f *Feed) Stream(w http.ResponseWriter, r *http.Request, render func(*Frame) ([]byte, error)) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1000\n\n")
	fl.Flush()
	frames, stop := f.Subscribe()
	defer stop()
	keep := time.NewTicker(15 * time.Second)
	defer keep.Stop()
	var last []byte
	for {
		select {
		case <-r.Context().Done():
			return
		case <-keep.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			fl.Flush()
		case fr := <-frames:
			b, err := render(fr)
			if err != nil || b == nil || bytes.Equal(b, last) {
				continue
			}
			last = b
			if _, err := fmt.Fprintf(w, "event: state\ndata: %s\n\n", b); err != nil {
				return
			}
			fl.Flush()
		}
	}
}
