package ivr

import (
	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/store"
)

// chooseRating handles a key of the survey: a rating is stored, thanked for
// and the call ends; an invalid key repeats the question (config retries).
func (c *call) chooseRating(d string) {
	r, ok := c.ctl.cfg.Survey.Ratings[d]
	if !ok || !r.Valid() {
		c.invalid()
		return
	}
	agent := c.rec.Agent
	c.rec.Survey = r
	c.path("survey:" + d)
	c.ctl.w.Rating(store.Rating{Time: c.now(), Rating: r, Source: hotline.SourcePhone, CallID: c.id,
		Queue: c.queue, Department: c.rec.Department, Agent: agent})
	c.closing(config.PromptSurveyThanks)
}
