package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/store"
)

const userUsage = `usage:
  hotline user add -username NAME -role agent|supervisor|admin [-agent ID] [-sip ID]
  hotline user password -username NAME
  hotline user token -username NAME -name LABEL

The password comes from the environment variable HOTLINE_PASSWORD or, when it
is unset, from the first line of standard input (never from a flag, which
would show in the process list). "token" prints a bearer token for a machine
client acting as the account; it is shown once.
`

// user manages staff accounts in Postgres (DATABASE_URL).
func (m *Main) user(ctx context.Context, args []string) error {
	var username, role, agentID, sipID, label, cfgPath *string
	sub, err := m.subcommand("user", userUsage, args, func(fs *flag.FlagSet) {
		username = fs.String("username", "", "account name (lower case)")
		role = fs.String("role", "agent", "agent, supervisor or admin")
		agentID = fs.String("agent", "", "the configured agent id an agent account acts as (e.g. a101)")
		sipID = fs.String("sip", "", "a supervisor's own SIP endpoint in pjsip.conf (e.g. s201), for the supervisor page's browser phone")
		label = fs.String("name", "", "what the token is for")
		cfgPath = fs.String("config", "", "configuration file (default HOTLINE_CONFIG or the shipped sample), to check -agent")
	})
	if err != nil {
		return err
	}
	if *username == "" {
		fmt.Fprint(m.Stderr, "hotline user: -username is required\n\n"+userUsage)
		return errUsage
	}
	db, err := store.Open(ctx, env("DATABASE_URL", defaultDatabaseURL))
	if err != nil {
		return fmt.Errorf("user: postgres: %w", err)
	}
	defer db.Close()
	svc := auth.New(db.Pool(), auth.Options{Logger: m.Logger})
	switch sub {
	case "add":
		cfg, err := loadConfig(*cfgPath)
		if err != nil {
			return err
		}
		if *agentID != "" && cfg.Agent(*agentID) == nil {
			return hotline.Errorf(hotline.EINVALID, "user add: -agent %q is not a configured agent", *agentID)
		}
		if *sipID != "" {
			if auth.Role(*role) != auth.Supervisor || *agentID != "" {
				return hotline.Errorf(hotline.EINVALID, "user add: -sip is for supervisor accounts (without -agent)")
			}
			if !sipIDRE.MatchString(*sipID) {
				return hotline.Errorf(hotline.EINVALID, "user add: -sip %q: want a pjsip.conf endpoint name such as s201", *sipID)
			}
			*agentID = *sipID // a supervisor's endpoint is kept where an agent's id is
		}
		pw, err := m.readPassword()
		if err != nil {
			return err
		}
		u, err := svc.AddUser(ctx, auth.NewUser{Username: *username, Password: pw, Role: auth.Role(*role), AgentID: *agentID})
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		fmt.Fprintf(m.Stdout, "created %s (%s%s)\n", u.Username, u.Role, agentSuffix(u))
	case "password":
		pw, err := m.readPassword()
		if err != nil {
			return err
		}
		if err := svc.SetPassword(ctx, *username, pw); err != nil {
			return fmt.Errorf("user password: %w", err)
		}
		fmt.Fprintf(m.Stdout, "password of %s changed; their sessions ended\n", *username)
	case "token":
		if *label == "" {
			return hotline.Errorf(hotline.EINVALID, "user token: -name is required (what the token is for)")
		}
		tok, err := svc.CreateToken(ctx, *username, *label)
		if err != nil {
			return fmt.Errorf("user token: %w", err)
		}
		fmt.Fprintln(m.Stdout, tok)
	default:
		fmt.Fprintf(m.Stderr, "hotline user: unknown subcommand %q\n\n%s", sub, userUsage)
		return errUsage
	}
	return nil
}

var sipIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

func agentSuffix(u *auth.User) string {
	switch {
	case u.AgentID == "":
		return ""
	case u.Role == auth.Agent:
		return ", agent " + u.AgentID
	}
	return ", SIP endpoint " + u.AgentID
}

// readPassword reads HOTLINE_PASSWORD or the first line of standard input.
func (m *Main) readPassword() (string, error) {
	if pw := os.Getenv("HOTLINE_PASSWORD"); pw != "" {
		return pw, nil
	}
	in := m.Stdin
	if in == nil {
		in = os.Stdin
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", hotline.Errorf(hotline.EINVALID, "no password: set HOTLINE_PASSWORD or write it on standard input")
	}
	return pw, nil
}

// demoAccounts creates (or resets the password of) agent1…agent5, acting as
// the last five configured agents, and supervisor1 (SIP endpoint s201, the
// first supervisor of the shipped pjsip.conf). It returns the agent ids.
func demoAccounts(ctx context.Context, svc *auth.Service, cfg *config.Config, password string) ([]string, error) {
	var ids []string
	n := len(cfg.Agents)
	for i := 0; i < 5 && i < n; i++ {
		a := cfg.Agents[n-5+i]
		if n < 5 {
			a = cfg.Agents[i]
		}
		ids = append(ids, a.ID)
		if err := upsertUser(ctx, svc, auth.NewUser{Username: fmt.Sprintf("agent%d", i+1), Password: password, Role: auth.Agent, AgentID: a.ID}); err != nil {
			return nil, err
		}
	}
	if err := upsertUser(ctx, svc, auth.NewUser{Username: "supervisor1", Password: password, Role: auth.Supervisor, AgentID: "s201"}); err != nil {
		return nil, err
	}
	return ids, nil
}

func upsertUser(ctx context.Context, svc *auth.Service, nu auth.NewUser) error {
	_, err := svc.AddUser(ctx, nu)
	if hotline.ErrorCode(err) == hotline.ECONFLICT {
		err = svc.SetPassword(ctx, nu.Username, nu.Password)
	}
	if err != nil {
		return fmt.Errorf("demo account %s: %w", nu.Username, err)
	}
	return nil
}

// randomPassword is 12 random bytes, base64url (16 characters).
func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
