package procpool

import (
	"fmt"

	"github.com/parbench/parbench/strategies"
)

var _ strategies.FaultLog = (*Procpool)(nil)

// faultLog is the faults a Procpool met since TakeFaults last ran. Guarded
// by Procpool.mu.
type faultLog struct {
	n      int
	causes []fmt.Stringer // formatted when taken, once the workers are reaped
}

// noteFaultLocked counts one fault; cause describes it.
func (p *Procpool) noteFaultLocked(cause fmt.Stringer) {
	p.faults.n++
	if len(p.faults.causes) < strategies.MaxFaultCauses {
		p.faults.causes = append(p.faults.causes, cause)
	}
}

// TakeFaults implements FaultLog.
func (p *Procpool) TakeFaults() strategies.Faults {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := strategies.Faults{N: p.faults.n}
	for _, c := range p.faults.causes {
		f.Causes = append(f.Causes, c.String())
	}
	p.faults = faultLog{}
	return f
}

// faultText is a fault's description, made when it is read.
type faultText func() string

func (f faultText) String() string { return f() }
