package config

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// WAVInfo describes a PCM WAV file.
type WAVInfo struct {
	Format     uint16 // 1 for PCM
	Channels   uint16
	SampleRate uint32
	Bits       uint16
	DataBytes  uint32
}

// Duration is the playing time of the audio data.
func (w WAVInfo) Duration() time.Duration {
	bytesPerSec := uint64(w.SampleRate) * uint64(w.Channels) * uint64(w.Bits) / 8
	if bytesPerSec == 0 {
		return 0
	}
	return time.Duration(uint64(w.DataBytes) * uint64(time.Second) / bytesPerSec)
}

// ReadWAV reads the header of a RIFF/WAVE file (the fmt and data chunks).
func ReadWAV(path string) (WAVInfo, error) {
	var w WAVInfo
	f, err := os.Open(path)
	if err != nil {
		return w, fmt.Errorf("read wav: %w", err)
	}
	defer f.Close()
	var hdr [12]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return w, fmt.Errorf("read wav %s: %w", path, err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return w, fmt.Errorf("read wav %s: not a RIFF/WAVE file", path)
	}
	gotFmt := false
	for {
		var ch [8]byte
		if _, err := io.ReadFull(f, ch[:]); err != nil {
			return w, fmt.Errorf("read wav %s: no data chunk: %w", path, err)
		}
		id, size := string(ch[0:4]), binary.LittleEndian.Uint32(ch[4:8])
		switch id {
		case "fmt ":
			if size < 16 {
				return w, fmt.Errorf("read wav %s: short fmt chunk", path)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(f, b); err != nil {
				return w, fmt.Errorf("read wav %s: %w", path, err)
			}
			w.Format = binary.LittleEndian.Uint16(b[0:2])
			w.Channels = binary.LittleEndian.Uint16(b[2:4])
			w.SampleRate = binary.LittleEndian.Uint32(b[4:8])
			w.Bits = binary.LittleEndian.Uint16(b[14:16])
			gotFmt = true
		case "data":
			if !gotFmt {
				return w, fmt.Errorf("read wav %s: data before fmt", path)
			}
			w.DataBytes = size
			return w, nil
		default:
			if _, err := f.Seek(int64(size+size%2), io.SeekCurrent); err != nil {
				return w, fmt.Errorf("read wav %s: %w", path, err)
			}
		}
	}
}

// PromptDuration is the playing time of a prompt's generated file under a
// sounds directory (asterisk-config/sounds, or Asterisk's sounds directory).
func PromptDuration(soundsDir, lang, key string) (time.Duration, error) {
	w, err := ReadWAV(filepath.Join(soundsDir, filepath.FromSlash(SoundFile(lang, key))))
	if err != nil {
		return 0, err
	}
	return w.Duration(), nil
}
