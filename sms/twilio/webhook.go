package twilio

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/sms"
	"github.com/publicservice/hotline/ticket"
)

// Store is what the webhooks keep (sms/postgres.Outbox).
type Store interface {
	OptOut(ctx context.Context, number string, now time.Time) error
	OptIn(ctx context.Context, number string) error
	Inbound(ctx context.Context, messageSID string) (reply string, seen bool, err error)
	RecordInbound(ctx context.Context, messageSID, reply string, now time.Time) error
	Delivery(ctx context.Context, key, sid, status, errorCode string, now time.Time) (bool, error)
}

// Webhooks serves POST /twilio/sms and POST /twilio/status.
type Webhooks struct {
	// AuthToken signs the requests (TWILIO_AUTH_TOKEN).
	AuthToken string
	// PublicURL is the base URL Twilio calls (HOTLINE_PUBLIC_URL); without
	// it the URL is rebuilt from the request (Host, X-Forwarded-Proto).
	PublicURL string
	Store     Store
	Tickets   ticket.Service
	Config    *config.Config
	Clock     clock.Clock
	Logger    *slog.Logger
}

// Routes adds the webhooks to mux.
func (h *Webhooks) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /twilio/sms", h.inbound)
	mux.HandleFunc("POST /twilio/status", h.status)
}

func (h *Webhooks) now() time.Time {
	if h.Clock == nil {
		return time.Now()
	}
	return h.Clock.Now()
}

func (h *Webhooks) log() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

// verify checks X-Twilio-Signature with the library's RequestValidator
// over the URL Twilio called and the form parameters.
func (h *Webhooks) verify(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return hotline.Errorf(hotline.EINVALID, "body: %v", err)
	}
	sig := r.Header.Get("X-Twilio-Signature")
	if sig == "" || h.AuthToken == "" {
		return hotline.Errorf(hotline.EUNAUTHORIZED, "X-Twilio-Signature: missing")
	}
	base := strings.TrimSuffix(h.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
			scheme = p
		}
		base = scheme + "://" + r.Host
	}
	params := make(map[string]string, len(r.PostForm))
	for k, v := range r.PostForm {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	v := client.NewRequestValidator(h.AuthToken)
	if !v.Validate(base+r.URL.RequestURI(), params, sig) {
		return hotline.Errorf(hotline.EUNAUTHORIZED, "X-Twilio-Signature: not valid for this request")
	}
	return nil
}

func writeError(w http.ResponseWriter, err error) {
	status, ok := hotline.HTTPStatus[hotline.ErrorCode(err)]
	if !ok {
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": hotline.ErrorCode(err), "message": hotline.ErrorMessage(err)}})
	_, _ = w.Write(b)
}

// twiml answers with one message, or none.
func twiml(w http.ResponseWriter, reply string) {
	type msg struct {
		XMLName xml.Name `xml:"Response"`
		Message string   `xml:"Message,omitempty"`
	}
	b, _ := xml.Marshal(msg{Message: reply})
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}

// inbound handles a message texted to the hotline.
func (h *Webhooks) inbound(w http.ResponseWriter, r *http.Request) {
	if err := h.verify(r); err != nil {
		h.log().Warn("twilio sms webhook refused", "err", err)
		writeError(w, err)
		return
	}
	ctx := r.Context()
	msid, from := r.PostForm.Get("MessageSid"), r.PostForm.Get("From")
	if msid == "" || from == "" {
		writeError(w, hotline.Errorf(hotline.EINVALID, "MessageSid: MessageSid and From are required"))
		return
	}
	if reply, seen, err := h.Store.Inbound(ctx, msid); err != nil {
		h.fail(w, err)
		return
	} else if seen { // Twilio retried: the same answer, nothing done twice
		twiml(w, reply)
		return
	}
	reply, err := h.handle(ctx, from, r.PostForm.Get("Body"), msid)
	if err != nil {
		h.fail(w, err)
		return
	}
	if err := h.Store.RecordInbound(ctx, msid, reply, h.now()); err != nil {
		h.fail(w, err)
		return
	}
	twiml(w, reply)
}

func (h *Webhooks) fail(w http.ResponseWriter, err error) {
	h.log().Error("twilio webhook", "err", err)
	writeError(w, err)
}

// handle acts on one inbound message and returns the reply ("" for none).
func (h *Webhooks) handle(ctx context.Context, from, body, msid string) (string, error) {
	name := h.Config.Hotline.Name
	cmd, rest, lang := sms.Parse(body)
	if lang == "" {
		lang = h.Config.DefaultLanguage()
	}
	switch cmd {
	case sms.CmdStop:
		h.log().Info("sms opt-out", "message_sid", msid)
		return sms.Stopped(name, lang), h.Store.OptOut(ctx, from, h.now())
	case sms.CmdStart:
		h.log().Info("sms opt-in", "message_sid", msid)
		return sms.Started(name, lang), h.Store.OptIn(ctx, from)
	case sms.CmdHelp:
		return sms.Help(name, lang), nil
	case sms.CmdStatus:
		t, err := h.Tickets.Find(ctx, rest)
		if c := hotline.ErrorCode(err); c == hotline.ENOTFOUND || c == hotline.EINVALID {
			return sms.NotFound(name, lang, rest), nil
		} else if err != nil {
			return "", err
		}
		due := t.ResolveDue
		if t.Status == ticket.New {
			due = t.AckDue
		}
		return sms.StatusReply(name, lang, string(t.Kind), t.Reference, string(t.Status), due), nil
	}
	kind := ticket.Complaint
	if cmd == sms.CmdCompliment {
		kind = ticket.Compliment
	}
	t := &ticket.Ticket{Kind: kind, Channel: ticket.BySMS, Language: lang, WhatHappened: rest, Phone: from,
		ContactWanted: true, ContactBy: ticket.ContactByPhone, PrivacyAccepted: false}
	if err := h.Tickets.Create(ctx, t, "sms"); err != nil {
		if hotline.ErrorCode(err) == hotline.EINVALID {
			return sms.Help(name, lang), nil
		}
		return "", err
	}
	// The acknowledgement with the reference goes through the outbox.
	return "", nil
}

// status handles a delivery status callback.
func (h *Webhooks) status(w http.ResponseWriter, r *http.Request) {
	if err := h.verify(r); err != nil {
		h.log().Warn("twilio status webhook refused", "err", err)
		writeError(w, err)
		return
	}
	f := r.PostForm
	ok, err := h.Store.Delivery(r.Context(), r.URL.Query().Get("key"), f.Get("MessageSid"), f.Get("MessageStatus"), f.Get("ErrorCode"), h.now())
	if err != nil {
		h.fail(w, err)
		return
	}
	if !ok {
		h.log().Warn("twilio status for an unknown message", "message_sid", f.Get("MessageSid"))
	}
	w.WriteHeader(http.StatusNoContent)
}
