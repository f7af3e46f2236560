package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"time"
)

// Misuse: every command prints what was wrong and its usage on stderr and
// returns errUsage, which main turns into exit status 2. Flags are checked
// before anything is opened, so no flag value reaches code that could panic.

// parseFlags parses args. The flag package has already printed a bad flag's
// error and the usage; stray positional arguments are refused the same way.
func (m *Main) parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%s: %w: %w", fs.Name(), err, errUsage)
	}
	if fs.NArg() > 0 {
		return m.usageError(fs, "unexpected argument %q (flags only)", fs.Arg(0))
	}
	return nil
}

// subcommand parses "hotline <command> <sub> [flags]" and returns <sub>. With
// no <sub> it prints usage on stderr and returns errUsage. define adds the
// flags to the set, named "<command> <sub>", which writes its errors and -h on
// stderr; a parse error is returned as the flag package gives it.
func (m *Main) subcommand(command, usage string, args []string, define func(fs *flag.FlagSet)) (string, error) {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return "", errUsage
	}
	fs := flag.NewFlagSet(command+" "+args[0], flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	define(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return "", err
	}
	return args[0], nil
}

// usageError prints "hotline <command>: <what was wrong>" and the command's
// usage on stderr, and returns errUsage.
func (m *Main) usageError(fs *flag.FlagSet, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(m.Stderr, "hotline %s: %s\n", fs.Name(), msg)
	fs.Usage()
	return fmt.Errorf("%s: %s: %w", fs.Name(), msg, errUsage)
}

// rule is one check of a flag value: bad with the reason.
type rule struct {
	bad    bool
	reason string
}

// checkFlags returns the usage error of the first bad rule.
func (m *Main) checkFlags(fs *flag.FlagSet, rules ...rule) error {
	for _, r := range rules {
		if r.bad {
			return m.usageError(fs, "%s", r.reason)
		}
	}
	return nil
}

// intIn: -name between lo and hi.
func intIn(name string, v, lo, hi int) rule {
	return rule{v < lo || v > hi, fmt.Sprintf("-%s %d: want %d to %d", name, v, lo, hi)}
}

// floatIn: -name a number in (lo, hi] (NaN and infinities are refused).
func floatIn(name string, v, lo, hi float64) rule {
	bad := math.IsNaN(v) || v <= lo || v > hi
	return rule{bad, fmt.Sprintf("-%s %v: want more than %v and at most %v", name, v, lo, hi)}
}

// durationIn: -name between lo and hi.
func durationIn(name string, v, lo, hi time.Duration) rule {
	return rule{v < lo || v > hi, fmt.Sprintf("-%s %s: want %s to %s", name, v, lo, hi)}
}

// exitCode is the process status for Run's error: 0, 2 for misuse, 1 otherwise.
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp), errors.Is(err, errUsage):
		return 2
	default:
		return 1
	}
}
