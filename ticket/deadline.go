package ticket

import (
	"time"

	"github.com/publicservice/hotline/config"
)

// DueBy is the end (23:59:59 local) of the working day that falls n working
// days after from, on the configuration's holiday calendar (config's
// AddWorkingDays: weekends and public holidays do not count; something
// received on a weekend or holiday counts from the next working day).
func DueBy(cfg *config.Config, from time.Time, n int) time.Time {
	d := cfg.AddWorkingDays(from, n)
	y, m, day := d.Date()
	return time.Date(y, m, day, 23, 59, 59, 0, cfg.Location())
}

// SetDeadlines fills AckDue (complaints.acknowledge_days), ReplyDue
// (complaints.correspondence_days) and ResolveDue (the department's
// resolution target) counting from t.Created.
func SetDeadlines(cfg *config.Config, t *Ticket) {
	t.AckDue = DueBy(cfg, t.Created, cfg.Complaints.AcknowledgeDays)
	t.ReplyDue = DueBy(cfg, t.Created, cfg.Complaints.CorrespondenceDays)
	t.ResolveDue = DueBy(cfg, t.Created, cfg.ResolveDaysOf(t.Department))
}
