// Package config reads the hotline's one YAML configuration file: the
// departments and their menus, queues, agents, prompts (media URI and text in
// every language), opening hours, public holidays, service-level thresholds
// and targets, the phone survey, and complaint deadlines in working days.
//
// Secrets and addresses are never in the file: ARI_URL, ARI_USER,
// ARI_PASSWORD, DATABASE_URL, REDIS_URL and TWILIO_* come from the
// environment and are read by cmd/hotline.
//
// Load or Parse a file; Sample returns the shipped bilingual sample
// (sample.yaml, embedded). A *Config returned by Load, Parse or Sample is
// validated, has every default filled in, and is safe for concurrent reads.
package config

import (
	"time"

	"github.com/publicservice/hotline"
)

// Config is the whole configuration.
type Config struct {
	// Timezone is the IANA zone of opening hours, holidays and report periods
	// (e.g. America/Cayman).
	Timezone string `yaml:"timezone"`
	// Languages offered to callers; the first is the default. The language
	// menu offers them in this order on digits 1, 2, ...
	Languages []string `yaml:"languages"`
	// Hotline is the entry point: numbers, main menu behaviour, default queue.
	Hotline Hotline `yaml:"hotline"`
	// ServiceLevel holds the defaults every queue inherits.
	ServiceLevel ServiceLevel `yaml:"service_level"`
	// Survey is the post-call satisfaction survey.
	Survey Survey `yaml:"survey"`
	// Complaints holds the published deadlines, in working days.
	Complaints Complaints `yaml:"complaints"`
	// Kiosk holds the kiosk misuse rule.
	Kiosk Kiosk `yaml:"kiosk"`
	// Reporting holds the published reports' baseline, targets and training window.
	Reporting Reporting `yaml:"reporting"`
	// Holidays are public holidays: every department is closed unless it says
	// open_on_holidays, and they are not working days.
	Holidays []Holiday `yaml:"holidays"`
	// Departments in main-menu order.
	Departments []Department `yaml:"departments"`
	// Queues callers wait in for an officer.
	Queues []Queue `yaml:"queues"`
	// Agents are the officers who answer calls.
	Agents []Agent `yaml:"agents"`
	// Prompts maps language → prompt key → prompt.
	Prompts map[string]map[string]Prompt `yaml:"prompts"`
	// Staff holds the agent panel's and wallboard's settings (staff.go).
	Staff `yaml:",inline"`

	name     string
	loc      *time.Location
	depts    map[string]*Department
	queues   map[string]*Queue
	agents   map[string]*Agent
	byDigit  map[string]*Department
	numbers  map[string]*Number
	holidays map[string]string // "2006-01-02" → name
	// alwaysOpen overrides every opening hour (see AlwaysOpen).
	alwaysOpen bool
}

// Hotline describes how calls reach and move through the main menu.
type Hotline struct {
	// Name of the service, for reports and the wallboard.
	Name string `yaml:"name"`
	// Numbers are the DIDs that reach the hotline.
	Numbers []Number `yaml:"numbers"`
	// MenuTimeout is how long a menu waits for a key after its prompt
	// (default 5s).
	MenuTimeout time.Duration `yaml:"menu_timeout"`
	// MenuRetries is how many times a menu is repeated after no input or an
	// invalid key (default 2); after that the caller goes to DefaultQueue,
	// never dropped. Write -1 for no retry.
	MenuRetries int `yaml:"menu_retries"`
	// DefaultQueue receives callers who make no choice (required).
	DefaultQueue string `yaml:"default_queue"`
	// ComplaintsQueue is the queue of complaint and compliment menu entries
	// that name none.
	ComplaintsQueue string `yaml:"complaints_queue"`
	// Hours are the hotline's own opening hours (its default queue's and
	// those of departments that give none). Empty: always open.
	Hours []string `yaml:"hours"`
	// Menu holds main-menu entries besides the departments' digits (e.g. 0
	// for an officer, 9 to check a ticket).
	Menu []MenuEntry `yaml:"menu"`
	// CallbackDial is the ARI endpoint that calls a citizen back, with
	// {number} standing for their number (default
	// DefaultCallbackDial, "PJSIP/{number}@provider": the trunk of the shipped
	// asterisk-config/pjsip.conf).
	CallbackDial string `yaml:"callback_dial"`

	hours weekHours
}

// Number is one DID that reaches the hotline.
type Number struct {
	// DID as Asterisk passes it to Stasis (the dialled extension).
	DID string `yaml:"did"`
	// Department, when set, skips the main menu and goes straight to that
	// department's menu.
	Department string `yaml:"department"`
	// Note is free text (e.g. "toll-free").
	Note string `yaml:"note"`
}

// ServiceLevel is the telephone standard of a queue.
type ServiceLevel struct {
	// Threshold T: a call answered within T counts as answered promptly
	// (default 20s).
	Threshold time.Duration `yaml:"threshold"`
	// Target share of calls answered within T (default 0.80).
	Target float64 `yaml:"target"`
	// AbandonTarget is the highest acceptable abandonment rate (default 0.05).
	AbandonTarget float64 `yaml:"abandon_target"`
	// ShortAbandon: callers who hang up within this wait are not counted as
	// abandoned (default 5s).
	ShortAbandon time.Duration `yaml:"short_abandon"`
}

// Survey is the phone survey played after the officer hangs up.
type Survey struct {
	// Enabled as written; use On (default true).
	RawEnabled *bool `yaml:"enabled"`
	// OptIn as written; use DefaultOptIn (default true).
	RawOptIn *bool `yaml:"default_opt_in"`
	// Keys maps a keypad digit to a rating name (very_happy, happy, unhappy,
	// very_unhappy). Default 1 very happy … 4 very unhappy.
	Keys map[string]string `yaml:"keys"`
	// Retries after an invalid key or no input (default 1).
	Retries int `yaml:"retries"`
	// Timeout waiting for a key (default: hotline.menu_timeout).
	Timeout time.Duration `yaml:"timeout"`
	// OptKey, pressed while waiting in a queue, opts the caller in to the
	// survey (when default_opt_in is false; the position announcement then
	// offers it) or out of it (default 9; never the callback key 2).
	OptKey string `yaml:"opt_key"`

	// On reports whether the survey is played.
	On bool `yaml:"-"`
	// DefaultOptIn reports whether callers are surveyed unless they opt out.
	DefaultOptIn bool `yaml:"-"`
	// Ratings is Keys resolved.
	Ratings map[string]hotline.Rating `yaml:"-"`
}

// Complaints holds the published handling deadlines, in working days.
type Complaints struct {
	// AcknowledgeDays: a complaint is acknowledged within this many working
	// days (default 5).
	AcknowledgeDays int `yaml:"acknowledge_days"`
	// ResolveDays: a complaint is resolved within this many working days
	// (default 10).
	ResolveDays int `yaml:"resolve_days"`
	// CorrespondenceDays: letters and e-mails are replied to within this many
	// working days (default 5, Belize Public Service standard).
	CorrespondenceDays int `yaml:"correspondence_days"`
	// Supervisors are told about overdue tickets of departments that name
	// none of their own.
	Supervisors []string `yaml:"supervisors"`
	// Retention: personal fields of tickets closed (or resolved) longer ago
	// than this are anonymised by `hotline retention` (default 8760h, a
	// year; write a negative duration to keep them for ever).
	Retention time.Duration `yaml:"retention"`
}

// Kiosk holds kiosk settings.
type Kiosk struct {
	// MisuseInterval: presses on one kiosk closer together than this are
	// flagged as misuse and excluded from KPIs (default 2s).
	MisuseInterval time.Duration `yaml:"misuse_interval"`
	// FollowUp is the optional question the kiosk app asks after a press,
	// per department id ("what could we do better?" with a few choices).
	FollowUp map[string]FollowUp `yaml:"follow_up"`
}

// Reporting holds the published reports' settings.
type Reporting struct {
	// BaselineMonth ("2026-03") is the month satisfaction trends are measured
	// against; Baselines overrides it per department id.
	BaselineMonth string            `yaml:"baseline_month"`
	Baselines     map[string]string `yaml:"baselines"`
	// TrainingMonths: staff count as trained when their last customer-service
	// training is at most this many months old (default 12).
	TrainingMonths int `yaml:"training_months"`
	// Targets of the department KPIs beyond the service level's own (by KPI
	// name: phone_satisfaction, kiosk_satisfaction, acknowledged_on_time,
	// resolved_on_time; fractions, at least).
	Targets map[string]float64 `yaml:"targets"`
}

// FollowUp is a kiosk's follow-up question.
type FollowUp struct {
	Question string   `yaml:"question" json:"question"`
	Choices  []string `yaml:"choices" json:"choices"`
	// AskOn lists the ratings after which it is asked (default unhappy and very_unhappy).
	AskOn []string `yaml:"ask_on" json:"ask_on"`
}

// Holiday is one public holiday.
type Holiday struct {
	// Date as YYYY-MM-DD in the configured zone.
	Date string `yaml:"date"`
	// Name of the holiday.
	Name string `yaml:"name"`
}

// Department is a government department callers can reach.
type Department struct {
	// ID is short, lower case, used in reports and prompt keys.
	ID string `yaml:"id"`
	// Names per language.
	Names map[string]string `yaml:"names"`
	// Digit chosen in the main menu ("" for a department reached only by a
	// direct number).
	Digit string `yaml:"digit"`
	// Hours like "mon-fri 08:30-16:30", "sat 09:00-12:00",
	// "mon-thu 08:30-12:00,13:00-16:30", "sun closed", "mon-sun 00:00-24:00"
	// or "always". A range ending before it starts runs overnight into the
	// next day. Empty: the hotline's hours.
	Hours []string `yaml:"hours"`
	// OpenOnHolidays keeps the department open on public holidays.
	OpenOnHolidays bool `yaml:"open_on_holidays"`
	// Queue is the department's officer queue, used by menu entries with
	// action officer that name no queue and after a direct number.
	Queue string `yaml:"queue"`
	// MenuPrompt is the prompt key of the department menu (default
	// menu_<id>).
	MenuPrompt string `yaml:"menu_prompt"`
	// HoursPrompt announces the opening hours (default hours_<id>).
	HoursPrompt string `yaml:"hours_prompt"`
	// Menu entries of the department menu.
	Menu []MenuEntry `yaml:"menu"`
	// Services is the department's service inventory with published
	// processing times (see services.go).
	Services []Service `yaml:"services"`
	// Address of the department's counter, per language (for the SMS
	// information message).
	Address map[string]string `yaml:"address"`
	// WebLink is the department's web page.
	WebLink string `yaml:"web_link"`
	// ResolveDays is the resolution target of the department's tickets in
	// working days (default complaints.resolve_days).
	ResolveDays int `yaml:"resolve_days"`
	// Supervisors are told about the department's overdue tickets (default
	// complaints.supervisors): agent ids or e-mail addresses.
	Supervisors []string `yaml:"supervisors"`

	hours weekHours
}

// Action is what a menu entry does.
type Action string

// Menu actions.
const (
	// ActionInfo plays an information prompt, then the menu again.
	ActionInfo Action = "info"
	// ActionOfficer queues the caller for an officer.
	ActionOfficer Action = "officer"
	// ActionComplaint queues the caller to make a complaint.
	ActionComplaint Action = "complaint"
	// ActionCompliment queues the caller to give a compliment.
	ActionCompliment Action = "compliment"
	// ActionTicket lets the caller check a ticket (complaint) by number.
	ActionTicket Action = "ticket"
	// ActionMessage records a message for follow-up.
	ActionMessage Action = "message"
	// ActionSMSInfo sends the department's information (hours, address,
	// services with processing times and documents, web link) by SMS to the
	// calling number, then the menu again.
	ActionSMSInfo Action = "sms_info"
	// ActionMainMenu goes back to the main menu.
	ActionMainMenu Action = "main_menu"
	// ActionRepeat repeats the current menu.
	ActionRepeat Action = "repeat"
)

// Queued reports whether the action puts the caller in a queue.
func (a Action) Queued() bool {
	return a == ActionOfficer || a == ActionComplaint || a == ActionCompliment
}

var actions = []Action{ActionInfo, ActionOfficer, ActionComplaint, ActionCompliment, ActionTicket, ActionMessage, ActionSMSInfo, ActionMainMenu, ActionRepeat}

// MenuEntry is one key of a menu.
type MenuEntry struct {
	// Digit pressed: 0-9, * or #.
	Digit string `yaml:"digit"`
	// Action taken.
	Action Action `yaml:"action"`
	// Queue for officer, complaint and compliment (defaults: the
	// department's queue; hotline.complaints_queue).
	Queue string `yaml:"queue"`
	// Prompt key for info (default info_<department id> for a department
	// without services; a department with services reads them, after this
	// prompt when one is set).
	Prompt string `yaml:"prompt"`
	// Label is a short description for reports and the agent panel.
	Label string `yaml:"label"`
}

// Queue is a queue callers wait in for an officer. Agents with the queue's
// id among their skills serve it.
type Queue struct {
	// ID doubles as the skill name.
	ID string `yaml:"id"`
	// Department the queue belongs to (reports are per department).
	Department string `yaml:"department"`
	// Names per language (optional; for the wallboard).
	Names map[string]string `yaml:"names"`
	// Priority: callers of higher-priority queues are offered to a shared
	// agent first (default 0).
	Priority int `yaml:"priority"`
	// Threshold overrides service_level.threshold.
	Threshold time.Duration `yaml:"threshold"`
	// Target overrides service_level.target.
	Target float64 `yaml:"target"`
	// AbandonTarget overrides service_level.abandon_target.
	AbandonTarget float64 `yaml:"abandon_target"`
	// AnnounceEvery is the period of position and wait announcements
	// (default 30s).
	AnnounceEvery time.Duration `yaml:"announce_every"`
	// RingTimeout is how long an agent rings before the call goes back to the
	// queue (default 15s).
	RingTimeout time.Duration `yaml:"ring_timeout"`
	// RawAutoPause as written; use AutoPause.
	RawAutoPause *bool `yaml:"auto_pause"`
	// WrapUp after each call before the agent is offered another (default
	// 10s; write 0s for none).
	RawWrapUp *time.Duration `yaml:"wrap_up"`
	// MaxWait in the queue before the caller is offered a callback or a
	// message (0: no limit).
	MaxWait time.Duration `yaml:"max_wait"`
	// Callback: callers may ask to be called back and keep their place.
	Callback bool `yaml:"callback"`
	// SMSInfoKey, pressed while waiting in this queue, sends the caller the
	// information of the queue's department by SMS (as the sms_info menu
	// action does); the caller keeps their place (empty: no such key).
	SMSInfoKey string `yaml:"sms_info_key"`
	// Hours override the department's opening hours.
	Hours []string `yaml:"hours"`
	// NotReadyAlert: the wallboard raises a staffing alert when at least
	// this many of the queue's agents are not ready at once (0: never).
	NotReadyAlert int `yaml:"not_ready_alert"`
	// WhenUnstaffed is what happens to a caller when no signed-in agent
	// has the queue's skill, on joining or when the last one signs out
	// (app_queue's joinempty/leavewhenempty): "callback" (told at once,
	// offered a callback or a message; the default), "message" (told, then
	// straight to a recorded message), "queue:<id>" (moved to another
	// queue) or "wait" (waits anyway). See Unstaffed* constants.
	WhenUnstaffed string `yaml:"when_unstaffed"`

	// AutoPause: an agent who does not answer is paused (default true).
	AutoPause bool `yaml:"-"`
	// WrapUp is the resolved wrap-up time.
	WrapUp time.Duration `yaml:"-"`

	hours *weekHours
}

// Agent is an officer who answers calls.
type Agent struct {
	// ID, e.g. a101 (also the PJSIP endpoint name by default).
	ID string `yaml:"id"`
	// Name as shown on the wallboard.
	Name string `yaml:"name"`
	// Endpoint dialled to reach the agent (default PJSIP/<id>).
	Endpoint string `yaml:"endpoint"`
	// Skills are the ids of the queues the agent serves.
	Skills []string `yaml:"skills"`
	// Languages the agent speaks (default: all configured languages).
	Languages []string `yaml:"languages"`
	// Site is the contact centre the agent works at (default: the first of
	// sites; empty when no sites are configured).
	Site string `yaml:"site"`
}

// HasSkill reports whether the agent serves queue q.
func (a *Agent) HasSkill(q string) bool {
	for _, s := range a.Skills {
		if s == q {
			return true
		}
	}
	return false
}

// Prompt is one recorded prompt in one language.
type Prompt struct {
	// Text spoken (used by scripts/gen-prompts.sh and to size prompts).
	Text string `yaml:"text"`
	// Media is the ARI media URI (default sound:<lang>/hotline/<key>).
	Media string `yaml:"media"`
}
