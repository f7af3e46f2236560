package astbench

import (
	"os/exec"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseCPUList(t *testing.T) {
	for _, tc := range []struct {
		list string
		ncpu int
		want string // cpuList of the set; "" when the list must be refused
	}{
		{"0", 2, "0"},
		{"1", 2, "1"},
		{"0-2,5", 8, "0,1,2,5"},
		{" 3 , 1", 4, "1,3"},
		{"2", 2, ""},   // no such CPU
		{"1-0", 2, ""}, // backwards
		{"a", 2, ""},
		{"", 2, ""},
		{"-1", 2, ""},
	} {
		set, err := ParseCPUList(tc.list, tc.ncpu)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("ParseCPUList(%q, %d) = %s, want an error", tc.list, tc.ncpu, cpuList(set, tc.ncpu))
		case tc.want != "" && err != nil:
			t.Errorf("ParseCPUList(%q, %d): %v", tc.list, tc.ncpu, err)
		case tc.want != "" && cpuList(set, tc.ncpu) != tc.want:
			t.Errorf("ParseCPUList(%q, %d) = %s, want %s", tc.list, tc.ncpu, cpuList(set, tc.ncpu), tc.want)
		}
	}
	if err := CheckAsteriskCPUs("0-1", 2); err == nil {
		t.Error("CheckAsteriskCPUs(0-1, 2): every CPU given to Asterisk was accepted")
	}
	if err := CheckAsteriskCPUs("0", 2); err != nil {
		t.Errorf("CheckAsteriskCPUs(0, 2): %v", err)
	}
}

// A process's threads are moved to the set and put back by restore.
func TestPinningMovesAndRestores(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs 2 CPUs")
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	pid := cmd.Process.Pid
	affinity := func() string {
		t.Helper()
		var s unix.CPUSet
		if err := unix.SchedGetaffinity(pid, &s); err != nil {
			t.Fatal(err)
		}
		return cpuList(s, runtime.NumCPU())
	}
	before := affinity()
	var one unix.CPUSet
	one.Set(1)
	p := &pinning{}
	if err := p.pin(pid, one); err != nil {
		t.Fatal(err)
	}
	if got := affinity(); got != "1" {
		t.Fatalf("after pin: CPUs %s, want 1", got)
	}
	p.restore()
	if got := affinity(); got != before {
		t.Fatalf("after restore: CPUs %s, want %s", got, before)
	}
	if err := p.pin(1<<30, one); err == nil {
		t.Error("pinning a process that does not exist gave no error")
	}
}
