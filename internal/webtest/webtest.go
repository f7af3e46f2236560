// Package webtest signs test clients in to a running hotline HTTP server and
// makes JSON requests as them: one cookie jar and CSRF token per client.
package webtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/publicservice/hotline/auth"
)

func init() {
	// Tests hash passwords cheaply; production uses auth.HashParams' default.
	auth.HashParams = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}
}

// Client is one browser-like client: a cookie jar and the session's CSRF
// token, or a bearer token.
type Client struct {
	Base   string
	HTTP   *http.Client
	CSRF   string
	Bearer string
}

// Anonymous returns a client with an empty jar that follows no redirects.
func Anonymous(base string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Base: base, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// SignIn signs in through POST /api/v1/session and fails tb otherwise.
func SignIn(tb testing.TB, base, username, password string) *Client {
	tb.Helper()
	c := Anonymous(base)
	var out struct {
		CSRFToken string `json:"csrf_token"`
	}
	if st := c.Do(tb, "POST", "/api/v1/session", map[string]string{"username": username, "password": password}, &out); st != 200 {
		tb.Fatalf("sign in %s: status %d", username, st)
	}
	c.CSRF = out.CSRFToken
	return c
}

// MustAddUser creates an account.
func MustAddUser(tb testing.TB, svc *auth.Service, username, password string, role auth.Role, agentID string) {
	tb.Helper()
	if _, err := svc.AddUser(context.Background(), auth.NewUser{Username: username, Password: password, Role: role, AgentID: agentID}); err != nil {
		tb.Fatalf("add user %s: %v", username, err)
	}
}

// Do sends body (JSON unless a string or nil) with the client's credentials
// and decodes a JSON answer into out (when not nil); it returns the status.
func (c *Client) Do(tb testing.TB, method, path string, body, out any) int {
	tb.Helper()
	resp := c.Raw(tb, method, path, body, nil)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			tb.Fatalf("%s %s: status %d, body not JSON: %v: %.300s", method, path, resp.StatusCode, err, b)
		}
	}
	return resp.StatusCode
}

// Raw sends the request and returns the response (the caller closes it).
// hdr adds or overrides headers; a "X-CSRF-Token" of "-" sends none.
func (c *Client) Raw(tb testing.TB, method, path string, body any, hdr map[string]string) *http.Response {
	tb.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/x-www-form-urlencoded"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	for k, v := range hdr {
		if v == "-" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// ErrorCode decodes {"error":{"code"}} from a JSON body.
type ErrorCode struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}
