package kiosk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline/kiosk"
	"github.com/publicservice/hotline/store/storetest"
)

func TestImportHappyOrNot(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	reg := kiosk.NewRegistry(db.Pool())
	k, _, err := reg.Add(ctx, "lands", "Survey office", now0)
	if err != nil {
		t.Fatal(err)
	}
	cayman, _ := time.LoadLocation("America/Cayman")
	o := kiosk.ImportOptions{Map: map[string]string{"5012": k.ID}, Location: cayman}
	// Their API's JSON: buttonIndex 0 the most unhappy; localTime without an offset is the terminal's local time.
	js := `{"data": [
		{"feedbackId": "f1", "smileyId": "5012", "localTime": "2018-03-05T09:12:33", "buttonIndex": 3, "misuse": false},
		{"feedbackId": "f2", "smileyId": "5012", "localTime": "2018-03-05T09:12:34", "buttonIndex": 0, "misuse": true},
		{"feedbackId": "f3", "smileyId": "5012", "localTime": "2018-03-05T10:00:00", "buttonIndex": 1, "misuse": false},
		{"feedbackId": "f4", "smileyId": "9999", "localTime": "2018-03-05T10:00:00", "buttonIndex": 1},
		{"feedbackId": "f5", "smileyId": "5012", "localTime": "2018-03-05T10:00:00", "buttonIndex": 4},
		{"feedbackId": "f6", "smileyId": "5012", "localTime": "yesterday", "buttonIndex": 2}
	]}`
	o.Format = "json"
	res, err := kiosk.ImportHappyOrNot(ctx, db.Pool(), reg, strings.NewReader(js), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 6 || res.Accepted != 3 || res.Misuse != 1 || res.Rejected != 3 {
		t.Fatalf("JSON import %+v", res)
	}
	for i, want := range []string{`smileyId "9999" is not a registered kiosk`, "button 4 out of range", `localTime "yesterday"`} {
		if !strings.Contains(res.Rejections[i].Reason, want) {
			t.Errorf("rejection %d %q, want %q", i, res.Rejections[i].Reason, want)
		}
	}
	// The CSV export of the same terminal: f1 and f3 again (idempotent on feedbackId), f7 new; columns in another order.
	csv := "buttonIndex,feedbackId,localTime,smileyId,misuse\n3,f1,2018-03-05T09:12:33,5012,false\n1,f3,2018-03-05T10:00:00,5012,false\n2,f7,2018-03-05 11:30:00,5012,false\n"
	o.Format = kiosk.DetectFormat("", "export.csv")
	res, err = kiosk.ImportHappyOrNot(ctx, db.Pool(), reg, strings.NewReader(csv), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 1 || res.Duplicated != 2 || res.Rejected != 0 {
		t.Fatalf("CSV import %+v", res)
	}
	rows, err := db.Pool().Query(ctx, `SELECT external_id, rating, time, misuse FROM ratings ORDER BY external_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id string
		var r int16
		var at time.Time
		var m bool
		if err := rows.Scan(&id, &r, &at, &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, id+" "+string(rune('0'+r))+" "+at.UTC().Format("15:04:05")+" "+map[bool]string{true: "misuse", false: "ok"}[m])
	}
	// 09:12:33 Cayman (UTC−5) is 14:12:33 UTC; index 3 → very happy (4), 0 → very unhappy (1), 1 → unhappy (2), 2 → happy (3).
	want := []string{"hon:f1 4 14:12:33 ok", "hon:f2 1 14:12:34 misuse", "hon:f3 2 15:00:00 ok", "hon:f7 3 16:30:00 ok"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("stored %q\nwant %q", got, want)
	}
	if _, err := kiosk.ParseHappyOrNot(strings.NewReader("feedbackId,smileyId\n1,2\n"), "csv"); err == nil || !strings.Contains(err.Error(), "no localtime column") {
		t.Errorf("CSV without localTime: %v", err)
	}
}
