package procpool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/pprof/profile"

	"github.com/parbench/parbench/strategies/internal/wire"
)

// profileTimeout bounds a worker's answer to a profile request.
const profileTimeout = 30 * time.Second

// StartWorkerProfiles implements WorkerProfiler. A worker that replaces a
// failed one during a batch starts its profile too; the failed worker's
// profile is lost, and the merged profile says how many were.
func (p *Procpool) StartWorkerProfiles(ctx context.Context) error {
	if !p.prepared {
		return errors.New("procpool: StartWorkerProfiles before Prepare")
	}
	if p.profiling {
		return errors.New("procpool: worker profiles already started")
	}
	if err := p.fill(ctx, len(p.procs)); err != nil {
		return err
	}
	p.mu.Lock()
	p.lost = 0
	p.mu.Unlock()
	err := p.control(ctx, wire.ProfileStart{}, p.liveProcs(nil), func(pr *proc, m wire.Message) (bool, error) {
		if _, ok := m.(wire.ProfileStarted); !ok {
			return false, fmt.Errorf("procpool: worker pid %d: answered profile-start with %v", pr.pid, m.Type())
		}
		p.mu.Lock()
		pr.profiling = true
		p.mu.Unlock()
		return true, nil
	})
	if err != nil {
		p.stopProfiles(ctx)
		return err
	}
	p.profiling = true
	return nil
}

// StopWorkerProfiles implements WorkerProfiler.
func (p *Procpool) StopWorkerProfiles(ctx context.Context) (*profile.Profile, error) {
	if !p.profiling {
		return nil, errors.New("procpool: StopWorkerProfiles without StartWorkerProfiles")
	}
	p.profiling = false
	byPID := map[int]*profile.Profile{}
	p.drainInbox()
	profiling := p.liveProcs(func(pr *proc) bool { return pr.profiling })
	err := p.control(ctx, wire.ProfileStop{}, profiling, func(pr *proc, m wire.Message) (bool, error) {
		switch m := m.(type) {
		case wire.Profile:
			prof, err := profile.ParseData(m.Data)
			if err != nil {
				return false, fmt.Errorf("procpool: worker pid %d: its profile: %w", pr.pid, err)
			}
			byPID[pr.pid] = prof
			p.mu.Lock()
			pr.profiling = false
			p.mu.Unlock()
			return true, nil
		}
		return false, fmt.Errorf("procpool: worker pid %d: answered profile-stop with %v", pr.pid, m.Type())
	})
	if err != nil {
		return nil, err
	}
	merged, err := MergeWorkerProfiles(byPID)
	if err != nil {
		return nil, fmt.Errorf("procpool: merging worker profiles: %w", err)
	}
	p.mu.Lock()
	lost := p.lost
	p.mu.Unlock()
	if lost > 0 {
		merged.Comments = append(merged.Comments, fmt.Sprintf("procpool: the profiles of %d failed workers are lost", lost))
	}
	return merged, nil
}

// stopProfiles tells every worker to stop profiling after a failed start,
// and throws the answers away. It waits no longer than ctx allows (the
// start may have failed because ctx was cancelled: then it does not wait).
func (p *Procpool) stopProfiles(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, profileTimeout)
	defer cancel()
	p.drainInbox()
	profiling := p.liveProcs(func(pr *proc) bool { return pr.profiling })
	p.control(ctx, wire.ProfileStop{}, profiling, func(*proc, wire.Message) (bool, error) { return true, nil })
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pr := range p.procs {
		if pr != nil {
			pr.profiling = false
		}
	}
}

// liveProcs lists the live workers for which keep is true (all if nil).
func (p *Procpool) liveProcs(keep func(*proc) bool) []*proc {
	p.mu.Lock()
	defer p.mu.Unlock()
	var procs []*proc
	for _, pr := range p.procs {
		if pr != nil && !pr.dead && (keep == nil || keep(pr)) {
			procs = append(procs, pr)
		}
	}
	return procs
}

// control sends m to procs, between batches, and passes each frame they
// send back to answer until it reports the answer it wants (true), an error
// or the worker sends a Failure. A worker that fails to answer, or whose
// stream ends, is stopped, and the next Run replaces it.
func (p *Procpool) control(ctx context.Context, m wire.Message, procs []*proc, answer func(*proc, wire.Message) (bool, error)) error {
	var errs []error
	waiting := map[*proc]bool{}
	for _, pr := range procs {
		if err := pr.send(m, profileTimeout); err != nil {
			errs = append(errs, fmt.Errorf("procpool: worker pid %d: sending %v: %w", pr.pid, m.Type(), err))
			p.kill(pr)
			continue
		}
		waiting[pr] = true
	}
	timer := time.NewTimer(profileTimeout)
	defer timer.Stop()
	for len(waiting) > 0 {
		p.mu.Lock()
		evs := p.inbox
		p.inbox = nil
		p.mu.Unlock()
		for _, ev := range evs {
			pr := ev.proc
			if !waiting[pr] {
				p.kill(pr) // it has answered already, and now says more
				continue
			}
			var done bool
			var err error
			switch m := ev.msg.(type) {
			case nil:
				err = fmt.Errorf("procpool: worker pid %d: %w", pr.pid, streamError(ev.err))
				p.kill(pr)
				done = true
			case wire.Failure:
				err = fmt.Errorf("procpool: worker pid %d: %s", pr.pid, m.Msg)
				done = true
			default:
				done, err = answer(pr, m)
			}
			if err != nil {
				errs = append(errs, err)
			}
			if done || err != nil {
				delete(waiting, pr)
			}
		}
		if len(waiting) == 0 {
			break
		}
		select {
		case <-p.wake:
		case <-timer.C:
			for pr := range waiting {
				errs = append(errs, fmt.Errorf("procpool: worker pid %d: no answer to %v within %v", pr.pid, m.Type(), profileTimeout))
				p.kill(pr)
			}
			return errors.Join(errs...)
		case <-ctx.Done():
			for pr := range waiting {
				p.kill(pr) // its answer would come in the middle of a batch
			}
			return ctx.Err()
		}
	}
	return errors.Join(errs...)
}

// MergeWorkerProfiles labels every sample of each worker's profile with the
// worker's pid (label "pid", a string) and merges the profiles into one,
// which go tool pprof can split again with -tagfocus or -tagroot. The
// profiles are relabelled in place.
func MergeWorkerProfiles(byPID map[int]*profile.Profile) (*profile.Profile, error) {
	if len(byPID) == 0 {
		return nil, errors.New("no worker profiles to merge")
	}
	pids := make([]int, 0, len(byPID))
	for pid := range byPID {
		pids = append(pids, pid)
	}
	slices.Sort(pids) // a merge's first profile decides its main mapping
	profs := make([]*profile.Profile, 0, len(pids))
	for _, pid := range pids {
		prof := byPID[pid]
		prof.SetLabel("pid", []string{strconv.Itoa(pid)})
		profs = append(profs, prof)
	}
	return profile.Merge(profs)
}
