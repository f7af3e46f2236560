package config

import (
	"fmt"
	"strings"
)

// DefaultCallbackDial is the callback endpoint template of the shipped
// asterisk-config/pjsip.conf, whose trunk is named provider.
const DefaultCallbackDial = "PJSIP/{number}@provider"

// What happens to a caller of a queue no signed-in agent serves
// (Queue.WhenUnstaffed). "queue:<id>" moves the caller to queue <id>.
const (
	UnstaffedCallback = "callback" // told at once, offered a callback (1) or a message (2); the default
	UnstaffedMessage  = "message"  // told at once, then a recorded message
	UnstaffedWait     = "wait"     // waits anyway (app_queue joinempty=yes)
	UnstaffedQueue    = "queue:"   // prefix: moved to another queue
)

// callDefaults fills in the callback template and each queue's
// when_unstaffed.
func (c *Config) callDefaults() {
	if c.Hotline.CallbackDial == "" {
		c.Hotline.CallbackDial = DefaultCallbackDial
	}
	for i := range c.Queues {
		if c.Queues[i].WhenUnstaffed == "" {
			c.Queues[i].WhenUnstaffed = UnstaffedCallback
		}
	}
}

// checkCalls validates the callback template and each when_unstaffed.
func (c *Config) checkCalls(p *problems) {
	d := c.Hotline.CallbackDial
	if !strings.Contains(d, "{number}") || !strings.Contains(d, "/") {
		p.add("hotline.callback_dial", "%q must be an endpoint with {number} in it (want e.g. %q)", d, DefaultCallbackDial)
	}
	for i := range c.Queues {
		q := &c.Queues[i]
		path := fmt.Sprintf("queues[%d] (%s).when_unstaffed", i, q.ID)
		switch w := q.WhenUnstaffed; {
		case w == UnstaffedCallback || w == UnstaffedMessage || w == UnstaffedWait:
		case strings.HasPrefix(w, UnstaffedQueue):
			to := strings.TrimPrefix(w, UnstaffedQueue)
			if to == q.ID {
				p.add(path, "a queue cannot send its callers to itself")
			} else if _, ok := c.queues[to]; !ok {
				p.add(path, "unknown queue %q (want one of: %s)", to, c.queueIDs())
			}
		default:
			p.add(path, "%q is not one of callback, message, queue:<id>, wait", w)
		}
	}
}

// CallbackEndpoint is the endpoint that calls number back
// (hotline.callback_dial with {number} replaced).
func (c *Config) CallbackEndpoint(number string) string {
	return strings.ReplaceAll(c.Hotline.CallbackDial, "{number}", number)
}
