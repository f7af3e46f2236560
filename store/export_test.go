package store

import "log/slog"

// NewPausedWriter is OpenWriter whose goroutine starts taking items only when
// start is called, so tests can fill the queue first and see exact batches.
func NewPausedWriter(db *DB, logger *slog.Logger, opts WriterOptions) (w *Writer, start func()) {
	gate := make(chan struct{})
	w, err := newWriter(db, logger, opts, gate)
	if err != nil {
		panic(err)
	}
	return w, func() { close(gate) }
}
