package astbench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ParseCPUList reads a Linux CPU list ("0", "0-1", "0,2-3") into a set of
// CPUs, each below ncpu.
func ParseCPUList(s string, ncpu int) (unix.CPUSet, error) {
	var set unix.CPUSet
	if strings.TrimSpace(s) == "" {
		return set, fmt.Errorf("astbench: empty CPU list")
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return set, fmt.Errorf("astbench: CPU list %q: %q is not a CPU number", s, lo)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return set, fmt.Errorf("astbench: CPU list %q: %q is not a CPU number", s, hi)
			}
		}
		if a < 0 || b < a || b >= ncpu {
			return set, fmt.Errorf("astbench: CPU list %q: want CPUs 0 to %d, low to high", s, ncpu-1)
		}
		for c := a; c <= b; c++ {
			set.Set(c)
		}
	}
	return set, nil
}

// cpuList writes a set back as a CPU list ("0,1").
func cpuList(set unix.CPUSet, ncpu int) string {
	var out []string
	for c := 0; c < ncpu; c++ {
		if set.IsSet(c) {
			out = append(out, strconv.Itoa(c))
		}
	}
	return strings.Join(out, ",")
}

// complement is every CPU below ncpu not in set.
func complement(set unix.CPUSet, ncpu int) unix.CPUSet {
	var out unix.CPUSet
	for c := 0; c < ncpu; c++ {
		if !set.IsSet(c) {
			out.Set(c)
		}
	}
	return out
}

// pinning moves processes' threads to a set of CPUs and can put back what
// it moved.
type pinning struct {
	saved map[int]unix.CPUSet // thread id → its affinity before
}

// pin sets the affinity of every thread of process pid (threads it starts
// later inherit it from their creator).
func (p *pinning) pin(pid int, set unix.CPUSet) error {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return fmt.Errorf("astbench: pin process %d: %w", pid, err)
	}
	if p.saved == nil {
		p.saved = map[int]unix.CPUSet{}
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		var old unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &old); err != nil {
			continue // the thread ended
		}
		if err := unix.SchedSetaffinity(tid, &set); err != nil {
			if errors.Is(err, unix.ESRCH) {
				continue
			}
			return fmt.Errorf("astbench: pin thread %d of process %d: %w", tid, pid, err)
		}
		if _, ok := p.saved[tid]; !ok {
			p.saved[tid] = old
		}
	}
	return nil
}

// restore puts back every thread it moved that still exists.
func (p *pinning) restore() {
	for tid, old := range p.saved {
		_ = unix.SchedSetaffinity(tid, &old)
	}
	p.saved = nil
}

// processesNamed lists the pids whose command name (/proc/PID/comm) is one
// of names.
func processesNamed(names ...string) []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*/comm")
	var pids []int
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		comm := strings.TrimSpace(string(b))
		for _, n := range names {
			if comm == n {
				if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(d))); err == nil {
					pids = append(pids, pid)
				}
			}
		}
	}
	return pids
}

// CheckAsteriskCPUs says whether list is a CPU list that leaves at least one
// of the ncpu CPUs for the rest.
func CheckAsteriskCPUs(list string, ncpu int) error {
	_, _, err := splitCPUs(list, ncpu)
	return err
}

// splitCPUs is Asterisk's CPUs (list) and the others; an error when list is
// not a CPU list or leaves no CPU for the others.
func splitCPUs(list string, ncpu int) (ast, rest unix.CPUSet, err error) {
	if ast, err = ParseCPUList(list, ncpu); err != nil {
		return ast, rest, err
	}
	if rest = complement(ast, ncpu); rest.Count() == 0 {
		return ast, rest, fmt.Errorf("astbench: CPU list %q leaves none of the %d CPUs for the applications, Redis and PostgreSQL", list, ncpu)
	}
	return ast, rest, nil
}

// pinAll gives Asterisk (pid) the CPUs of Options.AsteriskCPUs and keeps
// everything else the benchmark runs on the others: this process (and so
// the children it starts later: the applications under test), Redis and
// PostgreSQL. Asterisk then stands alone as on a host of its own, the
// callers' driver and the controller's stores off it. The returned restore
// puts the threads it moved back.
func (b *bench) pinAll(pid int) (restore func(), desc string, err error) {
	ncpu := runtime.NumCPU()
	ast, rest, err := splitCPUs(b.o.AsteriskCPUs, ncpu)
	if err != nil {
		return nil, "", err
	}
	p := &pinning{}
	if err := p.pin(pid, ast); err != nil {
		p.restore()
		return nil, "", err
	}
	others := append([]int{os.Getpid()}, processesNamed("redis-server", "postgres")...)
	for _, o := range others {
		if err := p.pin(o, rest); err != nil {
			p.restore()
			return nil, "", err
		}
	}
	return p.restore, fmt.Sprintf("Asterisk on CPU %s; this process, its applications, Redis and PostgreSQL on CPU %s",
		cpuList(ast, ncpu), cpuList(rest, ncpu)), nil
}
