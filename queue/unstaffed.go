package queue

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Staffed is the number of signed-in agents (available, busy or paused)
// with queue's skill: 0 means nobody can answer its callers. One round trip.
func (q *Queues) Staffed(ctx context.Context, queue string) (int, error) {
	n, err := q.rdb.SCard(ctx, q.key("q", queue, "members")).Result()
	if err != nil {
		return 0, wrap("staffed", err)
	}
	return int(n), nil
}

// CountUnstaffed counts a caller who could not join queue at at because no
// signed-in agent serves it (the unstaffed counter of the day and interval;
// a caller who leaves for that reason is counted by Leave with EXITEMPTY).
func (q *Queues) CountUnstaffed(ctx context.Context, queue string, at time.Time) error {
	ck := q.counterKeys(queue, at)
	dttl, _ := strconv.Atoi(ck.dayTTL)
	ittl, _ := strconv.Atoi(ck.intTTL)
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HIncrBy(ctx, ck.day, "unstaffed", 1)
		p.HIncrBy(ctx, ck.interval, "unstaffed", 1)
		p.Expire(ctx, ck.day, time.Duration(dttl)*time.Second)
		p.Expire(ctx, ck.interval, time.Duration(ittl)*time.Second)
		return nil
	})
	return wrap("count unstaffed", err)
}
