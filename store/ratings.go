package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/reporting"
)

// Rating is one row of the ratings table: a phone survey answer, a kiosk press
// or a web rating. Empty strings are stored as NULL.
type Rating struct {
	Time         time.Time
	Rating       hotline.Rating
	Source       hotline.RatingSource
	CallID       string
	Queue        string
	Department   string
	Agent        string
	KioskID      string
	ServicePoint string
	Misuse       bool // excluded from every KPI (view ratings_valid)
}

// Value is the rating as the reporting package counts it.
func (r Rating) Value() reporting.RatingValue {
	return reporting.RatingValue{Time: r.Time, Rating: r.Rating, Source: r.Source, Queue: r.Queue,
		Department: r.Department, Agent: r.Agent, KioskID: r.KioskID, ServicePoint: r.ServicePoint, Misuse: r.Misuse}
}

const insertRatingSQL = `INSERT INTO ratings (time, rating, source, call_id, queue, department, agent, kiosk_id,
	service_point, misuse) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`

func ratingArgs(r *Rating) ([]any, error) {
	if r.Time.IsZero() {
		return nil, hotline.Errorf(hotline.EINVALID, "rating without a time")
	}
	if !r.Rating.Valid() {
		return nil, hotline.Errorf(hotline.EINVALID, "invalid rating %d (want 1..4)", int(r.Rating))
	}
	switch r.Source {
	case hotline.SourcePhone, hotline.SourceKiosk, hotline.SourceWeb:
	default:
		return nil, hotline.Errorf(hotline.EINVALID, "invalid rating source %q (want phone, kiosk or web)", r.Source)
	}
	return []any{r.Time, int16(r.Rating), string(r.Source), nullString(r.CallID), nullString(r.Queue),
		nullString(r.Department), nullString(r.Agent), nullString(r.KioskID), nullString(r.ServicePoint), r.Misuse}, nil
}

// SaveRating stores one rating.
func (db *DB) SaveRating(ctx context.Context, r Rating) error {
	args, err := ratingArgs(&r)
	if err != nil {
		return err
	}
	if _, err := db.pool.Exec(ctx, insertRatingSQL, args...); err != nil {
		return fmt.Errorf("store: save rating: %w", err)
	}
	return nil
}

// Ratings returns every rating in [from, to), misuse included (see Rating.Misuse),
// oldest first.
func (db *DB) Ratings(ctx context.Context, from, to time.Time) ([]Rating, error) {
	rows, err := db.pool.Query(ctx, `SELECT time, rating, source, call_id, queue, department, agent, kiosk_id,
		service_point, misuse FROM ratings WHERE time >= $1 AND time < $2 ORDER BY time, id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: ratings: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Rating, error) {
		var (
			r                                         Rating
			rating                                    int16
			source                                    string
			callID, queue, dept, agent, kiosk, spoint *string
		)
		err := row.Scan(&r.Time, &rating, &source, &callID, &queue, &dept, &agent, &kiosk, &spoint, &r.Misuse)
		r.Time, r.Rating, r.Source = r.Time.UTC(), hotline.Rating(rating), hotline.RatingSource(source)
		r.CallID, r.Queue, r.Department = fromNullString(callID), fromNullString(queue), fromNullString(dept)
		r.Agent, r.KioskID, r.ServicePoint = fromNullString(agent), fromNullString(kiosk), fromNullString(spoint)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: ratings: %w", err)
	}
	return out, nil
}

// insertRatingOnceSQL is insertRatingSQL with the Writer's uid: a rating retried is stored once.
const insertRatingOnceSQL = `INSERT INTO ratings (time, rating, source, call_id, queue, department, agent, kiosk_id,
	service_point, misuse, uid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (uid) DO NOTHING`
