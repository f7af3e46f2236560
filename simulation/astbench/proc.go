package astbench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is Linux's USER_HZ: /proc/PID/stat counts CPU time in 1/100 s
// on every architecture Go supports on Linux.
const clockTicks = 100

// ProcSample is one reading of a process from /proc.
type ProcSample struct {
	CPU      time.Duration // user + system time since the process started
	RSSBytes int64         // resident set (VmRSS)
	Threads  int
}

// ReadProc reads the CPU time, resident set and thread count of process pid
// from /proc/PID/stat and /proc/PID/status.
func ReadProc(pid int) (ProcSample, error) {
	var s ProcSample
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, fmt.Errorf("astbench: read /proc/%d/stat: %w", pid, err)
	}
	cpu, err := parseStatCPU(stat)
	if err != nil {
		return s, fmt.Errorf("astbench: /proc/%d/stat: %w", pid, err)
	}
	s.CPU = cpu
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, fmt.Errorf("astbench: read /proc/%d/status: %w", pid, err)
	}
	s.RSSBytes, s.Threads = parseStatus(status)
	return s, nil
}

// parseStatCPU returns utime+stime of a /proc/PID/stat line. The command
// name (field 2) may hold spaces and parentheses, so fields are counted from
// the last ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("no command name")
	}
	f := strings.Fields(string(stat[i+1:]))
	// after ')': state(3) ppid(4) ... utime is field 14, stime field 15
	if len(f) < 13 {
		return 0, fmt.Errorf("%d fields", len(f))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("utime %q stime %q", f[11], f[12])
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// parseStatus returns VmRSS in bytes and Threads of /proc/PID/status.
func parseStatus(status []byte) (rss int64, threads int) {
	for _, line := range strings.Split(string(status), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "VmRSS":
			kb, _ := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64)
			rss = kb * 1024
		case "Threads":
			threads, _ = strconv.Atoi(v)
		}
	}
	return rss, threads
}
