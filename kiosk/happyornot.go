package kiosk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/publicservice/hotline"
)

// HappyOrNot is one feedback row of a HappyOrNot terminal, as their API's
// JSON and their CSV exports give it.
type HappyOrNot struct {
	FeedbackID  string `json:"feedbackId"`
	SmileyID    string `json:"smileyId"`    // the terminal
	LocalTime   string `json:"localTime"`   // the terminal's local time, e.g. 2018-03-05T09:12:33
	ButtonIndex int    `json:"buttonIndex"` // 0 the most unhappy … 3 the most happy
	Misuse      bool   `json:"misuse"`
}

// ImportOptions say how HappyOrNot rows become kiosk presses.
type ImportOptions struct {
	Format string // "json" or "csv"
	// Kiosk puts every row on this registered kiosk; otherwise Map, and
	// otherwise the smileyId must itself be a registered kiosk id.
	Kiosk string
	Map   map[string]string // smileyId → kiosk id
	// Location is the time zone of localTime values without an offset.
	Location *time.Location
	// Batch is the rows stored per transaction (default 5000).
	Batch int
}

// ImportResult counts an import; Rejections name the rows (1-based, data rows) not stored.
type ImportResult struct {
	Rows       int         `json:"rows"`
	Accepted   int         `json:"accepted"`
	Duplicated int         `json:"duplicated"`
	Rejected   int         `json:"rejected"`
	Misuse     int         `json:"misuse"`
	Rejections []Rejection `json:"rejections"`
}

// DetectFormat is format, or the file's extension ("csv" for .csv, else json).
func DetectFormat(format, file string) string {
	if format != "" {
		return strings.ToLower(format)
	}
	if strings.HasSuffix(strings.ToLower(file), ".csv") {
		return "csv"
	}
	return "json"
}

// ParseHappyOrNot reads rows: JSON (an array, an object holding the array
// under "data", "feedbacks", "feedback" or "items", or one object a line) or
// CSV with a header row naming the columns (any order, any case).
func ParseHappyOrNot(r io.Reader, format string) ([]HappyOrNot, error) {
	switch format {
	case "csv":
		return parseHONCSV(r)
	case "json", "":
		return parseHONJSON(r)
	}
	return nil, hotline.Errorf(hotline.EINVALID, "unknown format %q (want json or csv)", format)
}

func parseHONJSON(r io.Reader) ([]HappyOrNot, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("kiosk: read HappyOrNot JSON: %w", err)
	}
	b = bytes.TrimSpace(b)
	var rows []HappyOrNot
	switch {
	case len(b) == 0:
		return nil, nil
	case b[0] == '[':
		err = json.Unmarshal(b, &rows)
	case b[0] == '{' && !bytes.Contains(b, []byte("}\n{")) && !bytes.Contains(b, []byte("}\r\n{")):
		var wrap map[string]json.RawMessage
		if err = json.Unmarshal(b, &wrap); err == nil {
			found := false
			for _, k := range []string{"data", "feedbacks", "feedback", "items"} {
				if raw, ok := wrap[k]; ok {
					err, found = json.Unmarshal(raw, &rows), true
					break
				}
			}
			if !found {
				var one HappyOrNot
				err = json.Unmarshal(b, &one)
				rows = []HappyOrNot{one}
			}
		}
	default:
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			var one HappyOrNot
			if err = json.Unmarshal(line, &one); err != nil {
				break
			}
			rows = append(rows, one)
		}
	}
	if err != nil {
		return nil, hotline.Errorf(hotline.EINVALID, "HappyOrNot JSON: %v", err)
	}
	return rows, nil
}

func parseHONCSV(r io.Reader) ([]HappyOrNot, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, hotline.Errorf(hotline.EINVALID, "HappyOrNot CSV: no header row: %v", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"feedbackid", "smileyid", "localtime", "buttonindex"} {
		if _, ok := col[need]; !ok {
			return nil, hotline.Errorf(hotline.EINVALID, "HappyOrNot CSV: no %s column (header: %s)", need, strings.Join(head, ","))
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []HappyOrNot
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, hotline.Errorf(hotline.EINVALID, "HappyOrNot CSV line %d: %v", line, err)
		}
		h := HappyOrNot{FeedbackID: get(rec, "feedbackid"), SmileyID: get(rec, "smileyid"), LocalTime: get(rec, "localtime")}
		if h.ButtonIndex, err = strconv.Atoi(get(rec, "buttonindex")); err != nil {
			h.ButtonIndex = -1 // rejected with its reason by the import
		}
		switch strings.ToLower(get(rec, "misuse")) {
		case "true", "1", "yes", "t":
			h.Misuse = true
		}
		rows = append(rows, h)
	}
	return rows, nil
}

// ParseLocalTime reads a HappyOrNot localTime: RFC 3339, or a local
// "2006-01-02T15:04:05" / "2006-01-02 15:04:05" in loc.
func ParseLocalTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, hotline.Errorf(hotline.EINVALID, "localTime %q is not a time (want 2006-01-02T15:04:05)", s)
}

// ImportHappyOrNot stores a HappyOrNot export as kiosk presses, idempotent on
// feedbackId (stored as external id "hon:<feedbackId>"). HappyOrNot's own
// misuse flag is kept as given.
func ImportHappyOrNot(ctx context.Context, pool *pgxpool.Pool, reg *Registry, r io.Reader, o ImportOptions) (ImportResult, error) {
	res := ImportResult{Rejections: []Rejection{}}
	rows, err := ParseHappyOrNot(r, o.Format)
	if err != nil {
		return res, err
	}
	res.Rows = len(rows)
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Batch <= 0 {
		o.Batch = 5000
	}
	kiosks := map[string]*Kiosk{}
	kioskOf := func(smiley string) (*Kiosk, error) {
		id := smiley
		if o.Kiosk != "" {
			id = o.Kiosk
		} else if m, ok := o.Map[smiley]; ok {
			id = m
		}
		if k, ok := kiosks[id]; ok {
			return k, nil
		}
		k, err := reg.Get(ctx, id)
		if err != nil {
			kiosks[id] = nil
			return nil, err
		}
		kiosks[id] = &k
		return &k, nil
	}
	var batch []Row
	flush := func() error {
		st, err := Store(ctx, pool, batch, 0)
		if err != nil {
			return err
		}
		res.Accepted += st.Accepted
		res.Duplicated += st.Duplicated
		res.Misuse += st.Misuse
		batch = batch[:0]
		return nil
	}
	seen := map[string]bool{}
	for i, h := range rows {
		reject := func(format string, args ...any) {
			res.Rejections = append(res.Rejections, Rejection{Index: i + 1, Reason: fmt.Sprintf(format, args...)})
		}
		if h.FeedbackID == "" {
			reject("feedbackId missing")
			continue
		}
		rating, err := FromHappyOrNot(h.ButtonIndex)
		if err != nil {
			reject("feedback %s: %s", h.FeedbackID, hotline.ErrorMessage(err))
			continue
		}
		t, err := ParseLocalTime(h.LocalTime, o.Location)
		if err != nil {
			reject("feedback %s: %s", h.FeedbackID, hotline.ErrorMessage(err))
			continue
		}
		k, err := kioskOf(h.SmileyID)
		if k == nil {
			if err == nil {
				err = hotline.Errorf(hotline.ENOTFOUND, "no kiosk %q", h.SmileyID)
			}
			reject("feedback %s: smileyId %q is not a registered kiosk (-kiosk or -map): %s", h.FeedbackID, h.SmileyID, hotline.ErrorMessage(err))
			continue
		}
		if seen[h.FeedbackID] {
			res.Duplicated++
			continue
		}
		seen[h.FeedbackID] = true
		misuse := h.Misuse
		batch = append(batch, Row{Time: t.UTC(), KioskTime: t.UTC(), Rating: rating, KioskID: k.ID, Department: k.Department,
			ServicePoint: k.Location, ExternalID: "hon:" + h.FeedbackID, Misuse: &misuse})
		if len(batch) >= o.Batch {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	res.Rejected = len(res.Rejections)
	return res, nil
}
