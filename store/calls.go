package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline"
)

const upsertCallSQL = `INSERT INTO calls (id, node, caller, dialled, language, department, queue, ivr_path,
	arrived, enqueued, answered, ended, agent, wait_ms, talk_ms, hung_up_by, disposition, survey, recording,
	callback, offers)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
ON CONFLICT (id) DO UPDATE SET node = EXCLUDED.node, caller = EXCLUDED.caller, dialled = EXCLUDED.dialled,
	language = EXCLUDED.language, department = EXCLUDED.department, queue = EXCLUDED.queue,
	ivr_path = EXCLUDED.ivr_path, arrived = EXCLUDED.arrived, enqueued = EXCLUDED.enqueued,
	answered = EXCLUDED.answered, ended = EXCLUDED.ended, agent = EXCLUDED.agent, wait_ms = EXCLUDED.wait_ms,
	talk_ms = EXCLUDED.talk_ms, hung_up_by = EXCLUDED.hung_up_by, disposition = EXCLUDED.disposition,
	survey = EXCLUDED.survey, recording = EXCLUDED.recording, callback = EXCLUDED.callback,
	offers = EXCLUDED.offers`

// SaveCall writes a call record, replacing any earlier record with the same
// ID: saving twice never duplicates.
func (db *DB) SaveCall(ctx context.Context, c *hotline.CallRecord) error {
	args, err := callArgs(c)
	if err != nil {
		return err
	}
	if _, err := db.pool.Exec(ctx, upsertCallSQL, args...); err != nil {
		return fmt.Errorf("store: save call: %w", err)
	}
	return nil
}

func callArgs(c *hotline.CallRecord) ([]any, error) {
	if c == nil || c.ID == "" {
		return nil, hotline.Errorf(hotline.EINVALID, "call record without an id")
	}
	if c.Arrived.IsZero() {
		return nil, hotline.Errorf(hotline.EINVALID, "call record %s without an arrival time", c.ID)
	}
	var survey *int16
	if c.Survey != 0 {
		if !c.Survey.Valid() {
			return nil, hotline.Errorf(hotline.EINVALID, "call record %s: invalid survey rating %d", c.ID, int(c.Survey))
		}
		s := int16(c.Survey)
		survey = &s
	}
	offers := c.Offers
	if offers == nil {
		offers = []hotline.AgentOffer{}
	}
	offersJSON, err := json.Marshal(offers)
	if err != nil {
		return nil, fmt.Errorf("store: encode offers: %w", err)
	}
	path := c.IVRPath
	if path == nil {
		path = []string{}
	}
	return []any{c.ID, c.Node, c.Caller, c.Dialled, c.Language, c.Department, c.Queue, path,
		c.Arrived, nullTime(c.Enqueued), nullTime(c.Answered), nullTime(c.Ended), c.Agent, ms(c.Wait),
		ms(c.Talk), c.HungUpBy, string(c.Disposition), survey, c.Recording, c.Callback, offersJSON}, nil
}

// Calls returns the calls that arrived in [from, to), oldest first.
func (db *DB) Calls(ctx context.Context, from, to time.Time) ([]hotline.CallRecord, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, node, caller, dialled, language, department, queue, ivr_path,
		arrived, enqueued, answered, ended, agent, wait_ms, talk_ms, hung_up_by, disposition, survey, recording,
		callback, offers
		FROM calls WHERE arrived >= $1 AND arrived < $2 ORDER BY arrived, id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: calls: %w", err)
	}
	calls, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hotline.CallRecord, error) {
		var (
			c               hotline.CallRecord
			enq, ans, ended *time.Time
			waitMS, talkMS  int64
			disp            string
			survey          *int16
			offersJSON      []byte
		)
		err := row.Scan(&c.ID, &c.Node, &c.Caller, &c.Dialled, &c.Language, &c.Department, &c.Queue, &c.IVRPath,
			&c.Arrived, &enq, &ans, &ended, &c.Agent, &waitMS, &talkMS, &c.HungUpBy, &disp, &survey, &c.Recording,
			&c.Callback, &offersJSON)
		if err != nil {
			return c, err
		}
		c.Arrived = c.Arrived.UTC()
		c.Enqueued, c.Answered, c.Ended = fromNullTime(enq), fromNullTime(ans), fromNullTime(ended)
		c.Wait, c.Talk = fromMS(waitMS), fromMS(talkMS)
		c.Disposition = hotline.Disposition(disp)
		if survey != nil {
			c.Survey = hotline.Rating(*survey)
		}
		if err := json.Unmarshal(offersJSON, &c.Offers); err != nil {
			return c, fmt.Errorf("decode offers of %s: %w", c.ID, err)
		}
		if len(c.Offers) == 0 {
			c.Offers = nil
		}
		if len(c.IVRPath) == 0 {
			c.IVRPath = nil
		}
		for i := range c.Offers {
			c.Offers[i].At = c.Offers[i].At.UTC()
		}
		return c, nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: calls: %w", err)
	}
	return calls, nil
}
