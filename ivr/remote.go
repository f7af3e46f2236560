package ivr

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/queue"
)

// Call control from any controller: the agent panel may be served by a
// controller that does not own the call (several controllers share Redis).
// Control and AgentCall then find the owner from the agent's state in Redis
// (the controller whose caller the agent is ringing for or talking to) and
// hand the request to it through its command list (queue.SendCommand); each
// controller serves its list (commandLoop) with the local call actors. The
// sender waits at most twice the command timeout and a second; an owner
// without a lease (gone) or silent that long is an EUNAVAILABLE error, and
// a command not taken by then is withdrawn, so it never runs late.

const (
	opControl  = "control"
	opCall     = "call"
	opStaffing = "staffing" // a notice (no reply): the staffing of Queues changed
)

type remoteCmd struct {
	Op     string   `json:"op"`
	Agent  string   `json:"agent"`
	Call   string   `json:"call"`
	Action string   `json:"action,omitempty"`
	Target string   `json:"target,omitempty"`
	Queues []string `json:"queues,omitempty"`
}

type remoteReply struct {
	Call    *AgentCall `json:"call,omitempty"`
	Code    string     `json:"code,omitempty"`
	Message string     `json:"message,omitempty"`
}

// owns reports whether call callID is in progress on this controller.
func (ctl *Controller) owns(callID string) bool {
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	return ctl.calls[callID] != nil
}

// remoteWait is how long a controller waits for another's reply.
func (ctl *Controller) remoteWait() time.Duration { return 2*ctl.opt.CommandTimeout + time.Second }

// remote hands cmd to the controller owning the call.
func (ctl *Controller) remote(ctx context.Context, cmd remoteCmd) (AgentCall, error) {
	callID, owner, err := ctl.q.CallOwner(ctx, cmd.Agent)
	if err != nil {
		return AgentCall{}, err
	}
	if callID != cmd.Call || owner == "" || owner == ctl.id {
		return AgentCall{}, hotline.Errorf(hotline.ENOTFOUND, "no call %q of agent %s in progress", cmd.Call, cmd.Agent)
	}
	body, err := json.Marshal(cmd)
	if err != nil {
		return AgentCall{}, fmt.Errorf("ivr: remote command: %w", err)
	}
	wait := ctl.remoteWait()
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		wait = time.Until(dl)
	}
	res, err := ctl.q.SendCommand(ctx, owner, body, wait)
	if err != nil {
		return AgentCall{}, err
	}
	var r remoteReply
	if err := json.Unmarshal(res, &r); err != nil {
		return AgentCall{}, fmt.Errorf("ivr: reply of controller %s: %w", owner, err)
	}
	if r.Code != "" {
		return AgentCall{}, hotline.Errorf(r.Code, "%s", r.Message)
	}
	if r.Call != nil {
		return *r.Call, nil
	}
	return AgentCall{}, nil
}

// commandLoop serves the commands other controllers send for this one's calls
// until the first adoption; matchLoop serves them after.
func (ctl *Controller) commandLoop(ctx context.Context) {
	for ctx.Err() == nil {
		select {
		case <-ctl.adopt1:
			// From the first adoption on, matchLoop waits on the commands
			// with the inbox (one blocked Redis connection, not two).
			return
		default:
		}
		cmd, err := ctl.q.NextCommand(ctx, ctl.id, ctl.opt.MatchWait)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !queue.Unavailable(err) {
				ctl.log.Warn("commands", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		if cmd != nil {
			go ctl.serveCommand(ctx, cmd)
		}
	}
}

func (ctl *Controller) serveCommand(ctx context.Context, cmd *queue.Command) {
	var in remoteCmd
	var out remoteReply
	var err error
	cctx, cancel := context.WithTimeout(ctx, ctl.remoteWait())
	defer cancel()
	switch err = json.Unmarshal(cmd.Body, &in); {
	case err != nil:
	case ctx.Err() != nil || ctl.stopped.Load():
		// Taken by a last wait of the command loop while stopping.
		err = hotline.Errorf(hotline.EUNAVAILABLE, "controller %s owning the call is stopping", ctl.id)
	default:
		switch in.Op {
		case opStaffing:
			ctl.staffingChanged(in.Queues)
		case opControl:
			err = ctl.control(cctx, in.Agent, in.Call, in.Action, in.Target)
		case opCall:
			var c AgentCall
			if c, err = ctl.agentCall(cctx, in.Agent, in.Call); err == nil {
				out.Call = &c
			}
		default:
			err = hotline.Errorf(hotline.EINVALID, "unknown command %q", in.Op)
		}
	}
	if cmd.ID == "" {
		// A notice (queue.Notify): nobody waits for a reply.
		if err != nil {
			ctl.log.Warn("notice from another controller", "err", err)
		}
		return
	}
	if err != nil {
		out.Code, out.Message = hotline.ErrorCode(err), hotline.ErrorMessage(err)
	}
	body, _ := json.Marshal(out)
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), ctl.opt.CommandTimeout)
	defer rcancel()
	if err := ctl.q.Reply(rctx, cmd.ID, body); err != nil {
		ctl.log.Warn("command reply", "err", err)
	}
}
