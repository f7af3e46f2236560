package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/publicservice/hotline"
)

// spoolFile is the name of the spool file in WriterOptions.SpoolDir.
const spoolFile = "writer.spool"

// spoolRecord is one queued item as a line of JSON in the spool file.
type spoolRecord struct {
	Kind    witemKind            `json:"kind"`
	UID     string               `json:"uid,omitempty"`
	Call    *hotline.CallRecord  `json:"call,omitempty"`
	Events  []hotline.QueueEvent `json:"events,omitempty"`
	Rating  *Rating              `json:"rating,omitempty"`
	Message *Message             `json:"message,omitempty"`
}

// spool is an append-only file of items, read back in the order written. It
// holds what the Writer cannot keep in memory while the database is away.
// When every record has been read it is truncated. Records left in it when a
// process stops (or dies) are read first by the next Writer on the same
// directory; every row carries its uid, so records read twice are stored once.
// A spool belongs to one Writer: the directory is locked (flock) while open.
type spool struct {
	path    string
	lock    *os.File
	w       *os.File // appends
	r       *os.File
	br      *bufio.Reader
	size    int64 // bytes in the file
	readOff int64 // bytes read back
	count   int   // records not yet read back
	max     int64 // bytes; beyond it pushes wait
	peak    int64 // largest unread size seen
}

func openSpool(dir string, max int64) (*spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: spool dir: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: spool lock: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, hotline.Errorf(hotline.ECONFLICT, "spool dir %s is in use by another writer (%v)", dir, err)
	}
	s := &spool{path: filepath.Join(dir, spoolFile), lock: lock, max: max}
	if err := s.open(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// open opens the file, counts the records a previous process left, and drops
// a torn last line (a crash while appending).
func (s *spool) open() error {
	data, err := os.ReadFile(s.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: read spool: %w", err)
	}
	good := bytes.LastIndexByte(data, '\n') + 1
	if good < len(data) {
		if err := os.Truncate(s.path, int64(good)); err != nil {
			return fmt.Errorf("store: spool: drop torn record: %w", err)
		}
	}
	s.count = bytes.Count(data[:good], []byte{'\n'})
	s.size = int64(good)
	s.peak = s.size
	if s.w, err = os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err != nil {
		return fmt.Errorf("store: open spool: %w", err)
	}
	if s.r, err = os.Open(s.path); err != nil {
		return fmt.Errorf("store: open spool: %w", err)
	}
	s.br = bufio.NewReaderSize(s.r, 64<<10)
	return nil
}

// full reports whether the spool has reached its size limit.
func (s *spool) full() bool { return s.size-s.readOff >= s.max }

// unread is the size of the records not yet read back.
func (s *spool) unread() int64 { return s.size - s.readOff }

func (s *spool) append(it *witem) error {
	rec := spoolRecord{Kind: it.kind, UID: it.uid, Call: it.call, Events: it.events}
	switch it.kind {
	case kRating:
		rec.Rating = &it.rating
	case kMessage:
		rec.Message = &it.message
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("store: spool: encode: %w", err)
	}
	line = append(line, '\n')
	if _, err := s.w.Write(line); err != nil {
		return fmt.Errorf("store: spool: write: %w", err)
	}
	s.size += int64(len(line))
	s.count++
	s.peak = max(s.peak, s.unread())
	return nil
}

// next reads the oldest unread record, still encoded (decode decodes it, outside the queue's lock).
func (s *spool) next() ([]byte, error) {
	line, err := s.br.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("store: spool: read: %w", err)
	}
	s.readOff += int64(len(line))
	s.count--
	if s.count == 0 {
		return line, s.reset()
	}
	return line, nil
}

func decodeSpooled(line []byte) (witem, error) {
	var rec spoolRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		return witem{}, fmt.Errorf("store: spool: decode: %w", err)
	}
	it := witem{kind: rec.Kind, uid: rec.UID, call: rec.Call, events: rec.Events}
	if rec.Rating != nil {
		it.rating = *rec.Rating
	}
	if rec.Message != nil {
		it.message = *rec.Message
	}
	return it, nil
}

// reset empties the file once everything was read back.
func (s *spool) reset() error {
	if err := s.w.Truncate(0); err != nil {
		return fmt.Errorf("store: spool: truncate: %w", err)
	}
	if _, err := s.r.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("store: spool: rewind: %w", err)
	}
	s.br.Reset(s.r)
	s.size, s.readOff = 0, 0
	return nil
}

// rewrite replaces the file by first (items taken from it or from memory but
// not written) followed by the records not yet read, so that a Writer that
// gives up on Close keeps them for the next start.
func (s *spool) rewrite(first []witem) error {
	tmp := s.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("store: spool: rewrite: %w", err)
	}
	old := s.w
	s.w = f
	size, count := s.size, s.count
	s.size, s.count = 0, 0
	for i := range first {
		if err := s.append(&first[i]); err != nil {
			f.Close()
			s.w = old
			return err
		}
	}
	if _, err := io.Copy(f, s.br); err != nil {
		f.Close()
		return fmt.Errorf("store: spool: rewrite: %w", err)
	}
	s.size += size - s.readOff
	s.count += count
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("store: spool: rewrite: %w", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		f.Close()
		return fmt.Errorf("store: spool: rewrite: %w", err)
	}
	old.Close()
	return nil
}

func (s *spool) close() error {
	var errs []error
	if s.w != nil {
		errs = append(errs, s.w.Sync(), s.w.Close())
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close()) // releases the flock
	}
	return errors.Join(errs...)
}
