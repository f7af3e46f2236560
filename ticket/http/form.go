package tickethttp

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/ticket"
)

//go:embed templates/*.html templates/style.css
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"eq2": func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) },
}).ParseFS(templateFS, "templates/*.html"))

// formLang picks the form's language: ?lang=, the form's own field, then
// Accept-Language, then the configured default.
func (h *Handler) formLang(r *http.Request) string {
	for _, l := range []string{r.URL.Query().Get("lang"), r.PostFormValue("language")} {
		if _, ok := formTexts[l]; ok && h.Config.HasLanguage(l) {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		l := strings.ToLower(strings.TrimSpace(strings.SplitN(strings.SplitN(part, ";", 2)[0], "-", 2)[0]))
		if _, ok := formTexts[l]; ok && h.Config.HasLanguage(l) {
			return l
		}
	}
	return h.Config.DefaultLanguage()
}

type option struct{ Value, Label string }

type group struct {
	Label   string
	Options []option
}

type formPage struct {
	T           formText
	Q           Request
	Error       string
	Field       string
	Departments []option
	Services    []group
	Reference   string
	KindName    string
}

func (h *Handler) page(lang string, q Request) *formPage {
	t, ok := formTexts[lang]
	if !ok {
		t = formTexts["en"]
	}
	p := &formPage{T: t, Q: q}
	p.Q.Language = t.Lang
	for _, d := range h.Config.Departments {
		p.Departments = append(p.Departments, option{d.ID, d.Name(lang)})
		if len(d.Services) == 0 {
			continue
		}
		g := group{Label: d.Name(lang)}
		for _, s := range d.Services {
			g.Options = append(g.Options, option{s.ID, s.ServiceName(lang)})
		}
		p.Services = append(p.Services, g)
	}
	return p
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := templates.ExecuteTemplate(w, name, data); err != nil {
		h.log().Error("tickets: render", "template", name, "err", err)
	}
}

func (h *Handler) formGet(w http.ResponseWriter, r *http.Request) {
	q := Request{Kind: ticket.Complaint}
	if k := ticket.Kind(r.URL.Query().Get("kind")); k.Valid() {
		q.Kind = k
	}
	h.render(w, http.StatusOK, "form.html", h.page(h.formLang(r), q))
}

// formRequest reads the form fields.
func formRequest(r *http.Request) Request {
	f := r.PostFormValue
	return Request{Kind: ticket.Kind(f("kind")), Language: f("language"), WhatHappened: f("what_happened"),
		OccurredOn: f("occurred_on"), OccurredTime: f("occurred_time"), Where: ticket.Place(f("where")),
		PhoneFrom: f("phone_from"), CounterLocation: f("counter_location"), OtherDetails: f("other_details"),
		Department: f("department"), Service: f("service"), OutcomeExpected: f("outcome_expected"),
		ContactWanted: f("contact_wanted") == "yes", ContactBy: ticket.ContactBy(f("contact_by")), Name: f("name"),
		Email: f("email"), Phone: f("phone"), PrivacyAccepted: f("privacy_accepted") == "yes"}
}

// formPost creates the ticket, or shows the form again with everything
// typed kept and the field at fault named.
func (h *Handler) formPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		h.render(w, http.StatusBadRequest, "form.html", h.page(h.formLang(r), Request{Kind: ticket.Complaint}))
		return
	}
	lang := h.formLang(r)
	q := formRequest(r)
	t := q.Ticket()
	t.Channel, t.Language = ticket.ByOnline, lang
	if err := h.Tickets.Create(r.Context(), t, "public"); err != nil {
		p := h.page(lang, q)
		p.Error = hotline.ErrorMessage(err)
		if f, _, ok := strings.Cut(p.Error, ":"); ok {
			p.Field = f
		}
		status := hotline.HTTPStatus[hotline.ErrorCode(err)]
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if status >= 500 {
			h.log().Error("tickets: feedback form", "err", err)
		}
		h.render(w, status, "form.html", p)
		return
	}
	p := h.page(lang, q)
	p.Reference = t.Reference
	p.KindName = kindNames[p.T.Lang][string(t.Kind)]
	h.render(w, http.StatusCreated, "thanks.html", p)
}

// css serves the form's and the staff page's style sheet (no inline styles:
// the Content-Security-Policy allows only the binary's own).
func (h *Handler) css(w http.ResponseWriter, _ *http.Request) {
	b, _ := templateFS.ReadFile("templates/style.css")
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=3600")
	_, _ = w.Write(b)
}
