package supervisor

import (
	"net/http"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/internal/jsonhttp"
)

// sipEndpoint is the signed-in supervisor's own SIP endpoint (pjsip.conf
// s201 …): the account's endpoint id (`hotline user add -sip s201`), stored
// where an agent account keeps its agent id; "" when none.
func sipEndpoint(u *auth.User) string {
	if u.Role == auth.Agent {
		return ""
	}
	return u.AgentID
}

// softphone serves GET /api/v1/supervisor/softphone: the signed-in
// supervisor's own SIP account for the supervisor page's browser phone
// (never cached). Without HOTLINE_SIP_WS the phone is off ({"enabled":
// false}); an account with no endpoint, or an endpoint with no password in
// HOTLINE_SIP_PASSWORDS_FILE, is ENOTFOUND.
func (s *Service) softphone(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	u := auth.UserFrom(r.Context())
	id := sipEndpoint(u)
	if id == "" && s.SIP.WebSocketURL != "" {
		jsonhttp.Error(w, r, s.log(), hotline.Errorf(hotline.ENOTFOUND, "account %s has no SIP endpoint (hotline user add -sip s201)", u.Username))
		return
	}
	out, err := s.SIP.Account(id)
	if err != nil {
		jsonhttp.Error(w, r, s.log(), err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, out)
}
