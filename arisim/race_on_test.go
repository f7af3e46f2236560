//go:build race

package arisim

// raceEnabled: ari/v5 v5.3.1 Client.Close races with its own listen goroutine (an
// unsynchronised write of c.connected), so under -race the native test leaves it open.
const raceEnabled = true
