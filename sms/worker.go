package sms

import (
	"context"
	"log/slog"
	"time"
)

// Outbox is the store the worker drains (sms/postgres.Outbox).
type Outbox interface {
	Claim(ctx context.Context, now time.Time, lease time.Duration, n int) ([]Message, error)
	OptedOut(ctx context.Context, number string) (bool, error)
	Sent(ctx context.Context, id int64, sid string, now time.Time) error
	Retry(ctx context.Context, id int64, reason string, next time.Time, uncertain bool, now time.Time) error
	Failed(ctx context.Context, id int64, reason string, now time.Time) error
	Suppressed(ctx context.Context, id int64, now time.Time) error
}

// Worker delivers the outbox: at least once to the provider, and never
// twice, because a message whose earlier attempt may have reached the
// provider (timeout, lost connection, process killed mid-send) is first
// looked for at the provider and only sent when it is not there.
type Worker struct {
	Outbox Outbox
	Sender Sender
	Logger *slog.Logger
	// Now is the time source (default time.Now).
	Now func() time.Time
	// Poll is how often the outbox is read when idle (default 1s).
	Poll time.Duration
	// Lease: a row left "sending" longer than this belonged to a worker that
	// died; it is claimed again as uncertain (default 2m; keep it above the
	// sender's timeout).
	Lease time.Duration
	// Backoff is the first retry delay, doubled each attempt up to MaxBackoff
	// (defaults 5s and 10m).
	Backoff, MaxBackoff time.Duration
	// MaxAttempts before a message is given up as failed (default 10).
	MaxAttempts int
	// Batch is how many rows one pass claims (default 20).
	Batch int
	// SendTimeout bounds one send (default 30s).
	SendTimeout time.Duration
}

func (w *Worker) defaults() {
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Poll == 0 {
		w.Poll = time.Second
	}
	if w.Lease == 0 {
		w.Lease = 2 * time.Minute
	}
	if w.Backoff == 0 {
		w.Backoff = 5 * time.Second
	}
	if w.MaxBackoff == 0 {
		w.MaxBackoff = 10 * time.Minute
	}
	if w.MaxAttempts == 0 {
		w.MaxAttempts = 10
	}
	if w.Batch == 0 {
		w.Batch = 20
	}
	if w.SendTimeout == 0 {
		w.SendTimeout = 30 * time.Second
	}
	if w.Logger == nil {
		w.Logger = slog.Default()
	}
}

// BackoffAfter is the delay before attempt n+1 after n failed attempts.
func (w *Worker) BackoffAfter(n int) time.Duration {
	w.defaults()
	d := w.Backoff
	for i := 1; i < n && d < w.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.MaxBackoff)
}

// Run drains the outbox until ctx ends. wake (optional) makes it look at
// once instead of at the next poll.
func (w *Worker) Run(ctx context.Context, wake <-chan struct{}) error {
	w.defaults()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-wake:
		}
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.Logger.Warn("sms outbox", "err", err)
		}
		next := w.Poll
		if n == w.Batch {
			next = 0 // more may be due
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(next)
	}
}

// RunOnce claims the due messages and handles each; it returns how many.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.defaults()
	msgs, err := w.Outbox.Claim(ctx, w.Now(), w.Lease, w.Batch)
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		if err := w.deliver(ctx, m); err != nil {
			return len(msgs), err
		}
	}
	return len(msgs), nil
}

func (w *Worker) deliver(ctx context.Context, m Message) error {
	log := w.Logger.With("outbox_id", m.ID, "key", m.Key, "attempt", m.Attempts)
	if out, err := w.Outbox.OptedOut(ctx, m.To); err != nil {
		return err
	} else if out {
		log.Info("sms not sent: the number opted out")
		return w.Outbox.Suppressed(ctx, m.ID, w.Now())
	}
	sctx, cancel := context.WithTimeout(ctx, w.SendTimeout)
	defer cancel()
	if m.Uncertain {
		sid, err := w.Sender.Find(sctx, m)
		if err != nil {
			log.Warn("sms: cannot check an uncertain earlier attempt; trying later", "err", err)
			return w.retry(ctx, m, "checking an earlier attempt: "+err.Error(), true)
		}
		if sid != "" {
			log.Info("sms already accepted by the provider on an earlier attempt", "sid", sid)
			return w.Outbox.Sent(ctx, m.ID, sid, w.Now())
		}
	}
	sid, err := w.Sender.Send(sctx, m)
	if err == nil {
		log.Info("sms sent", "sid", sid)
		return w.Outbox.Sent(ctx, m.ID, sid, w.Now())
	}
	se := classify(err)
	if se.Permanent {
		log.Warn("sms refused by the provider", "err", err)
		return w.Outbox.Failed(ctx, m.ID, err.Error(), w.Now())
	}
	log.Warn("sms not sent; will retry", "err", err, "uncertain", se.Uncertain)
	return w.retry(ctx, m, err.Error(), se.Uncertain || m.Uncertain)
}

func (w *Worker) retry(ctx context.Context, m Message, reason string, uncertain bool) error {
	if m.Attempts >= w.MaxAttempts {
		return w.Outbox.Failed(ctx, m.ID, "gave up after "+itoa(m.Attempts)+" attempts: "+reason, w.Now())
	}
	return w.Outbox.Retry(ctx, m.ID, reason, w.Now().Add(w.BackoffAfter(m.Attempts)), uncertain, w.Now())
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
