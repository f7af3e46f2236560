package ivr

import (
	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/store"
)

// chooseRating handles a key of the survey: a rating is stored, thanked for
// and the call ends; an invalid key repeats the question (config retries).
func (c *call) chooseRating(d string) {
	if c.recovery {
		c.chooseRecovery(d)
		return
	}
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
	if c.offerRecovery(r) {
		return
	}
	c.closing(config.PromptSurveyThanks)
}

// wantsSurvey reports whether the caller is to be asked to rate the call:
// the survey is on and they opted in, or did not opt out of a default opt-in.
func (c *call) wantsSurvey() bool {
	s := c.ctl.cfg.Survey
	if !s.On {
		return false
	}
	if c.surveySet {
		return c.surveyOpt
	}
	return s.DefaultOptIn
}

// surveyKey handles the survey key pressed while waiting: it opts the caller
// in (or, where everyone is asked by default, out) and says so, then the
// music resumes.
func (c *call) surveyKey() {
	in := !c.wantsSurvey()
	c.surveyOpt, c.surveySet = in, true
	if in {
		c.path("survey:in")
	} else {
		c.path("survey:out")
	}
	prompt := config.PromptSurveyOptedOut
	if in {
		prompt = config.PromptSurveyOptedIn
	}
	c.stopMOH()
	c.play(func() {
		if c.st == stWaiting || c.st == stRinging {
			c.startMOH()
		}
	}, prompt)
}
