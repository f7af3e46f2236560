package tickethttp

import (
	"net/http"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/ticket"
)

type staffPage struct {
	Query    string
	Filter   ticket.Filter
	Tickets  []*ticket.Ticket
	Total    int
	Now      time.Time
	Error    string
	Created  string
	Statuses []ticket.Status
	Depts    []option
	Channels []ticket.Channel
	Kinds    []ticket.Kind
	CSRF     string
}

func (h *Handler) staffData(r *http.Request) *staffPage {
	p := &staffPage{Query: r.URL.RawQuery, Now: h.now(), Statuses: ticket.Statuses, Channels: ticket.Channels, Kinds: ticket.Kinds}
	if h.CSRF != nil {
		p.CSRF = h.CSRF(r)
	}
	for _, d := range h.Config.Departments {
		p.Depts = append(p.Depts, option{d.ID, d.Name(h.Config.DefaultLanguage())})
	}
	f, err := h.filter(r)
	if err != nil {
		p.Error = hotline.ErrorMessage(err)
		return p
	}
	p.Filter = f
	ts, total, err := h.Tickets.Search(r.Context(), f)
	if err != nil {
		p.Error = hotline.ErrorMessage(err)
		return p
	}
	p.Tickets, p.Total = ts, total
	return p
}

// staffPage lists tickets with the search form, the CSV link and the form to
// enter a letter, e-mail or counter visit received by hand.
func (h *Handler) staffPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, http.StatusOK, "staff.html", h.staffData(r))
}

// staffPost enters a ticket received by hand (letter, e-mail, counter, phone).
func (h *Handler) staffPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		h.render(w, http.StatusBadRequest, "staff.html", &staffPage{Error: "body: " + err.Error()})
		return
	}
	q := formRequest(r)
	t := q.Ticket()
	t.Channel = ticket.Channel(r.PostFormValue("channel"))
	if rec := r.PostFormValue("received"); rec != "" {
		at, err := h.parseWhen(rec, false)
		if err != nil || at.After(h.now()) {
			p := h.staffData(r)
			p.Error = "received: not a past date (want YYYY-MM-DD)"
			h.render(w, http.StatusBadRequest, "staff.html", p)
			return
		}
		t.Created = at
	}
	err := h.Tickets.Create(r.Context(), t, h.actor(r))
	p := h.staffData(r)
	status := http.StatusCreated
	if err != nil {
		p.Error = hotline.ErrorMessage(err)
		if status = hotline.HTTPStatus[hotline.ErrorCode(err)]; status == 0 {
			status = http.StatusInternalServerError
		}
	} else {
		p.Created = t.Reference
	}
	h.render(w, status, "staff.html", p)
}
