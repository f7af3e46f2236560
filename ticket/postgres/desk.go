package postgres

import (
	"context"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/sms"
	smspg "github.com/publicservice/hotline/sms/postgres"
)

// Desk is the ticket service as the IVR uses it (ivr.TicketDesk): the
// service itself, and the department information SMS.
type Desk struct {
	*Service
}

// SendInfo queues a department's information (package sms's
// DepartmentInfo, in lang) to number in the SMS outbox; the key makes it
// once per call and department.
func (d Desk) SendInfo(ctx context.Context, callID, number, lang, dept string) error {
	dp := d.Config.Department(dept)
	if dp == nil {
		return hotline.Errorf(hotline.ENOTFOUND, "department: no department %q", dept)
	}
	_, err := smspg.Enqueue(ctx, d.Pool, sms.Message{Key: "info:" + callID + ":" + dept, To: number,
		Body: sms.DepartmentInfo(d.Config, dp, lang)}, d.now())
	return err
}
