package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "hotline_session"

// Session is a signed-in browser.
type Session struct {
	Token     string // the cookie value (only its hash is stored)
	CSRFToken string
	User      *User
	Expires   time.Time
}

// SignIn checks username and password from client address addr (rate
// limited) and opens a session: EUNAUTHORIZED for a wrong name or password,
// ERATELIMITED after too many failures.
func (s *Service) SignIn(ctx context.Context, username, password, addr string) (*Session, error) {
	now := s.opt.Now()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	for _, k := range []struct {
		l   *limiter
		key string
	}{{s.byName, username}, {s.byAddr, addr}} {
		if blocked, until := k.l.blocked(k.key, now); blocked {
			return nil, hotline.Errorf(hotline.ERATELIMITED, "too many failed sign-ins; try again in %s", until.Sub(now).Round(time.Second))
		}
	}
	u, hash, err := s.userWithHash(ctx, username)
	if hotline.ErrorCode(err) == hotline.ENOTFOUND {
		CheckPassword(dummyHash, password) // same time as a wrong password
	} else if err != nil {
		return nil, err
	}
	if u == nil || !CheckPassword(hash, password) {
		s.byName.fail(username, now)
		s.byAddr.fail(addr, now)
		s.opt.Logger.Info("sign-in refused", "addr", addr)
		return nil, hotline.Errorf(hotline.EUNAUTHORIZED, "wrong username or password")
	}
	s.byName.reset(username)
	sess := &Session{Token: randomToken(), CSRFToken: randomToken(), User: u, Expires: now.Add(s.opt.SessionTTL)}
	u.Via = "session"
	h := sha256.Sum256([]byte(sess.Token))
	if _, err := s.pool.Exec(ctx, `INSERT INTO staff_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		h[:], u.ID, sess.CSRFToken, now, sess.Expires); err != nil {
		return nil, fmt.Errorf("auth: open session: %w", err)
	}
	// Expired sessions are removed now and then, by whoever signs in.
	if _, err := s.pool.Exec(ctx, `DELETE FROM staff_sessions WHERE expires_at < $1`, now); err != nil {
		s.opt.Logger.Warn("auth: delete expired sessions", "err", err)
	}
	s.opt.Logger.Info("signed in", "user", u.Username, "role", u.Role)
	return sess, nil
}

// session finds the live session of a cookie value.
func (s *Service) session(ctx context.Context, token string) (*Session, error) {
	h := sha256.Sum256([]byte(token))
	sess := &Session{Token: token, User: &User{Via: "session"}}
	var role string
	err := s.pool.QueryRow(ctx, `SELECT u.id, u.username, u.role, u.agent_id, s.csrf_token, s.expires_at
		FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`, h[:], s.opt.Now()).
		Scan(&sess.User.ID, &sess.User.Username, &role, &sess.User.AgentID, &sess.CSRFToken, &sess.Expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hotline.Errorf(hotline.EUNAUTHORIZED, "session expired or signed out; sign in again")
	} else if err != nil {
		return nil, fmt.Errorf("auth: session: %w", err)
	}
	sess.User.Role = Role(role)
	return sess, nil
}

// SignOut ends the session of a cookie value.
func (s *Service) SignOut(ctx context.Context, token string) error {
	h := sha256.Sum256([]byte(token))
	if _, err := s.pool.Exec(ctx, `DELETE FROM staff_sessions WHERE token_hash = $1`, h[:]); err != nil {
		return fmt.Errorf("auth: sign out: %w", err)
	}
	return nil
}

// SetCookie sets the session cookie of sess on w.
func (s *Service) SetCookie(w http.ResponseWriter, sess *Session) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sess.Token, Path: "/", Expires: sess.Expires,
		MaxAge: int(time.Until(sess.Expires).Seconds()), HttpOnly: true, Secure: !s.opt.InsecureCookies, SameSite: http.SameSiteLaxMode})
}

// ClearCookie removes the session cookie.
func (s *Service) ClearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: !s.opt.InsecureCookies, SameSite: http.SameSiteLaxMode})
}
