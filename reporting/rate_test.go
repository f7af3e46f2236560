package reporting

import (
	"encoding/json"
	"testing"
	"time"
)

func TestRate(t *testing.T) {
	tests := []struct {
		r     Rate
		value float64
		ok    bool
		text  string
		json  string
	}{
		{Rate{8, 10}, 0.8, true, "80.0% (n=10)", `{"value":0.8,"num":8,"n":10}`},
		{Rate{0, 7}, 0, true, "0.0% (n=7)", `{"value":0,"num":0,"n":7}`},
		{Rate{2, 3}, 2.0 / 3, true, "66.7% (n=3)", `{"value":0.6666666666666666,"num":2,"n":3}`},
		{Rate{0, 0}, 0, false, "no data", `{"value":null,"num":0,"n":0}`},
	}
	for _, tt := range tests {
		v, ok := tt.r.Value()
		if v != tt.value || ok != tt.ok {
			t.Errorf("%+v.Value() = %v, %v; want %v, %v", tt.r, v, ok, tt.value, tt.ok)
		}
		if got := tt.r.String(); got != tt.text {
			t.Errorf("%+v.String() = %q, want %q", tt.r, got, tt.text)
		}
		b, err := json.Marshal(tt.r)
		if err != nil || string(b) != tt.json {
			t.Errorf("json(%+v) = %s, %v; want %s", tt.r, b, err, tt.json)
		}
		var back Rate
		if err := json.Unmarshal(b, &back); err != nil || back != tt.r {
			t.Errorf("round trip of %s = %+v, %v", b, back, err)
		}
	}
}

func TestAverageJSON(t *testing.T) {
	tests := []struct {
		a    Average
		text string
		json string
	}{
		{Average{1200 * time.Second, 80}, "15.0s (n=80)", `{"seconds":15,"n":80}`},
		{Average{10 * time.Second, 3}, "3.3s (n=3)", `{"seconds":3.333,"n":3}`},
		{Average{}, "no data", `{"seconds":null,"n":0}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.a)
		if err != nil || string(b) != tt.json || tt.a.String() != tt.text {
			t.Errorf("%+v: %s, %q, %v; want %s, %q", tt.a, b, tt.a.String(), err, tt.json, tt.text)
		}
	}
}

func TestTimeShareJSON(t *testing.T) {
	b, _ := json.Marshal(Occupancy(3*time.Hour, time.Hour))
	if want := `{"value":0.75,"part_seconds":10800,"whole_seconds":14400}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	b, _ = json.Marshal(Occupancy(0, 0))
	if want := `{"value":null,"part_seconds":0,"whole_seconds":0}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}
