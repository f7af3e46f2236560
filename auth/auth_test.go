package auth

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	old := HashParams
	HashParams = Argon2Params{Memory: 64, Time: 1, Threads: 1}
	defer func() { HashParams = old }()
	h, err := HashPassword("s3cret pass")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if !CheckPassword(h, "s3cret pass") || CheckPassword(h, "s3cret pas") || CheckPassword(h, "") {
		t.Fatal("check")
	}
	h2, _ := HashPassword("s3cret pass")
	if h2 == h {
		t.Fatal("same salt twice")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA", "$argon2id$v=19$m=64,t=1,p=1$!!$AAAA"} {
		if CheckPassword(bad, "s3cret pass") {
			t.Fatalf("%q accepted", bad)
		}
	}
	// The default parameters (what production hashes with) are checked too.
	if !CheckPassword(dummyHash, "not a password of anyone") {
		t.Fatal("dummy hash")
	}
}

func TestLimiterWindow(t *testing.T) {
	l := newLimiter(3, time.Minute)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if b, _ := l.blocked("u", t0); b {
			t.Fatalf("blocked after %d", i)
		}
		l.fail("u", t0.Add(time.Duration(i)*time.Second))
	}
	b, until := l.blocked("u", t0.Add(10*time.Second))
	if !b || !until.Equal(t0.Add(time.Minute)) {
		t.Fatalf("blocked %v until %v", b, until)
	}
	if b, _ := l.blocked("u", t0.Add(time.Minute)); b {
		t.Fatal("still blocked when the first failure left the window")
	}
	if b, _ := l.blocked("v", t0); b {
		t.Fatal("other key blocked")
	}
	l.reset("u")
	if len(l.fails) != 0 {
		t.Fatalf("fails %v", l.fails)
	}
}

func TestUserIs(t *testing.T) {
	a := &User{Role: Agent}
	if !a.Is() || !a.Is(Agent) || a.Is(Supervisor) {
		t.Fatal("agent")
	}
	if !(&User{Role: Admin}).Is(Supervisor) {
		t.Fatal("admin passes every role")
	}
	var none *User
	if none.Is() {
		t.Fatal("nil user")
	}
}
