// Package asterisktest holds the real-Asterisk suite: every journey of the
// hotline run through `hotline serve` (built from this tree, as a child
// process) against the real Asterisk 22 of ../shared/asterisk started with
// the shipped asterisk-config/ (see internal/realasterisk), and the same
// journey run through the same binary against the simulator (arisim) on real
// time. For each journey the suite asserts the call record, the queue events
// and the rating in Postgres, and compares the two runs: the same
// disposition, IVR path, queue, agent and rating, answer times within 100 ms.
//
// The suite skips (saying so in its first line) when ../shared/asterisk is
// absent. Run it alone with scripts/test-asterisk.sh.
package asterisktest
