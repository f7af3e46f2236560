package store

import "log/slog"

// NewPausedWriter is NewWriter whose goroutine starts taking items only when
// start is called, so tests can fill the queue first and see exact batches.
func NewPausedWriter(db *DB, logger *slog.Logger, opts WriterOptions) (w *Writer, start func()) {
	gate := make(chan struct{})
	return newWriter(db, logger, opts, gate), func() { close(gate) }
}
