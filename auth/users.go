package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/publicservice/hotline"
)

// NewUser is an account to create.
type NewUser struct {
	Username string
	Password string
	Role     Role
	AgentID  string // required for agents; a supervisor's SIP endpoint (s201), optional
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// AddUser creates an account; EINVALID for a bad name, role or password,
// ECONFLICT when the username exists.
func (s *Service) AddUser(ctx context.Context, nu NewUser) (*User, error) {
	if !usernameRE.MatchString(nu.Username) {
		return nil, hotline.Errorf(hotline.EINVALID, "username %q: use 1-63 lower-case letters, digits, '.', '_' or '-'", nu.Username)
	}
	if !nu.Role.Valid() {
		return nil, hotline.Errorf(hotline.EINVALID, "role %q: want agent, supervisor or admin", nu.Role)
	}
	if nu.Role == Agent && nu.AgentID == "" {
		return nil, hotline.Errorf(hotline.EINVALID, "an agent account needs the configured agent id it acts as")
	}
	if len(nu.Password) < MinPasswordLength {
		return nil, hotline.Errorf(hotline.EINVALID, "password: at least %d characters", MinPasswordLength)
	}
	hash, err := HashPassword(nu.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Username: nu.Username, Role: nu.Role, AgentID: nu.AgentID}
	err = s.pool.QueryRow(ctx, `INSERT INTO staff_users (username, role, agent_id, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`,
		nu.Username, string(nu.Role), nu.AgentID, hash).Scan(&u.ID)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return nil, hotline.Errorf(hotline.ECONFLICT, "username %q exists", nu.Username)
	} else if err != nil {
		return nil, fmt.Errorf("auth: add user: %w", err)
	}
	return u, nil
}

// SetPassword replaces a user's password and ends their sessions.
func (s *Service) SetPassword(ctx context.Context, username, password string) error {
	if len(password) < MinPasswordLength {
		return hotline.Errorf(hotline.EINVALID, "password: at least %d characters", MinPasswordLength)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	var id int64
	err = s.pool.QueryRow(ctx, `UPDATE staff_users SET password_hash = $2 WHERE username = $1 RETURNING id`, username, hash).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return hotline.Errorf(hotline.ENOTFOUND, "no user %q", username)
	} else if err != nil {
		return fmt.Errorf("auth: set password: %w", err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM staff_sessions WHERE user_id = $1`, id); err != nil {
		return fmt.Errorf("auth: end sessions: %w", err)
	}
	return nil
}

// User returns the account named username.
func (s *Service) User(ctx context.Context, username string) (*User, error) {
	u, _, err := s.userWithHash(ctx, username)
	return u, err
}

func (s *Service) userWithHash(ctx context.Context, username string) (*User, string, error) {
	var u User
	var role, hash string
	var disabled bool
	err := s.pool.QueryRow(ctx, `SELECT id, username, role, agent_id, password_hash, disabled FROM staff_users WHERE username = $1`, username).
		Scan(&u.ID, &u.Username, &role, &u.AgentID, &hash, &disabled)
	if errors.Is(err, pgx.ErrNoRows) || disabled {
		return nil, "", hotline.Errorf(hotline.ENOTFOUND, "no user %q", username)
	} else if err != nil {
		return nil, "", fmt.Errorf("auth: user: %w", err)
	}
	u.Role = Role(role)
	return &u, hash, nil
}

// CreateToken creates a bearer token acting as username and returns it; only
// its SHA-256 is stored, so it is shown once.
func (s *Service) CreateToken(ctx context.Context, username, name string) (string, error) {
	u, err := s.User(ctx, username)
	if err != nil {
		return "", err
	}
	tok := "hlt_" + randomToken()
	h := sha256.Sum256([]byte(tok))
	if _, err := s.pool.Exec(ctx, `INSERT INTO staff_tokens (token_hash, user_id, name) VALUES ($1, $2, $3)`, h[:], u.ID, name); err != nil {
		return "", fmt.Errorf("auth: create token: %w", err)
	}
	return tok, nil
}

func (s *Service) tokenUser(ctx context.Context, tok string) (*User, error) {
	h := sha256.Sum256([]byte(tok))
	var u User
	var role string
	err := s.pool.QueryRow(ctx, `SELECT u.id, u.username, u.role, u.agent_id FROM staff_tokens t JOIN staff_users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND NOT u.disabled`, h[:]).Scan(&u.ID, &u.Username, &role, &u.AgentID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hotline.Errorf(hotline.EUNAUTHORIZED, "unknown bearer token")
	} else if err != nil {
		return nil, fmt.Errorf("auth: token: %w", err)
	}
	u.Role, u.Via = Role(role), "token"
	return &u, nil
}

// randomToken is 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("auth: crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
